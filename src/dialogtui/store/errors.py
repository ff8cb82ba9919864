"""The store's refusals: each one a Swedish message the user can act on."""

from __future__ import annotations

from datetime import datetime

from dialogtui.errors import UserError


class StoreError(UserError):
    """A database problem the user can act on: a conflict, a missing record, a refusal."""


class NotFoundError(StoreError):
    """The record is gone: never created, or deleted by someone else meanwhile."""


class ConflictError(StoreError):
    """A write was refused because someone else changed the record since it was read."""

    def __init__(
        self, what: str, by: str, at: datetime | None, version: int, pronoun: str = "det"
    ) -> None:
        self.by = by
        self.at = at
        self.version = version
        when = at.strftime("%Y-%m-%d %H:%M") if at else "okänd tid"
        super().__init__(
            f"{what} har ändrats av {by or 'okänd'} {when} (version {version}) sedan du "
            f"öppnade {pronoun}. Dina ändringar har inte sparats; ladda om och gör om dem."
        )


class BusyError(StoreError):
    """Another user held the write lock for longer than a save may wait."""


class DemoRefusedError(StoreError):
    """Demo rows are never mixed into a database that holds real ones."""


class ReadOnlyError(StoreError):
    """This user may read the database but not change it (file rights, or a newer schema)."""


class DiskFullError(StoreError):
    """The disk (or the user's quota) is full: nothing was saved, and what was typed is kept."""


class MissingDatabaseError(StoreError):
    """The database file named does not exist, and this command does not create one."""


class NotOurDatabaseError(StoreError):
    """The file is not a dialogtui database (another program's, or damaged): never changed."""
