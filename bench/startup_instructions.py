"""Instructions from spawn to the first populated frame, counted by valgrind: a startup figure
that other work on the machine does not move.

    .venv/bin/python bench/startup_instructions.py [--files dense,region] [--dialogtui PATH]

Wall time on a shared 2-core machine swings by half from run to run (bench/ui_bench.py), too
much to tell a 5 % change. The number of instructions executed barely changes: each app runs
under `valgrind --tool=callgrind` in an 80x24 pty (bench/ptyapp.py), and its counters are
dumped as soon as the first populated frame is seen (the day line under dialogtui's month,
a cell of the bare app's table). The app is about 50 times slower under valgrind, so each
target takes a minute. The dump is asked for when the frame arrives and taken a moment
later, so work started right after the frame (the overlap search, in a thread) may add a few
million instructions to dialogtui's count. The figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ptyapp
from make_db import FILES, bench_file
from ptyapp import Session, Target, environment, table
from ui_bench import precompile

VALGRIND_TIMEOUT_S = 900.0


def instructions(label: str, argv: tuple[str, ...], ready: bytes, scratch: Path) -> int:
    """Run argv under callgrind until `ready` appears; return the instructions executed."""
    out = scratch / f"{label}.%p"
    command = (
        shutil.which("valgrind") or "valgrind",  # the pty's child execs a path, not a name
        "--tool=callgrind",
        f"--callgrind-out-file={out}",
        "--dump-instr=no",
        *argv,
    )
    session = Session(Target(label, command, ready), environment())
    try:
        session.wait_for_ready()
        subprocess.run(["callgrind_control", "--dump", str(session.pid)], capture_output=True)
    finally:
        os.kill(session.pid, signal.SIGKILL)
        session.close()
    total = 0
    for name in glob.glob(str(scratch / f"{label}.*")):
        for line in Path(name).read_text(errors="replace").splitlines():
            if line.startswith(("summary:", "totals:")):
                total = max(total, int(line.split()[1]))
    if not total:
        raise RuntimeError(f"{label}: callgrind wrote no totals")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--files", default="dense,region")
    parser.add_argument(
        "--dialogtui",
        type=Path,
        default=Path(sys.executable).parent / "dialogtui",
        help="the dialogtui to measure (e.g. another checkout's .venv/bin/dialogtui)",
    )
    args = parser.parse_args()
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("valgrind (with callgrind_control) is needed: apt-get install valgrind")
    ptyapp.READY_TIMEOUT_S = VALGRIND_TIMEOUT_S
    precompile(args.dialogtui)
    python = str(args.dialogtui.parent / "python")
    names = [name for name in args.files.split(",") if name in FILES and name != "empty"]
    targets = {
        name: (
            (python, "-m", "dialogtui.cli", "--db", str(bench_file(name))),
            b" initiativ",
        )
        for name in [*names, "empty"]
    }
    bare = Path(__file__).with_name("bare_app.py")
    targets["bare"] = ((sys.executable, str(bare)), b"Rad 1 kolumn 1")
    counts: dict[str, int] = {}
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dialogtui-callgrind-") as scratch:
        for name, (argv, ready) in targets.items():
            counts[name] = instructions(name, argv, ready, Path(scratch))
    rows = [
        [name, f"{count / 1e6:,.0f}", f"{count / counts['bare']:.2f}×"]
        for name, count in counts.items()
    ]
    print(f"dialogtui: {args.dialogtui}")
    print(table(["app", "M instructions to first frame", "/bare"], rows))
    print(f"(measured in {time.perf_counter() - began:.0f} s under valgrind)")


if __name__ == "__main__":
    main()
