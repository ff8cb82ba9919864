"""Who else has the database open: heartbeats, the page's notice, and `dialogtui restore`."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from dialogtui.cli import main
from dialogtui.domain import Presence
from dialogtui.presence import presence_line
from dialogtui.store import PRESENCE_STALE_S, Store
from tests.factories import make_initiative
from tests.ui import (
    FIXED_NOW,
    fixed_store,
    make_app,
    record_notifications,
    screen_text,
    settle,
    wait_for,
)


def test_a_beat_starts_a_session_that_others_see_until_it_ends(db_path: Path) -> None:
    anna, bo = Store(db_path, user="anna"), Store(db_path, user="bo")
    session = anna.beat(None, initiative_id=7, editing=True)
    assert session is not None
    seen = bo.present()
    assert [(p.user, p.initiative_id, p.editing) for p in seen] == [("anna", 7, True)]
    assert anna.present(exclude=session) == []
    assert anna.beat(session, None, False) == session  # the same session, now on no initiative
    assert bo.present()[0].initiative_id is None
    anna.end_session(session)
    assert bo.present() == []


def test_a_session_not_heard_from_for_a_minute_has_ended(db_path: Path) -> None:
    clock = [FIXED_NOW]
    anna = Store(db_path, user="anna", wall_clock=lambda: clock[0])
    anna.beat(None, 1, False)
    clock[0] += timedelta(seconds=PRESENCE_STALE_S - 1)
    assert len(anna.present()) == 1
    clock[0] += timedelta(seconds=2)
    assert anna.present() == []


def test_a_crashed_session_on_this_host_is_not_counted(db_path: Path) -> None:
    anna = Store(db_path, user="anna")
    anna.beat(None)
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    # As if that process had beaten and then been killed before it could say goodbye.
    with anna.write() as conn:
        conn.execute("UPDATE sessions SET pid = ?", (dead,))
    assert anna.present() == []


def test_heartbeats_are_not_changes_to_the_data(db_path: Path) -> None:
    anna = Store(db_path, user="anna")
    before = anna.last_audit_id()
    session = anna.beat(None, 1, True)
    anna.beat(session, 2, False)
    assert anna.last_audit_id() == before


def test_presence_line_names_editors_first_and_oneself_kindly() -> None:
    def session(user: str, editing: bool) -> Presence:
        return Presence(1, user, "host", 1, FIXED_NOW, FIXED_NOW, 5, editing)

    line = presence_line([session("cilla", False), session("bo", True)], own_user="anna")
    assert line == "Redigeras just nu av bo. Visas även för cilla."
    assert presence_line([session("anna", False)], own_user="anna") == (
        "Visas just nu för du själv i en annan session."
    )
    assert presence_line([], own_user="anna") == ""


async def test_the_page_shows_who_else_is_editing_it(db_path: Path) -> None:
    mine = fixed_store(db_path, "anna")
    initiative = mine.create_initiative(make_initiative(title="Hälsosamtal"))
    assert initiative.id is not None
    theirs = fixed_store(db_path, "bo")
    app = make_app(mine)
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        app.open_initiative(initiative.id)
        await wait_for(pilot, lambda: "Hälsosamtal" in screen_text(app), what="the page")
        assert "Redigeras just nu" not in screen_text(app)
        bos_session = theirs.beat(None, initiative.id, editing=True)
        # The next poll sees the other session's heartbeat.
        await wait_for(pilot, lambda: "Redigeras just nu av bo." in screen_text(app))
        said = record_notifications(app)
        await pilot.press("e")  # editing anyway is allowed, with a warning
        await wait_for(pilot, lambda: any("bo redigerar redan" in message for message in said))
        theirs.end_session(bos_session)
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Redigeras just nu" not in screen_text(app))


async def test_opening_a_form_tells_the_others_at_once(db_path: Path) -> None:
    mine = fixed_store(db_path, "anna")
    initiative = mine.create_initiative(make_initiative())
    assert initiative.id is not None
    theirs = Store(db_path, user="bo")
    app = make_app(mine)
    async with app.run_test(size=(100, 30)) as pilot:

        def seen_by_bo() -> list[tuple[str, bool]]:
            return [(p.user, p.editing) for p in theirs.present()]

        app.open_initiative(initiative.id)
        # At the next poll, not at the next heartbeat a quarter of a minute later.
        await wait_for(pilot, lambda: seen_by_bo() == [("anna", False)], what="anna on the page")
        await pilot.press("e")
        await wait_for(pilot, lambda: seen_by_bo() == [("anna", True)], what="anna editing")
    assert theirs.present() == []  # quitting says goodbye


def _restorable(tmp_path: Path, db_path: Path) -> Path:
    with Store(db_path, user="anna") as store:
        store.create_initiative(make_initiative(title="Före kopian"))
        copy = store.backup_to(tmp_path / "kopia.db")
        store.create_initiative(make_initiative(title="Efter kopian"))
    return copy


def test_restore_brings_back_the_copy_and_keeps_what_it_replaced(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = _restorable(tmp_path, db_path)
    assert main(["restore", str(copy), "--db", str(db_path)]) == 0
    with Store(db_path) as store:
        assert [i.title for i in store.initiatives()] == ["Före kopian"]
        assert store.audit_log()[0].action == "restore"
        assert store.check() == []
    safety = next((db_path.parent / "backups").glob("*fore-aterstallning.db"))
    with Store(safety) as kept:
        assert sorted(i.title for i in kept.initiatives()) == ["Efter kopian", "Före kopian"]
    assert "finns kvar i" in capsys.readouterr().out


def test_restore_refuses_while_someone_has_the_database_open(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = _restorable(tmp_path, db_path)
    bo = Store(db_path, user="bo")
    bo.beat(None)
    assert main(["restore", str(copy), "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "öppen just nu för bo" in err and "--force" in err
    assert len(bo.initiatives()) == 2  # nothing was restored
    assert main(["restore", str(copy), "--db", str(db_path), "--force"]) == 0
    # The open connection sees the restored data at once.
    assert [i.title for i in bo.initiatives()] == ["Före kopian"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a database at all, just some text" * 200, "ingen SQLite-databas"),
        (None, "finns inte"),
    ],
)
def test_restore_refuses_what_is_no_backup(
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    message: str,
) -> None:
    _restorable(tmp_path, db_path)
    source = tmp_path / "fel.db"
    if content is not None:
        source.write_bytes(content)
    assert main(["restore", str(source), "--db", str(db_path)]) == 1
    assert message in capsys.readouterr().err
    with Store(db_path) as store:
        assert store.count_initiatives() == 2


def test_restore_refuses_a_database_of_another_program(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    _restorable(tmp_path, db_path)
    other = tmp_path / "annan.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    assert main(["restore", str(other), "--db", str(db_path)]) == 1
    assert "ingen databas från dialogtui" in capsys.readouterr().err


async def test_only_other_sessions_saves_make_the_screens_reload(db_path: Path) -> None:
    mine = Store(db_path, user="anna")
    app = make_app(mine)
    async with app.run_test(size=(100, 30)) as pilot:
        # The first heartbeat is done; the next is a quarter of a minute away, so news of bo
        # below can only come from a poll.
        await settle(pilot)
        reloads: list[int] = []
        original = app.data_changed
        app.data_changed = lambda *change: (reloads.append(1), original(*change))  # type: ignore[method-assign]
        # This session's own save, then a heartbeat that changes the file's data version.
        mine.create_initiative(make_initiative(title="Min egen"))
        Store(db_path, user="bo").beat(None)
        await wait_for(pilot, lambda: [p.user for p in app.others] == ["bo"], what="a poll")
        assert reloads == []  # the screen that saved has shown it already
        # The same OS user in another SSH session is somebody else to this one.
        Store(db_path, user="anna").create_initiative(make_initiative(title="Annans andra"))
        await wait_for(pilot, lambda: reloads, what="a reload")


def test_a_heartbeat_that_cannot_write_is_skipped_not_fatal(db_path: Path) -> None:
    import sqlite3

    anna = Store(db_path, user="anna")
    # As for a user who may read the database but not write it.
    read_only = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    anna._presence = read_only
    assert anna.beat(None, 1, True) is None
    assert anna.beat(7, 1, True) == 7


async def test_two_beats_at_once_make_one_session(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from textual.worker import WorkerState

    # The beats wait for the lock as long as the test holds it: with the 1 s of production the
    # first gave up before a loaded machine had seen both running.
    monkeypatch.setattr("dialogtui.store.presence.PRESENCE_TIMEOUT_S", 60.0)
    mine = Store(db_path, user="anna")
    app = make_app(mine)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        mine.end_session(app.session_id)
        app.session_id = None
        holding, release = threading.Event(), threading.Event()

        def hold_the_lock() -> None:
            with Store(db_path, user="bo").write():
                holding.set()
                release.wait(timeout=30)

        holder = threading.Thread(target=hold_the_lock)
        holder.start()
        holding.wait()
        app._heartbeat()
        app._heartbeat()

        def beating() -> int:
            return sum(
                w.group == "presence" and w.state == WorkerState.RUNNING for w in app.workers
            )

        # Both beats (and any the poll adds) have started while another user holds the write
        # lock; then it is freed.
        await wait_for(pilot, lambda: beating() >= 2, what="two heartbeats at once")
        release.set()
        holder.join()
        await settle(pilot)
        mine_now = [p for p in Store(db_path, user="x").present() if p.pid == os.getpid()]
        assert len(mine_now) == 1


async def test_news_of_presence_before_the_page_is_built_is_harmless(db_path: Path) -> None:
    mine = fixed_store(db_path, "anna")
    initiative = mine.create_initiative(make_initiative())
    assert initiative.id is not None
    # A real session, so that the app's own heartbeats read the same news again later.
    Store(db_path, user="bo").beat(None, initiative.id, editing=True)
    app = make_app(mine)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_initiative(initiative.id)
        app._presence_read(mine.present())  # before the page has composed
        await wait_for(pilot, lambda: "Redigeras just nu av bo." in screen_text(app))


async def test_open_sessions_reload_after_a_restore(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dialogtui.widgets.initiative_table import InitiativeTable

    mine = Store(db_path, user="anna")
    mine.create_initiative(make_initiative(title="Alfa"))
    copy = mine.backup_to(tmp_path / "kopia.db")
    app = make_app(mine)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        # One change after the copy, made in this very session: the restore undoes it.
        mine.create_initiative(make_initiative(title="Beta"))
        app.data_changed()
        await wait_for(pilot, lambda: "Beta" in screen_text(app))
        assert main(["restore", str(copy), "--db", str(db_path), "--force"]) == 0
        table = app.screen.query_one(InitiativeTable)
        await wait_for(pilot, lambda: table.row_count == 1 and "Beta" not in screen_text(app))


def test_a_backup_is_a_whole_file_that_opens_where_nothing_may_be_written(
    tmp_path: Path, db_path: Path
) -> None:
    import sqlite3

    with Store(db_path, user="anna") as store:
        store.create_initiative(make_initiative())
        copy = store.backup_to(tmp_path / "kopia.db")
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    Store.check_backup(copy)


def test_years_an_earlier_version_stored_still_open(db_path: Path) -> None:
    from dialogtui.models import BlockedPeriod, FeedbackPromise

    with Store(db_path, user="anna") as store:
        created = store.create_initiative(make_initiative())
        store.save_blocked_period(BlockedPeriod(name="Jul", start="2026-12-21", end="2027-01-06"))
        store.save_feedback_promise(
            FeedbackPromise(initiative_id=created.id, audience="public", due="2027-01-10")
        )
        with store.write() as conn:  # as the previous version, which allowed any year, left it
            conn.execute("UPDATE blocked_periods SET start = '2207-12-21', \"end\" = '2208-01-06'")
            conn.execute("UPDATE feedback_promises SET due = '2207-01-10'")
        assert store.blocked_periods()[0].start.year == 2207
        assert store.feedback_promises()[0].due.year == 2207
