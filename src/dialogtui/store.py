"""The only code that touches SQLite: schema, migrations, versioned writes and the audit log.

Several staff run their own dialogtui on one jump host against one database file, so:
- every writing transaction begins with BEGIN IMMEDIATE, which takes the write lock up front
  (a deferred transaction that upgrades later can fail with SQLITE_BUSY that waiting cannot cure);
- initiatives and evaluations carry a version, and a write against a stale version is refused
  with a `ConflictError` that says who changed the record and when;
- every change writes an audit row, with the OS user, in the same transaction as the change.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from dialogtui.domain import (
    AuditEntry,
    GroupFacts,
    InfluenceLevel,
    InitiativeSummary,
    LessonHit,
    Method,
    Municipality,
    Planned,
    Presence,
    Stage,
    describe_group,
)
from dialogtui.errors import UserError
from dialogtui.fileio import create_private_file, permission_problem
from dialogtui.filters import Filter

if TYPE_CHECKING:
    from types import ModuleType

    from dialogtui.models import (
        BlockedPeriod,
        ChecklistEntry,
        CoordinationMark,
        Evaluation,
        FeedbackPromise,
        Initiative,
        PublicFeedback,
        TargetGroup,
    )


def _models() -> ModuleType:
    """The validated models, loaded on first use: pydantic takes a tenth of a second to load,
    and the calendar's first frame is drawn from plain records without it."""
    from dialogtui import models

    return models


# Validation context of rows read back: rules for input (such as plausible years) are not applied
# to what an earlier version has already stored, which must always open.
_STORED = {"stored": True}

TZ = ZoneInfo("Europe/Stockholm")
BUSY_TIMEOUT_S = 10.0
# A session not heard from for this long has ended (closed terminal, lost SSH connection, crash).
PRESENCE_STALE_S = 60
# Heartbeats never wait long for the write lock: a missed beat is harmless, a frozen UI is not.
PRESENCE_TIMEOUT_S = 1.0

# Fields that describe the record's bookkeeping rather than its content: never diffed in audit.
_BOOKKEEPING = {"id", "version", "updated_at", "updated_by", "initiative_id"}


class StoreError(UserError):
    """A database problem the user can act on: a conflict, a missing record, a refusal."""


class NotFoundError(StoreError):
    pass


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


class DemoRefusedError(StoreError):
    pass


_HOST = socket.gethostname()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive, and not ours to signal
    return True


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


# --- schema ---------------------------------------------------------------------------------------


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: executescript() would commit the migration's transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement!r}")


def _schema_v1(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE initiatives (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            unit TEXT NOT NULL,
            contact TEXT NOT NULL DEFAULT '',
            owner TEXT NOT NULL DEFAULT '',
            method TEXT NOT NULL,
            influence TEXT NOT NULL,
            uses_panel INTEGER NOT NULL DEFAULT 0,
            purpose TEXT NOT NULL DEFAULT '',
            context TEXT NOT NULL DEFAULT '',
            questions TEXT NOT NULL DEFAULT '',
            use_of_answers TEXT NOT NULL DEFAULT '',
            reach TEXT NOT NULL DEFAULT '',
            marketing TEXT NOT NULL DEFAULT '',
            representativeness TEXT NOT NULL DEFAULT '',
            start TEXT NOT NULL,
            "end" TEXT NOT NULL,
            deadline TEXT,
            stage TEXT NOT NULL,
            sample_size INTEGER,
            comp_amount_sek INTEGER,
            comp_payer TEXT,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        );
        CREATE INDEX initiatives_period ON initiatives(start, "end");
        CREATE TABLE target_groups (
            id INTEGER PRIMARY KEY,
            initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            municipalities TEXT NOT NULL DEFAULT '[]',
            age_min INTEGER NOT NULL,
            age_max INTEGER NOT NULL,
            segments TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX target_groups_initiative ON target_groups(initiative_id);
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id INTEGER,
            initiative_id INTEGER,
            changes TEXT NOT NULL DEFAULT '{}',
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_initiative ON audit_log(initiative_id);
        """,
    )


def _schema_v2(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE checklist (
            initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
            item_id TEXT NOT NULL,
            state TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            by TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (initiative_id, item_id)
        );
        CREATE TABLE evaluations (
            initiative_id INTEGER PRIMARY KEY REFERENCES initiatives(id) ON DELETE CASCADE,
            method TEXT,
            participants INTEGER,
            invited INTEGER,
            effect TEXT NOT NULL DEFAULT '',
            lesson TEXT NOT NULL DEFAULT '',
            achieved TEXT,
            achieved_comment TEXT NOT NULL DEFAULT '',
            unspoken TEXT NOT NULL DEFAULT '',
            went_well TEXT NOT NULL DEFAULT '',
            improve TEXT NOT NULL DEFAULT '',
            version INTEGER NOT NULL DEFAULT 1,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        );
        CREATE TABLE feedback_promises (
            id INTEGER PRIMARY KEY,
            initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
            audience TEXT NOT NULL,
            what TEXT NOT NULL DEFAULT '',
            channel TEXT NOT NULL DEFAULT '',
            due TEXT NOT NULL,
            done TEXT
        );
        CREATE INDEX feedback_initiative ON feedback_promises(initiative_id);
        CREATE INDEX feedback_due ON feedback_promises(due) WHERE done IS NULL;
        """,
    )


def _schema_v3(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE overlap_marks (
            a INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
            b INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
            note TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            by TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (a, b),
            CHECK (a < b)
        );
        CREATE TABLE blocked_periods (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            start TEXT NOT NULL,
            "end" TEXT NOT NULL
        );
        """,
    )


def _schema_v4(conn: sqlite3.Connection) -> None:
    _run_script(
        conn,
        """
        CREATE TABLE public_feedback (
            initiative_id INTEGER PRIMARY KEY REFERENCES initiatives(id) ON DELETE CASCADE,
            asked TEXT NOT NULL DEFAULT '',
            answered TEXT NOT NULL DEFAULT '',
            did TEXT NOT NULL DEFAULT ''
        );
        """,
    )


_LESSON_COLUMNS = ("title", "purpose", "lesson", "went_well", "improve", "unspoken")


def _schema_v5(conn: sqlite3.Connection) -> None:
    # remove_diacritics 0: in Swedish å, ä and ö are letters of their own, not decorated a and o.
    _run_script(
        conn,
        f"""
        CREATE TABLE evaluation_drafts (
            initiative_id INTEGER NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
            user TEXT NOT NULL,
            data TEXT NOT NULL,
            base_version INTEGER NOT NULL,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (initiative_id, user)
        );
        CREATE VIRTUAL TABLE lessons_fts USING fts5(
            {", ".join(_LESSON_COLUMNS)}, tokenize = 'unicode61 remove_diacritics 0'
        );
        """,
    )
    for (initiative_id,) in conn.execute("SELECT id FROM initiatives").fetchall():
        _reindex_lessons(conn, initiative_id)


def _schema_v6(conn: sqlite3.Connection) -> None:
    # Presence is advisory and changes every few seconds: no versions, no audit, no foreign key
    # (a session may look at an initiative that someone else has just deleted).
    _run_script(
        conn,
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            user TEXT NOT NULL,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            initiative_id INTEGER,
            editing INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX sessions_seen ON sessions(seen_at);
        """,
    )


def _reindex_lessons(conn: sqlite3.Connection, initiative_id: int) -> None:
    """Keep the lessons library's full-text index in step with one initiative."""
    conn.execute("DELETE FROM lessons_fts WHERE rowid = ?", (initiative_id,))
    row = conn.execute(
        "SELECT i.title, i.purpose, e.lesson, e.went_well, e.improve, e.unspoken"
        " FROM initiatives i LEFT JOIN evaluations e ON e.initiative_id = i.id WHERE i.id = ?",
        (initiative_id,),
    ).fetchone()
    if row is not None:
        conn.execute(
            f"INSERT INTO lessons_fts (rowid, {', '.join(_LESSON_COLUMNS)})"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (initiative_id, *(value or "" for value in row)),
        )


# Index i holds the migration from schema version i to i + 1; the last version is the current one.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _schema_v1,
    _schema_v2,
    _schema_v3,
    _schema_v4,
    _schema_v5,
    _schema_v6,
)
SCHEMA_VERSION = len(MIGRATIONS)


