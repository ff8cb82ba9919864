"""The reads the UI thread makes to draw a screen, timed at 10,000 initiatives, also while
another process holds the write lock in the middle of a large write.

    .venv/bin/python bench/ui_reads_bench.py [--files region,dense] [--repeat 40]

ARCHITECTURE.md ("Threads"): the UI thread never waits on the database's write lock; the reads a
screen makes to draw itself stay on it, because in WAL mode they never wait for a writer and
each is a page of rows. This measures that claim: each read as a screen calls it (the page, the
checklist, the month, the list, the overlap detail, …), on random initiatives, quiet and while
another process has run `BEGIN IMMEDIATE` and rewritten every initiative without committing (a
colleague's large import, which holds the lock for seconds). A frame is 16 ms. Reads that run in
workers (the calendar's month, timeline and list, a text filter among them; Ctrl+N's next
dialogue; the stage gate) are timed too, marked so: they cost the user a wait for the answer,
never a frozen key. Figures are printed, never asserted; compare within one run (others share
the machine).
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dialogtui.coordination import horizon_days, panel_cap, rest_days
from dialogtui.domain import Stage
from dialogtui.filters import Filter
from dialogtui.screens.evaluation import next_without_evaluation
from dialogtui.screens.initiative import gate
from dialogtui.store import Store
from make_db import FILES, bench_file
from ptyapp import median, ms, table

FRAME_MS = 16.0
TODAY = date(2026, 11, 24)  # bench/ptyapp.py's today
MONTH = (date(2026, 10, 26), date(2026, 12, 6))  # the month grid of November 2026
YEAR = (date(2025, 12, 29), date(2027, 1, 3))  # the timeline's weeks of 2026
PAGE = 30  # rows a list or timeline page asks for at 80x24 and more

# A colleague's import: the write lock taken and every initiative rewritten, not committed.
HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE initiatives SET purpose = purpose || ' (import)'")
print("held", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""

Read = Callable[[Store, random.Random, int], object]


def page(store: Store, ident: int) -> object:
    """What the initiative's page reads to draw itself (`InitiativeScreen.render_page`)."""
    return (
        store.initiative(ident),
        store.feedback_promises(ident),
        store.checklist(ident),
        store.public_feedback(ident),
        store.evaluation(ident),
        store.audit_log(ident, limit=50),
    )


def checklist(store: Store, ident: int) -> object:
    """`ChecklistScreen.reload`."""
    return (
        store.initiative(ident),
        store.checklist(ident),
        store.feedback_promises(ident),
        store.evaluation(ident),
    )


def list_page(store: Store, where: Filter, offset: int) -> object:
    """`CalendarScreen._load_list` (its worker): the count, one page, its "Före" progress."""
    found = store.summaries(where, "start", offset, PAGE)
    return store.count_matching(where), found, store.checklists([s.id for s in found])


def settings(store: Store) -> object:
    """`SettingsScreen.compose` and `show_periods`."""
    return rest_days(store), panel_cap(store), horizon_days(store), store.blocked_periods()


def stage_gate(store: Store, ident: int) -> object:
    """What the stage key's gate reads, for the next stage (closing, from the last one)."""
    ini = store.initiative(ident)
    return gate(store, ini, ini.stage.next() or Stage.CLOSED)


def one(read: Callable[[Store, int], object]) -> Read:
    """A read of one random initiative."""
    return lambda store, rng, count: read(store, rng.randint(1, count))


def timeline_page(store: Store, rng: random.Random) -> object:
    """`CalendarScreen._load_timeline` by initiative (its worker): the year's count, a page."""
    offset = rng.randrange(100)
    return store.count_matching(Filter(), YEAR), store.summaries(
        Filter(), between=YEAR, offset=offset, limit=PAGE
    )


CALENDAR = "calendar worker"

