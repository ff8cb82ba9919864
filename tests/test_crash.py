"""Crash: a writer killed with SIGKILL mid-import or mid-edit leaves a sound, whole database.

Each round starts a writer process, lets it work for a seeded random while, and kills it. Then
`dialogtui check` must pass, an import must be in the file entirely or not at all, an edited
initiative's version must match its audit rows, and every acknowledged edit must be there.

Before an import is killed it is stopped (SIGSTOP) and the database asked whether a write
transaction is open, so each kill is known to have landed before, inside or after the import's
transaction. The first import round waits for the transaction to be open: at least one kill
inside it is certain, not a matter of timing.
"""

from __future__ import annotations

import itertools
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from dialogtui.interchange import export_json
from dialogtui.models import TargetGroup
from dialogtui.store import Store
from tests.factories import make_initiative

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261124
IMPORT_SIZE = 400
GROUPS_PER_IMPORTED = 3
EDITOR = "redigerare"

# Edits cycle through one, two and three target groups, so that rows are deleted and inserted.
GROUP_CYCLE: list[list[dict[str, object]]] = [
    [{"name": "Unga", "municipalities": ["Halmstad"], "age_min": 13, "age_max": 19}],
    [{"name": "Äldre", "segments": ["äldre"], "age_min": 65}, {"municipalities": ["Hylte"]}],
    [{"name": "A"}, {"name": "B", "municipalities": ["Laholm"]}, {"segments": ["anhöriga"]}],
]


# --- the writers, run in their own process: `python -c "from tests.test_crash import ..."` ----


def import_writer(json_path: str, db_path: str) -> None:
    """Run the real `dialogtui import`; 'go' comes once the modules are loaded."""
    import dialogtui.interchange  # noqa: F401  (loaded here so that the kill window is the import)
    from dialogtui.cli import main

    print("go", flush=True)
    sys.exit(main(["import", json_path, "--db", db_path]))


def edit_writer(db_path: str, initiative_id: int, run: int) -> None:
    """Edit one initiative forever, printing 'version title' after each acknowledged update."""
    groups = [[TargetGroup.model_validate(g) for g in cycle_groups] for cycle_groups in GROUP_CYCLE]
    store = Store(db_path, user=EDITOR)
    print("go", flush=True)
    for k in itertools.count():
        current = store.initiative(initiative_id)
        title = f"Runda {run} redigering {k}"
        store.update_initiative(
            current.model_copy(
                update={
                    "title": title,
                    "purpose": f"Syfte {run}.{k}",
                    "target_groups": groups[k % len(groups)],
                }
            )
        )
        # The version check passed against current.version, so this write made the next one.
        print(f"{current.version + 1} {title}", flush=True)


# --- the harness -----------------------------------------------------------------------------


@dataclass
class Outcome:
    killed: bool
    seconds: float
    stdout: str
    stderr: str
    # Whether a write transaction was open when the writer was killed (None: not asked).
    in_transaction: bool | None = None


def write_transaction_open(db_path: Path) -> bool | None:
    """Whether some connection holds the database's write lock (an open write transaction).

    None when SQLite cannot tell: a writer stopped halfway through updating the WAL index
    makes every other connection fail with "locking protocol" until it runs on.
    """
    probe = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return True
        if "locking protocol" in str(exc):
            return None
        raise
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


@dataclass
class Kill:
    """When to kill a writer: `after` seconds past its 'go', or (`inside`) as soon as its write
    transaction is seen open. `probe` asks, with the writer stopped, whether one is."""

    after: float = 0.0
    inside: bool = False
    probe: Path | None = None


def stop_and_probe(process: subprocess.Popen[str], db_path: Path) -> bool | None:
    """Freeze the writer and ask whether it holds a write transaction (None: cannot tell, or
    the writer has ended)."""
    if process.poll() is not None:
        return None
    process.send_signal(signal.SIGSTOP)
    return write_transaction_open(db_path)