# --- row <-> model --------------------------------------------------------------------------------

_INITIATIVE_COLUMNS = [
    *("title", "unit", "contact", "owner", "method", "influence", "uses_panel", "purpose"),
    *("context", "questions", "use_of_answers", "reach", "marketing", "representativeness"),
    *("start", "end", "deadline", "stage", "sample_size"),
]


def _initiative_row(initiative: Initiative) -> dict[str, Any]:
    data = initiative.model_dump(mode="json", include=set(_INITIATIVE_COLUMNS))
    data["uses_panel"] = int(initiative.uses_panel)
    comp = initiative.compensation
    data["comp_amount_sek"] = comp.amount_sek if comp else None
    data["comp_payer"] = comp.payer if comp else None
    return data


def _target_group_row(initiative_id: int, position: int, group: TargetGroup) -> dict[str, Any]:
    return {
        "initiative_id": initiative_id,
        "position": position,
        "name": group.name,
        "municipalities": json.dumps([m.value for m in group.municipalities], ensure_ascii=False),
        "age_min": group.age_min,
        "age_max": group.age_max,
        "segments": json.dumps(group.segments, ensure_ascii=False),
    }


def _initiative_from_row(row: dict[str, Any], groups: list[dict[str, Any]]) -> Initiative:
    """Rebuild a stored initiative without validating it again.

    Every row was validated on its way in, and validation is most of the cost of reading
    10,000 initiatives; the conversions here are the only ones the columns need.
    """
    comp = row["comp_amount_sek"]
    return _models().Initiative.model_construct(
        id=row["id"],
        version=row["version"],
        title=row["title"],
        unit=row["unit"],
        contact=row["contact"],
        owner=row["owner"],
        method=Method(row["method"]),
        influence=InfluenceLevel(row["influence"]),
        uses_panel=bool(row["uses_panel"]),
        purpose=row["purpose"],
        context=row["context"],
        questions=row["questions"],
        use_of_answers=row["use_of_answers"],
        reach=row["reach"],
        marketing=row["marketing"],
        representativeness=row["representativeness"],
        start=date.fromisoformat(row["start"]),
        end=date.fromisoformat(row["end"]),
        deadline=date.fromisoformat(row["deadline"]) if row["deadline"] else None,
        stage=Stage(row["stage"]),
        target_groups=[
            _models().TargetGroup.model_construct(
                name=g["name"],
                municipalities=[Municipality(m) for m in json.loads(g["municipalities"])],
                age_min=g["age_min"],
                age_max=g["age_max"],
                segments=json.loads(g["segments"]),
            )
            for g in groups
        ],
        sample_size=row["sample_size"],
        compensation=(
            _models().Compensation.model_construct(amount_sek=comp, payer=row["comp_payer"] or "")
            if comp is not None
            else None
        ),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        updated_by=row["updated_by"],
    )


def _content(model: Any) -> dict[str, Any]:
    """The user-visible content of a model, as JSON values, for audit diffs."""
    return {k: v for k, v in model.model_dump(mode="json").items() if k not in _BOOKKEEPING}


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    """Map each changed field to [before, after]."""
    before = before or {}
    after = after or {}
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    }


# --- filters as SQL -------------------------------------------------------------------------------

SUMMARY_ORDERS = {
    "start": 'start, "end", id',
    "end": '"end", start, id',
    "title": "casefold(title), id",
    "unit": "casefold(unit), start, id",
    "method": "method, start, id",
    "stage": "stage, start, id",
}


def _casefold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


