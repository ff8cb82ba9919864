"""The schema: one migration per version, applied in order, and the lessons' full-text index.

Index i of MIGRATIONS holds the migration from schema version i to i + 1; the file's
`PRAGMA user_version` says which it has. A migration never changes what an earlier one made
in place: it adds, so that an older backup restores into the current program.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Callable
from typing import cast


def run_script(conn: sqlite3.Connection, script: str) -> None:
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
    run_script(
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
    run_script(
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
    run_script(
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
    run_script(
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


LESSON_COLUMNS = ("title", "purpose", "lesson", "went_well", "improve", "unspoken")


def _schema_v5(conn: sqlite3.Connection) -> None:
    # remove_diacritics 0: in Swedish å, ä and ö are letters of their own, not decorated a and o.
    run_script(
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
            {", ".join(LESSON_COLUMNS)}, tokenize = 'unicode61 remove_diacritics 0'
        );
        """,
    )
    for (initiative_id,) in conn.execute("SELECT id FROM initiatives").fetchall():
        reindex_lessons(conn, initiative_id)


def _schema_v6(conn: sqlite3.Connection) -> None:
    # Presence is advisory and changes every few seconds: no versions, no audit, no foreign key
    # (a session may look at an initiative that someone else has just deleted).
    run_script(
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


def _schema_v7(conn: sqlite3.Connection) -> None:
    """The guideline's rules at every door (issue 13): new fields, items that tick themselves, a
    panel survey always on the panel, and the panel cap counted per twelve months."""
    run_script(
        conn,
        """
        ALTER TABLE initiatives ADD COLUMN orders_invanartjanster INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE initiatives ADD COLUMN conditions TEXT NOT NULL DEFAULT '';
        ALTER TABLE initiatives ADD COLUMN personal_data TEXT NOT NULL DEFAULT '';
        ALTER TABLE initiatives ADD COLUMN feedback_description TEXT NOT NULL DEFAULT '';
        ALTER TABLE checklist ADD COLUMN automatic INTEGER NOT NULL DEFAULT 0;
        UPDATE initiatives SET uses_panel = 1 WHERE method = 'panel_survey' AND uses_panel = 0;
        """,
    )
    # The cap was per quarter; a value the coordinator chose is kept as the same yearly load.
    old = conn.execute("SELECT value FROM settings WHERE key = 'panel_cap'").fetchone()
    if old is not None:
        try:
            yearly = str(int(old[0]) * 4)
        except ValueError:
            yearly = None
        if yearly is not None:
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES ('panel_cap_year', ?)",
                (yearly,),
            )
        conn.execute("DELETE FROM settings WHERE key = 'panel_cap'")
    from dialogtui.store.checklist import sync_automatic_items

    for (initiative_id,) in conn.execute("SELECT id FROM initiatives").fetchall():
        sync_automatic_items(conn, initiative_id)


def _schema_v8(conn: sqlite3.Connection) -> None:
    """The process's step "Fastställ tidsfrist" ticks itself with the deadline, as F-tidsfrist
    does: no new column, only the items of the records already there."""
    from dialogtui.store.checklist import sync_automatic_items

    for (initiative_id,) in conn.execute("SELECT id FROM initiatives").fetchall():
        sync_automatic_items(conn, initiative_id)


def _schema_v9(conn: sqlite3.Connection) -> None:
    """Drafts of the registration form too (issue 15: nothing typed is lost): one per user and
    form, a new registration (no initiative) or the edit of one initiative, which takes its
    drafts with it when it is deleted."""
    run_script(
        conn,
        """
        CREATE TABLE form_drafts (
            user TEXT NOT NULL,
            initiative_id INTEGER REFERENCES initiatives(id) ON DELETE CASCADE,
            data TEXT NOT NULL,
            base_version INTEGER NOT NULL,
            saved_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX form_drafts_one ON form_drafts(user, ifnull(initiative_id, 0));
        CREATE INDEX form_drafts_initiative ON form_drafts(initiative_id);
        """,
    )


def reindex_lessons(conn: sqlite3.Connection, initiative_id: int) -> None:
    """Keep the lessons library's full-text index in step with one initiative."""
    conn.execute("DELETE FROM lessons_fts WHERE rowid = ?", (initiative_id,))
    row = conn.execute(
        "SELECT i.title, i.purpose, e.lesson, e.went_well, e.improve, e.unspoken"
        " FROM initiatives i LEFT JOIN evaluations e ON e.initiative_id = i.id WHERE i.id = ?",
        (initiative_id,),
    ).fetchone()
    if row is not None:
        conn.execute(
            f"INSERT INTO lessons_fts (rowid, {', '.join(LESSON_COLUMNS)})"
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
    _schema_v7,
    _schema_v8,
    _schema_v9,
)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> None:
    """Bring the schema up to `target`, inside the caller's write transaction.

    The version is read again under the write lock: another process may have migrated meanwhile.
    """
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    for version in range(current, target):
        MIGRATIONS[version](conn)
    conn.execute(f"PRAGMA user_version = {max(current, target)}")


# --- what a file's schema should be, derived from the migrations themselves ---------------------
#
# `PRAGMA user_version` is only a number anybody can set. Before a file is adopted, restored or
# called sound, its tables, columns, indexes (and the absence of triggers and views, which would
# run code on our writes) are compared with a database built in memory by running the migrations
# up to its version: so the check stays right whenever a migration is added.

ObjectShape = tuple[object, ...]


