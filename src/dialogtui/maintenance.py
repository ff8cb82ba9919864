"""Keeping the database safe: a backup on the first start of each day, the last 14 kept."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from dialogtui.store import Store

KEEP_DAILY = 14


def backup_dir(store: Store) -> Path:
    return store.path.parent / "backups"


def daily_backup(store: Store, today: date, keep: int = KEEP_DAILY) -> Path | None:
    """Back up once a day, beside the database; None when today's backup already exists."""
    folder = backup_dir(store)
    folder.mkdir(mode=0o770, parents=True, exist_ok=True)
    target = folder / f"{store.path.stem}-{today.isoformat()}.db"
    if target.exists():
        return None
    store.backup_to(target)
    daily = sorted(folder.glob(f"{store.path.stem}-????-??-??.db"))
    for old in daily[:-keep]:
        old.unlink(missing_ok=True)
    return target


def manual_backup_path(store: Store, now: datetime, kind: str = "manuell") -> Path:
    """Where `dialogtui backup` (and a restore, of what it replaces) writes by default."""
    return backup_dir(store) / f"{store.path.stem}-{now:%Y-%m-%d-%H%M%S}-{kind}.db"
