"""Does the overlap search hold keys up? A thread worker beside a process of its own.

    .venv/bin/python bench/search_bench.py [--files dense,region] [--rounds 2]

The app seeks every overlap (`coordination.load_state`) after its first frame and after every
change, off the UI thread. In a thread it shares the GIL with the UI; in a child process it
does not, but pays a second interpreter's start and a pickled copy of its answer. This runs
the search both ways, and meanwhile does what a key does to the UI thread, over and over:
ten turns of an event loop (each a `select`, which lets go of the GIL and must take it back)
around 2 ms of Python. Printed: that task's latency (p50, p99, longest) during the search and
with nothing beside it, the search's wall time and the peak memory of each process.
The figures are printed, never asserted; the app uses the thread (issue 12).

Modes: `thread` (the app's), `thread 1 ms` (the same with the interpreter's switch interval
at 1 ms instead of 5), `process` (a child runs the search and pickles the state back).
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

# Runs from a bare checkout too, without the package installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dialogtui.coordination import OverlapState, load_state
from dialogtui.store import Store
from make_db import BENCH_TODAY, bench_file
from ptyapp import median, percentile, table

TURNS = 10  # event-loop turns of one key
WORK = 40_000  # additions, spread over the turns: about 2 ms of Python in all
PAUSE_S = 0.02  # between two "keys"


def key_like(pipe: int) -> float:
    """What handling a key asks of the UI thread; returns its duration in ms."""
    began = time.perf_counter()
    for _ in range(TURNS):
        select.select([pipe], [], [], 0)
        total = 0
        for i in range(WORK // TURNS):
            total += i
    return (time.perf_counter() - began) * 1000


def in_child(db: str) -> None:
    """The child's side of `process`: seek, then write the pickled state to stdout."""
    with Store(db) as store:
        state = load_state(store, today=BENCH_TODAY)
    sys.stdout.buffer.write(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))


def by_process(db: Path, peaks: dict[str, int]) -> OverlapState:
    """The search in a child process; the answer read and unpickled in this one."""
    child = subprocess.Popen([sys.executable, __file__, "--child", str(db)], stdout=subprocess.PIPE)
    assert child.stdout is not None
    data = child.stdout.read()
    _, _, usage = os.wait4(child.pid, 0)
    child.returncode = 0
    peaks["child"] = usage.ru_maxrss
    state = pickle.loads(data)
    assert isinstance(state, OverlapState)
    return state


def during(search: Callable[[], object]) -> tuple[list[float], float]:
    """Key-like latencies while `search` runs in a thread, and the search's wall time."""
    read, write = os.pipe()
    took: list[float] = []

    def run() -> None:
        began = time.perf_counter()
        search()
        took.append(time.perf_counter() - began)

    worker = threading.Thread(target=run)
    worker.start()
    latencies = []
    while worker.is_alive():
        latencies.append(key_like(read))
        time.sleep(PAUSE_S)
    worker.join()
    os.close(read)
    os.close(write)
    return latencies, took[0]


def idle(seconds: float) -> list[float]:
    read, write = os.pipe()
    latencies = []
    ends = time.perf_counter() + seconds
    while time.perf_counter() < ends:
        latencies.append(key_like(read))
        time.sleep(PAUSE_S)
    os.close(read)
    os.close(write)
    return latencies


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        in_child(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", default="dense,region")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each mode, interleaved")
    args = parser.parse_args()
    print(
        f"nproc {len(os.sched_getaffinity(0))}, load average {os.getloadavg()[0]:.1f}; "
        "key-like task: 10 select() turns around 2 ms of Python (see the docstring)."
    )
    rows = []
    for name in args.files.split(","):
        db = bench_file(name)
        store = Store(db)
        quiet = idle(2.0)
        rows.append([name, "nothing beside", *_cells(quiet), "—", "—"])
        for _ in range(args.rounds):
            for mode in ("thread", "thread 1 ms", "process"):
                peaks: dict[str, int] = {}
                if mode == "process":
                    latencies, took = during(lambda db=db, peaks=peaks: by_process(db, peaks))
                else:
                    sys.setswitchinterval(0.001 if mode == "thread 1 ms" else 0.005)
                    latencies, took = during(
                        lambda store=store: load_state(store, today=BENCH_TODAY)
                    )
                    sys.setswitchinterval(0.005)
                child = f"{peaks['child'] / 1024:.0f}" if "child" in peaks else "—"
                rows.append([name, mode, *_cells(latencies), f"{took:.2f}", child])
        store.close()
    mine = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        table(
            ["file", "search", "keys", "p50 ms", "p99 ms", "longest", "search s", "child MiB"],
            rows,
            left=2,
        )
    )
    print(f"(this process's peak: {mine:.0f} MiB, for all files and modes together)")


def _cells(latencies: list[float]) -> list[str]:
    return [
        str(len(latencies)),
        f"{median(latencies):.1f}",
        f"{percentile(latencies, 0.99):.1f}",
        f"{max(latencies):.1f}",
    ]


if __name__ == "__main__":
    main()
