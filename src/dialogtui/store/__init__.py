"""The only code that touches SQLite. `Store` is the one entry: callers never see the parts.

The parts, one module each, share the connection policy of `base`:
- `schema`: the migrations, one per schema version;
- `initiatives`: initiatives and target groups, the calendar's reads, versioned writes;
- `checklist`: the guideline's checklist, feedback promises, feedback to the public;
- `evaluations`: evaluations, drafts and the lessons library;
- `coordination`: coordinated overlaps, blocked periods and settings;
- `presence`: who else has the database open;
- `maintenance`: schema version, backup, restore and check.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from sqlite3 import DatabaseError

from dialogtui.store.base import BUSY_TIMEOUT_S, TZ, current_user, now
from dialogtui.store.checklist import ChecklistStore
from dialogtui.store.coordination import CoordinationStore
from dialogtui.store.errors import (
    BusyError,
    ConflictError,
    DemoRefusedError,
    NotFoundError,
    StoreError,
)
from dialogtui.store.evaluations import EvaluationStore
from dialogtui.store.initiatives import InitiativeStore
from dialogtui.store.maintenance import MaintenanceStore
from dialogtui.store.presence import PRESENCE_STALE_S, PresenceStore
from dialogtui.store.schema import MIGRATIONS, SCHEMA_VERSION

__all__ = [
    "BUSY_TIMEOUT_S",
    "MIGRATIONS",
    "PRESENCE_STALE_S",
    "SCHEMA_VERSION",
    "TZ",
    "BusyError",
    "ConflictError",
    "DatabaseError",
    "DemoRefusedError",
    "NotFoundError",
    "Store",
    "StoreError",
    "current_user",
    "now",
]


class Store(
    InitiativeStore,
    ChecklistStore,
    EvaluationStore,
    CoordinationStore,
    PresenceStore,
    MaintenanceStore,
):
    """One open database file, safe to use from several threads at once."""

    def __init__(
        self,
        path: Path | str,
        user: str | None = None,
        clock: Callable[[], datetime] = now,
        wall_clock: Callable[[], datetime] = now,
        busy_timeout: float = BUSY_TIMEOUT_S,
    ) -> None:
        super().__init__(path, user, clock, wall_clock, busy_timeout)
        self.migrate()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