def _filter_sql(where: Filter, between: tuple[date, date] | None) -> tuple[str, list[Any]]:
    """The WHERE clause for a filter; `Filter.matches` states the same rule for models."""
    clauses: list[str] = []
    params: list[Any] = []
    if between is not None:
        clauses.append('i.start <= ? AND i."end" >= ?')
        params += [between[1].isoformat(), between[0].isoformat()]
    if where.text:
        clauses.append(
            "instr(casefold(i.title || ' ' || i.unit || ' ' || i.purpose || ' ' || i.contact"
            " || ' ' || i.owner), ?) > 0"
        )
        params.append(where.text.casefold())
    for column, value in (
        ("unit", where.unit),
        ("method", where.method),
        ("stage", where.stage),
    ):
        if value:
            clauses.append(f"i.{column} = ?")
            params.append(str(value))
    if where.panel is not None:
        clauses.append("i.uses_panel = ?")
        params.append(int(where.panel))
    for column, value in (("municipalities", where.municipality), ("segments", where.segment)):
        if value:
            clauses.append(
                "EXISTS (SELECT 1 FROM target_groups g WHERE g.initiative_id = i.id AND"
                f" (g.{column} = '[]' OR EXISTS (SELECT 1 FROM json_each(g.{column})"
                " WHERE value = ?)))"
            )
            params.append(str(value))
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def _audit_entry(r: dict[str, Any]) -> AuditEntry:
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


# --- the store ------------------------------------------------------------------------------------


