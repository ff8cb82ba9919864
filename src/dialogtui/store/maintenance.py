"""The file itself: its schema version, backups, restoring one, and checking that it is sound."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from dialogtui.fileio import create_private_file, permission_problem
from dialogtui.store.base import StoreBase, open_connection
from dialogtui.store.errors import StoreError
from dialogtui.store.schema import SCHEMA_VERSION, migrate


class MaintenanceStore(StoreBase):
    def __init__(self, path: Path | str, *args: Any, **kwargs: Any) -> None:
        super().__init__(path, *args, **kwargs)
        # PRAGMA data_version is per connection: it must always be asked of the same one.
        self._watch: sqlite3.Connection | None = None
        self._watch_lock = threading.Lock()

    def close(self) -> None:
        super().close()
        with self._watch_lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None

    def data_version(self) -> int:
        """A number that changes when another connection has committed to the file.

        This store's own saves count as another connection's: telling them apart is the audit
        log's job (`changes_by_others`).
        """
        with self._watch_lock:
            if self._watch is None:
                self._watch = open_connection(self.path)
            return int(self._watch.execute("PRAGMA data_version").fetchone()[0])

    def schema_version(self) -> int:
        return int(self._scalar("PRAGMA user_version"))

    def migrate(self, target: int = SCHEMA_VERSION) -> None:
        """Bring the schema up to `target`; safe when several processes open a new file at once."""
        if self.schema_version() >= target:
            return
        with self.write() as conn:
            migrate(conn, target)

    def permission_problem(self) -> str | None:
        return permission_problem(self.path)

    # -- backups --

    def backup_to(self, destination: Path) -> Path:
        """A consistent copy of the database (SQLite's online backup), written under a temporary
        name and then renamed, so that a half-written backup never looks like a whole one."""
        destination = Path(destination)
        temporary = destination.with_name(f".{destination.name}.tmp")
        temporary.unlink(missing_ok=True)
        create_private_file(temporary)
        try:
            target = sqlite3.connect(temporary)
            try:
                with self.connection() as conn:
                    conn.backup(target)
                # A copy in WAL mode could not be opened read-only where its folder is not
                # writable; a backup is a whole file in one piece.
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
            os.replace(temporary, destination)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return destination

    @staticmethod
    def _open_backup(source: Path) -> sqlite3.Connection:
        """The backup, read-only. Without a -wal beside it the file is whole and cannot change,
        so it is opened immutable: that needs no -shm file, nor a writable folder."""
        source = Path(source)
        if not source.is_file():
            raise StoreError(f"Säkerhetskopian {source} finns inte.")
        wal = source.with_name(source.name + "-wal")
        mode = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
        try:
            return sqlite3.connect(f"{source.resolve().as_uri()}?{mode}", uri=True)
        except sqlite3.Error as exc:
            raise StoreError(f"Säkerhetskopian {source} kan inte öppnas: {exc}.") from None

    @classmethod
    def check_backup(cls, source: Path) -> None:
        """Refuse, in Swedish, a file that is not a sound dialogtui database this version reads."""
        copy = cls._open_backup(source)
        try:
            try:
                tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master")}
                version = int(copy.execute("PRAGMA user_version").fetchone()[0])
                integrity = [r[0] for r in copy.execute("PRAGMA integrity_check").fetchall()]
            except sqlite3.DatabaseError as exc:
                if "not a database" in str(exc) or "malformed" in str(exc):
                    raise StoreError(
                        f"{source} är ingen SQLite-databas; välj en säkerhetskopia av dialogtui."
                    ) from None
                raise StoreError(f"Säkerhetskopian {source} kan inte läsas: {exc}.") from None
            if "initiatives" not in tables or not 1 <= version <= SCHEMA_VERSION:
                raise StoreError(
                    f"{source} är ingen databas från dialogtui (schemaversion {version}, "
                    f"den här versionen kan läsa 1–{SCHEMA_VERSION})."
                )
            if integrity != ["ok"]:
                raise StoreError(f"{source} är skadad ({integrity[0]}); inget återställdes.")
        finally:
            copy.close()

    def restore_from(self, source: Path) -> None:
        """Replace the whole database with the copy in `source`, in place, so that every open
        connection sees the restored data; the restore itself is recorded in the audit log."""
        source = Path(source)
        self.check_backup(source)
        before = self.last_audit_id()
        copy = self._open_backup(source)
        try:
            with self.connection() as conn:
                # The backup API copies page by page under SQLite's own locks, waiting for
                # other writers, and other connections see the new content on their next read.
                copy.backup(conn)
        except sqlite3.Error as exc:
            raise StoreError(
                f"{source} kunde inte återställas ({exc}); databasen är orörd."
            ) from None
        finally:
            copy.close()
        self.migrate()
        with self.write() as conn:
            # Numbered past everything any open session has seen, whatever the backup's log
            # holds: that is how they notice that the data under them has changed.
            self._audit("restore", "database", None, None, {}, str(source.resolve()))
            conn.execute(
                "UPDATE audit_log SET id = ? WHERE id = last_insert_rowid()",
                (max(before, self.last_audit_id()) + 1,),
            )
            self._held.pending_audit.clear()

    def check(self) -> list[str]:
        """Problems with the file, in Swedish: integrity, foreign keys, schema version."""
        problems: list[str] = []
        with self.connection() as conn:
            integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if integrity != ["ok"]:
                problems += [f"Integritet: {line}" for line in integrity]
            # integrity_check does not look at foreign keys; foreign_key_check does.
            for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
                problems.append(f"Främmande nyckel: {table} rad {rowid} pekar på saknad {parent}")
        version = self.schema_version()
        if version != SCHEMA_VERSION:
            problems.append(f"Schemaversion {version}, väntad {SCHEMA_VERSION}")
        return problems
