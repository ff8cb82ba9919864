"""Crash: a writer killed with SIGKILL mid-import or mid-edit leaves a sound, whole database.

Each round starts a writer process, lets it work for a seeded random while, and kills it. Then
`dialogtui check` must pass, an import must be in the file entirely or not at all, an edited
initiative's version must match its audit rows, and every acknowledged edit must be there.
"""

from __future__ import annotations

import itertools
import random
import signal
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


def run_writer(code: str, kill_after: float | None) -> Outcome:
    """Start a writer; once it says 'go', SIGKILL it after `kill_after` s (None: let it end)."""
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
        killed = False
        if kill_after is not None:
            time.sleep(kill_after)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed = True
        # Read through the same file object: readline() may already hold acknowledgements that
        # communicate() would never see.
        out = process.stdout.read()
        process.stdout.close()
        process.wait(timeout=120)
        seconds = time.perf_counter() - began
        stderr.seek(0)
        err = stderr.read()
    if killed:
        assert process.returncode == -signal.SIGKILL, err
    else:
        assert process.returncode == 0, err
    return Outcome(killed, seconds, out, err)


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
    tmp_path: Path, db_path: Path, edited_id: int, run: int, kill_after: float | None
) -> tuple[str, float]:
    """One import, killed after `kill_after` s; all of it or none of it must be stored.

    Returns how it ended and how long the writer ran after 'go'.
    """
    marker = f"Import {run}"
    source = tmp_path / f"import-{run}.json"
    write_import_file(source, marker)
    with Store(db_path) as store:
        version_before = store.initiative(edited_id).version
    outcome = run_writer(writer_code("import_writer", str(source), str(db_path)), kill_after)
    assert_cli_check_passes(db_path)
    with Store(db_path) as store:
        found = imported_with(store, marker)
        assert found in (0, IMPORT_SIZE), f"round {run}: partial import of {found}"
        if not outcome.killed:
            assert found == IMPORT_SIZE
        assert store.initiative(edited_id).version == version_before
        assert_whole(store, edited_id)
    label = "import finished" if not outcome.killed else f"import killed, {found} stored"
    return label, outcome.seconds


def edit_round(db_path: Path, edited_id: int, run: int, kill_after: float) -> str:
    """An edit loop, killed after `kill_after` s; every acknowledged edit must be stored."""
    with Store(db_path) as store:
        before = store.initiative(edited_id)
    version_before = before.version
    outcome = run_writer(writer_code("edit_writer", str(db_path), edited_id, run), kill_after)
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
            outcome, _ = import_round(tmp_path, db_path, edited_id, run, rng.uniform(0, window))
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
    # Kills that all land after the import has finished would prove nothing about it.
    assert any(label.startswith("import killed") for label in outcomes)
    print(f"\n{rounds} kills: {dict(sorted(outcomes.items()))}")
