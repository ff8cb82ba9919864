"""Create a dialogtui database full of plausible random initiatives, for the UI benchmarks.

    .venv/bin/python bench/make_db.py [N] [--path FILE] [--seed S] [--per-year K]

As a module: `make_db(path, n, seed=1) -> Path`. Everything goes through the real store
(`Store.create_initiatives`, one transaction, validated `Initiative` objects, audit rows and all),
so the file is what an import of that many initiatives would give. A file that already holds
exactly `n` initiatives is reused as it is; any other file at `path` is replaced.

The periods are spread evenly over whole years centred on 2026, at `per_year` a year (2,000 by
default: ten times what a region runs, a stress test). 10,000 initiatives fill 2024–2028.

Profiles (`--profile`):
- `random` (the default): every method, 0–3 target groups of random places, ages and segments.
- `dense`: the same periods and stages, but every initiative is a focus group whose one target
  group is the whole region (all municipalities, ages and residents), so that every two of them
  close in time overlap. Legal, if unwise: 10,000 at 2,000 a year give some 1.8 million
  overlapping pairs, the worst case the overlap views and `dialogtui overlaps` must survive.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

# Runs from a bare checkout too, without the package installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from dialogtui import catalog
from dialogtui.domain import InfluenceLevel, Method, Municipality, Stage
from dialogtui.models import Compensation, Initiative, TargetGroup
from dialogtui.rules import compensation_problem
from dialogtui.store import Store

PER_YEAR = 2_000
CENTRE_YEAR = 2026
# The day the benchmarks call today: mid-span, so a file has history, open overlaps and future.
BENCH_TODAY = date(CENTRE_YEAR, 7, 1)
PROFILES = ("random", "dense")

THEMES = (
    "Ungas psykiska hälsa",
    "Väntetider på akuten",
    "Digitala vårdbesök för äldre",
    "Tillgänglighet i kollektivtrafiken",
    "Anhörigstöd vid demens",
    "Hälsoläget i Halland",
    "Förtroende för vården",
    "Tandvårdsvanor hos barnfamiljer",
    "Trygghet i ambulansen",
    "1177 e-tjänster: inloggning och ärenden",
    "Patientråd för Hallands sjukhus",
    "Kulturplan för Halland",
    "Föräldrastöd på barnmorskemottagningen",
    "Rehabilitering efter stroke",
    "Egenvård vid diabetes med digitala verktyg",
    "Öppettider på närakuten",
    "Regionens budget: vad är viktigast för dig?",
    "Ungdomsråd Region Halland",
)
TITLE_SUFFIXES = ("", "", "", " – uppföljning", " – pilot", " – fördjupning", " i {place}")
UNITS = (
    "Hallands sjukhus",
    "Psykiatrin Halland",
    "Närsjukvården Halland",
    "Folktandvården Halland",
    "Ambulanssjukvården",
    "Invånartjänster e-hälsa",
    "Regional utveckling",
    "Kultur i Halland",
    "Hallandstrafiken",
    "Regionkontoret",
)
PEOPLE = ("Anna Andersson", "Lars Nilsson", "Amira Hassan", "Erik Lindberg", "Sara Holm")
# (age_min, age_max) by segment; no segment means all residents.
AGES = {
    "unga": (13, 25),
    "äldre": (65, 120),
    "föräldrar": (20, 55),
    "personal": (18, 67),
}


def _group(rng: random.Random, segments: tuple[str, ...]) -> TargetGroup:
    chosen = rng.sample(segments, rng.choice((0, 1, 1, 1, 2)))
    age_min, age_max = (0, 120)
    if len(chosen) == 1 and chosen[0] in AGES:
        age_min, age_max = AGES[chosen[0]]
    elif not chosen and rng.random() < 0.5:
        age_min = 18
    places = rng.sample(list(Municipality), rng.choice((0, 0, 1, 1, 1, 2, 3)))
    return TargetGroup(
        municipalities=places, age_min=age_min, age_max=age_max, segments=list(chosen)
    )


def generate(
    n: int, seed: int = 1, per_year: int = PER_YEAR, profile: str = "random"
) -> list[Initiative]:
    """Return n validated initiatives spread at about per_year a year, centred on 2026."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}, not {profile!r}")
    dense = profile == "dense"
    rng = random.Random(seed)
    years = max(1, round(n / per_year))
    first = date(CENTRE_YEAR - (years - 1) // 2, 1, 1)
    span = (date(first.year + years, 1, 1) - first).days
    segments = catalog.segments()
    methods, influences, stages = list(Method), list(InfluenceLevel), list(Stage)
    found: list[Initiative] = []
    for _ in range(n):
        start = first + timedelta(days=rng.randrange(span))
        end = start + timedelta(days=rng.randint(1, 60) - 1)
        method = rng.choice(methods)
        if dense:
            method = Method.FOCUS_GROUP
        title = rng.choice(THEMES) + rng.choice(TITLE_SUFFIXES).format(
            place=rng.choice(list(Municipality)).value
        )
        unit = rng.choice(UNITS)
        found.append(
            Initiative(
                title=title,
                unit=unit,
                contact=rng.choice(PEOPLE),
                owner=rng.choice(PEOPLE),
                method=method,
                influence=rng.choice(influences),
                uses_panel=method is Method.PANEL_SURVEY or rng.random() < 0.1,
                purpose=f"Underlag inför beslut om {title.lower()}.",
                start=start,
                end=end,
                deadline=start + timedelta(days=rng.randint(0, (end - start).days))
                if rng.random() < 0.3
                else None,
                stage=rng.choice(stages),
                target_groups=[TargetGroup(name="Hela Halland")]
                if dense
                else [_group(rng, segments) for _ in range(rng.randint(0, 3))],
                sample_size=rng.choice((None, 40, 200, 1_000)),
                compensation=Compensation(amount_sek=500, payer="Beställaren")
                # Only health care may pay participants (rules.compensation_problem).
                if method.is_meeting
                and rng.random() < 0.5
                and compensation_problem(method, unit) is None
                else None,
            )
        )
    return found


def stored_count(path: Path) -> int | None:
    """The number of initiatives in a dialogtui database, or None if it is not one."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT count(*) FROM initiatives").fetchone()[0])
    except sqlite3.Error:
        return None


def _replace(path: Path, initiatives: list[Initiative]) -> None:
    """Write a fresh database at `path` with these initiatives, in one transaction."""
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(path)
    try:
        if initiatives:
            store.create_initiatives(initiatives)
        # Leave one self-contained file behind, as a long-running database would be.
        with store.connection() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()


def make_db(
    path: Path | str, n: int, seed: int = 1, per_year: int = PER_YEAR, profile: str = "random"
) -> Path:
    """Create (or reuse) a database at `path` holding n generated initiatives."""
    path = Path(path)
    if not (path.exists() and stored_count(path) == n):
        _replace(path, generate(n, seed, per_year, profile))
    return path


def default_path(n: int, per_year: int = PER_YEAR, profile: str = "random") -> Path:
    """Where the benchmarks keep a file of this size, density and profile (reused when there)."""
    suffix = "" if per_year == PER_YEAR else f"-{per_year}-per-year"
    if profile != "random":
        suffix += f"-{profile}"
    return Path(tempfile.gettempdir()) / "dialogtui-bench" / f"bench-{n}{suffix}.db"


# The files the benchmarks compare, by name: (initiatives, per year, profile).
FILES: dict[str, tuple[int, int, str]] = {
    "dense": (10_000, PER_YEAR, "dense"),  # every pair close in time overlaps: ~1.8 M pairs
    "region": (10_000, 200, "random"),  # a region's density: 50 years, ~70,000 pairs
    "stress": (10_000, PER_YEAR, "random"),  # ten times a region's density: ~717,000 pairs
    "empty": (0, PER_YEAR, "random"),
}


def bench_file(name: str) -> Path:
    """Create (or reuse) one of FILES in the temporary directory and return its path."""
    n, per_year, profile = FILES[name]
    return make_db(default_path(n, per_year, profile), n, per_year=per_year, profile=profile)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--path", type=Path, help="database file (default: in the temp dir)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-year", type=int, default=PER_YEAR)
    parser.add_argument("--profile", choices=PROFILES, default="random")
    parser.add_argument("--force", action="store_true", help="rebuild even if the file fits")
    args = parser.parse_args()
    path: Path = args.path or default_path(args.n, args.per_year, args.profile)
    if not args.force and path.exists() and stored_count(path) == args.n:
        print(f"reused {path}: {args.n:,} initiatives (--force rebuilds)")
        return
    began = time.perf_counter()
    initiatives = generate(args.n, args.seed, args.per_year, args.profile)
    generated = time.perf_counter()
    _replace(path, initiatives)
    stored = time.perf_counter()
    size = path.stat().st_size / 2**20
    print(
        f"created {path}: {stored_count(path):,} initiatives, {size:.1f} MiB; "
        f"generate + validate {generated - began:.2f} s, store {stored - generated:.2f} s"
    )


if __name__ == "__main__":
    main()
