"""The change history reads as Swedish, never as codes."""

from __future__ import annotations

from pathlib import Path

from dialogtui.domain import Method, Stage
from dialogtui.history import describe
from dialogtui.models import ChecklistEntry
from tests.factories import make_initiative
from tests.ui import fixed_store


def test_changes_are_told_with_labels_not_codes(db_path: Path) -> None:
    store = fixed_store(db_path)
    created = store.create_initiative(make_initiative())
    iid = created.id or 0
    store.update_initiative(
        created.model_copy(
            update={
                "method": Method.SURVEY,
                "uses_panel": True,
            }
        )
    )
    store.set_stage(iid, Stage.PLANNING, 2, note="klart")
    store.set_checklist_entry(iid, ChecklistEntry(item_id="F-syfte", state="done"))
    told = [describe(entry) for entry in store.audit_log(iid)]
    assert told == [
        ("ändrade checklistan", "”Syftet med dialogen är tydligt”: ej klar → klar"),
        ("bytte skede", "anmäld → planering"),
        ("ändrade", "Metod: fokusgrupp → enkätundersökning; Invånarpanelen: nej → ja"),
        ("skapade initiativet", ""),
    ]
