"""Where the database lives: `--db`, else `DIALOGTUI_DB`, else the user data directory."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dialogtui.errors import UserError

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


class ConfigError(UserError):
    """A setting in the environment that cannot be used; the message names it, in Swedish."""


def today() -> date:
    """Today in Sweden, or the date in DIALOGTUI_TODAY (for demos, tests and screenshots)."""
    fixed = os.environ.get(ENV_TODAY, "").strip()
    if fixed:
        from dialogtui.domain import YEAR_MAX, YEAR_MIN

        try:
            fixed_date = date.fromisoformat(fixed)
        except ValueError:
            fixed_date = None
        if fixed_date is None or not YEAR_MIN <= fixed_date.year <= YEAR_MAX:
            raise ConfigError(
                f"{ENV_TODAY}={fixed[:40]!r} är inget datum som dialogtui kan använda; ange ett "
                f"som 2026-11-24 (år {YEAR_MIN}–{YEAR_MAX}), eller ta bort variabeln "
                f"(unset {ENV_TODAY})."
            )
        return fixed_date
    return datetime.now(ZoneInfo("Europe/Stockholm")).date()
