"""Time store updates under multi-process contention, beside a one-process baseline.

    .venv/bin/python bench/write_bench.py [--processes 8] [--updates 200] [--n 10000]

Each process opens its own `Store` on one file of n initiatives (bench/make_db.py) and saves
`--updates` edits of its own initiatives, so processes compete for the write lock, never for a
record. A latency is one `update_initiative` call: waiting for BEGIN IMMEDIATE, the version
check, the write with its audit row, COMMIT and the re-read. The figures are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

# Runs from a bare checkout too, without the package installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dialogtui.store import ConflictError, Store, StoreError
from make_db import default_path, make_db

SEED = 20261124


@dataclass
class WorkerTimes:
    latencies_s: list[float] = field(default_factory=list)
    began: float = 0.0
    ended: float = 0.0
    errors: list[str] = field(default_factory=list)


def bench_worker(
    db_path: str, worker: int, ids: list[int], start: Barrier, results: Queue[WorkerTimes]
) -> None:
    """Save one edit of each initiative in `ids`, timing each save; report via `results`."""
    times = WorkerTimes()
    store = Store(db_path, user=f"bench{worker}")
    try:
        start.wait(timeout=120)
        # CLOCK_MONOTONIC is one clock for all processes, so spans can be compared across them.
        times.began = time.monotonic()
        for seq, initiative_id in enumerate(ids):
            edited = store.initiative(initiative_id).model_copy(
                update={"title": f"Bench {worker}.{seq}", "purpose": f"Ändrad av {worker}"}
            )
            began = time.perf_counter()
            try:
                store.update_initiative(edited)
            except (ConflictError, StoreError) as exc:
                times.errors.append(str(exc))
                continue
            times.latencies_s.append(time.perf_counter() - began)
        times.ended = time.monotonic()
    finally:
        store.close()
        results.put(times)


@dataclass
class RunFigures:
    label: str
    processes: int
    updates: int
    median_ms: float
    p99_ms: float
    max_ms: float
    per_second: float
    errors: int


def run(label: str, db_path: Path, processes: int, updates: int, n: int) -> RunFigures:
    """Run `processes` workers of `updates` saves each, on disjoint random initiatives."""
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    start = ctx.Barrier(processes)
    ids = random.Random(SEED).sample(range(1, n + 1), processes * updates)
    workers = [
        ctx.Process(
            target=bench_worker,
            args=(str(db_path), w, ids[w * updates : (w + 1) * updates], start, results),
        )
        for w in range(processes)
    ]
    for worker in workers:
        worker.start()
    collected: list[WorkerTimes] = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    latencies = sorted(t for times in collected for t in times.latencies_s)
    span = max(t.ended for t in collected) - min(t.began for t in collected)
    p99 = statistics.quantiles(latencies, n=100, method="inclusive")[98]
    return RunFigures(
        label=label,
        processes=processes,
        updates=len(latencies),
        median_ms=statistics.median(latencies) * 1000,
        p99_ms=p99 * 1000,
        max_ms=latencies[-1] * 1000,
        per_second=len(latencies) / span,
        errors=sum(len(t.errors) for t in collected),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--processes", type=int, default=8, help="writers in the contended run")
    parser.add_argument("--updates", type=int, default=200, help="updates per process")
    parser.add_argument("--n", type=int, default=10_000, help="initiatives in the database")
    parser.add_argument("--path", type=Path, help="source database (default: in the temp dir)")
    args = parser.parse_args()
    if args.processes * args.updates > args.n:
        parser.error("--processes × --updates must not exceed --n (each update edits its own)")
    source = make_db(args.path or default_path(args.n), args.n)

    figures: list[RunFigures] = []
    with tempfile.TemporaryDirectory(prefix="dialogtui-write-bench-") as scratch:
        for label, processes in (("baseline", 1), ("contended", args.processes)):
            # A fresh copy for each run, so both start from the same file and the source stays put.
            db_path = Path(scratch) / f"{label}.db"
            shutil.copyfile(source, db_path)
            figures.append(run(label, db_path, processes, args.updates, args.n))

    print(
        f"update_initiative at {args.n:,} initiatives, {args.updates} updates per process, "
        f"disjoint initiatives (lock contention, no version conflicts); "
        f"{multiprocessing.cpu_count()} CPUs."
    )
    print(
        f"\n{'run':<10} {'procs':>5} {'updates':>8} {'median ms':>10} {'p99 ms':>8} "
        f"{'max ms':>8} {'updates/s':>10} {'errors':>7}"
    )
    for f in figures:
        print(
            f"{f.label:<10} {f.processes:>5} {f.updates:>8,} {f.median_ms:>10.2f} "
            f"{f.p99_ms:>8.2f} {f.max_ms:>8.2f} {f.per_second:>10,.0f} {f.errors:>7}"
        )


if __name__ == "__main__":
    main()
