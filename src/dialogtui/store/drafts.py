"""Each user's draft of the registration form: a new registration, or the edit of one initiative.

What was typed is kept until it is saved or thrown away, so that a dead terminal loses nothing;
the evaluation's drafts are `evaluations`'. Drafts are not audited: nothing is decided by them.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any, NamedTuple

from dialogtui.store.base import StoreBase


class FormDraft(NamedTuple):
    """What the form held (as the form's `raw` gives it), the version of the initiative it
    started from (0 for a new registration), and when it was kept."""

    data: dict[str, Any]
    base_version: int
    saved_at: datetime


class FormDraftStore(StoreBase):
    def save_form_draft(
        self, initiative_id: int | None, data: dict[str, Any], base_version: int
    ) -> None:
        """Keep this user's draft of the form for `initiative_id` (None: a new registration),
        replacing the one kept before."""
        with self.write() as conn:
            if initiative_id is not None:
                self._require_initiative(conn, initiative_id)
            self._delete_form_draft(conn, initiative_id)
            conn.execute(
                "INSERT INTO form_drafts (user, initiative_id, data, base_version, saved_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    self.user,
                    initiative_id,
                    json.dumps(data, ensure_ascii=False),
                    base_version,
                    self.now().isoformat(),
                ),
            )

    def form_draft(self, initiative_id: int | None) -> FormDraft | None:
        """This user's draft of the form for `initiative_id` (None: a new registration)."""
        rows = self._query(
            "SELECT data, base_version, saved_at FROM form_drafts"
            " WHERE user = ? AND initiative_id IS ?",
            [self.user, initiative_id],
        )
        if not rows:
            return None
        row = rows[0]
        return FormDraft(
            json.loads(row["data"]),
            int(row["base_version"]),
            datetime.fromisoformat(row["saved_at"]),
        )

    def discard_form_draft(self, initiative_id: int | None) -> None:
        """Remove this user's draft of that form; inside a save's transaction when there is one,
        so that the save and the end of its draft land together."""
        with self.write() as conn:
            self._delete_form_draft(conn, initiative_id)

    def _delete_form_draft(self, conn: sqlite3.Connection, initiative_id: int | None) -> None:
        conn.execute(
            "DELETE FROM form_drafts WHERE user = ? AND initiative_id IS ?",
            (self.user, initiative_id),
        )
