"""Issue 15 in the TUI: a restore under an open form, a full disk at Ctrl+S, a user who may only
read, a terminal killed mid-field, an error nobody expected. Nothing typed is lost, the app
lives on (or, for the unexpected, ends with a Swedish line and a private log), never a
traceback."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from dialogtui import crashlog
from dialogtui.app import DialogApp
from dialogtui.cli import main
from dialogtui.screens.calendar import CalendarScreen
from dialogtui.screens.checklist import ChecklistScreen
from dialogtui.screens.dialogs import ConfirmScreen
from dialogtui.screens.evaluation import EvaluationScreen
from dialogtui.screens.form import InitiativeFormScreen
from dialogtui.screens.initiative import InitiativeScreen
from dialogtui.store import Store
from tests.factories import make_initiative
from tests.ui import FIXED_NOW, WAIT_SECONDS, make_app, record_notifications, settle, widget_text


def said(app: DialogApp) -> str:
    """Every notification the app has shown, as one text."""
    return "\n".join(str(n.message) for n in app._notifications)


async def wait_until(
    condition: Callable[[], bool], pilot: object, timeout: float = WAIT_SECONDS
) -> None:
    """Let the app run until `condition` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        await pilot.pause(0.05)  # type: ignore[attr-defined]


def ended(store: Store, title: str = "Fokusgrupp om väntetider") -> int:
    made = store.create_initiative(
        make_initiative(title=title, start="2026-10-01", end="2026-10-20", sample_size=40)
    )
    return made.id or 0


# --- a restore --force under a colleague's open form --------------------------------------------


async def test_a_restore_under_an_open_form_keeps_the_text_and_offers_to_save_it_as_new(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = Store(db_path, user="anna")
    empty_copy = mine.backup_to(tmp_path / "tom.db")
    made = mine.create_initiative(make_initiative(title="Alfa"))
    app = make_app(mine)
    async with app.run_test(notifications=True, size=(100, 30)) as pilot:
        app.open_initiative(made.id or 0)
        await pilot.pause()
        await pilot.press("e")
        assert isinstance(app.screen, InitiativeFormScreen)
        await pilot.press("end", *" - viktigt tillägg")
        # A colleague restores a backup from before the initiative existed.
        assert main(["restore", str(empty_copy), "--db", str(db_path), "--force"]) == 0
        capsys.readouterr()
        form = app.screen
        # Shown, and laid out: the banner has no height until the next layout.
        await wait_until(lambda: "finns inte längre" in widget_text(form.query_one("#gone")), pilot)
        assert app.screen is form  # the app lives, the form is still there
        assert form.query_one("#title", Input).value == "Alfa - viktigt tillägg"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_until(lambda: bool(mine.initiatives()), pilot)
        # Written is not yet shown: the save's news and the re-reads it sets off close the
        # screens of the vanished initiative.
        await settle(pilot)
        # The page of the vanished initiative has left too, without ending anything.
        assert not any(isinstance(s, InitiativeFormScreen) for s in app.screen_stack)
        assert not any(
            isinstance(s, InitiativeScreen) and s.initiative_id == made.id for s in app.screen_stack
        )
    (saved,) = mine.initiatives()
    assert saved.title == "Alfa - viktigt tillägg"
    assert app.return_code in (0, None)


async def test_a_restore_under_an_open_evaluation_keeps_the_text(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = Store(db_path, user="anna")
    empty_copy = mine.backup_to(tmp_path / "tom.db")
    iid = ended(mine)
    app = make_app(mine)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_initiative(iid)
        await pilot.pause()
        await pilot.press("u")
        assert isinstance(app.screen, EvaluationScreen)
        await pilot.press("tab", "tab", *"Lärdomar som inte får försvinna")
        assert main(["restore", str(empty_copy), "--db", str(db_path), "--force"]) == 0
        capsys.readouterr()
        evaluation = app.screen
        await wait_until(lambda: "finns inte längre" in said(app), pilot)
        await pilot.press("tab", "ctrl+s")  # leaving the field, then saving: neither crashes
        await pilot.pause()
        assert app.screen is evaluation
        assert evaluation.query_one("#effect", TextArea).text == "Lärdomar som inte får försvinna"
        assert "kopiera" in widget_text(evaluation.query_one("#evaluation-summary"))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CalendarScreen)
    assert app.return_code in (0, None)


# --- a user who may only read ------------------------------------------------------------------


async def test_a_read_only_session_refuses_every_write_up_front_and_lives_on(db_path: Path) -> None:
    with Store(db_path, user="anna") as writer:
        iid = ended(writer)
    reader = Store(db_path, user="bo", read_only=True)
    app = make_app(reader)
    # A toast expires after its seconds, and leaves app._notifications then: counting those,
    # one that expired while a key was handled hid the refusal the key added (7 > 7 once, on a
    # loaded machine). This list keeps every message.
    told = record_notifications(app)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        assert "bara läsning" in app.sub_title
        await pilot.press("n")  # register: refused before a form opens
        assert isinstance(app.screen, CalendarScreen)
        app.open_initiative(iid)
        await pilot.pause()
        for key in ("e", "u", "s", "i", "a"):
            count = len(told)
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, InitiativeScreen), key
            assert len(told) > count, key
        await pilot.press("k")
        assert isinstance(app.screen, ChecklistScreen)
        for key in ("space", "n", "p"):
            count = len(told)
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, ChecklistScreen), key
            assert len(told) > count, key
        # The inbox may be looked at, not changed: its folder (m) is refused too.
        from dialogtui.screens.inbox import InboxScreen

        await pilot.press("escape", "escape")
        await pilot.press("a")
        await wait_until(lambda: isinstance(app.screen, InboxScreen), pilot)
        count = len(told)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, InboxScreen) and len(told) > count
        assert "får läsa men inte ändra" not in "\n".join(told)  # opened read-only on purpose here
        assert "Därför går det inte att ändra något här" in "\n".join(told)
    assert app.return_code in (0, None)
    with Store(db_path) as after:
        (unchanged,) = after.initiatives()
        assert unchanged.version == 1
        # Only what registering ticked by itself ("Anmäld"); nothing the keys asked for.
        assert all(entry.automatic for entry in after.checklist(iid).values())


