"""Keypress to frame while others write: a held write lock in bursts, and 8 writer processes.

    .venv/bin/python bench/lock_bench.py [--file region] [--seconds 20] [--dialogtui PATH]

The real dialogtui runs on an 80x24 pty (bench/ptyapp.py) on a copy of a 10,000-initiative
file (bench/make_db.py), in three views: the checklist (Space ticks an item and unticks it, a
write each time, between Down and Up), the list (Down/Up) and the month (Right/Left). Each
view is timed under three loads, in one run:

- `quiet`: nobody else; the baseline.
- `lock bursts`: another process takes SQLite's write lock (`BEGIN IMMEDIATE`), holds it 2-6 s,
  releases it for 0.5-1.5 s, and again: a colleague's large import.
- `8 writers`: eight processes save edits of initiatives through the store without pause.

Keys are pressed one at a time, the next 100 ms after the answer to the last (or after a key
that is never answered, after --timeout). A key's latency is from the write of the key to the
last byte of its answer before 30 ms of silence ("done"); "first" is its first byte. Under
writers, the app also paints on its own (a colleague's change reloads what it shows), which can
answer for a key; a frozen app paints nothing, so a stall always shows. The figures are
printed, never asserted. Goal (issue 12): p99 ≤ 100 ms and no stall over 200 ms.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shlex
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event
from pathlib import Path

# Runs from a bare checkout too, without the package installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from make_db import FILES, bench_file
from ptyapp import (
    KEYS,
    Press,
    Session,
    Target,
    environment,
    median,
    ms,
    percentile,
    table,
)

GAP_S = 0.1  # between the answer to one key and the next key
QUIET_S = 0.03
SETTLE_S = 0.2
STALL_MS = 200.0
NAVIGATE_TIMEOUT_S = 60.0


# -- the loads -------------------------------------------------------------------------------


def hold_lock_in_bursts(db_path: str, stop: Event, seed: int) -> None:
    """Take the write lock for 2-6 s, let go for 0.5-1.5 s, until told to stop."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=60)
    try:
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            stop.wait(rng.uniform(2.0, 6.0))
            conn.execute("ROLLBACK")
            stop.wait(rng.uniform(0.5, 1.5))
    finally:
        conn.close()


def write_without_pause(db_path: str, stop: Event, seed: int) -> None:
    """Save edits of random initiatives through the store until told to stop."""
    from dialogtui.store import ConflictError, Store, StoreError

    rng = random.Random(seed)
    store = Store(db_path, user=f"skrivare{seed}")
    try:
        count = store.count_initiatives()
        sequence = 0
        while not stop.is_set():
            sequence += 1
            try:
                current = store.initiative(rng.randint(1, count))
                store.update_initiative(
                    current.model_copy(update={"purpose": f"Ändrad av {seed}, {sequence}"})
                )
            except (ConflictError, StoreError):
                continue  # another writer got there first, or the lock wait ran out
    finally:
        store.close()


@dataclass(frozen=True, slots=True)
class Load:
    name: str
    processes: int
    work: Callable[[str, Event, int], None] | None


LOADS = (
    Load("quiet", 0, None),
    Load("lock bursts", 1, hold_lock_in_bursts),
    Load("8 writers", 8, write_without_pause),
)


# -- the views -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class View:
    name: str
    # (key, text to wait for after it, or None to wait for silence)
    navigate: tuple[tuple[str, bytes | None], ...]
    keys: tuple[str, ...]  # pressed in turn, round and round


VIEWS = (
    View(
        "checklist",
        (("Enter", None), ("Enter", b"Checklista"), ("k", "Före dialogen".encode())),
        ("Space", "Down", "Space", "Up"),
    ),
    View("list", (("3", None),), ("Down", "Up")),
    View("month", (), ("Right", "Left")),
)


@dataclass
class Run:
    load: str
    view: str
    presses: dict[str, list[Press]] = field(default_factory=dict)
    unanswered: int = 0


def drive(session: Session, view: View, seconds: float, timeout_s: float) -> Run:
    """Press the view's keys in turn for `seconds`; time each."""
    run = Run("", view.name, {key: [] for key in view.keys})
    ends = time.perf_counter() + seconds
    turn = 0
    while time.perf_counter() < ends:
        key = view.keys[turn % len(view.keys)]
        turn += 1
        press = session.press(KEYS[key], QUIET_S, SETTLE_S, first_timeout=timeout_s)
        if press is None:
            run.unanswered += 1
        else:
            run.presses[key].append(press)
        time.sleep(GAP_S)
    return run


