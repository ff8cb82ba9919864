"""The connection policy every part of the store shares, and the audit log it writes.

Several staff run their own dialogtui on one jump host against one database file, and inside one
dialogtui the screen and its workers read and write at the same time. So:
- each thread gets a connection of its own from a small pool for as long as it uses one: in WAL
  mode readers never wait for a writer, so a worker's read never queues behind another's;
- every writing transaction begins with BEGIN IMMEDIATE, which takes the write lock up front
  (a deferred transaction that upgrades later can fail with SQLITE_BUSY that waiting cannot cure);
- a write nested in another on the same thread joins it, so composite operations (an import,
  the demo) call the single-record methods and still commit all or nothing;
- every change writes an audit row, with the OS user, in the same transaction as the change.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dialogtui.domain import AuditEntry, swedish_key
from dialogtui.errors import os_error_text
from dialogtui.fileio import create_shared_file, protect_database, share_side_files
from dialogtui.store.errors import (
    BusyError,
    DiskFullError,
    MissingDatabaseError,
    NotFoundError,
    NotOurDatabaseError,
    ReadOnlyError,
    StoreError,
)
from dialogtui.store.schema import SCHEMA_VERSION, schema_problems

TZ = ZoneInfo("Europe/Stockholm")
BUSY_TIMEOUT_S = 10.0
# Idle connections kept for the next reader; more threads than this at once get fresh ones.
_POOL_IDLE_MAX = 4


def now() -> datetime:
    return datetime.now(TZ).replace(microsecond=0)


def current_user() -> str:
    """The OS user who runs the app: what the audit log records.

    From the process's user id, not from $USER or $LOGNAME as getpass would: on a shared jump
    host anyone can set those, and the audit log must name who really made a change.
    """
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return f"uid{os.geteuid()}"


def _casefold(value: str | None) -> str | None:
    return value.casefold() if isinstance(value, str) else value


def read_only_uri(path: Path) -> str:
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def open_connection(
    path: Path, timeout: float = BUSY_TIMEOUT_S, read_only: bool = False
) -> sqlite3.Connection:
    """A connection configured the one way this program uses SQLite.

    A read-only one is opened so by SQLite itself: it can never write, whatever a bug asks.
    """
    conn = sqlite3.connect(
        read_only_uri(path) if read_only else path,
        timeout=timeout,
        isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
        check_same_thread=False,  # the pool hands it to one thread at a time
        uri=read_only,
    )
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    if read_only:
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA schema_version").fetchone()  # opens the -wal/-shm, if any
    else:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    # Whoever opens the database first creates its side files; the group must be able to use them.
    share_side_files(Path(path))
    # SQLite's own lower() and LIKE fold ASCII only; Swedish needs å, ä and ö folded too.
    conn.create_function("casefold", 1, _casefold, deterministic=True)
    # Sorting the Swedish way (å, ä, ö after z), the same key as Python's sorted lists use.
    conn.create_collation("swedish", _swedish_compare)
    return conn


def _seconds(value: float) -> str:
    """Seconds as a Swede writes them: 10, or 0,5."""
    return str(int(value)) if value == int(value) else f"{value:.1f}".replace(".", ",")


def _swedish_compare(left: str, right: str) -> int:
    a, b = swedish_key(left), swedish_key(right)
    return (a > b) - (a < b)


class _Held(threading.local):
    """What the current thread holds: its connection, how deep its writes nest, their audit."""

    conn: sqlite3.Connection | None = None
    depth: int = 0
    pending_audit: list[int]

    def __init__(self) -> None:
        self.pending_audit = []


def _nearly_full(path: Path) -> bool:
    """Whether the file system of `path` has (almost) no room left for the user."""
    try:
        info = os.statvfs(Path(path).parent)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < 256 * 1024


def translate(
    exc: sqlite3.Error, path: Path, opening: bool = False, busy_timeout: float = BUSY_TIMEOUT_S
) -> StoreError | None:
    """The Swedish StoreError for an SQLite failure the user can act on, or None for a bug.

    `opening`: the failure came while opening the database, before anything was to be saved.
    `busy_timeout`: how long the write waited for another's lock, said when it gave up.
    """
    text = str(exc).casefold()
    full = "full" in text or (
        ("disk i/o error" in text or "unable to open" in text) and _nearly_full(path)
    )
    if full and opening:
        return DiskFullError(
            f"Disken där {path} ligger är full, så databasen kan inte öppnas (SQLite behöver "
            "plats för sina -wal- och -shm-filer). Frigör utrymme och försök igen."
        )
    if full:
        return DiskFullError(
            f"Disken där {path} ligger är full: inget sparades, men det du skrev finns kvar. "
            "Frigör utrymme (eller be den som sköter servern om det) och spara igen."
        )
    if ("readonly" in text or "read-only" in text) and opening:
        return ReadOnlyError(_unreadable_text(path))
    if "readonly" in text or "read-only" in text:
        return ReadOnlyError(
            f"Databasen {path} går inte att skriva i just nu (skrivskyddad för dig). "
            "Inget sparades; det du skrev finns kvar."
        )
    if "disk i/o error" in text and opening:
        return StoreError(f"Disken svarade med ett fel när {path} skulle öppnas; försök igen.")
    if "disk i/o error" in text:
        return StoreError(
            f"Disken svarade med ett fel när {path} skulle skrivas: inget sparades, men det du "
            "skrev finns kvar. Försök igen; hjälper det inte, kör `dialogtui check`."
        )
    if "locked" in text or "busy" in text:
        return BusyError(
            f"Databasen är upptagen av en annan användare (väntade {_seconds(busy_timeout)} s)."
            " Inget sparades; försök igen om en stund."
        )
    if "unable to open" in text:
        return StoreError(f"Databasen {path} kan inte öppnas: {exc}. Finns mappen kvar?")
    return None


def _unreadable_text(path: Path) -> str:
    """Why a database could not even be opened for reading although SQLite said "read-only".

    SQLite reads a database in WAL mode only with its -wal and -shm files beside it, and creates
    them if nobody has the file open: a user who may not create files in the folder cannot
    read it then, whatever the file's own rights. Nothing was being saved, so nothing is lost."""
    folder = Path(path).resolve().parent
    if not os.access(folder, os.W_OK | os.X_OK):
        name = Path(path).name
        return (
            f"Databasen {path} kan inte öppnas: SQLite behöver filerna {name}-wal och "
            f"{name}-shm bredvid den, och du får inte skapa filer i mappen {folder}. Be den som "
            f"sköter servern ge gruppen skrivrätt i mappen (chmod g+ws {folder}), som README "
            "visar för en delad server. Inget ändrades."
        )
    return f"Databasen {path} kan inte öppnas: den är skrivskyddad för dig. Inget ändrades."