def _normal_sql(sql: str | None) -> str:
    """SQL text without the layout: whitespace collapsed, none around brackets and commas."""
    text = _SPACE.sub(" ", sql or "").strip()
    return _AROUND_PUNCTUATION.sub(r"\1", text).casefold()


_SPACE = re.compile(r"\s+")
_AROUND_PUNCTUATION = re.compile(r" ?([(),=]) ?")


def _sql_texts(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """Every schema object's type and SQL text, as stored: one cheap query."""
    return {
        name: (kind, sql)
        for kind, name, sql in conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        )
    }


@functools.cache
def _expected_sql_texts(version: int) -> dict[str, tuple[str, str]]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for migration in MIGRATIONS[:version]:
            migration(conn)
        return _sql_texts(conn)
    finally:
        conn.close()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def schema_shape(conn: sqlite3.Connection) -> dict[str, ObjectShape]:
    """Every schema object of the file by name, described by what matters to the program."""
    shape: dict[str, ObjectShape] = {}
    rows = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%'"
        " ESCAPE '\\' ORDER BY name"
    ).fetchall()
    for kind, name, table, sql in rows:
        if kind == "table" and _normal_sql(sql).startswith("create virtual table"):
            shape[name] = ("virtual table", _normal_sql(sql))
        elif kind == "table":
            columns = tuple(
                (col[1], str(col[2]).upper(), col[3], col[4], col[5])
                for col in conn.execute(f"PRAGMA table_info({_quoted(name)})")
            )
            keys = tuple(
                sorted(
                    tuple(str(v) for v in fk[2:])
                    for fk in conn.execute(f"PRAGMA foreign_key_list({_quoted(name)})")
                )
            )
            # Indexes a table's own constraints make (PRIMARY KEY, UNIQUE): part of the table.
            implied = tuple(
                sorted(
                    (
                        ix[3],
                        ix[2],
                        tuple(c[2] for c in conn.execute(f"PRAGMA index_info({_quoted(ix[1])})")),
                    )
                    for ix in conn.execute(f"PRAGMA index_list({_quoted(name)})")
                    if ix[3] != "c"
                )
            )
            shape[name] = ("table", columns, keys, implied)
        elif kind == "index":
            shape[name] = ("index", table, _normal_sql(sql))
        else:
            shape[name] = (kind, _normal_sql(sql))
    return shape


@functools.cache
def expected_shape(version: int) -> dict[str, ObjectShape]:
    """The schema a file of `version` has when the migrations made it."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for migration in MIGRATIONS[:version]:
            migration(conn)
        return schema_shape(conn)
    finally:
        conn.close()


_KIND_WORDS = {
    "table": "tabellen",
    "virtual table": "tabellen",
    "index": "indexet",
    "trigger": "utlösaren (trigger)",
    "view": "vyn",
}


def _columns(shape: ObjectShape) -> tuple[tuple[object, ...], ...]:
    """A table's columns as described by `schema_shape`; none for other objects."""
    return cast("tuple[tuple[object, ...], ...]", shape[1]) if shape[0] == "table" else ()


def _column_names(shape: ObjectShape) -> list[str]:
    return [str(col[0]) for col in _columns(shape)]


def _describe_difference(name: str, expected: ObjectShape, found: ObjectShape) -> str:
    word = _KIND_WORDS.get(str(expected[0]), "objektet")
    if expected[0] == "table" == found[0]:
        wanted, present = _column_names(expected), _column_names(found)
        missing = [c for c in wanted if c not in present]
        extra = [c for c in present if c not in wanted]
        if missing or extra:
            parts = []
            if missing:
                parts.append(
                    "saknar " + ", ".join(missing[:6]) + (" …" if len(missing) > 6 else "")
                )
            if extra:
                parts.append(
                    "har okända " + ", ".join(extra[:6]) + (" …" if len(extra) > 6 else "")
                )
            return f"{word} {name} {' och '.join(parts)}"
        return f"{word} {name} har andra kolumntyper, nycklar eller villkor"
    return f"{word} {name} är definierat på ett annat sätt"


def schema_problems(conn: sqlite3.Connection, version: int) -> list[str]:
    """How the file's schema differs from what `version` should have, in Swedish; [] if not.

    A file newer than this program is checked for what this program knows: newer versions add
    tables, columns and indexes, so extra ones are fine there.
    """
    newer = version > SCHEMA_VERSION
    if not newer and _sql_texts(conn) == _expected_sql_texts(version):
        # The very statements the migrations ran, to the byte: the same schema, from one query.
        return []
    expected = expected_shape(min(version, SCHEMA_VERSION))
    found = schema_shape(conn)
    problems: list[str] = []
    missing: list[str] = []
    for name, shape in expected.items():
        word = _KIND_WORDS.get(str(shape[0]), "objektet")
        if name not in found:
            # Tables before indexes: what is missing most is named first.
            missing.append(f"{word} {name} saknas")
            continue
        other = found[name]
        if other == shape:
            continue
        # A newer version may have added columns to a table this version knows.
        if (
            newer
            and shape[0] == other[0] == "table"
            and set(_columns(shape)) <= set(_columns(other))
        ):
            continue
        problems.append(_describe_difference(name, shape, other))
    if not newer:
        for name, shape in found.items():
            if name not in expected and shape[0] in ("trigger", "view"):
                unknown = "okänd utlösare (trigger)" if shape[0] == "trigger" else "okänd vy"
                problems.append(f"{unknown} {name}")
    return problems + sorted(missing, key=lambda text: not text.startswith("tabellen"))
