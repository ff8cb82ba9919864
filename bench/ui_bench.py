"""Time the real dialogtui in a real pseudo-terminal: startup, keypress to frame, peak memory.

    .venv/bin/python bench/ui_bench.py [--runs 5] [--presses 30] [--n 10000]

Each app runs as its own process on an 80x24 pty (TERM=xterm-256color,
DIALOGTUI_TODAY=2026-11-24, TEXTUAL_ANIMATIONS=none); the benchmark only writes keys to the pty
and reads what the app writes back, timing the bytes. dialogtui runs on a 10,000-initiative
database (bench/make_db.py) and on an empty one, beside a bare Textual app (bench/bare_app.py).
The figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import fcntl
import math
import os
import platform
import pty
import select
import shlex
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import textual

import bare_app
from make_db import PER_YEAR, make_db, stored_count

ROWS, COLS = 24, 80
TODAY = "2026-11-24"
READY_TIMEOUT_S = 60.0
SILENT_TIMEOUT_S = 0.5  # a key that changes nothing writes nothing; stop waiting after this
SILENT_GIVE_UP = 3  # after this many silent presses in a row, skip the rest of that key
QUIT_TIMEOUT_S = 5.0
BURST_GAP_S = 0.005  # bytes closer than this belong to one write of the app
STARTUP_SETTLE_S = 0.5

KEYS: dict[str, bytes] = {
    "Right": b"\x1b[C",
    "Down": b"\x1b[B",
    "PageDown": b"\x1b[6~",
    "2": b"2",
    "3": b"3",
}

# (view, key, presses); None = the --presses option. From 24 November 2026, Right runs to
# 24 December, and 24 PageDowns to December 2028: every month shown lies in the 10k data
# (2024–2028). "2" and "3" switch the view once, timed like any other key.
DIALOGTUI_STEPS: tuple[tuple[str, str, int | None], ...] = (
    ("month", "Right", None),
    ("month", "PageDown", 24),
    ("timeline", "2", 1),
    ("timeline", "Down", None),
    ("timeline", "PageDown", None),
    ("list", "3", 1),
    ("list", "Down", None),
    ("list", "PageDown", None),
)
# From the first row to the last of the bare app's 30.
BARE_STEPS: tuple[tuple[str, str, int | None], ...] = (("table", "Down", bare_app.ROWS - 1),)


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    argv: tuple[str, ...]
    ready: bytes  # a text of the first screen, as it appears in the output


@dataclass(frozen=True, slots=True)
class Press:
    """One key: when the first and last bytes of the app's answer arrived, after the write."""

    first_ms: float
    done_ms: float  # last byte before the first gap of --quiet-ms
    settled_ms: float  # last byte before --settle-ms of silence
    nbytes: int
    bursts: int


@dataclass(frozen=True, slots=True)
class Startup:
    first_byte_ms: float
    first_frame_ms: float
    settled_ms: float
    hwm_kib: int
    quit_ms: float


