"""The file itself: its schema version, backups, restoring one, and checking that it is sound."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dialogtui.fileio import (
    SHARED_DIR_MODE,
    SHARED_FILE_MODE,
    FileError,
    file_error,
    is_database_file,
    make_dirs,
    output_path,
    permission_problem,
    side_file_problem,
)
from dialogtui.store.base import StoreBase, translate
from dialogtui.store.errors import DiskFullError, StoreError
from dialogtui.store.schema import SCHEMA_VERSION, migrate, schema_problems
from dialogtui.words import count


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
                self._watch = self._connect()
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
        """A Swedish warning about the file's rights: open to everybody, or side files left by
        a colleague that nobody else can write."""
        return permission_problem(self.path) or side_file_problem(self.path)

    # -- backups --

    def _backup_destination(self, destination: Path) -> Path:
        """Where a backup may be written: never the live database, by whatever path, nor one
        of its side files, nor anything that is not a regular file."""
        if is_database_file(destination, self.path):
            raise StoreError(
                f"{destination} är databasen själv (eller en av dess -wal/-shm-filer). "
                "En säkerhetskopia skrivs till en annan fil; ingenting skrevs."
            )
        try:
            target = output_path(destination)
        except FileError as exc:
            raise StoreError(str(exc)) from None
        if not _replaceable_by_a_backup(target):
            raise StoreError(
                f"{target} finns redan och är ingen dialogtui-databas; en säkerhetskopia skriver "
                "bara över en tidigare säkerhetskopia. Ange ett nytt filnamn eller en mapp "
                "(där får kopian ett eget namn); ingenting skrevs."
            )
        return target

    def _backup_to_temporary(self, folder: Path, stem: str) -> Path:
        """A consistent copy of the database (SQLite's online backup) in a new file of its own
        in `folder`, mode 0660: a unique name, so that two backups never write one file."""
        try:
            make_dirs(folder, SHARED_DIR_MODE)
            fd, name = tempfile.mkstemp(dir=folder, prefix=f".{stem[:40]}-", suffix=".tmp")
            os.close(fd)
        except OSError as exc:
            raise StoreError(str(file_error(exc, folder, "skriva säkerhetskopian i"))) from None
        temporary = Path(name)
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
            os.chmod(temporary, SHARED_FILE_MODE)
        except sqlite3.Error as exc:
            self._remove_temporary(temporary)
            error = translate(exc, folder)
            if isinstance(error, DiskFullError):
                raise DiskFullError(
                    f"Säkerhetskopian fick inte plats: disken där {folder} ligger är full. "
                    "Databasen är orörd; frigör utrymme och försök igen."
                ) from None
            raise StoreError(f"Säkerhetskopian kunde inte skrivas i {folder}: {exc}.") from None
        except OSError as exc:
            self._remove_temporary(temporary)
            raise StoreError(str(file_error(exc, folder, "skriva säkerhetskopian i"))) from None
        except BaseException:
            self._remove_temporary(temporary)
            raise
        return temporary

    @staticmethod
    def _remove_temporary(temporary: Path) -> None:
        for name in (temporary, Path(f"{temporary}-journal"), Path(f"{temporary}-wal")):
            with contextlib.suppress(OSError):
                name.unlink(missing_ok=True)

    def backup_to(self, destination: Path) -> Path:
        """A backup at `destination`, replacing a regular file there; written under a temporary
        name and then renamed, so that a half-written backup never looks like a whole one."""
        target = self._backup_destination(Path(destination))
        temporary = self._backup_to_temporary(target.parent, target.name)
        try:
            # The check again, just before the rename: the path may have changed meanwhile.
            self._backup_destination(target)
            os.replace(temporary, target)
        except OSError as exc:
            raise StoreError(str(file_error(exc, target, "skriva säkerhetskopian"))) from None
        finally:
            self._remove_temporary(temporary)
        return target

    def backup_as_new(self, candidates: Iterable[Path]) -> Path | None:
        """A backup under the first of `candidates` that does not exist yet, never replacing
        one (two backups in one second, or two apps starting at once, each keep their own).
        None when every candidate exists."""
        names = iter(candidates)
        first = next(names, None)
        if first is None:
            return None
        first = self._backup_destination(Path(first))
        temporary = self._backup_to_temporary(first.parent, first.name)
        try:
            for candidate in (first, *names):
                target = self._backup_destination(Path(candidate))
                try:
                    # A hard link is created only where nothing exists: never a replacement.
                    os.link(temporary, target)
                except FileExistsError:
                    continue
                except OSError as exc:
                    raise StoreError(
                        str(file_error(exc, target, "skriva säkerhetskopian"))
                    ) from None
                return target
            return None
        finally:
            self._remove_temporary(temporary)

    @staticmethod
    def _open_backup(source: Path) -> sqlite3.Connection:
        """The backup, read-only. Without a -wal beside it the file is whole and cannot change,
        so it is opened immutable: that needs no -shm file, nor a writable folder."""
        source = Path(source)
        if not source.is_file():
            raise StoreError(f"Säkerhetskopian {source} finns inte (eller är ingen vanlig fil).")
        wal = source.with_name(source.name + "-wal")
        mode = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
        try:
            return sqlite3.connect(f"{source.resolve().as_uri()}?{mode}", uri=True)
        except sqlite3.Error as exc:
            raise StoreError(f"Säkerhetskopian {source} kan inte öppnas: {exc}.") from None

    @classmethod
    def check_backup(cls, source: Path) -> None:
        """Refuse, in Swedish, a file that is not a sound dialogtui database this version reads:
        its schema is compared with what its version should have, not only its number."""
        copy = cls._open_backup(source)
        try:
            try:
                version = int(copy.execute("PRAGMA user_version").fetchone()[0])
                problems = schema_problems(copy, version) if version else []
                integrity = [r[0] for r in copy.execute("PRAGMA integrity_check").fetchall()]
                keys = copy.execute("PRAGMA foreign_key_check").fetchall()
            except sqlite3.DatabaseError as exc:
                if "not a database" in str(exc) or "malformed" in str(exc):
                    raise StoreError(
                        f"{source} är ingen SQLite-databas; välj en säkerhetskopia av dialogtui."
                    ) from None
                raise StoreError(f"Säkerhetskopian {source} kan inte läsas: {exc}.") from None
            if not 1 <= version <= SCHEMA_VERSION:
                raise StoreError(
                    f"{source} är ingen databas från dialogtui (schemaversion {version}, "
                    f"den här versionen kan läsa 1–{SCHEMA_VERSION}). Inget återställdes."
                )
            if problems:
                listed = "; ".join(problems[:4]) + (" …" if len(problems) > 4 else "")
                raise StoreError(
                    f"{source} är ingen hel dialogtui-databas: schemaversion {version} ska ha ett "
                    f"annat schema ({listed}). Inget återställdes."
                )
            if integrity != ["ok"]:
                raise StoreError(f"{source} är skadad ({integrity[0]}); inget återställdes.")
            if keys:
                raise StoreError(
                    f"{source} har {count(len(keys), 'rad')} som pekar på saknade rader; "
                    "inget återställdes."
                )
        finally:
            copy.close()

    def restore_from(self, source: Path) -> None:
        """Replace the whole database with the copy in `source`, in place, so that every open
        connection sees the restored data; the restore itself is recorded in the audit log.

        Works on a database whose own schema is broken (that is when a restore is needed)."""
        source = Path(source)
        if is_database_file(source, self.path):
            raise StoreError("Säkerhetskopian är databasen själv; ange en annan fil.")
        self.check_backup(source)
        try:
            before = self.last_audit_id()
        except sqlite3.Error:
            before = 0  # the file being replaced is itself damaged
        copy = self._open_backup(source)
        try:
            with self.connection() as conn:
                # The backup API copies page by page under SQLite's own locks, waiting for
                # other writers, and other connections see the new content on their next read.
                copy.backup(conn)
        except sqlite3.Error as exc:
            error = translate(exc, self.path)
            message = str(error) if error else str(exc)
            raise StoreError(
                f"{source} kunde inte återställas ({message}); databasen är orörd."
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
        """Problems with the file, in Swedish: integrity, foreign keys, the schema against what
        its version should have, and the version against this program's."""
        problems: list[str] = []
        version = self.schema_version()
        with self.connection() as conn:
            problems += [f"Schema: {problem}" for problem in schema_problems(conn, version)]
            integrity = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if integrity != ["ok"]:
                problems += [f"Integritet: {line}" for line in integrity]
            # integrity_check does not look at foreign keys; foreign_key_check does.
            for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
                problems.append(f"Främmande nyckel: {table} rad {rowid} pekar på saknad {parent}")
        if version > SCHEMA_VERSION:
            problems.append(
                f"Schemaversion {version}, nyare än den här versionen av dialogtui "
                f"({SCHEMA_VERSION}): uppdatera dialogtui"
            )
        elif version != SCHEMA_VERSION:
            problems.append(f"Schemaversion {version}, väntad {SCHEMA_VERSION}")
        return problems


def _replaceable_by_a_backup(path: Path) -> bool:
    """Whether a backup may replace what is at `path`: nothing, an empty file, or a dialogtui
    database (an earlier backup). `backup /etc/passwd` as root replaced the system's user list
    with a database: a name typed wrong must never cost another program's file."""
    try:
        if path.stat().st_size == 0:
            return True
    except FileNotFoundError:
        return True
    except OSError:
        return True  # not readable here: the write itself will say why
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'initiatives'"
        ).fetchone()
        return found is not None
    except sqlite3.Error:
        return False  # not an SQLite database at all
    finally:
        conn.close()