def describe_database_error(exc: sqlite3.Error, path: Path | str = "databasen") -> str:
    """Any SQLite error in Swedish, for the last line of defence (the command line)."""
    translated = translate(exc, Path(path))
    if translated is not None:
        return str(translated)
    return f"databasfelet '{exc}'. Är filen en dialogtui-databas? `dialogtui check` visar mer."


def missing_database_message(path: Path) -> str:
    return (
        f"Databasfilen {path} finns inte. Kontrollera sökvägen (--db eller DIALOGTUI_DB); "
        "en ny, tom databas skapas med `dialogtui init` (en demodatabas med `dialogtui demo`)."
    )


class StoreBase:
    """One open database file: the pool of connections, transactions and the audit log.

    Opening is careful with files that are not ours: the file is first read without writing;
    an empty file or a dialogtui database is adopted, anything else is refused untouched. A file
    this user may not write, or whose schema is newer than this program, is opened read-only:
    `read_only_reason` says why, in Swedish, and every write is refused up front with it.
    """

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
        self.path = Path(path)
        # How long a write waits for another user's write lock before it gives up (BusyError);
        # tests make it short to see a save fail without waiting ten seconds.
        self.busy_timeout = busy_timeout
        self.user = user or current_user()
        # Injectable so that screenshots and tests of the history are stable.
        self.now = clock
        # Presence is about who is alive right now, across processes that each have their own
        # `clock`: it always needs one shared time, so it has a clock of its own.
        self.wall_clock = wall_clock
        self._held = _Held()
        self._pool_lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._closed = False
        # Audit ids this Store committed, so that polling can tell its own saves from others'
        # (another session of the same OS user included).
        self._own_audit: set[int] = set()
        self._audit_lock = threading.Lock()
        self.read_only_reason: str | None = None
        # Schema problems found on opening (only kept when opened read-only, for `check`).
        self.schema_issues: list[str] = []
        # What the file held when opened: its schema version, and whether it was empty.
        self.found_version = 0
        self.found_empty = False
        self._open_file(create=create, read_only=read_only, verify=verify)
        # Opened now, so that a file that is no database fails here and not on the first read.
        self._give_back(self._connect())

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    def _open_file(self, *, create: bool, read_only: bool, verify: bool) -> None:
        if not self.path.exists():
            if not create:
                raise MissingDatabaseError(missing_database_message(self.path))
            try:
                create_shared_file(self.path)
            except FileExistsError:
                pass  # another process created it a moment ago: adopt it like any other
            except OSError as exc:
                raise StoreError(
                    f"Kan inte skapa databasfilen {self.path}: {os_error_text(exc)}."
                ) from None
        elif not self.path.is_file():
            raise NotOurDatabaseError(f"{self.path} är ingen vanlig fil och ingen databas.")
        protect_database(self.path)
        if read_only:
            self.read_only_reason = f"{self.path} är öppnad för att läsas, inte ändras."
        elif not os.access(self.path, os.W_OK):
            self.read_only_reason = (
                f"Du ({self.user}) får läsa men inte ändra databasen {self.path}. "
                "Be den som sköter servern om skrivrätt (gruppen) om du behöver ändra."
            )
        # Without `verify` (a restore, which replaces the whole file) a damaged dialogtui
        # database is accepted, but another program's file is still refused.
        self._inspect(keep_problems=read_only or not verify, replacing=not verify)

    def _inspect(self, keep_problems: bool, replacing: bool = False) -> None:
        """Read the file without writing anything, and decide whether it may be used."""
        try:
            probe = sqlite3.connect(read_only_uri(self.path), uri=True, timeout=BUSY_TIMEOUT_S)
        except sqlite3.Error as exc:
            raise StoreError(f"Databasen {self.path} kan inte öppnas: {exc}.") from None
        try:
            names = [
                r[0]
                for r in probe.execute(
                    "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                )
            ]
            version = int(probe.execute("PRAGMA user_version").fetchone()[0])
            problems = schema_problems(probe, version) if version else []
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc) or "malformed" in str(exc):
                raise NotOurDatabaseError(
                    f"{self.path} är ingen dialogtui-databas (filen är ingen SQLite-databas, "
                    "eller är skadad). Inget ändrades."
                ) from None
            raise translate(exc, self.path, opening=True) or StoreError(
                f"Databasen {self.path} kan inte läsas: {exc}."
            ) from None
        finally:
            probe.close()
        share_side_files(self.path)
        self.found_version = version
        self.found_empty = version == 0 and not names
        if version == 0 and names:
            shown = ", ".join(sorted(names)[:5]) + (" …" if len(names) > 5 else "")
            raise NotOurDatabaseError(
                f"{self.path} är ingen dialogtui-databas: den är en annan SQLite-databas (med "
                f"{shown}). dialogtui ändrar den inte; ange en annan fil."
            )
        if problems and keep_problems:
            self.schema_issues = problems
        elif problems:
            listed = "; ".join(problems[:4]) + (" …" if len(problems) > 4 else "")
            raise NotOurDatabaseError(
                f"{self.path} har schemaversion {version} men inte det schema dialogtui ger den "
                f"versionen ({listed}). Inget ändrades; `dialogtui check` visar allt, och "
                "`dialogtui restore` kan återställa en säkerhetskopia."
            )
        if replacing:
            return
        if version > SCHEMA_VERSION and not self.read_only:
            self.read_only_reason = (
                f"Databasen har schemaversion {version}, nyare än den här versionen av "
                f"dialogtui ({SCHEMA_VERSION}). Du kan läsa men inte ändra; uppdatera dialogtui "
                "för att ändra."
            )
        if self.found_empty and self.read_only and not keep_problems:
            raise ReadOnlyError(
                f"Databasfilen {self.path} är tom, och du får inte skriva i den. "
                "Be den som sköter servern om skrivrätt."
            )
        if 0 < version < SCHEMA_VERSION and self.read_only and not keep_problems:
            raise ReadOnlyError(
                f"Databasen {self.path} har en äldre schemaversion ({version}) och behöver "
                f"uppgraderas till {SCHEMA_VERSION}, men du får inte skriva i den. Be någon "
                "med skrivrätt att öppna den en gång."
            )

    def _connect(self, timeout: float | None = None) -> sqlite3.Connection:
        wait = self.busy_timeout if timeout is None else timeout
        try:
            return open_connection(self.path, wait, read_only=self.read_only)
        except sqlite3.Error as exc:
            raise translate(exc, self.path, opening=True) or StoreError(
                f"Databasen {self.path} kan inte öppnas: {exc}."
            ) from None

    # -- connections --

    def _take(self) -> sqlite3.Connection:
        with self._pool_lock:
            if self._idle:
                return self._idle.pop()
        return self._connect()

    def _give_back(self, conn: sqlite3.Connection) -> None:
        with self._pool_lock:
            if not self._closed and len(self._idle) < _POOL_IDLE_MAX:
                self._idle.append(conn)
                return
        conn.close()

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection for as long as the block runs: its open transaction, if any."""
        held = self._held
        if held.conn is not None:
            yield held.conn
            return
        conn = self._take()
        held.conn = conn
        try:
            yield conn
        finally:
            held.conn = None
            self._give_back(conn)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts keyed by column name, read whole."""
        with self.connection() as conn:
            cursor = conn.execute(sql, params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor]

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None when there is no row."""
        with self.connection() as conn:
            row = conn.execute(sql, params).fetchone()
        return row[0] if row else None

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One writing transaction, holding the write lock from its first statement.

        Nested use on the same thread joins the outer transaction.
        """
        held = self._held
        if held.depth:
            held.depth += 1
            try:
                assert held.conn is not None
                yield held.conn
            finally:
                held.depth -= 1
            return
        if self.read_only_reason is not None:
            # Refused before anything is attempted, with the reason, in Swedish.
            raise ReadOnlyError(f"{self.read_only_reason} Inget sparades.")
        with self.connection() as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise translate(exc, self.path, busy_timeout=self.busy_timeout) or exc from None
            held.depth = 1
            try:
                try:
                    yield conn
                    conn.execute("COMMIT")
                except sqlite3.OperationalError as exc:
                    # A full disk, a file made read-only meanwhile, an I/O error: the transaction
                    # is rolled back whole and the user is told in Swedish; their text is theirs.
                    self._roll_back(conn)
                    raise translate(exc, self.path, busy_timeout=self.busy_timeout) or exc from None
                except BaseException:
                    self._roll_back(conn)
                    raise
                with self._audit_lock:
                    self._own_audit.update(held.pending_audit)
            finally:
                held.depth = 0
                held.pending_audit.clear()

    @staticmethod
    def _roll_back(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")

    def close(self) -> None:
        with self._pool_lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    # -- shared helpers of the parts --

    @property
    def _tx(self) -> sqlite3.Connection:
        """The connection of the write transaction this thread is in; only inside write()."""
        conn = self._held.conn
        assert conn is not None and self._held.depth, "used outside a write transaction"
        return conn

    def _require_initiative(self, conn: sqlite3.Connection, initiative_id: int) -> None:
        """Refuse, in Swedish, to write beside an initiative that is not there (any more)."""
        if not conn.execute("SELECT 1 FROM initiatives WHERE id = ?", (initiative_id,)).fetchone():
            raise NotFoundError(f"Initiativ {initiative_id} finns inte (det kan ha tagits bort).")

    def _row(self, table: str, row_id: int, what: str) -> dict[str, Any]:
        """One row by id, or a Swedish NotFoundError naming what is missing."""
        rows = self._query(f"SELECT * FROM {table} WHERE id = ?", [row_id])
        if not rows:
            raise NotFoundError(f"{what} finns inte längre.")
        return rows[0]

    @staticmethod
    def _upsert(
        conn: sqlite3.Connection, table: str, values: Mapping[str, Any], key: Sequence[str]
    ) -> None:
        """Insert a row, or update the one with the same key: one statement, no read first."""
        columns = ", ".join(f'"{c}"' for c in values)
        marks = ", ".join("?" * len(values))
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in values if c not in key)
        conn.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})"
            f" ON CONFLICT({', '.join(key)}) DO UPDATE SET {updates}",
            list(values.values()),
        )

    # -- audit --

    def _audit(
        self,
        action: str,
        entity: str,
        entity_id: int | None,
        initiative_id: int | None,
        changes: Mapping[str, Sequence[Any]],
        note: str = "",
    ) -> None:
        """Record a change; only inside a write(), so that it commits with the change."""
        cursor = self._tx.execute(
            "INSERT INTO audit_log (at, user, action, entity, entity_id, initiative_id, changes,"
            " note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.now().isoformat(),
                self.user,
                action,
                entity,
                entity_id,
                initiative_id,
                json.dumps(changes, ensure_ascii=False),
                note,
            ),
        )
        if cursor.lastrowid is not None:
            self._held.pending_audit.append(cursor.lastrowid)

    def audit_after(self, audit_id: int) -> list[AuditEntry]:
        """Audit entries newer than `audit_id`, oldest first: what others have done since."""
        rows = self._query("SELECT * FROM audit_log WHERE id > ? ORDER BY id", [audit_id])
        return [_audit_entry(r) for r in rows]

    def changes_by_others(self, audit_id: int) -> list[AuditEntry]:
        """Audit entries newer than `audit_id` that this Store did not write, oldest first."""
        entries = self.audit_after(audit_id)
        with self._audit_lock:
            found = [e for e in entries if e.id not in self._own_audit]
            self._own_audit = {i for i in self._own_audit if i > audit_id}
        return found

    def last_audit_id(self) -> int:
        return int(self._scalar("SELECT coalesce(max(id), 0) FROM audit_log"))

    def audit_log(self, initiative_id: int | None = None, limit: int = 500) -> list[AuditEntry]:
        """The newest audit entries first, for one initiative or for all."""
        where, params = ("WHERE initiative_id = ?", [initiative_id]) if initiative_id else ("", [])
        rows = self._query(
            f"SELECT * FROM audit_log {where} ORDER BY id DESC LIMIT ?", [*params, limit]
        )
        return [_audit_entry(r) for r in rows]


def _audit_entry(r: Mapping[str, Any]) -> AuditEntry:
    return AuditEntry(
        id=r["id"],
        at=datetime.fromisoformat(r["at"]),
        user=r["user"],
        action=r["action"],
        entity=r["entity"],
        entity_id=r["entity_id"],
        initiative_id=r["initiative_id"],
        changes=json.loads(r["changes"]),
        note=r["note"],
    )
