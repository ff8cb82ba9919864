"""Import a folder of filled registration templates, beside a JSON import of the same ones.

    .venv/bin/python bench/template_bench.py [--n 200] [--base 10000] [--runs 3]

Writes `n` filled templates (`dialogtui template`, filled as a unit would, one registration
each) and one JSON file with the same registrations, then times, each in a fresh process on a
copy of a database of `base` initiatives at a region's density (200 a year):

- `dialogtui import MAPP/`: every template read and checked, likely duplicates looked for
  among the stored, one transaction, the new overlaps sought and printed;
- `dialogtui import FIL.json` of the same registrations (the baseline);
- `dialogtui import` of an empty JSON list: the start of the program and the database.

Peak memory is each process's own maximum resident set. Then the phases of the template import
in this process. The figures are printed, never asserted; compare within one run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Runs from a bare checkout too, without the package installed.
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from dialogtui import catalog, units  # noqa: E402
from dialogtui.domain import Stage  # noqa: E402
from dialogtui.interchange import export_json  # noqa: E402
from dialogtui.models import Initiative  # noqa: E402
from dialogtui.template import cell_values, fill, write_template  # noqa: E402
from make_db import default_path, generate, make_db  # noqa: E402

TODAY = date(2026, 11, 24)
# A child reports its own peak: ru_maxrss of RUSAGE_CHILDREN only ever grows over all children.
CHILD = (
    "import resource, sys\n"
    "from dialogtui.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def registrations(n: int) -> list[Initiative]:
    """n new registrations as units send them: at most three target groups, stage registered."""
    found = []
    for ini in generate(n * 2, seed=20270302, per_year=200):
        if len(ini.target_groups) <= 3:
            found.append(ini.model_copy(update={"stage": Stage.REGISTERED}))
        if len(found) == n:
            break
    return found


def run_cli(*argv: str) -> tuple[float, int]:
    """Wall time (s) and peak memory (KiB) of `dialogtui argv…` in a fresh process."""
    env = {"PYTHONPATH": str(ROOT / "src"), "DIALOGTUI_TODAY": TODAY.isoformat(), "PATH": ""}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *argv], capture_output=True, text=True, env=env, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"dialogtui {' '.join(argv)} failed:\n{done.stderr}")
    return elapsed, int(done.stderr.strip().splitlines()[-1])


def measure(label: str, base: Path, tmp: Path, runs: int, *argv: str) -> tuple[float, int]:
    times, peaks = [], []
    for run in range(runs):
        db = tmp / f"{label}-{run}.db"
        shutil.copyfile(base, db)
        elapsed, peak = run_cli("import", *argv, "--db", str(db))
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def phases(folder: Path, base: Path, tmp: Path) -> dict[str, float]:
    """The template import's steps in this process, as `dialogtui import MAPP/` runs them."""
    from dialogtui import intake
    from dialogtui.store import Store

    db = tmp / "phases.db"
    shutil.copyfile(base, db)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    batch = intake.read_batch(intake.expand([str(folder)]), None, TODAY)
    timings["read and check every file"] = time.perf_counter() - start
    with Store(db) as store:
        start = time.perf_counter()
        intake.check_duplicates(store, batch)
        timings["look for likely duplicates"] = time.perf_counter() - start
        start = time.perf_counter()
        ids = intake.add(store, batch)
        timings["write (one transaction)"] = time.perf_counter() - start
        start = time.perf_counter()
        with open("/dev/null", "w", encoding="utf-8") as sink:
            intake.print_overlaps(store, ids, sink, TODAY)
        timings["seek and print the new overlaps"] = time.perf_counter() - start
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="templates to import")
    parser.add_argument("--base", type=int, default=10_000, help="initiatives already stored")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    base = make_db(default_path(args.base).with_name(f"bench-{args.base}-200.db"), args.base,
                   per_year=200)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="template-bench-") as name:
        tmp = Path(name)
        folder = tmp / "inkorg"
        folder.mkdir()
        wanted = registrations(args.n)
        start = time.perf_counter()
        empty = write_template(units.offered_names(), catalog.segments())
        for number, ini in enumerate(wanted, start=1):
            data = fill(empty, cell_values(ini, catalog.segments()))
            (folder / f"anmalan-{number:03}.xlsx").write_bytes(data)
        written = time.perf_counter() - start
        size = sum(p.stat().st_size for p in folder.iterdir())
        as_json = tmp / "anmalningar.json"
        as_json.write_text(export_json(wanted), encoding="utf-8")
        nothing = tmp / "tom.json"
        nothing.write_text(json.dumps([]), encoding="utf-8")

        print(f"{args.n} filled templates ({size / 1024:.0f} KiB, {written:.1f} s to write),")
        print(f"imported into a copy of a database of {args.base:,} initiatives; median of "
              f"{args.runs} runs, each a fresh process.\n")  # fmt: skip
        rows = [
            ("start and open the database (empty JSON)", measure("empty", base, tmp, args.runs,
                                                                  str(nothing))),
            (f"JSON file of the {args.n} (baseline)", measure("json", base, tmp, args.runs,
                                                             str(as_json))),
            (f"folder of {args.n} templates", measure("xlsx", base, tmp, args.runs, str(folder),
                                                       "--allow-duplicates")),
        ]  # fmt: skip
        start_s = rows[0][1][0]
        print(f"{'what':<44} {'time':>9} {'less start':>11} {'peak RSS':>10}")
        for label, (elapsed, peak) in rows:
            print(
                f"{label:<44} {elapsed:>8.2f}s {elapsed - start_s:>10.2f}s {peak / 1024:>8.0f} MiB"
            )
        print("\nThe template import's steps, in one process:")
        for label, seconds in phases(folder, base, tmp).items():
            print(f"  {label:<36} {seconds:>7.2f} s ({seconds / args.n * 1000:.1f} ms a file)")


if __name__ == "__main__":
    main()
