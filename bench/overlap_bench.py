"""Time the sweep in dialogtui.overlap against the all-pairs reference on generated initiatives,
then the overlap views and `dialogtui overlaps` on the stored bench files.

    .venv/bin/python bench/overlap_bench.py [--files dense,region] [--baseline PATH]

The stored files are bench/make_db.py's: `dense` (10,000 focus groups for the whole region over
five years, ~1.8 million overlapping pairs) and `region` (a region's density, ~70,000). For
each: the app's overlap state (`coordination.load_state`) in this process, time and the
traced memory it holds and peaks at; then `dialogtui overlaps --json` and the readable list
as processes of their own, wall time and peak RSS, beside another build's (`--baseline`,
e.g. an older checkout's .venv/bin/dialogtui) in the same run. The figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

# Runs from a bare checkout too, without the package installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dialogtui.domain import InfluenceLevel, Method, Municipality, Stage
from dialogtui.models import Initiative, TargetGroup
from dialogtui.overlap import Overlap, find_overlaps, find_overlaps_naive

SEED = 20270302
PER_YEAR = 100  # a region runs some 50-200 dialogues a year; larger n means more years, not denser
SIZES = (1_000, 10_000, 100_000)
NAIVE_UP_TO = 10_000
NAIVE_BUDGET_S = 60  # the all-pairs reference runs at a size only if its estimate fits this
DENSITIES = (25, 50, 100, 200)
RUNS = 5
FIRST_DAY = date(2026, 1, 1)

# Whom units actually ask: (segments, age_min, age_max), weighted by repetition. Most dialogues
# address a defined group; a fifth address all residents of some age.
PROFILES: tuple[tuple[tuple[str, ...], int, int], ...] = (
    ((), 0, 120),
    ((), 18, 120),
    ((), 16, 120),
    (("unga",), 13, 19),
    (("unga",), 16, 25),
    (("unga",), 13, 19),
    (("äldre",), 65, 120),
    (("äldre",), 75, 120),
    (("patienter",), 0, 120),
    (("patienter",), 18, 120),
    (("patienter", "anhöriga"), 0, 120),
    (("anhöriga",), 18, 120),
    (("föräldrar",), 20, 55),
    (("personal",), 18, 67),
    (("personal",), 18, 67),
    (("funktionsnedsättning",), 0, 120),
    (("kroniskt sjuka",), 18, 120),
    (("nyanlända",), 16, 120),
)
PLACE_COUNTS = (0, 0, 1, 1, 1, 1, 1, 2, 2, 3)  # 0 = all of Halland
GROUP_COUNTS = (0, 1, 1, 1, 1, 1, 2, 2, 2, 3)
PANEL_SHARE = 0.15
CANCELLED_SHARE = 0.05


def _group(rng: random.Random) -> TargetGroup:
    segments, age_min, age_max = rng.choice(PROFILES)
    places = rng.sample(list(Municipality), rng.choice(PLACE_COUNTS))
    # model_construct skips validation: the generator builds only valid values, and validating
    # 100,000 initiatives would take longer than what is being measured.
    return TargetGroup.model_construct(
        name="", municipalities=places, age_min=age_min, age_max=age_max, segments=list(segments)
    )


def generate(n: int, per_year: int = PER_YEAR, seed: int = SEED) -> list[Initiative]:
    """Return n plausible initiatives spread at per_year a year from FIRST_DAY."""
    rng = random.Random(seed)
    span = max(1, round(365 * n / per_year))
    methods = list(Method)
    found: list[Initiative] = []
    for ident in range(1, n + 1):
        start = FIRST_DAY + timedelta(days=rng.randrange(span))
        end = start + timedelta(days=rng.randint(1, 60) - 1)
        groups = [_group(rng) for _ in range(rng.choice(GROUP_COUNTS))]
        found.append(
            Initiative.model_construct(
                id=ident,
                title=f"Dialog {ident}",
                unit="Enhet",
                method=rng.choice(methods),
                influence=InfluenceLevel.CONSULT,
                uses_panel=rng.random() < PANEL_SHARE,
                start=start,
                end=end,
                stage=Stage.CANCELLED if rng.random() < CANCELLED_SHARE else Stage.PLANNING,
                target_groups=groups,
            )
        )
    return found


def best_ms(run: Callable[[], list[Overlap]], runs: int) -> tuple[float, list[Overlap]]:
    """Return the fastest of several runs in milliseconds, and the result of the last."""
    best = float("inf")
    result: list[Overlap] = []
    for _ in range(runs):
        began = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - began)
    return best * 1000, result


def stored_files(files: list[str], consoles: dict[str, Path]) -> None:
    """The app's overlap state and the CLI's output on the stored bench files."""
    from dialogtui.coordination import load_state
    from dialogtui.store import Store
    from make_db import BENCH_TODAY, bench_file

    print(f"\nStored files (load average {os.getloadavg()[0]:.1f}; 2 shared cores: noisy)")
    print(f"{'file':<8} {'pairs':>10} {'state s':>8} {'held MiB':>9} {'peak MiB':>9}")
    paths = {name: bench_file(name) for name in files}
    for name, path in paths.items():
        with Store(path) as store:
            tracemalloc.start()
            began = time.perf_counter()
            state = load_state(store, today=BENCH_TODAY)
            took = time.perf_counter() - began
            held, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            pairs = len(state.open) + len(state.coordinated) + len(state.history)
            del state
        print(f"{name:<8} {pairs:>10,} {took:>8.2f} {held / 2**20:>9.1f} {peak / 2**20:>9.1f}")
    print("state: coordination.load_state, as the app runs it after its first frame; held: what")
    print("it keeps (traced by tracemalloc, the initiatives' light rows included); peak: at most.")

    print("\n`dialogtui overlaps`, output to /dev/null: wall s (CPU s) / peak RSS MiB")
    header = f"{'file':<8} {'build':<10} {'--json':>24} {'readable':>24}"
    print(header)
    for name, path in paths.items():
        for build, console in consoles.items():
            cells = []
            for extra in (["--json"], []):
                argv = [str(console), "--db", str(path), "overlaps", *extra]
                wall, cpu, peak_kib, ok = _timed(argv)
                failed = "" if ok else " (failed)"
                cells.append(f"{wall:6.1f} ({cpu:5.1f}) / {peak_kib / 1024:6.0f}{failed}")
            print(f"{name:<8} {build:<10} {cells[0]:>24} {cells[1]:>24}")
    for build, console in consoles.items():
        print(f"  {build}: {shlex.quote(str(console))}")


def _timed(argv: list[str]) -> tuple[float, float, int, bool]:
    """Run a command with its output to /dev/null: wall and CPU seconds, peak RSS (KiB), success.

    The peak comes from /usr/bin/time, which runs the command from a small process: a child
    forked straight from this one would count this process's own pages as its peak. CPU time
    (user + system) moves less than wall time when others crowd the machine.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        began = time.perf_counter()
        status = subprocess.run(
            ["/usr/bin/time", "-f", "%U %S %M", "-o", report.name, *argv],
            stdout=subprocess.DEVNULL,
        ).returncode
        wall = time.perf_counter() - began
        user, system, peak = report.read().split()[-3:]
    return wall, float(user) + float(system), int(peak), status == 0