class Session:
    """One app process on its own pty; always ended by `close`."""

    def __init__(self, target: Target, env: dict[str, str]) -> None:
        self.target = target
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal before the app can ask for it
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
                os.execve(target.argv[0], list(target.argv), env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.eof = False
        self.exit_status: int | None = None
        self.output = bytearray()  # kept only until the first frame
        self.keep_output = True

    # -- reading --

    def read(self, timeout: float) -> tuple[float, int] | None:
        """Wait up to `timeout` for output; return (arrival time, byte count) or None."""
        if self.eof:
            return None
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return None
        arrived = time.perf_counter()
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the app closed its end of the pty
            data = b""
        if not data:
            self.eof = True
            return None
        if self.keep_output:
            self.output.extend(data)
        return arrived, len(data)

    def collect(self, first_timeout: float, settle_s: float) -> list[tuple[float, int]]:
        """Read until `settle_s` passes without output (or nothing came in `first_timeout`)."""
        chunks: list[tuple[float, int]] = []
        deadline = time.perf_counter() + first_timeout
        while not self.eof:
            now = time.perf_counter()
            wait = (chunks[-1][0] + settle_s - now) if chunks else (deadline - now)
            if wait <= 0:
                break
            got = self.read(wait)
            if got:
                chunks.append(got)
        return chunks

    def wait_for_ready(self) -> tuple[float, float]:
        """Return (first byte, first frame) in seconds after the spawn."""
        arrivals: list[float] = []
        deadline = self.started + READY_TIMEOUT_S
        while self.target.ready not in self.output:
            got = self.read(deadline - time.perf_counter())
            if got is None:
                tail = bytes(self.output[-400:])
                raise RuntimeError(f"{self.target.name}: no first frame; last output {tail!r}")
            arrivals.append(got[0])
        self.keep_output = False
        self.output.clear()
        return arrivals[0] - self.started, arrivals[-1] - self.started

    # -- keys and facts --

    def press(self, key: bytes, quiet_s: float, settle_s: float) -> Press | None:
        """Write one key and time the answer; None when the app wrote nothing."""
        sent = time.perf_counter()
        os.write(self.fd, key)
        chunks = self.collect(SILENT_TIMEOUT_S, settle_s)
        if not chunks:
            return None
        gaps = [at - before for (before, _), (at, _) in pairwise(chunks)]
        bursts = 1 + sum(gap >= BURST_GAP_S for gap in gaps)
        done = _last_before_gap(chunks, quiet_s)
        return Press(
            first_ms=(chunks[0][0] - sent) * 1000,
            done_ms=(done - sent) * 1000,
            settled_ms=(chunks[-1][0] - sent) * 1000,
            nbytes=sum(size for _, size in chunks),
            bursts=bursts,
        )

    def peak_rss_kib(self) -> int:
        status = Path(f"/proc/{self.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise RuntimeError("no VmHWM in /proc/PID/status")

    def _reap(self) -> bool:
        if self.exit_status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exit_status = status
        return self.exit_status is not None

    def quit(self) -> float:
        """Send ctrl+q and return the seconds until the process ended (inf on timeout)."""
        sent = time.perf_counter()
        os.write(self.fd, b"\x11")
        deadline = sent + QUIT_TIMEOUT_S
        while time.perf_counter() < deadline:
            self.read(0.02)  # keep draining, or a full pty would block the app's last writes
            if self._reap():
                return time.perf_counter() - sent
        return math.inf

    def close(self) -> None:
        """Kill the process if it is still there, reap it and close the pty."""
        try:
            if not self._reap():
                os.kill(self.pid, signal.SIGKILL)
                _, self.exit_status = os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        finally:
            os.close(self.fd)


def _last_before_gap(chunks: Sequence[tuple[float, int]], gap_s: float) -> float:
    """The arrival time of the last chunk before the first silence of `gap_s`."""
    for (before, _), (at, _) in pairwise(chunks):
        if at - before >= gap_s:
            return before
    return chunks[-1][0]


# -- statistics and tables ------------------------------------------------------------------------


def p95(values: Sequence[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def ms(value: float | None) -> str:
    return "—" if value is None or math.isinf(value) else f"{value:,.1f}"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b <= 0 or math.isinf(a) or math.isinf(b):
        return "—"
    return f"{a / b:.2f}×"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """A plain-text table; the first `left` columns align left, the others right."""
    widths = [max(len(str(row[i])) for row in (headers, *rows)) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            str(cell).ljust(width) if i < left else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


# -- the runs ----------------------------------------------------------------------------------


def environment() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("COLUMNS", "LINES", "COLORTERM", "NO_COLOR", "DIALOGTUI_DB")
        and not key.startswith("TEXTUAL")
    }
    env.update(TERM="xterm-256color", DIALOGTUI_TODAY=TODAY, TEXTUAL_ANIMATIONS="none")
    return env


def run_startup(target: Target, env: dict[str, str]) -> Startup:
    session = Session(target, env)
    try:
        first_byte, first_frame = session.wait_for_ready()
        chunks = session.collect(STARTUP_SETTLE_S, STARTUP_SETTLE_S)
        settled = (chunks[-1][0] - session.started) if chunks else first_frame
        hwm = session.peak_rss_kib()
        quit_s = session.quit()
        return Startup(first_byte * 1000, first_frame * 1000, settled * 1000, hwm, quit_s * 1000)
    finally:
        session.close()


@dataclass
class KeyResult:
    view: str
    key: str
    sent: int
    presses: list[Press]


def run_scenarios(
    target: Target,
    env: dict[str, str],
    steps: Sequence[tuple[str, str, int | None]],
    presses: int,
    quiet_s: float,
    settle_s: float,
) -> tuple[list[KeyResult], int]:
    """Run all steps in one session; return the timings and the peak RSS at the end (KiB)."""
    session = Session(target, env)
    try:
        session.wait_for_ready()
        session.collect(STARTUP_SETTLE_S, STARTUP_SETTLE_S)
        results: list[KeyResult] = []
        for view, key, count in steps:
            result = KeyResult(view, key, 0, [])
            silent_in_row = 0
            for _ in range(count if count is not None else presses):
                press = session.press(KEYS[key], quiet_s, settle_s)
                result.sent += 1
                if press is None:
                    silent_in_row += 1
                    if silent_in_row >= SILENT_GIVE_UP:
                        break
                else:
                    silent_in_row = 0
                    result.presses.append(press)
            results.append(result)
        hwm = session.peak_rss_kib()
        session.quit()
        return results, hwm
    finally:
        session.close()


def key_row(label: str, result: KeyResult) -> list[str]:
    got = result.presses
    if not got:
        return [result.view, result.key, label, f"0/{result.sent}", *["—"] * 8]

    def pick(attr: str) -> list[float]:
        return [getattr(p, attr) for p in got]

    first, done, settled = pick("first_ms"), pick("done_ms"), pick("settled_ms")
    return [
        result.view,
        result.key,
        label,
        f"{len(got)}/{result.sent}",
        ms(statistics.median(first)),
        ms(p95(first)),
        ms(statistics.median(done)),
        ms(p95(done)),
        ms(statistics.median(settled)),
        ms(p95(settled)),
        f"{statistics.median(pick('bursts')):.0f}",
        f"{statistics.mean(pick('nbytes')) / 1024:.1f}",
    ]


def median_of(result: KeyResult | None, attr: str) -> float | None:
    if result is None or not result.presses:
        return None
    return statistics.median(getattr(p, attr) for p in result.presses)


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="startups per app (median)")
    parser.add_argument("--presses", type=int, default=30, help="presses per key")
    parser.add_argument("--n", type=int, default=10_000, help="initiatives in the big database")
    parser.add_argument(
        "--per-year", type=int, default=PER_YEAR, help="their density (2,000: a stress test)"
    )
    parser.add_argument("--quiet-ms", type=float, default=30.0, help="silence that ends 'done'")
    parser.add_argument("--settle-ms", type=float, default=200.0, help="silence that settles")
    args = parser.parse_args()
    quiet_s, settle_s = args.quiet_ms / 1000, args.settle_ms / 1000

    from dialogtui import __version__ as dialogtui_version

    cpus = len(os.sched_getaffinity(0))
    print(
        f"Python {platform.python_version()} · Textual {textual.__version__} · "
        f"dialogtui {dialogtui_version} · nproc {cpus} · {platform.system()} "
        f"{platform.release()} — figures are noisy ({cpus} shared cores): compare apps within "
        "one run, not runs with each other."
    )
    command = shlex.join([os.path.relpath(sys.executable), *sys.argv])
    print(f"command: cd {shlex.quote(os.getcwd())} && {command}")
    print(
        f"terminal: {COLS}x{ROWS} pty, TERM=xterm-256color, DIALOGTUI_TODAY={TODAY}, "
        "TEXTUAL_ANIMATIONS=none"
    )

    here = Path(tempfile.gettempdir()) / "dialogtui-bench"
    began = time.perf_counter()
    suffix = "" if args.per_year == PER_YEAR else f"-{args.per_year}-per-year"
    big = make_db(here / f"bench-{args.n}{suffix}.db", args.n, per_year=args.per_year)
    empty = make_db(here / "bench-0.db", 0)
    made_s = time.perf_counter() - began
    for label, path in ((f"{args.n // 1000}k", big), ("empty", empty)):
        print(
            f"database {label}: {path} ({stored_count(path):,} initiatives, "
            f"{path.stat().st_size / 2**20:.1f} MiB)"
        )
    print(f"(databases ready in {made_s:.1f} s; a file with the right count is reused)")

    console = str(Path(sys.executable).parent / "dialogtui")
    big_label = f"{args.n // 1000}k" if args.n >= 1000 else str(args.n)
    ready = b"november 2026"
    targets = {
        big_label: Target(f"dialogtui {big_label}", (console, "--db", str(big)), ready),
        "empty": Target("dialogtui empty", (console, "--db", str(empty)), ready),
        "bare": Target(
            "bare Textual",
            (sys.executable, str(Path(__file__).with_name("bare_app.py"))),
            bare_app.READY_TEXT.encode(),
        ),
    }
    env = environment()

    # -- startup: interleaved, so that a slow moment of the machine hits every app alike --
    startups: dict[str, list[Startup]] = {name: [] for name in targets}
    for _ in range(args.runs):
        for name, target in targets.items():
            startups[name].append(run_startup(target, env))

    def med(name: str, attr: str) -> float:
        return float(statistics.median(getattr(s, attr) for s in startups[name]))

    print(f"\nStartup: spawn → output, ms, median of {args.runs} runs (interleaved)")
    rows = []
    for name in targets:
        rows.append(
            [
                targets[name].name,
                ms(med(name, "first_byte_ms")),
                ms(med(name, "first_frame_ms")),
                ms(min(s.first_frame_ms for s in startups[name])),
                ms(max(s.first_frame_ms for s in startups[name])),
                ms(med(name, "settled_ms")),
                ratio(med(name, "first_frame_ms"), med("bare", "first_frame_ms")),
                ratio(med(name, "settled_ms"), med("bare", "settled_ms")),
                ms(med(name, "quit_ms")),
            ]
        )
    print(
        table(
            [
                "app",
                "first byte",
                "first frame",
                "min",
                "max",
                "settled",
                "frame/bare",
                "settled/bare",
                "ctrl+q→exit",
            ],
            rows,
        )
    )
    print(
        f"ratio {big_label}/empty: first frame "
        f"{ratio(med(big_label, 'first_frame_ms'), med('empty', 'first_frame_ms'))}, settled "
        f"{ratio(med(big_label, 'settled_ms'), med('empty', 'settled_ms'))}"
    )
    print(
        "first byte: the terminal set-up codes (imports and App start done); first frame: the "
        f"output contains {ready.decode()!r} (bare: {bare_app.READY_TEXT!r}); settled: last byte "
        f"before {STARTUP_SETTLE_S * 1000:.0f} ms of silence."
    )

    # -- keys --
    print(
        f"\nKeypress → output, ms after the key is written ({args.presses} presses unless "
        "the count says otherwise)"
    )
    results: dict[str, list[KeyResult]] = {}
    peaks: dict[str, int] = {}
    timed = time.perf_counter()
    for name in (big_label, "empty"):
        results[name], peaks[name] = run_scenarios(
            targets[name], env, DIALOGTUI_STEPS, args.presses, quiet_s, settle_s
        )
    results["bare"], peaks["bare"] = run_scenarios(
        targets["bare"], env, BARE_STEPS, args.presses, quiet_s, settle_s
    )
    headers = [
        "view",
        "key",
        "db",
        "answered",
        "first",
        "p95",
        f"done@{args.quiet_ms:.0f}",
        "p95",
        "settled",
        "p95",
        "bursts",
        "KiB",
    ]
    rows = []
    for index, big_result in enumerate(results[big_label]):
        empty_result = results["empty"][index]
        rows.append(key_row(big_label, big_result))
        rows.append(key_row("empty", empty_result))
        ratios = [
            ratio(median_of(big_result, attr), median_of(empty_result, attr))
            for attr in ("first_ms", "done_ms", "settled_ms")
        ]
        rows.append(["", "", "ratio", "", ratios[0], "", ratios[1], "", ratios[2], "", "", ""])
    for result in results["bare"]:
        rows.append(key_row("bare", result))
    print(table(headers, rows, left=3))
    print(
        "first: first byte of the answer; "
        f"done@{args.quiet_ms:.0f}: last byte before the first {args.quiet_ms:.0f} ms gap; "
        f"settled: last byte before {args.settle_ms:.0f} ms of silence; first/done/settled "
        "columns are medians, each followed by its p95 (nearest rank). bursts: separate writes "
        f"(gaps ≥ {BURST_GAP_S * 1000:.0f} ms), median; KiB: mean output per press. "
        "answered: presses that produced output / presses sent (a key that moves nothing writes "
        f"nothing; after {SILENT_GIVE_UP} silent presses the key is skipped). "
        f"ratio: {big_label}/empty of the medians."
    )
    print(f"(keys measured in {time.perf_counter() - timed:.0f} s)")

    # -- memory --
    print("\nPeak RSS (VmHWM of the app process), MiB")
    rows = []
    for name in targets:
        after_start = float(statistics.median(s.hwm_kib for s in startups[name]))
        rows.append(
            [
                targets[name].name,
                mib(after_start),
                mib(peaks[name]),
                ratio(peaks[name], peaks["empty"]),
                ratio(peaks[name], peaks["bare"]),
            ]
        )
    print(
        table(
            [
                "app",
                f"after startup (median of {args.runs})",
                "after startup + keys",
                "/empty",
                "/bare",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
