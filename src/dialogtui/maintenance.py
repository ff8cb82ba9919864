"""Keeping the database safe: a backup on the first start of each day, the last 14 kept."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from dialogtui.store import Store

KEEP_DAILY = 14


def backup_dir(store: Store) -> Path:
    return store.path.parent / "backups"


def daily_backup(store: Store, today: date, keep: int = KEEP_DAILY) -> Path | None:
    """Back up once a day, beside the database; None when today's backup already exists.

    Two apps starting at once both may back up: the first to finish keeps the day's name, the
    other's copy is dropped; neither replaces the other's file. Raises StoreError (in Swedish)
    when the backup cannot be written; the caller warns and goes on.
    """
    folder = backup_dir(store)
    target = folder / f"{store.path.stem}-{today.isoformat()}.db"
    if target.exists():
        return None
    made = store.backup_as_new([target])
    daily = sorted(folder.glob(f"{store.path.stem}-????-??-??.db"))
    for old in daily[:-keep]:
        with contextlib.suppress(OSError):
            old.unlink(missing_ok=True)
    return made


def manual_backup_path(store: Store, now: datetime, kind: str = "manuell") -> Path:
    """Where `dialogtui backup` (and a restore, of what it replaces) writes by default."""
    return backup_dir(store) / f"{store.path.stem}-{now:%Y-%m-%d-%H%M%S}-{kind}.db"


def _numbered(first: Path) -> Iterator[Path]:
    yield first
    for number in range(2, 1000):
        yield first.with_name(f"{first.stem}-{number}{first.suffix}")


def new_backup(
    store: Store, now: datetime, kind: str = "manuell", folder: Path | None = None
) -> Path:
    """A backup under a name of its own: a second one in the same second gets `-2`, and so on;
    an existing backup is never replaced."""
    default = manual_backup_path(store, now, kind)
    first = (folder / default.name) if folder is not None else default
    made = store.backup_as_new(_numbered(first))
    if made is None:
        from dialogtui.store import StoreError

        raise StoreError(f"Det finns redan 999 säkerhetskopior med namnet {first.name}.")
    return made
