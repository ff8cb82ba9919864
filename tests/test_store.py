"""The store: round trips, migrations, optimistic versions, the audit log and file modes."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from dialogtui import store as store_module
from dialogtui.domain import Stage
from dialogtui.models import ChecklistEntry, Evaluation, FeedbackPromise, Initiative
from dialogtui.store import ConflictError, NotFoundError, Store
from tests.factories import make_initiative


def test_round_trip_keeps_every_field(store: Store) -> None:
    original = make_initiative(
        contact="Karin Svensson",
        owner="Per Lind",
        method="dialogue_meeting",
        influence="involve",
        uses_panel=True,
        orders_invanartjanster=True,
        purpose="Förstå\nbehoven",
        conditions="Rådgivande",
        personal_data="Anonymt",
        feedback_description="Brev i maj",
        deadline="2026-03-13",
        stage="planning",
        sample_size=40,
        compensation={"amount_sek": 500, "payer": "Psykiatrin Halland"},
        target_groups=[
            {"name": "A", "municipalities": ["Varberg", "Laholm"], "segments": ["äldre"]},
            {"age_min": 0, "age_max": 17},
        ],
    )
    saved = store.create_initiative(original)
    assert saved.id is not None
    assert saved.version == 1
    assert saved.updated_by == "anna"
    loaded = store.initiative(saved.id)
    content = {"id", "version", "updated_at", "updated_by"}
    assert loaded.model_dump(exclude=content) == original.model_dump(exclude=content)


def test_initiatives_ordered_by_start(store: Store) -> None:
    store.create_initiatives(
        [
            make_initiative(title="Senare", start="2026-05-01", end="2026-05-02"),
            make_initiative(title="Tidigare", start="2026-01-01", end="2026-01-02"),
        ]
    )
    assert [i.title for i in store.initiatives()] == ["Tidigare", "Senare"]
    assert store.count_initiatives() == 2


def test_missing_initiative_is_a_clear_error(store: Store) -> None:
    with pytest.raises(NotFoundError, match="Initiativ 99 finns inte"):
        store.initiative(99)


def test_stale_update_refused_across_two_store_instances(db_path: Path) -> None:
    anna = Store(db_path, user="anna")
    bo = Store(db_path, user="bo")
    created = anna.create_initiative(make_initiative())
    assert created.id is not None
    annas_copy = anna.initiative(created.id)
    bos_copy = bo.initiative(created.id)

    bo.update_initiative(bos_copy.model_copy(update={"title": "Bos titel"}))
    with pytest.raises(ConflictError) as caught:
        anna.update_initiative(annas_copy.model_copy(update={"title": "Annas titel"}))

    message = str(caught.value)
    assert "har ändrats av bo" in message
    assert "version 2" in message
    assert caught.value.by == "bo"
    current = anna.initiative(created.id)
    assert current.title == "Bos titel"
    assert current.version == 2


def test_stale_stage_change_and_delete_refused(store: Store) -> None:
    created = store.create_initiative(make_initiative())
    assert created.id is not None
    store.set_stage(created.id, Stage.PLANNING, expected_version=1)
    with pytest.raises(ConflictError):
        store.set_stage(created.id, Stage.RUNNING, expected_version=1)
    with pytest.raises(ConflictError):
        store.delete_initiative(created.id, expected_version=1)
    assert store.initiative(created.id).stage is Stage.PLANNING


def test_audit_rows_written_with_each_change(store: Store) -> None:
    created = store.create_initiative(make_initiative())
    assert created.id is not None
    updated = store.update_initiative(created.model_copy(update={"title": "Ny titel"}))
    store.set_stage(created.id, Stage.PLANNING, updated.version, note="klart att planera")

    entries = store.audit_log(created.id)
    assert [e.action for e in entries] == ["stage", "update", "create"]
    assert all(e.user == "anna" for e in entries)
    stage, update, create = entries
    assert stage.changes == {"stage": ["registered", "planning"]}
    assert stage.note == "klart att planera"
    assert update.changes == {"title": ["Ungas psykiska hälsa", "Ny titel"]}
    assert create.changes["title"] == [None, "Ungas psykiska hälsa"]


def test_no_audit_row_without_a_change(store: Store) -> None:
    created = store.create_initiative(make_initiative())
    assert created.id is not None
    store.update_initiative(created)  # saved unchanged
    with pytest.raises(ConflictError):
        store.update_initiative(created.model_copy(update={"title": "x", "version": 7}))
    assert [e.action for e in store.audit_log(created.id)] == ["create"]
    assert store.initiative(created.id).version == 1


def test_delete_writes_audit_and_cascades(store: Store) -> None:
    created = store.create_initiative(make_initiative())
    assert created.id is not None
    store.set_checklist_entry(created.id, ChecklistEntry(item_id="F-syfte", state="done"))
    store.delete_initiative(created.id, expected_version=1)
    assert store.count_initiatives() == 0
    assert store.checklist(created.id) == {}
    assert store.audit_log(created.id)[0].action == "delete"
    with store.connection() as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_failed_batch_writes_nothing(store: Store) -> None:
    def batch() -> Iterator[Initiative]:
        for n in range(1, 101):
            if n == 57:
                raise RuntimeError("disk full")
            yield make_initiative(title=f"Dialog {n}")

    with pytest.raises(RuntimeError):
        store.create_initiatives(batch())
    assert store.count_initiatives() == 0
    assert store.audit_log() == []


def test_evaluation_is_versioned(db_path: Path) -> None:
    anna = Store(db_path, user="anna")
    bo = Store(db_path, user="bo")
    created = anna.create_initiative(make_initiative())
    first = anna.save_evaluation(Evaluation(initiative_id=created.id, participants=5, invited=20))
    assert first.version == 1
    bo.save_evaluation(first.model_copy(update={"lesson": "Bos lärdom"}))
    with pytest.raises(ConflictError, match="Utvärderingen har ändrats av bo"):
        anna.save_evaluation(first.model_copy(update={"lesson": "Annas lärdom"}))
    with pytest.raises(ConflictError):
        anna.save_evaluation(Evaluation(initiative_id=created.id, lesson="ny"))
    stored = anna.evaluation(created.id or 0)
    assert stored is not None and stored.lesson == "Bos lärdom" and stored.version == 2
    assert [e.entity for e in anna.audit_log(created.id)][:2] == ["evaluation", "evaluation"]


def test_checklist_and_feedback_round_trip(store: Store) -> None:
    created = store.create_initiative(make_initiative())
    iid = created.id or 0
    store.set_checklist_entry(
        iid, ChecklistEntry(item_id="F-ersattning", state="not_applicable", reason="Ingen")
    )
    entry = store.checklist(iid)["F-ersattning"]
    assert (entry.state.value, entry.reason, entry.by) == ("not_applicable", "Ingen", "anna")
    promise = store.save_feedback_promise(
        FeedbackPromise(initiative_id=iid, audience="public", what="Resultat", due="2026-04-30")
    )
    store.save_feedback_promise(promise.model_copy(update={"done": date(2026, 4, 20)}))
    (loaded,) = store.feedback_promises(iid)
    assert loaded.done is not None and loaded.done.isoformat() == "2026-04-20"
    actions = [(e.entity, e.action) for e in store.audit_log(iid)]
    assert actions[:3] == [
        ("feedback", "update"),
        ("feedback", "create"),
        ("checklist", "checklist"),
    ]


def test_new_database_file_has_no_access_for_others(tmp_path: Path) -> None:
    old = os.umask(0)  # the most permissive umask must still not open the file to others
    try:
        path = tmp_path / "sub" / "new.db"
        Store(path).close()
    finally:
        os.umask(old)
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode & 0o007 == 0
    assert mode == 0o660


def test_permission_problem_reported_for_world_readable_file(db_path: Path) -> None:
    opened = Store(db_path)
    assert opened.permission_problem() is None
    db_path.chmod(0o644)
    problem = opened.permission_problem()
    assert problem is not None
    assert "kan läsas av alla" in problem and "chmod o-rwx" in problem


def test_wal_foreign_keys_and_busy_timeout(store: Store) -> None:
    with store.connection() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_migration_from_first_schema_version(db_path: Path) -> None:
    # A database as the first release made it: schema version 1, one initiative.
    conn = sqlite3.connect(db_path, isolation_level=None)
    store_module.MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        'INSERT INTO initiatives (title, unit, method, influence, start, "end", stage,'
        " created_at, created_by, updated_at, updated_by) VALUES ('Gammal', 'Enhet', 'survey',"
        " 'consult', '2025-01-01', '2025-01-31', 'closed', '2025-01-01T00:00:00+01:00', 'x',"
        " '2025-01-01T00:00:00+01:00', 'x')"
    )
    conn.close()

    upgraded = Store(db_path, user="anna")
    assert upgraded.schema_version() == store_module.SCHEMA_VERSION
    (old,) = upgraded.initiatives()
    assert (old.title, old.version, old.stage) == ("Gammal", 1, Stage.CLOSED)
    # The tables that later versions added are usable on the upgraded file.
    upgraded.save_evaluation(Evaluation(initiative_id=old.id, participants=10))
    upgraded.set_setting("rest_days", "14")
    assert upgraded.setting("rest_days") == "14"


def test_opening_twice_does_not_migrate_again(db_path: Path) -> None:
    Store(db_path).create_initiative(make_initiative())
    again = Store(db_path)
    assert again.schema_version() == store_module.SCHEMA_VERSION
    assert again.count_initiatives() == 1


def test_data_version_changes_when_another_connection_writes(db_path: Path) -> None:
    watcher = Store(db_path)
    writer = Store(db_path)
    before = watcher.data_version()
    writer.create_initiative(make_initiative())
    assert watcher.data_version() != before


def test_marking_a_promise_kept_keeps_what_others_wrote(db_path: Path) -> None:
    anna, bo = Store(db_path, user="anna"), Store(db_path, user="bo")
    created = anna.create_initiative(make_initiative())
    promise = anna.save_feedback_promise(
        FeedbackPromise(
            initiative_id=created.id, audience="public", what="Utkast", due="2026-04-30"
        )
    )
    bo.save_feedback_promise(promise.model_copy(update={"what": "Bos formulering"}))
    anna.set_promise_done(promise.id or 0, date(2026, 4, 20))  # from anna's stale row
    (stored,) = anna.feedback_promises(created.id)
    assert (stored.what, stored.done) == ("Bos formulering", date(2026, 4, 20))


def test_a_draft_for_a_deleted_initiative_is_a_clear_error(store: Store) -> None:
    created = store.create_initiative(make_initiative())
    store.delete_initiative(created.id or 0, 1)
    with pytest.raises(NotFoundError):
        store.save_draft(created.id or 0, {"lesson": "x"}, 0)


def test_the_audit_names_the_os_user_not_what_the_environment_claims(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pwd

    monkeypatch.setenv("USER", "nagon-annan")
    monkeypatch.setenv("LOGNAME", "nagon-annan")
    with Store(db_path) as opened:
        opened.create_initiative(make_initiative())
        assert opened.audit_log()[0].user == pwd.getpwuid(os.geteuid()).pw_name


def test_settled_items_are_the_done_and_the_not_applicable(store: Store) -> None:
    ident = store.create_initiative(make_initiative(method="council")).id or 0
    store.set_checklist_entry(ident, ChecklistEntry(item_id="F-syfte", state="done"))
    store.set_checklist_entry(
        ident, ChecklistEntry(item_id="F-relevans", state="not_applicable", reason="inget material")
    )
    store.set_checklist_entry(ident, ChecklistEntry(item_id="F-malgrupp", state="done"))
    store.set_checklist_entry(ident, ChecklistEntry(item_id="F-malgrupp", state="not_done"))
    settled = store.settled_items()[ident]
    assert {"F-syfte", "F-relevans"} <= settled
    assert "F-malgrupp" not in settled
    # The same as the full entries say, item by item (automatic ones included).
    assert settled == {i for i, e in store.checklist(ident).items() if e.state.value != "not_done"}