# --- a terminal killed while a field is being typed in --------------------------------------------


async def test_the_draft_is_kept_after_a_pause_in_typing_without_leaving_the_field(
    db_path: Path,
) -> None:
    store = Store(db_path, user="anna")
    iid = ended(store)
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_evaluation(iid)
        await pilot.pause()
        await pilot.press("tab", "tab", *"Skrivet men inte lämnat")
        focused = app.focused

        def effect_kept() -> object:
            return (store.draft(iid) or ({},))[0].get("effect")

        # On a loaded machine a second may pass between two keys, and a draft of what was
        # typed so far is kept then: wait for the draft of the whole text.
        await wait_until(lambda: effect_kept() == "Skrivet men inte lämnat", pilot)
        assert app.focused is focused  # the field was never left
        await pilot.press(*" och mer")
        await wait_until(lambda: effect_kept() == "Skrivet men inte lämnat och mer", pilot)


# --- a full disk at Ctrl+S, for real: a small tmpfs -------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "liten"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("a full disk is simulated with a small tmpfs, which needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode:
        pytest.skip(f"tmpfs cannot be mounted here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    filler = folder / "fyllnad"
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                continue
    finally:
        os.close(fd)
    return filler


async def test_a_full_disk_at_save_keeps_the_form_and_the_text_and_lets_the_user_retry(
    small_disk: Path,
) -> None:
    db = small_disk / "d.db"
    store = Store(db, user="anna", clock=lambda: FIXED_NOW)
    made = store.create_initiative(make_initiative(title="Alfa"))
    iid = ended(store)
    app = make_app(store)
    long_text = ("Ett syfte som tar plats. " * 400).strip()
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_initiative(made.id or 0)
        await pilot.pause()
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, InitiativeFormScreen)
        form.query_one("#purpose", TextArea).text = long_text
        filler = fill(small_disk)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await wait_until(lambda: "är full" in said(app), pilot)
        assert app.screen is form
        assert form.query_one("#purpose", TextArea).text == long_text
        assert store.initiative(made.id or 0).purpose == ""  # nothing half-saved
        filler.unlink()
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await wait_until(lambda: store.initiative(made.id or 0).purpose == long_text, pilot)

        # The evaluation too: the full disk is explained, the text stays, a retry saves.
        await pilot.pause()
        app.open_evaluation(iid)
        await pilot.pause()
        evaluation = app.screen
        assert isinstance(evaluation, EvaluationScreen)
        await pilot.press(*"12", "tab", "tab", *"Viktig lärdom")
        filler = fill(small_disk)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is evaluation
        assert evaluation.query_one("#effect", TextArea).text == "Viktig lärdom"
        assert store.evaluation(iid) is None
        filler.unlink()
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = store.evaluation(iid)
        assert saved is not None and saved.effect == "Viktig lärdom"
    assert app.return_code in (0, None)
    assert store.check() == []


# --- an error nobody expected -----------------------------------------------------------------


