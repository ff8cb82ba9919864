"""Who else has the database open: each session's heartbeat and what it has open.

Presence is advice, not a lock, and changes every few seconds: no versions, no audit, and a
connection of its own that never waits more than a second for the write lock, so that a
heartbeat never holds up anything the user does.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from dialogtui.domain import Presence
from dialogtui.store.base import StoreBase
from dialogtui.store.errors import StoreError

# A session not heard from for this long has ended (closed terminal, lost SSH connection, crash).
PRESENCE_STALE_S = 60
# Heartbeats never wait long for the write lock: a missed beat is harmless, a frozen UI is not.
PRESENCE_TIMEOUT_S = 1.0

_HOST = socket.gethostname()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive, and not ours to signal
    return True


class PresenceStore(StoreBase):
    def __init__(self, path: Path | str, *args: Any, **kwargs: Any) -> None:
        super().__init__(path, *args, **kwargs)
        self._presence: sqlite3.Connection | None = None
        self._presence_lock = threading.Lock()

    def _presence_conn(self) -> sqlite3.Connection:
        if self._presence is None:
            self._presence = self._connect(PRESENCE_TIMEOUT_S)
        return self._presence

    def close(self) -> None:
        super().close()
        with self._presence_lock:
            if self._presence is not None:
                self._presence.close()
                self._presence = None

    def beat(
        self, session_id: int | None, initiative_id: int | None = None, editing: bool = False
    ) -> int | None:
        """Record that this session is alive and what it has open; returns the session's id.

        Starts a session when `session_id` is None or its row is gone (a restore replaced the
        table). Returns the id unchanged, or None, when the database was too busy to wait for:
        the next beat tries again.
        """
        if self.read_only:
            return session_id  # a reader leaves no trace; others see it only by its reads
        at = self.wall_clock()
        try:
            with self._presence_lock:
                conn = self._presence_conn()
                conn.execute("BEGIN IMMEDIATE")
                try:
                    updated = 0
                    if session_id is not None:
                        updated = conn.execute(
                            "UPDATE sessions SET seen_at = ?, initiative_id = ?, editing = ?"
                            " WHERE id = ? AND user = ?",
                            (at.isoformat(), initiative_id, int(editing), session_id, self.user),
                        ).rowcount
                    if not updated:
                        # Sessions that ended without saying so would otherwise pile up.
                        stale = (at - timedelta(days=1)).isoformat()
                        conn.execute("DELETE FROM sessions WHERE seen_at < ?", (stale,))
                        session_id = conn.execute(
                            "INSERT INTO sessions (user, host, pid, started_at, seen_at,"
                            " initiative_id, editing) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (
                                self.user,
                                _HOST,
                                os.getpid(),
                                at.isoformat(),
                                at.isoformat(),
                                initiative_id,
                                int(editing),
                            ),
                        ).lastrowid
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
        except (sqlite3.Error, StoreError):
            # Busy, read-only for this user, a full disk or a restore under way: presence is
            # only advice, and the next beat tries again.
            return session_id
        return session_id

    def end_session(self, session_id: int | None) -> bool:
        """Say goodbye, so that others stop seeing this session at once rather than in a minute.

        Never waits: the app says it while quitting, on the UI thread, and a colleague's import
        may hold the write lock for seconds. When the lock is taken (or a heartbeat is still
        waiting for it), the row is left to go stale (`PRESENCE_STALE_S`; at once for the
        sessions of this host, which see that the process is gone). True if it was deleted.
        """
        if session_id is None or self.read_only:
            return False
        if not self._presence_lock.acquire(blocking=False):
            return False  # a heartbeat is waiting for the lock: do not wait behind it
        try:
            conn = self._presence_conn()
            conn.execute("PRAGMA busy_timeout = 0")
            try:
                conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
            finally:
                conn.execute(f"PRAGMA busy_timeout = {int(PRESENCE_TIMEOUT_S * 1000)}")
        except (sqlite3.Error, StoreError):
            return False
        finally:
            self._presence_lock.release()
        return True

    def present(self, exclude: int | None = None) -> list[Presence]:
        """Sessions heard from within the last minute, other than `exclude`, oldest first.

        A session of this host whose process is gone has ended, however recent its last beat.
        """
        fresh = (self.wall_clock() - timedelta(seconds=PRESENCE_STALE_S)).isoformat()
        try:
            rows = self._query(
                "SELECT * FROM sessions WHERE seen_at >= ? AND id IS NOT ? ORDER BY started_at, id",
                [fresh, exclude],
            )
        except (sqlite3.Error, StoreError):
            return []  # e.g. a restore of an older schema, not yet migrated
        return [
            Presence(
                session_id=r["id"],
                user=r["user"],
                host=r["host"],
                pid=r["pid"],
                started_at=datetime.fromisoformat(r["started_at"]),
                seen_at=datetime.fromisoformat(r["seen_at"]),
                initiative_id=r["initiative_id"],
                editing=bool(r["editing"]),
            )
            for r in rows
            if r["host"] != _HOST or _process_alive(r["pid"])
        ]
