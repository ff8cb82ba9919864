"""Evaluations (versioned like initiatives), each user's draft of one, and the lessons library."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from dialogtui.domain import FOUND_END, FOUND_START, LessonHit, Method, diff
from dialogtui.store.base import StoreBase
from dialogtui.store.checklist import sync_automatic_items
from dialogtui.store.errors import ConflictError, NotFoundError
from dialogtui.store.rows import BOOKKEEPING, content
from dialogtui.store.schema import reindex_lessons

if TYPE_CHECKING:
    from dialogtui.models import Evaluation


class EvaluationStore(StoreBase):
    # -- evaluations --

    def evaluation(self, initiative_id: int) -> Evaluation | None:
        from dialogtui.models import Evaluation

        rows = self._query("SELECT * FROM evaluations WHERE initiative_id = ?", [initiative_id])
        return Evaluation.model_validate(rows[0]) if rows else None

    def evaluations(self) -> dict[int, Evaluation]:
        from dialogtui.models import Evaluation

        rows = self._query("SELECT * FROM evaluations")
        return {r["initiative_id"]: Evaluation.model_validate(r) for r in rows}

    def save_evaluation(self, evaluation: Evaluation) -> Evaluation:
        """Create or update an evaluation; `evaluation.version` 0 means it is new."""
        from dialogtui.models import Evaluation

        initiative_id = evaluation.initiative_id
        if initiative_id is None:
            raise NotFoundError("Utvärderingen hör inte till något initiativ.")
        columns = [k for k in Evaluation.model_fields if k not in BOOKKEEPING]
        values = evaluation.model_dump(mode="json", include=set(columns))
        stamp = self.now().isoformat()
        with self.write() as conn:
            self._require_initiative(conn, initiative_id)
            current = self.evaluation(initiative_id)
            stored_version = current.version if current else 0
            if stored_version != evaluation.version:
                raise ConflictError(
                    "Utvärderingen",
                    current.updated_by if current else "",
                    current.updated_at if current else None,
                    stored_version,
                    pronoun="den",
                )
            changes = diff(content(current) if current else None, content(evaluation))
            if current is None:
                conn.execute(
                    f"INSERT INTO evaluations (initiative_id, {', '.join(columns)}, version,"
                    f" updated_at, updated_by) VALUES (?, {', '.join('?' * len(columns))}, 1,"
                    " ?, ?)",
                    [initiative_id, *values.values(), stamp, self.user],
                )
                self._audit("create", "evaluation", initiative_id, initiative_id, changes)
            elif changes:
                assignments = ", ".join(f"{c} = ?" for c in columns)
                conn.execute(
                    f"UPDATE evaluations SET {assignments}, version = version + 1,"
                    " updated_at = ?, updated_by = ? WHERE initiative_id = ?",
                    [*values.values(), stamp, self.user, initiative_id],
                )
                self._audit("update", "evaluation", initiative_id, initiative_id, changes)
            reindex_lessons(conn, initiative_id)
            sync_automatic_items(conn, initiative_id)
            # The evaluation is saved: the user's draft of it has served its purpose.
            conn.execute(
                "DELETE FROM evaluation_drafts WHERE initiative_id = ? AND user = ?",
                (initiative_id, self.user),
            )
            saved = self.evaluation(initiative_id)
        assert saved is not None
        return saved

    def ended_in_turn(self, ended_before: date, after: int | None) -> list[int]:
        """The ended dialogues (not cancelled: they need no evaluation) in the order Ctrl+N
        visits them: by end date, then id, those after the given one first, then round from
        the earliest; never the given one itself. One query, whatever the count.

        Whether one still needs its evaluation is the rules' to say (`rules.evaluation_complete`),
        not this query's."""
        rows = self._query(
            'WITH waiting AS (SELECT i.id, i."end" FROM initiatives i'
            " WHERE i.\"end\" < ? AND i.stage != 'cancelled' AND i.id IS NOT ?),"
            ' here AS (SELECT "end", id FROM initiatives WHERE id = ?)'
            " SELECT w.id FROM waiting w LEFT JOIN here h"
            # Those after the given one first, then round from the earliest.
            ' ORDER BY h.id IS NOT NULL AND (w."end", w.id) < (h."end", h.id),'
            ' w."end", w.id',
            [ended_before.isoformat(), after, after],
        )
        return [int(row["id"]) for row in rows]

    # -- drafts: what was typed, kept per user until saved --

    def save_draft(self, initiative_id: int, data: dict[str, Any], base_version: int) -> None:
        """Keep what the user has typed so far; not audited, as nothing is decided by it."""
        with self.write() as conn:
            self._require_initiative(conn, initiative_id)
            self._upsert(
                conn,
                "evaluation_drafts",
                {
                    "initiative_id": initiative_id,
                    "user": self.user,
                    "data": json.dumps(data, ensure_ascii=False),
                    "base_version": base_version,
                    "saved_at": self.now().isoformat(),
                },
                key=("initiative_id", "user"),
            )

    def draft(self, initiative_id: int) -> tuple[dict[str, Any], int, datetime] | None:
        """This user's draft evaluation: the typed values, their base version, when saved."""
        rows = self._query(
            "SELECT data, base_version, saved_at FROM evaluation_drafts"
            " WHERE initiative_id = ? AND user = ?",
            [initiative_id, self.user],
        )
        if not rows:
            return None
        row = rows[0]
        return (
            json.loads(row["data"]),
            int(row["base_version"]),
            datetime.fromisoformat(row["saved_at"]),
        )

    def discard_draft(self, initiative_id: int) -> None:
        with self.write() as conn:
            conn.execute(
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
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT i.id, i.title, i.start, i.method,"
                " snippet(lessons_fts, -1, ?, ?, '…', 12)"
                " FROM lessons_fts JOIN initiatives i ON i.id = lessons_fts.rowid"
                " WHERE lessons_fts MATCH ? ORDER BY rank LIMIT ?",
                (FOUND_START, FOUND_END, match, limit),
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
