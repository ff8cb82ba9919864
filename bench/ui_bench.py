"""Time the real dialogtui in a real pseudo-terminal: startup, keypress to frame, peak memory.

    .venv/bin/python bench/ui_bench.py [--files dense,region] [--runs 5] [--presses 30]

Each app runs as its own process on an 80x24 pty (TERM=xterm-256color,
DIALOGTUI_TODAY=2026-11-24, TEXTUAL_ANIMATIONS=none); the benchmark only writes keys to the pty
and reads what the app writes back, timing the bytes (bench/ptyapp.py). dialogtui runs on each
10,000-initiative file named by --files (bench/make_db.py: `dense`, every pair close in time
overlapping, ~1.8 million pairs; `region`, a region's density, ~70,000 pairs; `stress`, the old
random file at 2,000 a year) and on an empty database, beside a bare Textual app
(bench/bare_app.py), all in the same run. The figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import textual

import bare_app
from make_db import FILES, bench_file, stored_count
from ptyapp import (
    KEYS,
    STARTUP_SETTLE_S,
    TODAY,
    Press,
    Session,
    Target,
    environment,
    median,
    mib,
    ms,
    p95,
    ratio,
    table,
)

SILENT_GIVE_UP = 3  # after this many silent presses in a row, skip the rest of that key
# A key that changes nothing writes nothing, but a busy app may take seconds to answer: wait
# this long before a key counts as silent, or a late answer would be taken for the next key's.
ANSWER_TIMEOUT_S = 3.0
MEMORY_AFTER = {"list": "calendar keys", "overlaps": "+ overlap view", "to-do": "+ to-do"}


@dataclass(frozen=True, slots=True)
class Step:
    """`presses` of one key in one view (None = the --presses option); after the first press,
    wait for `ready` (a text) before timing the next, as a user waits for a view to fill."""

    view: str
    key: str
    presses: int | None
    ready: bytes | None = None


# From 24 November 2026, Right runs to 24 December, and 24 PageDowns to December 2028: every
# month shown lies in the 2024–2028 files. "2" and "3" switch the view once, timed like any
# other key; "o" opens the overlap view (waiting for its count), ctrl+t the to-do list.
DIALOGTUI_STEPS: tuple[Step, ...] = (
    Step("month", "Right", None),
    Step("month", "PageDown", 24),
    Step("timeline", "2", 1),
    Step("timeline", "Down", None),
    Step("timeline", "PageDown", None),
    Step("list", "3", 1),
    Step("list", "Down", None),
    Step("list", "PageDown", None),
    Step("overlaps", "o", 1, " öppna".encode()),
    Step("overlaps", "PageDown", None),
    Step("overlaps", "Down", None),
    Step("to-do", "ctrl+t", 1, "saker att göra".encode()),
    Step("to-do", "PageDown", None),
)
# From the first row to the last of the bare app's 30.
BARE_STEPS: tuple[Step, ...] = (Step("table", "Down", bare_app.ROWS - 1),)


@dataclass(frozen=True, slots=True)
class Startup:
    first_byte_ms: float
    first_frame_ms: float
    cpu_ms: float  # the app's CPU time when its first frame was seen
    settled_ms: float
    hwm_kib: int
    quit_ms: float


@dataclass
class KeyResult:
    view: str
    key: str
    sent: int
    presses: list[Press]
    ready_s: float | None = None  # how long the view took to fill, when the step waits


def run_startup(target: Target, env: dict[str, str]) -> Startup:
    session = Session(target, env)
    try:
        first_byte, first_frame = session.wait_for_ready()
        cpu = session.cpu_ms()
        chunks = session.collect(STARTUP_SETTLE_S, STARTUP_SETTLE_S)
        settled = (chunks[-1][0] - session.started) if chunks else first_frame
        hwm = session.peak_rss_kib()
        quit_s = session.quit()
        return Startup(
            first_byte * 1000, first_frame * 1000, cpu, settled * 1000, hwm, quit_s * 1000
        )
    finally:
        session.close()


def run_scenarios(
    target: Target,
    env: dict[str, str],
    steps: Sequence[Step],
    presses: int,
    quiet_s: float,
    settle_s: float,
    fill_s: float,
) -> tuple[list[KeyResult], dict[str, int]]:
    """Run all steps in one session; return the timings and the peak RSS (KiB) after the last
    step of each view."""
    session = Session(target, env)
    try:
        session.wait_for_ready()
        session.collect(STARTUP_SETTLE_S, STARTUP_SETTLE_S)
        results: list[KeyResult] = []
        peaks: dict[str, int] = {}
        for step in steps:
            result = KeyResult(step.view, step.key, 0, [])
            silent_in_row = 0
            for index in range(step.presses if step.presses is not None else presses):
                press = session.press(KEYS[step.key], quiet_s, settle_s, ANSWER_TIMEOUT_S)
                result.sent += 1
                if index == 0 and step.ready is not None:
                    result.ready_s = session.wait_for_text(step.ready, fill_s)
                    session.drain()
                if press is None:
                    silent_in_row += 1
                    if silent_in_row >= SILENT_GIVE_UP:
                        break
                else:
                    silent_in_row = 0
                    result.presses.append(press)
            results.append(result)
            peaks[step.view] = session.peak_rss_kib()
        session.quit()
        return results, peaks
    finally:
        session.close()


def precompile(console: Path) -> None:
    """Write the bytecode of the dialogtui being measured, as pip does when it installs a wheel.

    An editable install compiles on first import and caches the result, unless the environment
    says PYTHONDONTWRITEBYTECODE (some CI and agent setups do): then every start would compile
    dialogtui's 7,000 lines anew, a cost no installed copy pays and the bare app never has.
    """
    python = str(console.parent / "python")
    where = subprocess.run(
        [python, "-c", "import dialogtui, os; print(os.path.dirname(dialogtui.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run([python, "-m", "compileall", "-q", where], check=True)
    print(f"(bytecode of {where} written)")


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
        ms(median(first)),
        ms(p95(first)),
        ms(median(done)),
        ms(p95(done)),
        ms(median(settled)),
        ms(p95(settled)),
        f"{statistics.median(pick('bursts')):.0f}",
        f"{statistics.mean(pick('nbytes')) / 1024:.1f}",
    ]


def median_of(result: KeyResult | None, attr: str) -> float | None:
    if result is None or not result.presses:
        return None
    return median([getattr(p, attr) for p in result.presses])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="startups per app (median)")
    parser.add_argument("--presses", type=int, default=30, help="presses per key")
    parser.add_argument(
        "--files",
        default="dense,region",
        help=f"comma-separated bench files, of {', '.join(f for f in FILES if f != 'empty')}",
    )
    parser.add_argument(
        "--dialogtui",
        type=Path,
        default=Path(sys.executable).parent / "dialogtui",
        help="the dialogtui to measure (e.g. another checkout's .venv/bin/dialogtui)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another build's dialogtui, started beside this one (startup figures only)",
    )
    parser.add_argument("--no-keys", action="store_true", help="only startup and its memory")
    parser.add_argument(
        "--fill-s", type=float, default=600.0, help="longest wait for a view to fill (s)"
    )
    parser.add_argument("--quiet-ms", type=float, default=30.0, help="silence that ends 'done'")
    parser.add_argument("--settle-ms", type=float, default=200.0, help="silence that settles")
    args = parser.parse_args()
    quiet_s, settle_s = args.quiet_ms / 1000, args.settle_ms / 1000
    files = [name.strip() for name in args.files.split(",") if name.strip()]
    unknown = [name for name in files if name not in FILES or name == "empty"]
    if unknown:
        parser.error(f"unknown --files: {', '.join(unknown)}")

    cpus = len(os.sched_getaffinity(0))
    print(
        f"Python {platform.python_version()} · Textual {textual.__version__} · nproc {cpus} · "
        f"{platform.system()} {platform.release()} · load {os.getloadavg()[0]:.1f} — figures "
        f"are noisy ({cpus} shared cores): compare apps within one run, not runs with each other."
    )
    command = shlex.join([os.path.relpath(sys.executable), *sys.argv])
    print(f"command: cd {shlex.quote(os.getcwd())} && {command}")
    print(f"dialogtui: {args.dialogtui}")
    print(
        f"terminal: 80x24 pty, TERM=xterm-256color, DIALOGTUI_TODAY={TODAY}, "
        "TEXTUAL_ANIMATIONS=none"
    )

    began = time.perf_counter()
    paths = {name: bench_file(name) for name in [*files, "empty"]}
    for name, path in paths.items():
        print(
            f"database {name}: {path} ({stored_count(path):,} initiatives, "
            f"{path.stat().st_size / 2**20:.1f} MiB)"
        )
    print(f"(databases ready in {time.perf_counter() - began:.1f} s; a fitting file is reused)")

    console = str(args.dialogtui)
    precompile(args.dialogtui)
    # The day line under the month, written once the month's initiatives are read: the first
    # populated frame ("· 20 initiativ", or "· inga initiativ" on an empty database).
    ready = b" initiativ"
    targets = {
        name: Target(f"dialogtui {name}", (console, "--db", str(path)), ready)
        for name, path in paths.items()
    }
    if args.baseline is not None:
        # Another build on the same files, interleaved with this one: startup only.
        precompile(args.baseline)
        for name, path in paths.items():
            targets[f"baseline {name}"] = Target(
                f"baseline {name}", (str(args.baseline), "--db", str(path)), ready
            )
    targets["bare"] = Target(
        "bare Textual",
        (sys.executable, str(Path(__file__).with_name("bare_app.py"))),
        bare_app.READY_TEXT.encode(),
    )
    env = environment()

    # -- startup: interleaved, so that a slow moment of the machine hits every app alike --
    startups: dict[str, list[Startup]] = {name: [] for name in targets}
    for _ in range(args.runs):
        for name, target in targets.items():
            startups[name].append(run_startup(target, env))

    def med(name: str, attr: str) -> float:
        return median([getattr(s, attr) for s in startups[name]])

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
                ms(med(name, "cpu_ms")),
                ratio(med(name, "cpu_ms"), med("bare", "cpu_ms")),
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
                "CPU to frame",
                "CPU/bare",
                "settled/bare",
                "ctrl+q→exit",
            ],
            rows,
        )
    )
    print(
        "first byte: the terminal set-up codes (imports and App start done); first frame: the "
        f"first populated frame, whose output contains {ready.decode()!r}, the day line under "
        f"the month (bare: {bare_app.READY_TEXT!r}, a cell); CPU to frame: the app's user + "
        "system time then (10 ms ticks; steadier than wall time on a crowded machine); "
        f"settled: last byte before {STARTUP_SETTLE_S * 1000:.0f} ms of silence."
    )

    peaks: dict[str, dict[str, int]] = {}
    if not args.no_keys:
        print(
            f"\nKeypress → output, ms after the key is written ({args.presses} presses unless "
            "the count says otherwise)"
        )
        results: dict[str, list[KeyResult]] = {}
        timed = time.perf_counter()
        for name in paths:
            results[name], peaks[name] = run_scenarios(
                targets[name], env, DIALOGTUI_STEPS, args.presses, quiet_s, settle_s, args.fill_s
            )
        results["bare"], peaks["bare"] = run_scenarios(
            targets["bare"], env, BARE_STEPS, args.presses, quiet_s, settle_s, args.fill_s
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
        for index, step in enumerate(DIALOGTUI_STEPS):
            empty_result = results["empty"][index]
            for name in files:
                rows.append(key_row(name, results[name][index]))
            rows.append(key_row("empty", empty_result))
            for name in files:
                ratios = [
                    ratio(median_of(results[name][index], attr), median_of(empty_result, attr))
                    for attr in ("first_ms", "done_ms", "settled_ms")
                ]
                label = f"{name}/empty"
                rows.append(["", "", label, "", ratios[0], "", ratios[1], "", ratios[2], *"   "])
            if step.ready is not None:
                filled = ", ".join(
                    f"{name} {results[name][index].ready_s or 0:.1f} s" for name in paths
                )
                rows.append(["", "", f"filled in: {filled}", *[""] * 9])
        for result in results["bare"]:
            rows.append(key_row("bare", result))
        print(table(headers, rows, left=3))
        print(
            "first: first byte of the answer; "
            f"done@{args.quiet_ms:.0f}: last byte before the first {args.quiet_ms:.0f} ms gap; "
            f"settled: last byte before {args.settle_ms:.0f} ms of silence; first/done/settled "
            "columns are medians, each followed by its p95 (nearest rank). bursts: separate "
            "writes (gaps ≥ 5 ms), median; KiB: mean output per press. answered: presses that "
            f"produced output within {ANSWER_TIMEOUT_S:.0f} s / presses sent (a key that moves "
            f"nothing writes nothing; after {SILENT_GIVE_UP} silent presses the key is skipped). "
            "filled in: from the key to "
            "the view's count on screen (the overlap search, the to-do list)."
        )
        print(f"(keys measured in {time.perf_counter() - timed:.0f} s)")

    print("\nPeak RSS (VmHWM of the app process and any child it runs), MiB")
    stages = list(MEMORY_AFTER.items())
    headers = [
        "app",
        f"after startup (median of {args.runs})",
        *(f"{label} (/empty)" for _, label in stages),
    ]
    rows = []
    for name in targets:
        cells = [targets[name].name, mib(median([s.hwm_kib for s in startups[name]]))]
        for view, _ in stages:
            peak = peaks.get(name, {}).get(view) or peaks.get(name, {}).get("table")
            empty = peaks.get("empty", {}).get(view)
            cells.append(f"{mib(peak)} ({ratio(peak, empty)})" if peak else "—")
        rows.append(cells)
    print(table(headers, rows))
    print(
        "calendar keys: after the month, timeline and list keys (the overlap search has run);"
        " + overlap view: after opening it and paging; + to-do: after Ctrl+T and paging. The bare"
        " app's figure is after its table keys."
    )


if __name__ == "__main__":
    main()