def run_writer(code: str, kill: Kill | None) -> Outcome:
    """Start a writer; once it says 'go', SIGKILL it as `kill` says (None: let it end)."""
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True
        )
        assert process.stdout is not None
        if process.stdout.readline().strip() != "go":
            process.kill()
            process.wait()
            stderr.seek(0)
            pytest.fail(f"writer did not start: {stderr.read()}")
        began = time.perf_counter()
        in_transaction: bool | None = None
        if kill is not None:
            # The random kill time is the experiment; waiting is by a seeded choice, not luck.
            time.sleep(kill.after)
            if kill.probe is not None:
                in_transaction = stop_and_probe(process, kill.probe)
                while kill.inside and in_transaction is not True and process.poll() is None:
                    process.send_signal(signal.SIGCONT)
                    time.sleep(0.002)  # let it run a little, then look again
                    in_transaction = stop_and_probe(process, kill.probe)
            # A writer that has ended but not been waited for is still ours: the signal can
            # reach no other process. Whether it died of it is told by its exit status below.
            process.send_signal(signal.SIGKILL)
        # Read through the same file object: readline() may already hold acknowledgements that
        # communicate() would never see.
        out = process.stdout.read()
        process.stdout.close()
        process.wait(timeout=120)
        seconds = time.perf_counter() - began
        stderr.seek(0)
        err = stderr.read()
    killed = process.returncode == -signal.SIGKILL
    if not killed:
        assert process.returncode == 0, err
    return Outcome(killed, seconds, out, err, in_transaction if killed else None)


