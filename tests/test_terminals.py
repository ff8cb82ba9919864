"""Small and odd terminals: the real program in a pseudo-terminal, and pictures at 200x60.

The pty tests start `python -m dialogtui.cli demo` on a pseudo-terminal of a given size and read
what it writes through a tiny screen model (cursor moves, SGR, text), as a terminal would show it.
They prove what in-process `run_test` cannot: how Textual and Rich pick the colour system from
TERM / COLORTERM / NO_COLOR, that SIGWINCH reaches the app, and that Ctrl+Q leaves with 0.
"""

from __future__ import annotations

import codecs
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from dialogtui.app import DialogApp
from dialogtui.screens.calendar import CalendarScreen
from dialogtui.screens.help import TooSmallScreen
from dialogtui.store import Store
from tests.conftest import TODAY
from tests.test_snapshots import keys
from tests.ui import make_app

# Its module fixtures start the real program once; on one xdist worker, once in all.
pytestmark = pytest.mark.xdist_group("terminals")

ROOT = Path(__file__).resolve().parents[1]
# Bounds only a broken program reaches; a healthy start takes about a second. A loaded 2-core
# machine (two busy processes, the other xdist worker running mypy) is many times slower, and
# the suite's tests in one process wait up to 30 s (tests/ui.py) for the same reason.
STARTUP_SECONDS = 30.0
EXIT_SECONDS = 15.0
# Textual writes a frame in several chunks: a screen counts as drawn once output pauses this long.
QUIET_SECONDS = 0.2
CTRL_Q = b"\x11"
# What the month view shows once the demo's data is loaded (today is fixed to 2026-11-24).
MONTH_READY = "tis 24 november 2026"
TOO_SMALL_LINES = (
    "Terminalen är för liten.",
    "Dialogtui behöver minst 80×24 tecken.",
    "Gör fönstret större (Ctrl+Q avslutar).",
)

# -- a terminal, small enough to trust --------------------------------------------------------

# One token of terminal output: a CSI sequence (params, final), an OSC string, another escape,
# a run of printable text, or a single control character. An ESC that starts none of the
# sequences comes out alone: in Textual's output that only happens where a read cut one in two.
TOKEN = re.compile(
    r"\x1b\[([0-?]*)[ -/]*([@-~])"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[@-Z\\^_]"
    r"|([^\x00-\x1f\x1b\x7f]+)"
    r"|[\x00-\x1f\x7f]",
)
SGR = re.compile(r"\x1b\[([0-9;:]*)m")

# SGR parameters of the 16-colour world: attributes and their resets, the eight colours and
# their bright forms, and the defaults. 38/48 (256 colours, RGB) and 58 (underline colour) are not.
SIXTEEN_COLOUR_PARAMS = frozenset(
    {*range(0, 10), *range(21, 30), *range(30, 38), 39, *range(40, 48), 49}
    | {*range(90, 98), *range(100, 108)}
)
GREY_ANSI = frozenset({30, 37, 90, 97, 40, 47, 100, 107})
# The greys of the 256-colour palette: black, white, their bright forms, the cube's diagonal
# (16, 59, 102, 145, 188, 231) and the grey ramp 232-255.
GREY_256 = frozenset({0, 7, 8, 15, 16, 59, 102, 145, 188, 231, *range(232, 256)})


def split_at_cut_escape(text: str) -> tuple[str, str]:
    """`text` up to an escape sequence that a read cut in two, and that sequence's start."""
    for match in TOKEN.finditer(text):
        if match.group(0) == "\x1b":
            return text[: match.start()], text[match.start() :]
    return text, ""


def is_sixteen_colour(params: str) -> bool:
    """Whether one SGR sequence's parameters stay within what a 16-colour terminal knows."""
    return all(
        p == "" or (p.isdigit() and int(p) in SIXTEEN_COLOUR_PARAMS) for p in params.split(";")
    )