class Store:
    """One open database. Thread-safe: a lock serialises use of the one connection."""

    def __init__(
        self,
        path: Path | str,
        user: str | None = None,
        clock: Callable[[], datetime] = now,
        wall_clock: Callable[[], datetime] = now,
    ) -> None:
        self.path = Path(path)
        self.user = user or current_user()
        # Injectable so that screenshots and tests of the history are stable.
        self.now = clock
        # Presence is about who is alive right now, across processes that each have their own
        # `clock`: it always needs one shared time, so it has a clock of its own.
        self.wall_clock = wall_clock
        self._lock = threading.RLock()
        self._write_depth = 0
        self._presence: sqlite3.Connection | None = None
        # Audit ids this Store committed, so that polling can tell its own saves from others'
        # (another session of the same OS user included).
        self._own_audit: set[int] = set()
        self._pending_audit: list[int] = []
        self._presence_lock = threading.Lock()
        if not self.path.exists():
            create_private_file(self.path)
        conn = sqlite3.connect(
            self.path,
            timeout=BUSY_TIMEOUT_S,
            isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
            check_same_thread=False,
        )
        self.conn = conn
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        # SQLite's own lower() and LIKE fold ASCII only; Swedish needs å, ä and ö folded too.
        conn.create_function("casefold", 1, _casefold, deterministic=True)
        self.migrate()

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows as dicts keyed by column name, read whole under the lock."""
        with self._lock:
            cursor = self.conn.execute(sql, params)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor]

    # -- lifecycle --

    def close(self) -> None:
        with self._lock:
            self.conn.close()
        with self._presence_lock:
            if self._presence is not None:
                self._presence.close()
                self._presence = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One writing transaction, holding the write lock from its first statement.

        Nested use joins the outer transaction, so that composite operations (an import, the
        demo) can call the single-record methods and still commit all or nothing.
        """
        with self._lock:
            if self._write_depth:
                self._write_depth += 1
                try:
                    yield self.conn
                finally:
                    self._write_depth -= 1
                return
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                raise StoreError(
                    f"Databasen är upptagen av en annan användare (väntade {BUSY_TIMEOUT_S:.0f}"
                    " s). Inget sparades; försök igen om en stund."
                ) from None
            self._write_depth = 1
            try:
                yield self.conn
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")
                self._own_audit.update(self._pending_audit)
            finally:
                self._write_depth = 0
                self._pending_audit.clear()

    def schema_version(self) -> int:
        with self._lock:
            return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self, target: int = SCHEMA_VERSION) -> None:
        """Bring the schema up to `target`; safe when several processes open a new file at once."""
        if self.schema_version() >= target:
            return
        with self.write() as conn:
            # Re-read under the write lock: another process may have migrated meanwhile.
            current = int(conn.execute("PRAGMA user_version").fetchone()[0])
            for version in range(current, target):
                MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {max(current, target)}")

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
                with self._lock:
                    self.conn.backup(target)
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
            with self._lock:
                # The backup API copies page by page under SQLite's own locks, waiting for
                # other writers, and other connections see the new content on their next read.
                copy.backup(self.conn)
        except sqlite3.Error as exc:
            raise StoreError(
                f"{source} kunde inte återställas ({exc}); databasen är orörd."
            ) from None
        finally:
            copy.close()
        self.migrate()
        with self.write():
            # Numbered past everything any open session has seen, whatever the backup's log
            # holds: that is how they notice that the data under them has changed.
            self._audit("restore", "database", None, None, {}, str(source.resolve()))
            self.conn.execute(
                "UPDATE audit_log SET id = ? WHERE id = last_insert_rowid()",
                (max(before, self.last_audit_id()) + 1,),
            )
            self._pending_audit.clear()

    def check(self) -> list[str]:
        """Problems with the file, in Swedish: integrity, foreign keys, schema version."""
        problems: list[str] = []
        with self._lock:
            integrity = [r[0] for r in self.conn.execute("PRAGMA integrity_check").fetchall()]
            if integrity != ["ok"]:
                problems += [f"Integritet: {line}" for line in integrity]
            # integrity_check does not look at foreign keys; foreign_key_check does.
            for table, rowid, parent, _ in self.conn.execute("PRAGMA foreign_key_check"):
                problems.append(f"Främmande nyckel: {table} rad {rowid} pekar på saknad {parent}")
        version = self.schema_version()
        if version != SCHEMA_VERSION:
            problems.append(f"Schemaversion {version}, väntad {SCHEMA_VERSION}")
        return problems

    def data_version(self) -> int:
        """A number that changes when another connection has committed to the file."""
        with self._lock:
            return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def permission_problem(self) -> str | None:
        return permission_problem(self.path)

    # -- audit --

    def _audit(
        self,
        action: str,
        entity: str,
        entity_id: int | None,
        initiative_id: int | None,
        changes: dict[str, list[Any]],
        note: str = "",
    ) -> None:
        cursor = self.conn.execute(
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
            self._pending_audit.append(cursor.lastrowid)

    def audit_after(self, audit_id: int) -> list[AuditEntry]:
        """Audit entries newer than `audit_id`, oldest first: what others have done since."""
        with self._lock:
            rows = list(self._query("SELECT * FROM audit_log WHERE id > ? ORDER BY id", [audit_id]))
        return [_audit_entry(r) for r in rows]

    def changes_by_others(self, audit_id: int) -> list[AuditEntry]:
        """Audit entries newer than `audit_id` that this Store did not write, oldest first."""
        with self._lock:
            found = [e for e in self.audit_after(audit_id) if e.id not in self._own_audit]
            self._own_audit = {i for i in self._own_audit if i > audit_id}
        return found

    def last_audit_id(self) -> int:
        with self._lock:
            return int(
                self.conn.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]
            )

    def audit_log(self, initiative_id: int | None = None, limit: int = 500) -> list[AuditEntry]:
        """The newest audit entries first, for one initiative or for all."""
        where, params = ("WHERE initiative_id = ?", [initiative_id]) if initiative_id else ("", [])
        with self._lock:
            rows = self._query(
                f"SELECT * FROM audit_log {where} ORDER BY id DESC LIMIT ?", [*params, limit]
            )
            return [_audit_entry(r) for r in rows]

    # -- initiatives: reading --

    def count_initiatives(self) -> int:
        with self._lock:
            return int(self.conn.execute("SELECT count(*) FROM initiatives").fetchone()[0])

    def initiatives(self, ids: Sequence[int] | None = None) -> list[Initiative]:
        """All initiatives (or those with the given ids), ordered by start date."""
        with self._lock:
            if ids is None:
                rows = list(self._query('SELECT * FROM initiatives ORDER BY start, "end", id'))
                group_rows = self._query("SELECT * FROM target_groups ORDER BY position")
            else:
                marks = ",".join("?" * len(ids))
                rows = list(
                    self._query(
                        f"SELECT * FROM initiatives WHERE id IN ({marks})"
                        ' ORDER BY start, "end", id',
                        list(ids),
                    )
                )
                group_rows = self._query(
                    f"SELECT * FROM target_groups WHERE initiative_id IN ({marks})"
                    " ORDER BY position",
                    list(ids),
                )
            groups: dict[int, list[dict[str, Any]]] = {}
            for g in group_rows:
                groups.setdefault(g["initiative_id"], []).append(g)
        return [_initiative_from_row(r, groups.get(r["id"], [])) for r in rows]

    def planned(self) -> list[Planned]:
        """Every initiative in the light form that overlap detection needs, ordered by start."""
        # Groups repeat a great deal across a region (the same municipalities, the same
        # segments): equal values share one tuple instead of each row holding its own.
        shared: dict[str, tuple[Any, ...]] = {}

        def members(raw: str, kind: Callable[[str], Any]) -> tuple[Any, ...]:
            found = shared.get(raw)
            if found is None:
                found = shared[raw] = tuple(kind(v) for v in json.loads(raw))
            return found

        with self._lock:
            groups: dict[int, list[GroupFacts]] = {}
            for (
                initiative_id,
                name,
                municipalities,
                age_min,
                age_max,
                segments,
            ) in self.conn.execute(
                "SELECT initiative_id, name, municipalities, age_min, age_max, segments"
                " FROM target_groups ORDER BY initiative_id, position"
            ):
                groups.setdefault(initiative_id, []).append(
                    GroupFacts(
                        name,
                        members(municipalities, Municipality),
                        age_min,
                        age_max,
                        members(segments, str),
                    )
                )
            rows = self.conn.execute(
                'SELECT id, title, unit, start, "end", stage, uses_panel FROM initiatives'
                ' ORDER BY start, "end", id'
            ).fetchall()
        stages = {stage.value: stage for stage in Stage}
        return [
            Planned(
                ident,
                title,
                unit,
                date.fromisoformat(start),
                date.fromisoformat(end),
                stages[stage],
                bool(uses_panel),
                tuple(groups.get(ident, ())),
            )
            for ident, title, unit, start, end, stage, uses_panel in rows
        ]

    def initiative(self, initiative_id: int) -> Initiative:
        found = self.initiatives([initiative_id])
        if not found:
            raise NotFoundError(f"Initiativ {initiative_id} finns inte (det kan ha tagits bort).")
        return found[0]

    # -- initiatives: summaries for the calendar views --

    def summaries(
        self,
        where: Filter | None = None,
        order: str = "start",
        offset: int = 0,
        limit: int = -1,
        between: tuple[date, date] | None = None,
    ) -> list[InitiativeSummary]:
        """A page of initiatives that match the filter, optionally only those active in a period."""
        sql_where, params = _filter_sql(where or Filter(), between)
        order_sql = SUMMARY_ORDERS.get(order, SUMMARY_ORDERS["start"])
        with self._lock:
            rows = self.conn.execute(
                'SELECT id, title, unit, method, stage, start, "end", deadline, uses_panel'
                f" FROM initiatives i {sql_where} ORDER BY {order_sql} LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
            labels = self._group_labels([r[0] for r in rows])
        return [
            InitiativeSummary(
                id=r[0],
                title=r[1],
                unit=r[2],
                method=Method(r[3]),
                stage=Stage(r[4]),
                start=date.fromisoformat(r[5]),
                end=date.fromisoformat(r[6]),
                deadline=date.fromisoformat(r[7]) if r[7] else None,
                uses_panel=bool(r[8]),
                groups="; ".join(labels.get(r[0], [])),
            )
            for r in rows
        ]

    def count_matching(
        self, where: Filter | None = None, between: tuple[date, date] | None = None
    ) -> int:
        sql_where, params = _filter_sql(where or Filter(), between)
        with self._lock:
            return int(
                self.conn.execute(
                    f"SELECT count(*) FROM initiatives i {sql_where}", params
                ).fetchone()[0]
            )

    def spans(
        self, where: Filter | None, between: tuple[date, date], by: str
    ) -> list[tuple[str, date, date]]:
        """(key, start, end) per initiative (by="unit") or per target group (by="target").

        Target groups are keyed by their structure, not their name, so that two units' groups
        of the same residents land on one timeline row.
        """
        sql_where, params = _filter_sql(where or Filter(), between)
        with self._lock:
            if by == "unit":
                rows = self.conn.execute(
                    f'SELECT unit, start, "end" FROM initiatives i {sql_where}', params
                ).fetchall()
                return [(r[0], date.fromisoformat(r[1]), date.fromisoformat(r[2])) for r in rows]
            rows = self.conn.execute(
                'SELECT g.municipalities, g.age_min, g.age_max, g.segments, i.start, i."end"'
                " FROM initiatives i LEFT JOIN target_groups g ON g.initiative_id = i.id"
                f" {sql_where}",
                params,
            ).fetchall()
        return [
            (
                describe_group(json.loads(r[0]), r[1], r[2], json.loads(r[3]))
                if r[0] is not None
                else "(ingen målgrupp)",
                date.fromisoformat(r[4]),
                date.fromisoformat(r[5]),
            )
            for r in rows
        ]

    def units(self) -> list[str]:
        """Every ordering unit that has registered something, for filter choices."""
        with self._lock:
            rows = self.conn.execute("SELECT DISTINCT unit FROM initiatives ORDER BY unit")
            return [r[0] for r in rows]

    def _group_labels(self, ids: list[int]) -> dict[int, list[str]]:
        labels: dict[int, list[str]] = {}
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start : chunk_start + 500]
            marks = ",".join("?" * len(chunk))
            for initiative_id, name, munis, age_min, age_max, segs in self.conn.execute(
                "SELECT initiative_id, name, municipalities, age_min, age_max, segments"
                f" FROM target_groups WHERE initiative_id IN ({marks}) ORDER BY position",
                chunk,
            ):
                label = name or describe_group(
                    json.loads(munis), age_min, age_max, json.loads(segs)
                )
                labels.setdefault(initiative_id, []).append(label)
        return labels

    # -- initiatives: writing --

    def _insert_initiative(self, initiative: Initiative, note: str = "") -> int:
        stamp = self.now().isoformat()
        row = _initiative_row(initiative) | {
            "version": 1,
            "created_at": stamp,
            "created_by": self.user,
            "updated_at": stamp,
            "updated_by": self.user,
        }
        columns = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" * len(row))
        cursor = self.conn.execute(
            f"INSERT INTO initiatives ({columns}) VALUES ({marks})", list(row.values())
        )
        new_id = int(cursor.lastrowid or 0)
        self._write_target_groups(new_id, initiative.target_groups)
        _reindex_lessons(self.conn, new_id)
        self._audit("create", "initiative", new_id, new_id, diff(None, _content(initiative)), note)
        return new_id

    def _write_target_groups(self, initiative_id: int, groups: Iterable[TargetGroup]) -> None:
        self.conn.execute("DELETE FROM target_groups WHERE initiative_id = ?", (initiative_id,))
        rows = [_target_group_row(initiative_id, i, g) for i, g in enumerate(groups)]
        if rows:
            self.conn.executemany(
                "INSERT INTO target_groups (initiative_id, position, name, municipalities, age_min,"
                " age_max, segments) VALUES (:initiative_id, :position, :name, :municipalities,"
                " :age_min, :age_max, :segments)",
                rows,
            )

    def create_initiative(self, initiative: Initiative) -> Initiative:
        # Read back inside the transaction: after COMMIT another writer's save could be read.
        with self.write():
            new_id = self._insert_initiative(initiative)
            return self.initiative(new_id)

    def create_initiatives(self, initiatives: Iterable[Initiative]) -> list[int]:
        """Add many initiatives in one transaction: all of them, or none if anything fails."""
        with self.write():
            return [self._insert_initiative(i) for i in initiatives]

    # -- registrations that arrive as files (issue 16; one method, kept apart to move easily) --

    def create_registrations(self, registrations: Iterable[tuple[Initiative, str]]) -> list[int]:
        """Add initiatives in one transaction, each audited with a note such as its file's name."""
        with self.write():
            return [self._insert_initiative(i, note) for i, note in registrations]

    def _locked_current(self, initiative_id: int, expected_version: int) -> Initiative:
        """Read the stored initiative inside a write transaction and check the caller's version."""
        found = self.initiatives([initiative_id])
        if not found:
            raise NotFoundError(f"Initiativ {initiative_id} finns inte (det kan ha tagits bort).")
        current = found[0]
        if current.version != expected_version:
            raise ConflictError(
                f"Initiativet ”{current.title}”",
                current.updated_by,
                current.updated_at,
                current.version,
            )
        return current

    def _bump(self, initiative_id: int, values: dict[str, Any]) -> None:
        assignments = ", ".join(f'"{c}" = ?' for c in values)
        self.conn.execute(
            f"UPDATE initiatives SET {assignments}, version = version + 1, updated_at = ?,"
            " updated_by = ? WHERE id = ?",
            [*values.values(), self.now().isoformat(), self.user, initiative_id],
        )

    def update_initiative(self, initiative: Initiative) -> Initiative:
        """Save an edited initiative; refused if it was changed since `initiative.version`."""
        if initiative.id is None:
            raise NotFoundError("Initiativet har inget id; det måste skapas först.")
        with self.write():
            before = self._locked_current(initiative.id, initiative.version)
            changes = diff(_content(before), _content(initiative))
            if changes:
                self._bump(initiative.id, _initiative_row(initiative))
                self._write_target_groups(initiative.id, initiative.target_groups)
                _reindex_lessons(self.conn, initiative.id)
                self._audit("update", "initiative", initiative.id, initiative.id, changes)
            return self.initiative(initiative.id)

    def set_stage(
        self, initiative_id: int, stage: Stage, expected_version: int, note: str = ""
    ) -> Initiative:
        """Move an initiative to another stage of the process; `note` records an override reason."""
        with self.write():
            before = self._locked_current(initiative_id, expected_version)
            if before.stage is not stage:
                self._bump(initiative_id, {"stage": stage.value})
                self._audit(
                    "stage",
                    "initiative",
                    initiative_id,
                    initiative_id,
                    {"stage": [before.stage.value, stage.value]},
                    note,
                )
            return self.initiative(initiative_id)

    def delete_initiative(self, initiative_id: int, expected_version: int) -> None:
        with self.write():
            before = self._locked_current(initiative_id, expected_version)
            self.conn.execute("DELETE FROM initiatives WHERE id = ?", (initiative_id,))
            _reindex_lessons(self.conn, initiative_id)
            self._audit(
                "delete", "initiative", initiative_id, initiative_id, diff(_content(before), None)
            )

    # -- checklist --

    def checklist(self, initiative_id: int) -> dict[str, ChecklistEntry]:
        with self._lock:
            rows = self._query("SELECT * FROM checklist WHERE initiative_id = ?", [initiative_id])
            return {r["item_id"]: _models().ChecklistEntry.model_validate(r) for r in rows}

    def checklists(self, ids: Sequence[int] | None = None) -> dict[int, dict[str, ChecklistEntry]]:
        """Checklist answers of every initiative (or of those given), for cross-initiative views."""
        result: dict[int, dict[str, ChecklistEntry]] = {}
        if ids is None:
            query, params = "SELECT * FROM checklist", []
        else:
            query = f"SELECT * FROM checklist WHERE initiative_id IN ({','.join('?' * len(ids))})"
            params = list(ids)
        with self._lock:
            for r in self._query(query, params):
                result.setdefault(r["initiative_id"], {})[r["item_id"]] = (
                    _models().ChecklistEntry.model_validate(r)
                )
        return result

    def set_checklist_entry(
        self, initiative_id: int, entry: ChecklistEntry, note: str = ""
    ) -> ChecklistEntry:
        stamp = self.now()
        stored = entry.model_copy(update={"by": self.user, "at": stamp})
        with self.write():
            if not self.conn.execute(
                "SELECT 1 FROM initiatives WHERE id = ?", (initiative_id,)
            ).fetchone():
                raise NotFoundError(f"Initiativ {initiative_id} finns inte.")
            old = self.conn.execute(
                "SELECT state, reason FROM checklist WHERE initiative_id = ? AND item_id = ?",
                (initiative_id, entry.item_id),
            ).fetchone()
            self.conn.execute(
                "INSERT INTO checklist (initiative_id, item_id, state, reason, by, at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(initiative_id, item_id) DO UPDATE SET"
                " state = excluded.state, reason = excluded.reason, by = excluded.by,"
                " at = excluded.at",
                (
                    initiative_id,
                    entry.item_id,
                    entry.state.value,
                    entry.reason,
                    self.user,
                    stamp.isoformat(),
                ),
            )
            before = (
                {"state": old[0], "reason": old[1]} if old else {"state": "not_done", "reason": ""}
            )
            after = {"state": entry.state.value, "reason": entry.reason}
            self._audit(
                "checklist",
                "checklist",
                None,
                initiative_id,
                {f"{entry.item_id}.{k}": v for k, v in diff(before, after).items()},
                note,
            )
        return stored

    # -- evaluations --

    def evaluation(self, initiative_id: int) -> Evaluation | None:
        with self._lock:
            rows = list(
                self._query("SELECT * FROM evaluations WHERE initiative_id = ?", [initiative_id])
            )
        return _models().Evaluation.model_validate(rows[0]) if rows else None

    def evaluations(self) -> dict[int, Evaluation]:
        with self._lock:
            rows = list(self._query("SELECT * FROM evaluations"))
        return {r["initiative_id"]: _models().Evaluation.model_validate(r) for r in rows}

    def save_evaluation(self, evaluation: Evaluation) -> Evaluation:
        """Create or update an evaluation; `evaluation.version` 0 means it is new."""
        initiative_id = evaluation.initiative_id
        if initiative_id is None:
            raise NotFoundError("Utvärderingen hör inte till något initiativ.")
        columns = [k for k in _models().Evaluation.model_fields if k not in _BOOKKEEPING]
        values = evaluation.model_dump(mode="json", include=set(columns))
        stamp = self.now().isoformat()
        with self.write():
            if not self.conn.execute(
                "SELECT 1 FROM initiatives WHERE id = ?", (initiative_id,)
            ).fetchone():
                raise NotFoundError(f"Initiativ {initiative_id} finns inte.")
            rows = list(
                self._query("SELECT * FROM evaluations WHERE initiative_id = ?", [initiative_id])
            )
            current = _models().Evaluation.model_validate(rows[0]) if rows else None
            stored_version = current.version if current else 0
            if stored_version != evaluation.version:
                raise ConflictError(
                    "Utvärderingen",
                    current.updated_by if current else "",
                    current.updated_at if current else None,
                    stored_version,
                    pronoun="den",
                )
            changes = diff(_content(current) if current else None, _content(evaluation))
            if current is None:
                self.conn.execute(
                    f"INSERT INTO evaluations (initiative_id, {', '.join(columns)}, version,"
                    f" updated_at, updated_by) VALUES (?, {', '.join('?' * len(columns))}, 1,"
                    " ?, ?)",
                    [initiative_id, *values.values(), stamp, self.user],
                )
                self._audit("create", "evaluation", initiative_id, initiative_id, changes)
            elif changes:
                assignments = ", ".join(f"{c} = ?" for c in columns)
                self.conn.execute(
                    f"UPDATE evaluations SET {assignments}, version = version + 1,"
                    " updated_at = ?, updated_by = ? WHERE initiative_id = ?",
                    [*values.values(), stamp, self.user, initiative_id],
                )
                self._audit("update", "evaluation", initiative_id, initiative_id, changes)
            _reindex_lessons(self.conn, initiative_id)
            # The evaluation is saved: the user's draft of it has served its purpose.
            self.conn.execute(
                "DELETE FROM evaluation_drafts WHERE initiative_id = ? AND user = ?",
                (initiative_id, self.user),
            )
            saved = self.evaluation(initiative_id)
        assert saved is not None
        return saved

    # -- evaluation drafts: what was typed, kept per user until saved --

    def save_draft(self, initiative_id: int, data: dict[str, Any], base_version: int) -> None:
        """Keep what the user has typed so far; not audited, as nothing is decided by it."""
        with self.write():
            if not self.conn.execute(
                "SELECT 1 FROM initiatives WHERE id = ?", (initiative_id,)
            ).fetchone():
                raise NotFoundError(
                    f"Initiativ {initiative_id} finns inte (det kan ha tagits bort)."
                )
            self.conn.execute(
                "INSERT INTO evaluation_drafts (initiative_id, user, data, base_version, saved_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(initiative_id, user) DO UPDATE SET"
                " data = excluded.data, base_version = excluded.base_version,"
                " saved_at = excluded.saved_at",
                (
                    initiative_id,
                    self.user,
                    json.dumps(data, ensure_ascii=False),
                    base_version,
                    self.now().isoformat(),
                ),
            )

    def draft(self, initiative_id: int) -> tuple[dict[str, Any], int, datetime] | None:
        """This user's draft evaluation: the typed values, their base version, when saved."""
        with self._lock:
            row = self.conn.execute(
                "SELECT data, base_version, saved_at FROM evaluation_drafts"
                " WHERE initiative_id = ? AND user = ?",
                (initiative_id, self.user),
            ).fetchone()
        if row is None:
            return None
        return json.loads(row[0]), int(row[1]), datetime.fromisoformat(row[2])

    def discard_draft(self, initiative_id: int) -> None:
        with self.write():
            self.conn.execute(
                "DELETE FROM evaluation_drafts WHERE initiative_id = ? AND user = ?",
                (initiative_id, self.user),
            )

    # -- the lessons library --

    def search_lessons(self, query: str, limit: int = 200) -> list[LessonHit]:
        """Initiatives whose title, purpose or evaluation texts hold every word (as a prefix)."""
        words = [w for w in re.findall(r"\w+", query.casefold()) if w]
        if not words:
            return []
        match = " ".join(f'"{word}"*' for word in words)
        with self._lock:
            rows = self.conn.execute(
                "SELECT i.id, i.title, i.start, i.method,"
                " snippet(lessons_fts, -1, '»', '«', '…', 12)"
                " FROM lessons_fts JOIN initiatives i ON i.id = lessons_fts.rowid"
                " WHERE lessons_fts MATCH ? ORDER BY rank LIMIT ?",
                (match, limit),
            ).fetchall()
        return [
            LessonHit(
                initiative_id=r[0],
                title=r[1],
                year=date.fromisoformat(r[2]).year,
                method=Method(r[3]),
                snippet=r[4],
            )
            for r in rows
        ]

    # -- feedback promises --

    def feedback_promises(self, initiative_id: int | None = None) -> list[FeedbackPromise]:
        where, params = ("WHERE initiative_id = ?", [initiative_id]) if initiative_id else ("", [])
        with self._lock:
            rows = list(
                self._query(f"SELECT * FROM feedback_promises {where} ORDER BY due, id", params)
            )
        return [_models().FeedbackPromise.model_validate(r, context=_STORED) for r in rows]

    def save_feedback_promise(self, promise: FeedbackPromise) -> FeedbackPromise:
        if promise.initiative_id is None:
            raise NotFoundError("Återkopplingslöftet hör inte till något initiativ.")
        values = promise.model_dump(mode="json", exclude={"id"})
        with self.write():
            if promise.id is None:
                cursor = self.conn.execute(
                    "INSERT INTO feedback_promises (initiative_id, audience, what, channel, due,"
                    " done) VALUES (:initiative_id, :audience, :what, :channel, :due, :done)",
                    values,
                )
                promise_id = int(cursor.lastrowid or 0)
                self._audit(
                    "create",
                    "feedback",
                    promise_id,
                    promise.initiative_id,
                    diff(None, _content(promise)),
                )
            else:
                promise_id = promise.id
                before = _content(self._promise(promise_id))
                self.conn.execute(
                    "UPDATE feedback_promises SET audience = :audience, what = :what,"
                    " channel = :channel, due = :due, done = :done WHERE id = :id",
                    values | {"id": promise_id},
                )
                self._audit(
                    "update",
                    "feedback",
                    promise_id,
                    promise.initiative_id,
                    diff(before, _content(promise)),
                )
        return promise.model_copy(update={"id": promise_id})

    # -- overlap coordination and blocked periods --

    def coordination_marks(self) -> dict[tuple[int, int], CoordinationMark]:
        with self._lock:
            rows = list(self._query("SELECT * FROM overlap_marks"))
        return {(r["a"], r["b"]): _models().CoordinationMark.model_validate(r) for r in rows}

    def mark_coordinated(self, mark: CoordinationMark) -> CoordinationMark:
        """Record that an overlap has been dealt with; audited on both initiatives."""
        a, b = sorted((mark.a, mark.b))
        stored = mark.model_copy(update={"a": a, "b": b, "by": self.user, "at": self.now()})
        with self.write():
            for initiative_id in (a, b):
                if not self.conn.execute(
                    "SELECT 1 FROM initiatives WHERE id = ?", (initiative_id,)
                ).fetchone():
                    raise NotFoundError(f"Initiativ {initiative_id} finns inte.")
            self.conn.execute(
                "INSERT INTO overlap_marks (a, b, note, fingerprint, by, at) VALUES (?, ?, ?, ?,"
                " ?, ?) ON CONFLICT(a, b) DO UPDATE SET note = excluded.note,"
                " fingerprint = excluded.fingerprint, by = excluded.by, at = excluded.at",
                (a, b, stored.note, stored.fingerprint, self.user, stored.at.isoformat()),  # type: ignore[union-attr]
            )
            for own, other in ((a, b), (b, a)):
                self._audit(
                    "coordinate",
                    "overlap",
                    other,
                    own,
                    {"samordnad med": [None, other]},
                    stored.note,
                )
        return stored

    def unmark_coordinated(self, a: int, b: int) -> None:
        a, b = sorted((a, b))
        with self.write():
            self.conn.execute("DELETE FROM overlap_marks WHERE a = ? AND b = ?", (a, b))
            for own, other in ((a, b), (b, a)):
                self._audit("uncoordinate", "overlap", other, own, {"samordnad med": [other, None]})

    def blocked_periods(self) -> list[BlockedPeriod]:
        with self._lock:
            rows = list(self._query('SELECT * FROM blocked_periods ORDER BY start, "end", id'))
        return [_models().BlockedPeriod.model_validate(r, context=_STORED) for r in rows]

    def save_blocked_period(self, period: BlockedPeriod) -> BlockedPeriod:
        values = period.model_dump(mode="json", exclude={"id"})
        with self.write():
            if period.id is None:
                cursor = self.conn.execute(
                    'INSERT INTO blocked_periods (name, start, "end") VALUES (:name, :start, :end)',
                    values,
                )
                period = period.model_copy(update={"id": int(cursor.lastrowid or 0)})
                self._audit("create", "blocked_period", period.id, None, diff(None, values))
            else:
                old = [self._row("blocked_periods", period.id, "Den spärrade perioden")]
                self.conn.execute(
                    'UPDATE blocked_periods SET name = :name, start = :start, "end" = :end'
                    " WHERE id = :id",
                    values | {"id": period.id},
                )
                before = {k: old[0][k] for k in values}
                self._audit("update", "blocked_period", period.id, None, diff(before, values))
        return period

    def delete_blocked_period(self, period_id: int) -> None:
        with self.write():
            old = [self._row("blocked_periods", period_id, "Den spärrade perioden")]
            self.conn.execute("DELETE FROM blocked_periods WHERE id = ?", (period_id,))
            before = {k: old[0][k] for k in ("name", "start", "end")}
            self._audit("delete", "blocked_period", period_id, None, diff(before, None))

    def int_setting(self, key: str, default: int) -> int:
        value = self.setting(key)
        try:
            return int(value) if value is not None else default
        except ValueError:
            return default

    def _row(self, table: str, row_id: int, what: str) -> dict[str, Any]:
        """One row by id, or a Swedish NotFoundError naming what is missing."""
        rows = list(self._query(f"SELECT * FROM {table} WHERE id = ?", [row_id]))
        if not rows:
            raise NotFoundError(f"{what} finns inte längre.")
        return rows[0]

    def _promise(self, promise_id: int) -> FeedbackPromise:
        return _models().FeedbackPromise.model_validate(
            self._row("feedback_promises", promise_id, "Återkopplingslöftet"), context=_STORED
        )

    def set_promise_done(self, promise_id: int, done: date | None) -> FeedbackPromise:
        """Mark a promise kept (or not); touches nothing else of it, whoever edited it since."""
        with self.write():
            before = self._promise(promise_id)
            self.conn.execute(
                "UPDATE feedback_promises SET done = ? WHERE id = ?",
                (done.isoformat() if done else None, promise_id),
            )
            after = before.model_copy(update={"done": done})
            self._audit(
                "update",
                "feedback",
                promise_id,
                before.initiative_id,
                diff(_content(before), _content(after)),
            )
        return after

    def delete_feedback_promise(self, promise_id: int) -> None:
        with self.write():
            before = self._promise(promise_id)
            self.conn.execute("DELETE FROM feedback_promises WHERE id = ?", (promise_id,))
            self._audit(
                "delete", "feedback", promise_id, before.initiative_id, diff(_content(before), None)
            )

    # -- feedback to the public --

    def public_feedback(self, initiative_id: int) -> PublicFeedback:
        with self._lock:
            rows = list(
                self._query(
                    "SELECT * FROM public_feedback WHERE initiative_id = ?", [initiative_id]
                )
            )
        return (
            _models().PublicFeedback.model_validate(rows[0])
            if rows
            else _models().PublicFeedback(initiative_id=initiative_id)
        )

    def save_public_feedback(self, feedback: PublicFeedback) -> PublicFeedback:
        initiative_id = feedback.initiative_id or 0
        with self.write():
            before = self.public_feedback(initiative_id)
            changes = diff(_content(before), _content(feedback))
            if changes:
                self.conn.execute(
                    "INSERT INTO public_feedback (initiative_id, asked, answered, did) VALUES"
                    " (?, ?, ?, ?) ON CONFLICT(initiative_id) DO UPDATE SET asked = excluded.asked,"
                    " answered = excluded.answered, did = excluded.did",
                    (initiative_id, feedback.asked, feedback.answered, feedback.did),
                )
                self._audit("update", "public_feedback", initiative_id, initiative_id, changes)
        return feedback

    # -- settings --

    def setting(self, key: str, default: str | None = None) -> str | None:
        with self._lock:
            row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.write():
            old = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
            self._audit("update", "setting", None, None, {key: [old[0] if old else None, value]})

    # -- presence: who else has the database open --

    def _presence_conn(self) -> sqlite3.Connection:
        """A connection of its own, so that a heartbeat waiting for the lock never holds up the
        reads of the screen the user is looking at."""
        if self._presence is None:
            self._presence = sqlite3.connect(
                self.path,
                timeout=PRESENCE_TIMEOUT_S,
                isolation_level=None,
                check_same_thread=False,
            )
        return self._presence

    def beat(
        self, session_id: int | None, initiative_id: int | None = None, editing: bool = False
    ) -> int | None:
        """Record that this session is alive and what it has open; returns the session's id.

        Starts a session when `session_id` is None or its row is gone (a restore replaced the
        table). Returns the id unchanged, or None, when the database was too busy to wait for:
        the next beat tries again.
        """
        at = self.wall_clock().isoformat()
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
                            (at, initiative_id, int(editing), session_id, self.user),
                        ).rowcount
                    if not updated:
                        # Sessions that ended without saying so would otherwise pile up.
                        stale = (self.wall_clock() - timedelta(days=1)).isoformat()
                        conn.execute("DELETE FROM sessions WHERE seen_at < ?", (stale,))
                        session_id = conn.execute(
                            "INSERT INTO sessions (user, host, pid, started_at, seen_at,"
                            " initiative_id, editing) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (self.user, _HOST, os.getpid(), at, at, initiative_id, int(editing)),
                        ).lastrowid
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
        except sqlite3.Error:
            # Busy, read-only for this user, or a restore under way: presence is only advice,
            # and the next beat tries again.
            return session_id
        return session_id

    def end_session(self, session_id: int | None) -> None:
        """Say goodbye, so that others stop seeing this session at once rather than in a minute."""
        if session_id is None:
            return
        with contextlib.suppress(sqlite3.OperationalError), self._presence_lock:
            self._presence_conn().execute("DELETE FROM sessions WHERE id = ?", (session_id,))

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
        except sqlite3.Error:
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

    # -- demo --

    def is_demo(self) -> bool:
        return self.setting("demo_seed") is not None

    def fill_demo(
        self,
        seed: int,
        build: Callable[[], tuple[list[Initiative], Callable[[Store, list[int]], None]]],
    ) -> bool:
        """Fill an empty database with demo data; False when it already is a demo database.

        Refuses a database that holds other data, so that demo rows never mix with real ones.
        """
        if self.is_demo():
            return False
        if self.count_initiatives():
            raise DemoRefusedError(
                f"Databasen {self.path} innehåller redan riktiga initiativ; demodata blandas "
                "aldrig in i den. Ange en annan fil med --db eller DIALOGTUI_DB."
            )
        initiatives, extras = build()
        with self.write():
            ids = [self._insert_initiative(i) for i in initiatives]
            extras(self, ids)
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES ('demo_seed', ?)", (str(seed),)
            )
        return True
