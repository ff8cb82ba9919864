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
from dialogtui.fileio import create_private_file
from dialogtui.store.errors import BusyError, NotFoundError

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


def open_connection(path: Path, timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """A connection configured the one way this program uses SQLite."""
    conn = sqlite3.connect(
        path,
        timeout=timeout,
        isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
        check_same_thread=False,  # the pool hands it to one thread at a time
    )
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
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


class StoreBase:
    """One open database file: the pool of connections, transactions and the audit log."""

    def __init__(
        self,
        path: Path | str,
        user: str | None = None,
        clock: Callable[[], datetime] = now,
        wall_clock: Callable[[], datetime] = now,
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
        if not self.path.exists():
            create_private_file(self.path)
        # Opened now, so that a file that is no database fails here and not on the first read.
        self._give_back(open_connection(self.path, busy_timeout))

    # -- connections --

    def _take(self) -> sqlite3.Connection:
        with self._pool_lock:
            if self._idle:
                return self._idle.pop()
        return open_connection(self.path, self.busy_timeout)

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
        with self.connection() as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                raise BusyError(
                    "Databasen är upptagen av en annan användare (väntade"
                    f" {_seconds(self.busy_timeout)} s). Inget sparades; försök igen om en stund."
                ) from None
            held.depth = 1
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
                with self._audit_lock:
                    self._own_audit.update(held.pending_audit)
            finally:
                held.depth = 0
                held.pending_audit.clear()

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