def colour_settings(params: str) -> list[tuple[str, str | None]]:
    """What one SGR sequence does to colour: ("fg"|"bg"|"ul", colour as written, None = default).

    Colours are kept as written, "31", "38;5;208", "48;2;1;2;3", so that messages show them.
    """
    parts = params.split(";")
    settings: list[tuple[str, str | None]] = []
    i = 0
    while i < len(parts):
        part = int(parts[i]) if parts[i].isdigit() else -1
        if part in (38, 48, 58):
            length = {"5": 3, "2": 5}.get(parts[i + 1] if i + 1 < len(parts) else "", 1)
            slot = {38: "fg", 48: "bg", 58: "ul"}[part]
            settings.append((slot, ";".join(parts[i : i + length])))
            i += length
            continue
        if 30 <= part <= 37 or 90 <= part <= 97:
            settings.append(("fg", str(part)))
        elif 40 <= part <= 47 or 100 <= part <= 107:
            settings.append(("bg", str(part)))
        elif part in (39, 49, 59):
            settings.append(({39: "fg", 49: "bg", 59: "ul"}[part], None))
        i += 1
    return settings


def sgr_colours(params: str) -> list[str]:
    """The colours (not defaults) one SGR sequence sets."""
    return [colour for _, colour in colour_settings(params) if colour]


def is_grey(colour: str) -> bool:
    """Whether a colour from `sgr_colours` has no hue: black, white or a grey between."""
    parts = [int(p) for p in colour.split(";")]
    if len(parts) == 1:
        return parts[0] in GREY_ANSI
    if parts[1] == 5:
        return parts[2] in GREY_256
    return parts[2] == parts[3] == parts[4]


@dataclass(frozen=True)
class Cell:
    char: str = " "
    sgr: tuple[str, ...] = ()

    def _colour(self, slot: str) -> str | None:
        found = None
        for which, colour in colour_settings(";".join(self.sgr)):
            if which == slot:
                found = colour
        return found

    @property
    def foreground(self) -> str | None:
        """The foreground colour as written, or None for the terminal's own."""
        return self._colour("fg")

    @property
    def background(self) -> str | None:
        return self._colour("bg")