def main() -> None:
    """Print the timing table, how the time follows the number of overlaps, the stored files."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--naive", action="store_true", help="run the reference at 10,000")
    parser.add_argument("--files", default="dense,region", help="stored bench files ('' = none)")
    parser.add_argument(
        "--baseline", type=Path, help="another build's dialogtui, timed beside this one"
    )
    parser.add_argument("--skip-generated", action="store_true", help="only the stored files")
    args = parser.parse_args()
    files = [name for name in args.files.split(",") if name]
    consoles = {"this": Path(sys.executable).parent / "dialogtui"}
    if args.baseline:
        consoles["baseline"] = args.baseline
    print(f"command: {shlex.join([os.path.relpath(sys.executable), *sys.argv])}")
    if not args.skip_generated:
        generated(args.naive)
    if files:
        stored_files(files, consoles)


def generated(force_naive: bool) -> None:
    """The sweep against the all-pairs reference, and by density, on generated initiatives."""
    print(
        f"Density {PER_YEAR} initiatives a year (n/{PER_YEAR} years), lengths 1–60 days, "
        f"0–3 groups, {PANEL_SHARE:.0%} panel, {CANCELLED_SHARE:.0%} cancelled, rest 14 days."
    )
    print(f"fast: best of {RUNS} runs; naive: best of {RUNS} at 1,000, else one run.\n")
    print(f"{'n':>8} {'years':>6} {'k':>8} {'k/n':>5} {'fast ms':>9} {'naive ms':>10} {'ratio':>7}")
    naive_per_pair_s = 0.0
    notes: list[str] = []
    for n in SIZES:
        initiatives = generate(n)
        fast_ms, fast = best_ms(lambda items=initiatives: find_overlaps(items), RUNS)
        naive_text = ratio_text = "—"
        pairs = n * (n - 1) / 2
        estimate_s = naive_per_pair_s * pairs
        if n <= 1_000 or (n <= NAIVE_UP_TO and (force_naive or estimate_s <= NAIVE_BUDGET_S)):
            naive_ms, naive = best_ms(
                lambda items=initiatives: find_overlaps_naive(items), RUNS if n <= 1_000 else 1
            )
            if naive != fast:
                raise SystemExit(f"n={n}: the sweep and the reference disagree")
            naive_per_pair_s = naive_ms / 1000 / pairs
            naive_text = f"{naive_ms:,.0f}"
            ratio_text = f"{naive_ms / fast_ms:,.0f}×"
        else:
            hint = "; --naive forces it" if n <= NAIVE_UP_TO else ""
            notes.append(f"naive at {n:,} skipped: about {estimate_s:,.0f} s, scaled by n²{hint}")
        print(
            f"{n:>8,} {n / PER_YEAR:>6,.0f} {len(fast):>8,} {len(fast) / n:>5.2f} "
            f"{fast_ms:>9,.1f} {naive_text:>10} {ratio_text:>7}"
        )
    for note in notes:
        print(f"  ({note})")

    # The sweep's own work grows with n log n and the pairs close in time; what dominates is
    # building k overlaps with their Swedish reasons, so the time follows k.
    n = 10_000
    print(f"\nAt n = {n:,}, by density:")
    print(f"{'per year':>9} {'k':>8} {'k/n':>5} {'fast ms':>9} {'µs/overlap':>11}")
    for per_year in DENSITIES:
        initiatives = generate(n, per_year)
        fast_ms, fast = best_ms(lambda items=initiatives: find_overlaps(items), RUNS)
        print(
            f"{per_year:>9} {len(fast):>8,} {len(fast) / n:>5.2f} {fast_ms:>9,.1f} "
            f"{fast_ms * 1000 / max(1, len(fast)):>11.1f}"
        )


if __name__ == "__main__":
    main()
