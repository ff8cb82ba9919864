"""The guideline's checklist per initiative, feedback promises, and feedback to the public."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from dialogtui.domain import ChecklistState, Method, diff
from dialogtui.process import AUTOMATIC_ITEMS, automatic_items, settles
from dialogtui.store.base import StoreBase
from dialogtui.store.errors import NotFoundError, StoreError
from dialogtui.store.rows import STORED, content

if TYPE_CHECKING:
    from dialogtui.models import ChecklistEntry, FeedbackPromise, PublicFeedback


@dataclass(frozen=True, slots=True)
class _Sources:
    """What the automatic items of one initiative are decided from, as stored."""

    method: Method
    uses_panel: bool
    deadline: date | None


def sync_automatic_items(conn: sqlite3.Connection, initiative_id: int) -> None:
    """Tick the items whose answer the data holds, and open again those whose source is gone.

    Called in the transaction of every write that can change a source (registration, edit,
    evaluation) and by the migration that introduced them. Who and when come from the source
    itself: the registration's creator, the edit or evaluation that set it. Not audited on its
    own: the change that moved the source is, in the same transaction.
    """
    from dialogtui.models import Evaluation

    row = conn.execute(
        "SELECT method, uses_panel, deadline, created_by, created_at, updated_by, updated_at"
        " FROM initiatives WHERE id = ?",
        (initiative_id,),
    ).fetchone()
    if row is None:
        return
    method, uses_panel, deadline, created_by, created_at, updated_by, updated_at = row
    cursor = conn.execute("SELECT * FROM evaluations WHERE initiative_id = ?", (initiative_id,))
    found = cursor.fetchone()
    stored = dict(zip([d[0] for d in cursor.description], found, strict=True)) if found else {}
    evaluation = Evaluation.model_construct(**stored) if stored else None
    facts = _Sources(
        Method(method), bool(uses_panel), date.fromisoformat(deadline) if deadline else None
    )
    wanted = automatic_items(facts, evaluation)
    marks = ",".join("?" * len(AUTOMATIC_ITEMS))
    existing = {
        item_id: (state, bool(automatic))
        for item_id, state, automatic in conn.execute(
            f"SELECT item_id, state, automatic FROM checklist WHERE initiative_id = ?"
            f" AND item_id IN ({marks})",
            (initiative_id, *AUTOMATIC_ITEMS),
        )
    }
    for item_id in AUTOMATIC_ITEMS:
        automatic = existing.get(item_id, ("not_done", False))[1]
        if item_id in wanted:
            if automatic:
                continue
            if item_id == "F-anmald":
                by, at = created_by, created_at
            elif item_id == "E-utvardering":
                by, at = stored["updated_by"], stored["updated_at"]
            else:
                by, at = updated_by, updated_at
            conn.execute(
                "INSERT INTO checklist (initiative_id, item_id, state, reason, by, at, automatic)"
                " VALUES (?, ?, 'done', '', ?, ?, 1) ON CONFLICT(initiative_id, item_id) DO UPDATE"
                " SET state = 'done', reason = '', by = excluded.by, at = excluded.at,"
                " automatic = 1",
                (initiative_id, item_id, by, at),
            )
        elif automatic:
            # The source is gone (a deadline removed): the item is open again, for a person.
            conn.execute(
                "DELETE FROM checklist WHERE initiative_id = ? AND item_id = ?",
                (initiative_id, item_id),
            )


class AutomaticItemError(StoreError):
    """A person tried to change an item that the data ticks, while its source holds."""

    def __init__(self, item_id: str) -> None:
        self.item_id = item_id
        super().__init__(
            f"Punkten bockas av automatiskt ({AUTOMATIC_ITEMS.get(item_id, 'av datan')}) och kan "
            "inte ändras för hand så länge det gäller."
        )


class ChecklistStore(StoreBase):
    # -- checklist --

    def checklist(self, initiative_id: int) -> dict[str, ChecklistEntry]:
        return self.checklists([initiative_id]).get(initiative_id, {})

    def checklists(self, ids: Sequence[int] | None = None) -> dict[int, dict[str, ChecklistEntry]]:
        """Checklist answers of every initiative (or of those given), for cross-initiative views."""
        from dialogtui.models import ChecklistEntry

        if ids is None:
            query, params = "SELECT * FROM checklist", []
        else:
            query = f"SELECT * FROM checklist WHERE initiative_id IN ({','.join('?' * len(ids))})"
            params = list(ids)
        result: dict[int, dict[str, ChecklistEntry]] = {}
        for r in self._query(query, params):
            result.setdefault(r["initiative_id"], {})[r["item_id"]] = ChecklistEntry.model_validate(
                r
            )
        return result

    def settled_items(self) -> dict[int, frozenset[str]]:
        """The settled items of every initiative (`process.settles`), for the to-do list.

        Only the item ids: the list asks no more, and 10,000 initiatives' entries as models
        held 15 MiB (`bench/ui_bench.py`'s to-do list step)."""
        found: dict[int, set[str]] = {}
        with self.connection() as conn:
            for ident, item, state in conn.execute(
                "SELECT initiative_id, item_id, state FROM checklist"
            ):
                if settles(ChecklistState(state)):
                    found.setdefault(ident, set()).add(sys.intern(item))
        return {ident: frozenset(items) for ident, items in found.items()}

    def set_checklist_entry(
        self, initiative_id: int, entry: ChecklistEntry, note: str = ""
    ) -> ChecklistEntry:
        stamp = self.now()
        stored = entry.model_copy(update={"by": self.user, "at": stamp, "automatic": False})
        with self.write() as conn:
            self._require_initiative(conn, initiative_id)
            held = conn.execute(
                "SELECT 1 FROM checklist WHERE initiative_id = ? AND item_id = ? AND automatic = 1",
                (initiative_id, entry.item_id),
            ).fetchone()
            if held is not None:
                raise AutomaticItemError(entry.item_id)
            old = conn.execute(
                "SELECT state, reason FROM checklist WHERE initiative_id = ? AND item_id = ?",
                (initiative_id, entry.item_id),
            ).fetchone()
            self._upsert(
                conn,
                "checklist",
                {
                    "initiative_id": initiative_id,
                    "item_id": entry.item_id,
                    "state": entry.state.value,
                    "reason": entry.reason,
                    "by": self.user,
                    "at": stamp.isoformat(),
                },
                key=("initiative_id", "item_id"),
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

    # -- feedback promises --

    def feedback_promises(self, initiative_id: int | None = None) -> list[FeedbackPromise]:
        from dialogtui.models import FeedbackPromise

        where, params = ("WHERE initiative_id = ?", [initiative_id]) if initiative_id else ("", [])
        rows = self._query(f"SELECT * FROM feedback_promises {where} ORDER BY due, id", params)
        return [FeedbackPromise.model_validate(r, context=STORED) for r in rows]

    def _promise(self, promise_id: int) -> FeedbackPromise:
        from dialogtui.models import FeedbackPromise

        return FeedbackPromise.model_validate(
            self._row("feedback_promises", promise_id, "Återkopplingslöftet"), context=STORED
        )

    def save_feedback_promise(self, promise: FeedbackPromise) -> FeedbackPromise:
        if promise.initiative_id is None:
            raise NotFoundError("Återkopplingslöftet hör inte till något initiativ.")
        values = promise.model_dump(mode="json", exclude={"id"})
        with self.write() as conn:
            if promise.id is None:
                self._require_initiative(conn, promise.initiative_id)
                cursor = conn.execute(
                    "INSERT INTO feedback_promises (initiative_id, audience, what, channel, due,"
                    " done) VALUES (:initiative_id, :audience, :what, :channel, :due, :done)",
                    values,
                )
                promise_id = int(cursor.lastrowid or 0)
                before = None
            else:
                promise_id = promise.id
                before = content(self._promise(promise_id))
                conn.execute(
                    "UPDATE feedback_promises SET audience = :audience, what = :what,"
                    " channel = :channel, due = :due, done = :done WHERE id = :id",
                    values | {"id": promise_id},
                )
            self._audit(
                "create" if before is None else "update",
                "feedback",
                promise_id,
                promise.initiative_id,
                diff(before, content(promise)),
            )
        return promise.model_copy(update={"id": promise_id})

    def set_promise_done(self, promise_id: int, done: date | None) -> FeedbackPromise:
        """Mark a promise kept (or not); touches nothing else of it, whoever edited it since."""
        with self.write() as conn:
            before = self._promise(promise_id)
            conn.execute(
                "UPDATE feedback_promises SET done = ? WHERE id = ?",
                (done.isoformat() if done else None, promise_id),
            )
            after = before.model_copy(update={"done": done})
            self._audit(
                "update",
                "feedback",
                promise_id,
                before.initiative_id,
                diff(content(before), content(after)),
            )
        return after

    def delete_feedback_promise(self, promise_id: int) -> None:
        with self.write() as conn:
            before = self._promise(promise_id)
            conn.execute("DELETE FROM feedback_promises WHERE id = ?", (promise_id,))
            self._audit(
                "delete", "feedback", promise_id, before.initiative_id, diff(content(before), None)
            )

    # -- feedback to the public --

    def public_feedback(self, initiative_id: int) -> PublicFeedback:
        from dialogtui.models import PublicFeedback

        rows = self._query("SELECT * FROM public_feedback WHERE initiative_id = ?", [initiative_id])
        if rows:
            return PublicFeedback.model_validate(rows[0])
        return PublicFeedback(initiative_id=initiative_id)

    def save_public_feedback(self, feedback: PublicFeedback) -> PublicFeedback:
        initiative_id = feedback.initiative_id or 0
        with self.write() as conn:
            before = self.public_feedback(initiative_id)
            changes = diff(content(before), content(feedback))
            if changes:
                self._require_initiative(conn, initiative_id)
                self._upsert(
                    conn,
                    "public_feedback",
                    {
                        "initiative_id": initiative_id,
                        "asked": feedback.asked,
                        "answered": feedback.answered,
                        "did": feedback.did,
                    },
                    key=("initiative_id",),
                )
                self._audit("update", "public_feedback", initiative_id, initiative_id, changes)
        return feedback