@dataclass
class ScreenModel:
    """What a terminal of `width` x `height` shows after the bytes fed to it so far."""

    width: int
    height: int
    rows: list[list[Cell]] = field(init=False)
    # Characters written outside the screen: a real terminal would lose them.
    outside: int = 0

    def __post_init__(self) -> None:
        self.resize(self.width, self.height)
        self._row = self._col = 0
        self._sgr: tuple[str, ...] = ()

    def resize(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.rows = [[Cell() for _ in range(width)] for _ in range(height)]

    def feed(self, text: str) -> None:
        for match in TOKEN.finditer(text):
            token = match.group(0)
            if match.group(2) == "H":
                row, _, col = match.group(1).partition(";")
                self._row, self._col = int(row or 1) - 1, int(col or 1) - 1
            elif match.group(2) == "h" and match.group(1) == "?1049":
                # The alternate screen starts blank; what the shell showed before is not counted.
                self.resize(self.width, self.height)
                self.outside = 0
            elif match.group(2) == "m":
                params = match.group(1)
                self._sgr = () if params in ("", "0") else (*self._sgr, *params.split(";"))
            elif match.group(3) is not None:
                for char in token:
                    if 0 <= self._row < self.height and 0 <= self._col < self.width:
                        self.rows[self._row][self._col] = Cell(char, self._sgr)
                    else:
                        self.outside += 1
                    self._col += 1
            elif token == "\r":
                self._col = 0
            elif token == "\n":
                self._row += 1

    def lines(self) -> list[str]:
        return ["".join(cell.char for cell in row).rstrip() for row in self.rows]

    def text(self) -> str:
        return "\n".join(self.lines())

    def find(self, needle: str) -> tuple[int, int]:
        """Row and column of the first place `needle` is shown; fails the test if nowhere."""
        for y, line in enumerate(self.lines()):
            x = line.find(needle)
            if x >= 0:
                return y, x
        raise AssertionError(f"{needle!r} is not on the screen:\n{self.text()}")

    def day(self, week: int, day: int) -> Cell:
        """The cell with the first digit of `day` in the month grid's row of ISO week `week`."""
        y, _ = self.find(f"v.{week} ")
        match = re.search(rf"(?<![0-9]){day}(?![0-9])", self.lines()[y])
        assert match, f"no {day} in week {week}: {self.lines()[y]!r}"
        return self.rows[y][match.start()]


@dataclass
class PtyApp:
    """The demo running in a pseudo-terminal, with everything it wrote."""

    process: subprocess.Popen[bytes]
    master: int
    screen: ScreenModel
    output: str = ""
    _pending: str = ""
    _decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")(errors="replace")
    )

    def _take(self, data: bytes) -> None:
        # An escape sequence cut in two by the read waits for its end, never half-parsed.
        text, self._pending = split_at_cut_escape(self._pending + self._decoder.decode(data))
        self.output += text
        self.screen.feed(text)

    def _read(self, timeout: float) -> bool:
        """Take what arrives within `timeout`; False once the program has closed the terminal."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: every end of the terminal's slave side is closed
            return False
        if not data:
            return False
        self._take(data)
        return True

    def wait_for(
        self, shown: Callable[[ScreenModel], bool], timeout: float = STARTUP_SECONDS
    ) -> bool:
        """Read until `shown(screen)` holds; False if the program ended or time ran out first."""
        deadline = time.monotonic() + timeout
        while not shown(self.screen):
            if time.monotonic() > deadline or not self._read(0.05):
                return shown(self.screen)
        return True

    def wait_for_text(self, text: str, timeout: float = STARTUP_SECONDS) -> None:
        if not self.wait_for(lambda screen: text in screen.text(), timeout):
            raise AssertionError(
                f"{text!r} never appeared (exit code {self.process.poll()}).\n"
                f"Screen:\n{self.screen.text()}\nOutput tail:\n{strip_escapes(self.output)[-3000:]}"
            )
        self.settle()

    def settle(self, limit: float = 2.0) -> None:
        """Read until the program has been silent for QUIET_SECONDS (or `limit` has passed)."""
        deadline = time.monotonic() + limit
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < QUIET_SECONDS and time.monotonic() < deadline:
            before = len(self.output)
            if not self._read(0.02):
                return
            if len(self.output) != before:
                quiet_since = time.monotonic()

    def press(self, data: bytes, then_shown: str) -> None:
        os.write(self.master, data)
        self.wait_for_text(then_shown)

    def resize(self, width: int, height: int) -> None:
        set_window_size(self.master, width, height)
        self.screen.resize(width, height)
        # The child has no controlling terminal (see run_demo), so the kernel sends no SIGWINCH.
        self.process.send_signal(signal.SIGWINCH)

    def quit(self) -> int:
        """Ctrl+Q, then read until the program has gone; its exit code."""
        os.write(self.master, CTRL_Q)
        deadline = time.monotonic() + EXIT_SECONDS
        while time.monotonic() < deadline and self._read(0.05):
            if self.process.poll() is not None and not select.select([self.master], [], [], 0)[0]:
                break
        return self.process.wait(timeout=max(0.1, deadline - time.monotonic()))


def strip_escapes(text: str) -> str:
    return "".join(m.group(3) or ("\n" if m.group(0) == "\n" else "") for m in TOKEN.finditer(text))


def set_window_size(fd: int, width: int, height: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))


@contextmanager
def run_demo(
    tmp: Path,
    size: tuple[int, int],
    env: dict[str, str],
    code: str | None = None,
) -> Iterator[PtyApp]:
    """`dialogtui demo` on a fresh database in a pseudo-terminal of `size`, killed afterwards.

    The environment is built from nothing: the developer's COLORTERM, TEXTUAL_*, NO_COLOR,
    COLUMNS/LINES (which shutil.get_terminal_size prefers to the tty) must not leak in.
    `code`, if given, is run with `python -c` instead of the module, with the same arguments.
    """
    width, height = size
    child_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp / "home"),
        "XDG_DATA_HOME": str(tmp / "xdg-data"),
        "XDG_CONFIG_HOME": str(tmp / "xdg-config"),
        "XDG_CACHE_HOME": str(tmp / "xdg-cache"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT / "src"),
        "DIALOGTUI_TODAY": TODAY.isoformat(),
        "TEXTUAL_ANIMATIONS": "none",
        **env,
    }
    args = ["demo", "--db", str(tmp / "demo.db")]
    command = (
        [sys.executable, "-c", code, *args]
        if code
        else [sys.executable, "-m", "dialogtui.cli", *args]
    )
    master, slave = os.openpty()
    # The size is on the terminal before the program starts: no race with its first look.
    set_window_size(master, width, height)
    process = None
    try:
        # A session of its own keeps the test runner's Ctrl+C and job control away from it.
        process = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=child_env,
            cwd=tmp,
            start_new_session=True,
        )
        os.close(slave)
        slave = -1
        yield PtyApp(process, master, ScreenModel(width, height))
    finally:
        if slave >= 0:
            os.close(slave)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=EXIT_SECONDS)
        os.close(master)


# -- the checks can fail ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("1;30;47", True),
        ("7;34;49", True),
        ("97;100", True),
        ("", True),
        ("38;5;208", False),
        ("1;48;5;17", False),
        ("38;2;255;0;0", False),
        ("1;38;2;1;2;3;48;2;4;5;6", False),
        ("4:3", False),
    ],
)
def test_the_sixteen_colour_check_catches_extended_colours(params: str, expected: bool) -> None:
    assert is_sixteen_colour(params) is expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("1;97;40", True),
        ("38;5;244;48;5;16", True),
        ("38;2;224;224;224;48;2;18;18;18", True),
        ("1;7", True),
        ("31", False),
        ("38;5;208", False),
        ("48;2;18;18;19", False),
        ("1;34;49", False),
    ],
)
def test_the_grey_check_catches_a_hue(params: str, expected: bool) -> None:
    assert all(is_grey(colour) for colour in sgr_colours(params)) is expected


def test_the_screen_model_reads_text_and_styles() -> None:
    screen = ScreenModel(10, 2)
    screen.feed("\x1b[1;3H\x1b[1;31mab\x1b[0m\x1b[2;1Hc\x1b[2;10Hde")
    assert screen.lines() == ["  ab", "c        d"]
    assert screen.rows[0][2].foreground == "31"
    assert screen.rows[0][2].background is None
    assert screen.outside == 1
    screen.feed("\x1b[?1049h")
    assert screen.lines() == ["", ""]
    assert screen.outside == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ab\x1b[0mc", ("ab\x1b[0mc", "")),
        ("ab\x1b[1;3", ("ab", "\x1b[1;3")),
        ("ab\x1b", ("ab", "\x1b")),
        ("ab\x1b]22;default", ("ab", "\x1b]22;default")),
        ("ab\x1b]22;default\x1b", ("ab", "\x1b]22;default\x1b")),
        ("ab\x1b]22;default\x07", ("ab\x1b]22;default\x07", "")),
    ],
)
def test_a_read_that_cuts_an_escape_sequence_keeps_its_start(
    text: str, expected: tuple[str, str]
) -> None:
    assert split_at_cut_escape(text) == expected


# -- TERM=xterm: 16 colours -------------------------------------------------------------------


@dataclass
class Session:
    """What one run showed: the screens at named moments, everything written, the exit code."""

    screens: dict[str, ScreenModel]
    output: str
    exit_code: int | None
    error: str = ""


def record(pty: PtyApp, name: str, into: dict[str, ScreenModel]) -> None:
    copy = ScreenModel(pty.screen.width, pty.screen.height)
    copy.rows = [list(row) for row in pty.screen.rows]
    into[name] = copy


def visit_views(tmp: Path, env: dict[str, str]) -> Session:
    """Month, the 25th selected, list, timeline, to-do, Ctrl+Q; stops at the first failure."""
    screens: dict[str, ScreenModel] = {}
    with run_demo(tmp, (80, 24), env) as pty:
        try:
            # Each step waits for words only that view shows: the footer names every view.
            pty.wait_for_text(MONTH_READY)
            # The overlap check runs in a worker; its ⚠ marks are part of the finished screen.
            pty.wait_for_text("⚠")
            record(pty, "month", screens)
            pty.press(b"\x1b[C", "ons 25 november 2026")
            record(pty, "month, 25th selected", screens)
            # The list's header comes with its rows, read in the calendar's worker.
            pty.press(b"3", "Skede")
            record(pty, "list", screens)
            pty.press(b"2", "Tidslinje · 2026")
            record(pty, "timeline", screens)
            pty.press(b"\x14", "saker att göra")
            record(pty, "to-do", screens)
        except AssertionError as exc:
            return Session(screens, pty.output, pty.process.poll(), str(exc))
        return Session(screens, pty.output, pty.quit())


@pytest.fixture(scope="module")
def xterm(tmp_path_factory: pytest.TempPathFactory) -> Session:
    # What xterm itself sets: TERM=xterm and no COLORTERM. Rich reads the colour system from
    # those two (COLORTERM truecolor/24bit wins, then the TERM suffix: -256color, -16color,
    # anything else is "standard"), and the app switches to Textual's ANSI theme for it.
    return visit_views(tmp_path_factory.mktemp("xterm"), {"TERM": "xterm"})


@pytest.fixture(scope="module")
def no_color(tmp_path_factory: pytest.TempPathFactory) -> Session:
    # NO_COLOR in a modern terminal, the combination where colours would otherwise be richest.
    env = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"}
    return visit_views(tmp_path_factory.mktemp("no-color"), env)


def test_xterm_gets_only_sixteen_colour_codes(xterm: Session) -> None:
    assert not xterm.error, xterm.error
    assert xterm.exit_code == 0
    codes = SGR.findall(xterm.output)
    assert codes, "no SGR at all: the test saw no styled frame"
    assert sorted({c for c in codes if not is_sixteen_colour(c)}) == []
    # Colour is still used, not dropped: Sundays and holidays are red, as the legend says.
    month = xterm.screens["month"]
    assert month.day(48, 29).foreground in ("31", "91")  # Sunday 29 November
    assert month.day(48, 27).foreground not in ("31", "91")  # Friday 27 November


def test_xterm_never_paints_black_text_on_the_terminal_background(xterm: Session) -> None:
    assert not xterm.error, xterm.error
    invisible = [
        f"{name} row {y}: {''.join(c.char for c in row).strip()!r}"
        for name, screen in xterm.screens.items()
        for y, row in enumerate(screen.rows)
        if any(c.char.strip() and c.foreground == "30" and c.background is None for c in row)
    ]
    assert invisible == []


def test_xterm_tells_the_neighbouring_months_days_apart(xterm: Session) -> None:
    assert not xterm.error, xterm.error
    month = xterm.screens["month"]
    assert month.day(44, 26).sgr != month.day(45, 2).sgr  # Monday 26 October, Monday 2 November


# -- NO_COLOR=1 -------------------------------------------------------------------------------


def test_no_color_shows_a_readable_calendar_with_the_selection_visible(no_color: Session) -> None:
    assert not no_color.error, no_color.error
    assert no_color.exit_code == 0
    assert "Traceback" not in strip_escapes(no_color.output)
    month = no_color.screens["month, 25th selected"]
    for words in ("november 2026", "mån", "sön", "v.48", "ons 25 november 2026", "Överlapp"):
        month.find(words)
    # Today keeps its reverse video; the selected day still stands out from its neighbours.
    assert "7" in month.day(48, 24).sgr
    assert month.day(48, 25).sgr != month.day(48, 26).sgr
    # The list's cursor row stands out from the row under it.
    listing = no_color.screens["list"]
    first, _ = listing.find("Tillgänglig kultur")
    assert listing.rows[first][3].sgr != listing.rows[first + 1][3].sgr


def test_no_color_paints_only_greys(no_color: Session) -> None:
    # Textual honours NO_COLOR by turning every colour into a grey of the same lightness (its
    # Monochrome filter); colour codes remain, but none of them carries a hue.
    assert not no_color.error, no_color.error
    assert no_color.exit_code == 0
    coloured = {c for codes in SGR.findall(no_color.output) for c in sgr_colours(codes)}
    assert sorted(c for c in coloured if not is_grey(c)) == []


def test_a_crash_in_the_tui_exits_non_zero(tmp_path: Path) -> None:
    crash = (
        "import sys\n"
        "from dialogtui import app, cli\n"
        "def boom(self): raise RuntimeError('boom')\n"
        "app.DialogApp.on_mount = boom\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    with run_demo(tmp_path, (80, 24), {"TERM": "xterm-256color"}, code=crash) as pty:
        pty.wait_for(lambda screen: False, timeout=EXIT_SECONDS)
        assert "RuntimeError" in strip_escapes(pty.output)
        assert pty.process.wait(timeout=EXIT_SECONDS) != 0


# -- sizes ------------------------------------------------------------------------------------


def test_200x60_uses_the_whole_width(tmp_path: Path) -> None:
    with run_demo(tmp_path, (200, 60), {"TERM": "xterm-256color", "COLORTERM": "truecolor"}) as pty:
        pty.wait_for_text(MONTH_READY)
        screen = pty.screen
        # The week grid spreads its seven columns over the width, not over the first 80.
        header_y, _ = screen.find("mån")
        assert screen.lines()[header_y].rstrip().endswith("sön")
        assert len(screen.lines()[header_y].rstrip()) > 150
        week_y, _ = screen.find("v.48")
        assert len(screen.lines()[week_y].rstrip()) > 150
        # The footer sits on the last line and reaches the right edge.
        assert screen.lines()[-1].rstrip().endswith("Kommandon")
        assert len(screen.lines()[-1].rstrip()) > 190
        assert screen.outside == 0
        assert pty.quit() == 0


def test_60x20_says_too_small_then_shows_the_calendar_at_80x24(tmp_path: Path) -> None:
    with run_demo(tmp_path, (60, 20), {"TERM": "xterm-256color"}) as pty:
        pty.wait_for_text(TOO_SMALL_LINES[0])
        # Every line of the message whole, and nothing of the calendar squeezed in around it.
        lines = [line.strip() for line in pty.screen.lines()]
        for message in TOO_SMALL_LINES:
            assert message in lines
        assert "november 2026" not in pty.screen.text()
        pty.resize(80, 24)
        pty.wait_for_text(MONTH_READY)
        assert TOO_SMALL_LINES[0] not in pty.screen.text()
        assert pty.screen.outside == 0
        assert pty.quit() == 0


def test_ctrl_q_quits_from_the_too_small_message(tmp_path: Path) -> None:
    with run_demo(tmp_path, (60, 20), {"TERM": "xterm-256color"}) as pty:
        pty.wait_for_text(TOO_SMALL_LINES[0])
        assert pty.quit() == 0


@pytest.mark.parametrize(
    ("size", "small"), [((79, 24), True), ((80, 23), True), ((80, 24), False), ((200, 60), False)]
)
async def test_too_small_starts_exactly_below_80x24(
    size: tuple[int, int], small: bool, store: Store
) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=size) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen if small else CalendarScreen)


# -- pictures at 200x60 -----------------------------------------------------------------------


@pytest.fixture
def demo_app(demo_store: Store) -> DialogApp:
    return make_app(demo_store)


def test_month_view_at_200x60(demo_app: DialogApp, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=(200, 60), run_before=keys())


def test_list_at_200x60(demo_app: DialogApp, snap_compare: Any) -> None:
    assert snap_compare(demo_app, terminal_size=(200, 60), run_before=keys("3"))