def measure(
    console: str,
    source: Path,
    scratch: Path,
    load: Load,
    view: View,
    seconds: float,
    timeout_s: float,
) -> Run:
    """One app on a fresh copy of the file, in one view, under one load."""
    db_path = scratch / f"{load.name.replace(' ', '-')}-{view.name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, db_path)
    target = Target(f"dialogtui {view.name}", (console, "--db", str(db_path)), b"november 2026")
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    session = Session(target, environment())
    workers = []
    try:
        session.wait_for_ready()
        session.drain()
        for key, wait in view.navigate:
            os.write(session.fd, KEYS[key])
            if wait is not None:
                session.wait_for_text(wait, NAVIGATE_TIMEOUT_S)
            session.drain()
        if load.work is not None:
            workers = [
                ctx.Process(target=load.work, args=(str(db_path), stop, seed), daemon=True)
                for seed in range(load.processes)
            ]
            for worker in workers:
                worker.start()
            time.sleep(1.0)  # let the load get going
        run = drive(session, view, seconds, timeout_s)
        run.load = load.name
        return run
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=15)
            if worker.is_alive():
                worker.kill()
                worker.join()
        session.quit()
        session.close()


def row(run: Run, key: str | None) -> list[str]:
    presses = [p for k, got in run.presses.items() if key in (None, k) for p in got]
    label = key or "all keys"
    if not presses:
        return [run.view, label, run.load, "0", *["—"] * 6]
    done = [p.done_ms for p in presses]
    first = [p.first_ms for p in presses]
    stalls = sum(value > STALL_MS for value in done)
    return [
        run.view,
        label,
        run.load,
        f"{len(presses)}" + (f" (+{run.unanswered} unanswered)" if run.unanswered else ""),
        ms(median(first)),
        ms(median(done)),
        ms(percentile(done, 0.99)),
        ms(max(done)),
        str(stalls),
        f"{100 * stalls / len(presses):.0f} %",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--file", default="region", choices=[f for f in FILES if f != "empty"])
    parser.add_argument("--seconds", type=float, default=20.0, help="of key presses per view")
    parser.add_argument(
        "--timeout", type=float, default=15.0, help="seconds to wait for a key's answer"
    )
    parser.add_argument(
        "--dialogtui",
        type=Path,
        default=Path(sys.executable).parent / "dialogtui",
        help="the dialogtui to measure (e.g. another checkout's .venv/bin/dialogtui)",
    )
    parser.add_argument("--views", default=",".join(v.name for v in VIEWS))
    parser.add_argument("--loads", default=",".join(load.name for load in LOADS))
    args = parser.parse_args()
    views = [v for v in VIEWS if v.name in args.views.split(",")]
    loads = [load for load in LOADS if load.name in args.loads.split(",")]

    cpus = len(os.sched_getaffinity(0))
    command = shlex.join([os.path.relpath(sys.executable), *sys.argv])
    print(f"command: cd {shlex.quote(os.getcwd())} && {command}")
    print(
        f"dialogtui: {args.dialogtui}; file {args.file}; {args.seconds:.0f} s of keys per view "
        f"and load; nproc {cpus}, load average {os.getloadavg()[0]:.1f} (others share the "
        "machine: compare within one run)."
    )
    source = bench_file(args.file)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="dialogtui-lock-bench-") as scratch:
        for view in views:
            for load in loads:
                runs.append(
                    measure(
                        str(args.dialogtui),
                        source,
                        Path(scratch),
                        load,
                        view,
                        args.seconds,
                        args.timeout,
                    )
                )
    rows: list[list[str]] = []
    for run in runs:
        keys: Sequence[str | None] = [None, *sorted(run.presses)]
        rows += [row(run, key) for key in keys]
    print(
        table(
            ["view", "key", "load", "presses", "first p50", "p50", "p99", "longest", ">200 ms", ""],
            rows,
            left=3,
        )
    )
    print(
        "ms from the key's write: first = first byte of the answer; p50/p99/longest = the "
        f"answer done (last byte before {QUIET_S * 1000:.0f} ms of silence), nearest rank. "
        f"unanswered: keys with no answer within {args.timeout:.0f} s."
    )


if __name__ == "__main__":
    main()