# (name, runs where, read)
READS: tuple[tuple[str, str, Read], ...] = (
    ("page (initiative, promises, checklist, feedback, evaluation, history)", "UI", one(page)),
    ("checklist reload", "UI", one(checklist)),
    ("form / evaluation: one initiative", "UI", one(lambda s, i: s.initiative(i))),
    ("public feedback (a)", "UI", one(lambda s, i: s.public_feedback(i))),
    ("overlap detail: two initiatives", "UI", one(lambda s, i: s.initiatives([i, i // 2 + 1]))),
    ("month (6 weeks of initiatives)", CALENDAR, lambda s, r, n: s.summaries(between=MONTH)),
    ("timeline: count and a page of the year", CALENDAR, lambda s, r, n: timeline_page(s, r)),
    ("timeline by unit (the year's spans)", CALENDAR, lambda s, r, n: s.spans(None, YEAR, "unit")),
    ("timeline by target group", CALENDAR, lambda s, r, n: s.spans(None, YEAR, "target")),
    (
        "list: count, a page, its progress",
        CALENDAR,
        lambda s, r, n: list_page(s, Filter(), r.randrange(n - PAGE)),
    ),
    (
        'list filtered by text ("hälsa")',
        CALENDAR,
        lambda s, r, n: list_page(s, Filter(text="hälsa"), 0),
    ),
    ("units (filter and form choices)", "worker", lambda s, r, n: s.units()),
    ("settings and blocked periods", "UI", lambda s, r, n: settings(s)),
    ('lessons search ("vård")', "worker", lambda s, r, n: s.search_lessons("vård")),
    ("stage gate (s, the form)", "save worker", one(stage_gate)),
    (
        "Ctrl+N: next ended without evaluation",
        "save worker",
        one(lambda s, i: next_without_evaluation(s, TODAY, i)),
    ),
)


def timed(store: Store, read: Read, count: int, repeat: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    read(store, rng, count)  # warm: the first call pays for imports and SQLite's cache
    found = []
    for _ in range(repeat):
        began = time.perf_counter()
        read(store, rng, count)
        found.append((time.perf_counter() - began) * 1000)
    return found


def measure(path: Path, repeat: int, held: bool) -> dict[str, list[float]]:
    holder = None
    if held:
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None
        if holder.stdout.readline().strip() != "held":
            raise SystemExit("the lock holder did not start")
    store = Store(path, busy_timeout=10.0)
    try:
        count = store.count_initiatives()
        return {name: timed(store, read, count, repeat, 1) for name, _, read in READS}
    finally:
        store.close()
        if holder is not None:
            holder.communicate("")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", default="region,dense")
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    command = shlex.join([os.path.relpath(sys.executable), *sys.argv])
    print(f"command: cd {shlex.quote(os.getcwd())} && {command}")
    print(
        f"nproc {len(os.sched_getaffinity(0))}, load average {os.getloadavg()[0]:.1f}; "
        f"{args.repeat} calls per read after one to warm; ms per call."
    )
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="dialogtui-reads-") as scratch:
        for name in args.files.split(","):
            if name not in FILES:
                raise SystemExit(f"unknown file {name}; one of {', '.join(FILES)}")
            # A copy, so that the held write never touches the cached file.
            path = Path(scratch) / f"{name}.db"
            shutil.copyfile(bench_file(name), path)
            quiet = measure(path, args.repeat, held=False)
            locked = measure(path, args.repeat, held=True)
            for what, where, _ in READS:
                a, b = quiet[what], locked[what]
                over = sum(v > FRAME_MS for v in a + b)
                rows.append(
                    [
                        name,
                        what,
                        where,
                        ms(median(a)),
                        ms(max(a)),
                        ms(median(b)),
                        ms(max(b)),
                        str(over),
                    ]
                )
    print(
        table(
            [
                "file",
                "read",
                "runs on",
                "quiet p50",
                "max",
                "lock held p50",
                "max",
                f">{FRAME_MS:.0f} ms",
            ],
            rows,
            left=3,
        )
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