async def test_an_unexpected_error_in_the_tui_is_logged_privately_and_said_in_swedish(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(db_path, user="anna")
    made = store.create_initiative(make_initiative(title="Alfa", contact="Anna Andersson"))

    def broken(self: InitiativeScreen) -> None:
        contact = store.initiative(made.id or 0).contact  # a local a Rich traceback would show
        raise RuntimeError(f"oväntat för {len(contact)}")

    monkeypatch.setattr(InitiativeScreen, "action_checklist", broken)
    app = make_app(store)
    old = os.umask(0)
    try:
        with pytest.raises(RuntimeError):
            async with app.run_test(size=(100, 30)) as pilot:
                app.open_initiative(made.id or 0)
                await pilot.pause()
                await pilot.press("k")
                await pilot.pause()
    finally:
        os.umask(old)
    assert app.return_code == 1
    shown = app.crash_message or ""
    terminal = capsys.readouterr()
    assert "Traceback" not in terminal.out + terminal.err  # nothing printed in the app's place
    assert "Ett oväntat fel inträffade (RuntimeError)" in shown
    assert "Traceback" not in shown and "Anna Andersson" not in shown
    log = Path(shown.split("Detaljerna finns i ")[1].split(";")[0].strip())
    assert log.parent == crashlog.log_dir()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text(encoding="utf-8")
    assert "RuntimeError: oväntat för 14" in text and "skärm InitiativeScreen" in text
    assert "Anna Andersson" not in text  # no local variables in the log either


_CRASHING_PROGRAM = """
import sys
from dialogtui.app import DialogApp
from dialogtui.cli import main

def broken(self):
    secret = "Anna Andersson"  # a local variable Textual's traceback would print
    raise RuntimeError("oväntat" + str(len(secret)))

DialogApp.action_help = broken
sys.exit(main())
"""


def test_the_real_program_in_a_terminal_ends_an_unexpected_error_with_a_swedish_line(
    tmp_path: Path, db_path: Path
) -> None:
    import fcntl
    import select
    import struct
    import sys
    import termios

    Store(db_path).close()
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    home = tmp_path / "hem"
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "HOME": str(home),
        "XDG_STATE_HOME": str(home / "state"),
        "DIALOGTUI_TODAY": "2026-11-24",
        "TEXTUAL_ANIMATIONS": "none",
    }
    program = subprocess.Popen(
        [sys.executable, "-c", _CRASHING_PROGRAM, "--db", str(db_path)],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 30
    pressed = False
    try:
        while program.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    output += os.read(leader, 65536)
                except OSError:
                    break
            elif not pressed and b"november" in output:
                os.write(leader, b"?")  # the month is drawn: ask for help, which now fails
                pressed = True
        program.wait(timeout=10)
        while True:  # what was written after the app let go of the terminal
            ready, _, _ = select.select([leader], [], [], 0.2)
            if not ready:
                break
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    finally:
        if program.poll() is None:
            program.kill()
        os.close(leader)
    text = output.decode("utf-8", "replace")
    assert pressed and program.returncode == 1
    assert "Traceback" not in text and "Anna Andersson" not in text
    line = text[text.index("dialogtui: Ett oväntat fel inträffade (RuntimeError)") :]
    log = Path(line.split("Detaljerna finns i ")[1].split(";")[0])
    assert log.is_relative_to(home / "state") and stat.S_IMODE(log.stat().st_mode) == 0o600
    assert "RuntimeError: oväntat14" in log.read_text(encoding="utf-8")


# --- a document named like the database -------------------------------------------------


async def test_a_document_is_never_written_over_the_database_it_was_made_from(
    db_path: Path,
) -> None:
    from tests.ui import saves_settled

    with Store(db_path, user="anna") as writer:
        iid = ended(writer)
    before = db_path.stat().st_ino
    os.link(db_path, db_path.parent / "hard.db")
    store = Store(db_path, user="anna")
    app = make_app(store)
    told = record_notifications(app)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.open_initiative(iid)
        await wait_until(lambda: isinstance(app.screen, InitiativeScreen), pilot)
        for place in (db_path, Path(f"{db_path}-wal"), db_path.parent / "hard.db"):
            await pilot.press("d")
            await wait_until(lambda: bool(app.screen.query(Input)), pilot)
            app.screen.query_one(Input).value = str(place)
            await pilot.press("enter")
            await saves_settled(pilot)
            assert isinstance(app.screen, InitiativeScreen)  # the app lives on
        refusals = [text for text in told if "är databasen som används" in text]
        assert len(refusals) == 3, told
    assert db_path.stat().st_ino == before
    with Store(db_path) as after:
        (kept,) = after.initiatives()
        assert kept.title == "Fokusgrupp om väntetider" and after.check() == []
    store.close()