def assert_cli_check_passes(db_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dialogtui.cli", "check", "--db", str(db_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def write_import_file(path: Path, marker: str) -> None:
    groups = [{"name": f"Grupp {g}", "age_min": 18} for g in range(GROUPS_PER_IMPORTED)]
    initiatives = [
        make_initiative(title=f"{marker} nr {k}", purpose=marker, target_groups=groups)
        for k in range(IMPORT_SIZE)
    ]
    path.write_text(export_json(initiatives), encoding="utf-8")


def count(store: Store, sql: str, *params: object) -> int:
    with store.connection() as conn:
        return int(conn.execute(sql, params).fetchone()[0])


def imported_with(store: Store, marker: str) -> int:
    """How many initiatives of one import are stored; everything that came with them must agree."""
    found = count(store, "SELECT count(*) FROM initiatives WHERE purpose = ?", marker)
    ids = "SELECT id FROM initiatives WHERE purpose = ?"
    assert (
        count(store, f"SELECT count(*) FROM target_groups WHERE initiative_id IN ({ids})", marker)
        == found * GROUPS_PER_IMPORTED
    )
    assert (
        count(
            store,
            "SELECT count(*) FROM audit_log WHERE action = 'create' AND entity = 'initiative'"
            f" AND initiative_id IN ({ids})",
            marker,
        )
        == found
    )
    assert count(store, f"SELECT count(*) FROM lessons_fts WHERE rowid IN ({ids})", marker) == found
    return found


def edit_rows(store: Store, initiative_id: int) -> int:
    return count(
        store,
        "SELECT count(*) FROM audit_log WHERE initiative_id = ? AND action = 'update'",
        initiative_id,
    )


def assert_whole(store: Store, edited_id: int) -> None:
    """Invariants of the whole file that any torn write would break."""
    initiatives = count(store, "SELECT count(*) FROM initiatives")
    assert count(store, "SELECT count(*) FROM lessons_fts") == initiatives
    created = "SELECT count(*) FROM audit_log WHERE action = 'create' AND entity = 'initiative'"
    assert count(store, created) == initiatives
    edited = store.initiative(edited_id)
    assert edited.version == 1 + edit_rows(store, edited_id)
    with store.connection() as conn:
        fts_title = conn.execute(
            "SELECT title FROM lessons_fts WHERE rowid = ?", (edited_id,)
        ).fetchone()[0]
    assert fts_title == edited.title
    last_change = store.audit_log(edited_id, limit=1)[0].changes
    if "title" in last_change:
        assert last_change["title"][1] == edited.title


def writer_code(function: str, *args: object) -> str:
    return f"from tests.test_crash import {function}; {function}(*{args!r})"


def import_round(
    tmp_path: Path, db_path: Path, edited_id: int, run: int, kill: Kill | None
) -> tuple[str, float]:
    """One import, killed as `kill` says; all of it or none of it must be stored.

    Returns how it ended and how long the writer ran after 'go'.
    """
    marker = f"Import {run}"
    source = tmp_path / f"import-{run}.json"
    write_import_file(source, marker)
    with Store(db_path) as store:
        version_before = store.initiative(edited_id).version
    outcome = run_writer(writer_code("import_writer", str(source), str(db_path)), kill)
    assert_cli_check_passes(db_path)
    with Store(db_path) as store:
        found = imported_with(store, marker)
        assert found in (0, IMPORT_SIZE), f"round {run}: partial import of {found}"
        if not outcome.killed:
            assert found == IMPORT_SIZE
        assert store.initiative(edited_id).version == version_before
        assert_whole(store, edited_id)
    if not outcome.killed:
        return "import finished", outcome.seconds
    if outcome.in_transaction and found == 0:
        return "import killed inside its transaction, nothing stored", outcome.seconds
    if outcome.in_transaction:
        # Stopped after its commit was written but before the lock was let go.
        return "import killed while committing, all stored", outcome.seconds
    if outcome.in_transaction is None:
        return f"import killed, {found} stored", outcome.seconds
    where = "before its transaction" if found == 0 else "after its commit"
    return f"import killed {where}, {found} stored", outcome.seconds


def edit_round(db_path: Path, edited_id: int, run: int, kill_after: float) -> str:
    """An edit loop, killed after `kill_after` s; every acknowledged edit must be stored."""
    with Store(db_path) as store:
        before = store.initiative(edited_id)
    version_before = before.version
    outcome = run_writer(
        writer_code("edit_writer", str(db_path), edited_id, run), Kill(after=kill_after)
    )
    assert outcome.killed, "the edit loop never ends by itself"
    # A line cut short by the kill is no acknowledgement.
    acks = [line.split(" ", 1) for line in outcome.stdout.split("\n")[:-1]]
    assert_cli_check_passes(db_path)
    with Store(db_path) as store:
        edited = store.initiative(edited_id)
        assert_whole(store, edited_id)
    acked_version = version_before + len(acks)
    if acks:
        assert [int(version) for version, _ in acks] == list(
            range(version_before + 1, acked_version + 1)
        )
    # Killed between a commit and its acknowledgement, the file may be one write ahead.
    assert edited.version in (acked_version, acked_version + 1)
    if edited.version == acked_version:
        assert edited.title == (acks[-1][1] if acks else before.title)
        return "edit killed, last acknowledged stored"
    assert edited.title == f"Runda {run} redigering {len(acks)}"
    return "edit killed, one beyond the acknowledged stored"


def crash_rounds(tmp_path: Path, rounds: int) -> Counter[str]:
    """Alternate killed imports and killed edits; return how the kills landed."""
    db_path = tmp_path / "krasch.db"
    with Store(db_path, user="koordinator") as setup:
        edited_id = setup.create_initiative(make_initiative(title="Redigeras")).id
    assert edited_id is not None
    rng = random.Random(SEED + rounds)

    # One import left to finish: it must arrive whole, and its duration sets the kill window.
    _, seconds = import_round(tmp_path, db_path, edited_id, 0, None)
    window = 1.2 * seconds

    outcomes: Counter[str] = Counter()
    for run in range(1, rounds + 1):
        if run % 2:
            # The first import is killed inside its transaction for certain; the others at a
            # seeded random moment, which may be before, inside or after it.
            after = rng.uniform(0, window)
            kill = Kill(0.0, inside=True, probe=db_path) if run == 1 else Kill(after, probe=db_path)
            outcome, _ = import_round(tmp_path, db_path, edited_id, run, kill)
        else:
            outcome = edit_round(db_path, edited_id, run, rng.uniform(0.02, 0.4))
        outcomes[outcome] += 1

    with Store(db_path, user="efteråt") as store:
        created = store.create_initiative(make_initiative(title="Efter kraschen"))
        updated = store.update_initiative(
            created.model_copy(update={"title": "Fortfarande skrivbar"})
        )
        assert updated.version == 2
        assert store.check() == []
    assert_cli_check_passes(db_path)
    return outcomes


@pytest.mark.parametrize(
    "rounds",
    [pytest.param(6, id="6-kills"), pytest.param(50, id="50-kills", marks=pytest.mark.slow)],
)
def test_killed_writer_leaves_a_whole_database(tmp_path: Path, rounds: int) -> None:
    outcomes = crash_rounds(tmp_path, rounds)
    assert sum(outcomes.values()) == rounds
    # Kills that all land before or after the import's transaction would prove nothing about it.
    assert outcomes["import killed inside its transaction, nothing stored"] >= 1, outcomes
    print(f"\n{rounds} kills: {dict(sorted(outcomes.items()))}")
