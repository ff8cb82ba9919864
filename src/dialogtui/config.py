"""Where the database lives: `--db`, else `DIALOGTUI_DB`, else the user data directory."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ENV_DB = "DIALOGTUI_DB"
APP_NAME = "dialogtui"


def default_dir() -> Path:
    # platformdirs is imported here so that code paths with an explicit --db never pay for it.
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    return default_dir() / "dialogtui.db"


def demo_db_path() -> Path:
    """The demo's own file, beside the default database, so demo rows never mix with real ones."""
    return default_dir() / "demo.db"


def explicit_db_path(cli_value: str | os.PathLike[str] | None) -> Path | None:
    """The database the user named, on the command line or in the environment, if any."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(ENV_DB, "").strip()
    return Path(env).expanduser() if env else None


def resolve_db_path(cli_value: str | os.PathLike[str] | None) -> Path:
    return explicit_db_path(cli_value) or default_db_path()


ENV_TODAY = "DIALOGTUI_TODAY"


def today() -> date:
    """Today in Sweden, or the date in DIALOGTUI_TODAY (for demos, tests and screenshots)."""
    fixed = os.environ.get(ENV_TODAY, "").strip()
    if fixed:
        return date.fromisoformat(fixed)
    return datetime.now(ZoneInfo("Europe/Stockholm")).date()
