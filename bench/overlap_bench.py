"""Time the sweep in dialogtui.overlap against the all-pairs reference on generated initiatives.

Run with `.venv/bin/python bench/overlap_bench.py`. The figures are printed, never asserted.
"""

from __future__ import annotations

import random
import sys
import time
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


def main() -> None:
    """Print the timing table, then how the time follows the number of overlaps."""
    force_naive = "--naive" in sys.argv[1:]
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
