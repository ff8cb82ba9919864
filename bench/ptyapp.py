"""Drive an app in a real pseudo-terminal and time what it writes back: the shared machinery of
bench/ui_bench.py and bench/lock_bench.py.

A `Session` runs one process on its own 80x24 pty; the benchmark only writes keys to the pty and
reads the bytes the app answers with, timing their arrival. Nothing here knows dialogtui.
"""

from __future__ import annotations

import fcntl
import math
import os
import pty
import select
import signal
import statistics
import struct
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

ROWS, COLS = 24, 80
TODAY = "2026-11-24"
READY_TIMEOUT_S = 60.0
SILENT_TIMEOUT_S = 0.5  # a key that changes nothing writes nothing; stop waiting after this
QUIT_TIMEOUT_S = 5.0
BURST_GAP_S = 0.005  # bytes closer than this belong to one write of the app
STARTUP_SETTLE_S = 0.5
TAIL_BYTES = 4096  # output kept after the first frame, to look for a text
_TICKS = os.sysconf("SC_CLK_TCK")

KEYS: dict[str, bytes] = {
    "Right": b"\x1b[C",
    "Left": b"\x1b[D",
    "Down": b"\x1b[B",
    "Up": b"\x1b[A",
    "PageDown": b"\x1b[6~",
    "PageUp": b"\x1b[5~",
    "Enter": b"\r",
    "Escape": b"\x1b",
    "Space": b" ",
    "ctrl+t": b"\x14",
    **{c: c.encode() for c in "0123456789abcdefghijklmnopqrstuvwxyz"},
}


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    argv: tuple[str, ...]
    ready: bytes  # a text of the first screen, as it appears in the output


@dataclass(frozen=True, slots=True)
class Press:
    """One key: when the first and last bytes of the app's answer arrived, after the write."""

    first_ms: float
    done_ms: float  # last byte before the first gap of `quiet_s`
    settled_ms: float  # last byte before `settle_s` of silence
    nbytes: int
    bursts: int


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
        self.output = bytearray()  # all of it until the first frame, then a tail
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
        self.output.extend(data)
        if not self.keep_output and len(self.output) > 2 * TAIL_BYTES:
            del self.output[:-TAIL_BYTES]
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

    def wait_for_text(self, text: bytes, timeout: float) -> float:
        """Read until `text` appears in what the app writes; return the seconds it took."""
        began = time.perf_counter()
        deadline = began + timeout
        while text not in self.output:
            got = self.read(deadline - time.perf_counter())
            if got is None:
                tail = bytes(self.output[-400:])
                raise RuntimeError(f"{self.target.name}: no {text!r}; last output {tail!r}")
        self.output.clear()
        return time.perf_counter() - began

    def drain(self, settle_s: float = STARTUP_SETTLE_S, timeout: float = 30.0) -> None:
        """Read until the app has been silent for `settle_s` (at most `timeout`)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline and self.read(settle_s) is not None:
            pass
        self.output.clear()

    # -- keys and facts --

    def press(
        self,
        key: bytes,
        quiet_s: float,
        settle_s: float,
        first_timeout: float = SILENT_TIMEOUT_S,
    ) -> Press | None:
        """Write one key and time the answer; None when the app wrote nothing."""
        self.output.clear()
        sent = time.perf_counter()
        os.write(self.fd, key)
        chunks = self.collect(first_timeout, settle_s)
        if not chunks:
            return None
        gaps = [at - before for (before, _), (at, _) in pairwise(chunks)]
        bursts = 1 + sum(gap >= BURST_GAP_S for gap in gaps)
        done = last_before_gap(chunks, quiet_s)
        return Press(
            first_ms=(chunks[0][0] - sent) * 1000,
            done_ms=(done - sent) * 1000,
            settled_ms=(chunks[-1][0] - sent) * 1000,
            nbytes=sum(size for _, size in chunks),
            bursts=bursts,
        )

    def cpu_ms(self) -> float:
        """CPU time the app has used so far (user + system, all its threads), in ms.

        Unlike wall time, it barely moves when other processes crowd the machine.
        """
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / _TICKS

    def peak_rss_kib(self) -> int:
        """The app's peak resident memory so far (VmHWM), with any child process it runs now."""
        return sum(_hwm_kib(pid) for pid in (self.pid, *_children(self.pid)))

    def _reap(self) -> bool:
        if self.exit_status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exit_status = status
        return self.exit_status is not None

    def quit(self, key: bytes = b"\x11") -> float:
        """Send ctrl+q and return the seconds until the process ended (inf on timeout)."""
        sent = time.perf_counter()
        os.write(self.fd, key)
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


def _hwm_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # it ended meanwhile
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    """Every live descendant of a process."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            direct = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in direct:
            found += [child, *_children(child)]
    return found


def last_before_gap(chunks: Sequence[tuple[float, int]], gap_s: float) -> float:
    """The arrival time of the last chunk before the first silence of `gap_s`."""
    for (before, _), (at, _) in pairwise(chunks):
        if at - before >= gap_s:
            return before
    return chunks[-1][0]


def environment() -> dict[str, str]:
    """The apps' environment: this one, minus what would change their look, plus a fixed day."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("COLUMNS", "LINES", "COLORTERM", "NO_COLOR", "DIALOGTUI_DB")
        and not key.startswith("TEXTUAL")
    }
    env.update(TERM="xterm-256color", DIALOGTUI_TODAY=TODAY, TEXTUAL_ANIMATIONS="none")
    return env


# -- statistics and tables ------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value at or above `share` of them."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def p95(values: Sequence[float]) -> float:
    return percentile(values, 0.95)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def ms(value: float | None) -> str:
    return "—" if value is None or math.isinf(value) else f"{value:,.1f}"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b <= 0 or math.isinf(a) or math.isinf(b):
        return "—"
    return f"{a / b:.2f}×"


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


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
