"""The only code that touches SQLite. `Store` is the one entry: callers never see the parts.

The parts, one module each, share the connection policy of `base`:
- `schema`: the migrations, one per schema version;
- `initiatives`: initiatives and target groups, the calendar's reads, versioned writes;
- `checklist`: the guideline's checklist, feedback promises, feedback to the public;
- `evaluations`: evaluations, drafts and the lessons library;
- `drafts`: each user's drafts of the registration form;
- `coordination`: coordinated overlaps, blocked periods and settings;
- `presence`: who else has the database open;
- `maintenance`: schema version, backup, restore and check.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from sqlite3 import DatabaseError

from dialogtui.store.base import BUSY_TIMEOUT_S, TZ, current_user, describe_database_error, now
from dialogtui.store.checklist import ChecklistStore
from dialogtui.store.coordination import CoordinationStore
from dialogtui.store.drafts import FormDraft, FormDraftStore
from dialogtui.store.errors import (
    BusyError,
    ConflictError,
    DemoRefusedError,
    DiskFullError,
    MissingDatabaseError,
    NotFoundError,
    NotOurDatabaseError,
    ReadOnlyError,
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
    "DiskFullError",
    "FormDraft",
    "MissingDatabaseError",
    "NotFoundError",
    "NotOurDatabaseError",
    "ReadOnlyError",
    "Store",
    "StoreError",
    "current_user",
    "describe_database_error",
    "now",
]


class Store(
    InitiativeStore,
    ChecklistStore,
    EvaluationStore,
    FormDraftStore,
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
        *,
        create: bool = True,
        read_only: bool = False,
        verify: bool = True,
        busy_timeout: float = BUSY_TIMEOUT_S,
    ) -> None:
        """Open the database at `path`.

        create: make an empty database when the file is missing (else MissingDatabaseError).
        read_only: never write, not even a migration (`dialogtui check`); schema problems are
            kept in `schema_issues` instead of refused.
        verify: check that the file is an empty file or a dialogtui database before using it;
            only a restore, which replaces the whole file, opens without.
        busy_timeout: how long a write waits for another user's write lock (BusyError after).
        """
        super().__init__(
            path,
            user,
            clock,
            wall_clock,
            create=create,
            read_only=read_only,
            verify=verify,
            busy_timeout=busy_timeout,
        )
        if verify and not self.read_only:
            self.migrate()

    def check(self) -> list[str]:
        """The file's problems (`MaintenanceStore.check`), and then its records': a row with a
        value this program cannot read (a stage or a date set by hand in sqlite3) passes every
        check of the file, yet stops every command that lists it."""
        problems = super().check()
        if problems:
            return problems  # the schema is not what the records are read with
        try:
            self.initiatives()  # all at once first: one query, as the commands read them
            self.evaluations()
            return problems
        except Exception:  # some row is unreadable: find which, one by one
            pass
        for initiative_id in self._ids("SELECT id FROM initiatives ORDER BY id"):
            try:
                self.initiative(initiative_id)
                self.evaluation(initiative_id)
            except Exception as exc:  # any reason at all: the row is what is reported
                problems.append(
                    f"Initiativ {initiative_id}: går inte att läsa ({unreadable(exc)}). "
                    "Rätta raden, eller återställ en säkerhetskopia (dialogtui restore)."
                )
        return problems

    def _ids(self, sql: str) -> list[int]:
        with self.connection() as conn:
            return [int(row[0]) for row in conn.execute(sql)]

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def unreadable(exc: Exception) -> str:
    """Which field of a stored record could not be read, in words, for `check`."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        fields = sorted({".".join(str(part) for part in error["loc"]) for error in exc.errors()})
        return "fältet " + ", ".join(fields) if fields else "ett fält"
    return (
        "ett värde som dialogtui inte känner igen, t.ex. en okänd metod eller ett datum "
        "som inte är ett datum"
    )
