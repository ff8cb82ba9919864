"""The shared jump host of the README, with two real OS users in one group: whoever creates the
database, its -wal/-shm and its backups, the others in the group can use them; a user who may
only read gets a read-only program and leaves nothing that blocks the writers."""

from __future__ import annotations

import json
import os
import pwd
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.osusers import Staff, staff_on_a_jump_host

ONE = json.dumps(
    [
        {
            "title": "Från {who}",
            "unit": "u",
            "method": "survey",
            "start": "2026-01-01",
            "end": "2026-01-02",
        }
    ]
)
# Holds the database open (like a running TUI) until told to stop: its side files stay.
HOLD = """
import sys
from dialogtui.store import Store
store = Store(sys.argv[1], create=False)
print(store.count_initiatives(), store.read_only, flush=True)
sys.stdin.readline()
store.close()
"""


@pytest.fixture(scope="module")
def staff() -> Iterator[Staff]:
    with staff_on_a_jump_host() as made:
        yield made


def owner(path: Path) -> str:
    return pwd.getpwuid(path.stat().st_uid).pw_name


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def ok(result: object) -> None:
    assert getattr(result, "returncode", 1) == 0, (
        getattr(result, "stdout", ""),
        getattr(result, "stderr", ""),
    )
    assert "Traceback" not in getattr(result, "stderr", "")


def import_as(staff: Staff, user: str, db: Path, who: str) -> object:
    source = staff.shared.parent / f"home-{user}" / "in.json"
    source.write_text(ONE.replace("{who}", who), encoding="utf-8")
    os.chown(source, pwd.getpwnam(user).pw_uid, -1)
    return staff.run(user, ["import", str(source), "--db", str(db)])


def count(staff: Staff, db: Path) -> int:
    result = staff.run(staff.anna, ["export", "--format", "json", "--db", str(db)])
    ok(result)
    return len(json.loads(result.stdout))


def test_the_group_shares_the_database_and_the_side_files_whoever_creates_them(
    staff: Staff,
) -> None:
    db = staff.shared / "delad.db"
    ok(staff.run(staff.anna, ["demo", "--no-open", "--db", str(db)]))  # umask 022
    assert (owner(db), mode(db)) == (staff.anna, 0o660)
    assert db.stat().st_gid == staff.shared.stat().st_gid  # the setgid folder gives the group
    base = count(staff, db)
    assert not Path(f"{db}-shm").exists()  # nobody has it open
    # Bo opens it first and keeps it open: the -wal and -shm are his.
    holder = staff.start(staff.bo, HOLD, [str(db)])
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline().split() == [str(base), "False"]
    for side in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        assert (owner(side), mode(side)) == (staff.bo, 0o660), side
    ok(import_as(staff, staff.anna, db, "anna"))  # Anna writes through Bo's side files
    holder.stdin.write("\n")
    holder.stdin.close()
    assert holder.wait(timeout=60) == 0, holder.stderr.read() if holder.stderr else ""
    ok(import_as(staff, staff.bo, db, "bo"))
    ok(import_as(staff, staff.anna, db, "anna igen"))
    assert count(staff, db) == base + 3
    ok(staff.run(staff.bo, ["check", "--db", str(db)]))


def test_backups_made_by_one_are_usable_by_the_other(staff: Staff) -> None:
    db = staff.shared / "kopior.db"
    ok(staff.run(staff.anna, ["demo", "--no-open", "--db", str(db)]))
    ok(staff.run(staff.bo, ["backup", "--db", str(db)]))
    backups = db.parent / "backups"
    assert owner(backups) == staff.bo
    assert mode(backups) == 0o2770  # 0770, and the shared folder's setgid bit kept
    ok(staff.run(staff.anna, ["backup", "--db", str(db)]))
    made = sorted(backups.iterdir())
    assert len(made) == 2 and {mode(p) for p in made} == {0o660}
    ok(staff.run(staff.anna, ["restore", str(made[0]), "--db", str(db), "--force"]))


def test_umask_000_opens_nothing_to_others(staff: Staff) -> None:
    db = staff.shared / "ny" / "mapp" / "d.db"
    ok(staff.run(staff.anna, ["demo", "--no-open", "--db", str(db)], umask=0o000))
    out = staff.shared.parent / f"home-{staff.anna}" / "export" / "x.json"
    ok(staff.run(staff.anna, ["export", "--format", "json", "-o", str(out), "--db", str(db)], 0))
    ok(staff.run(staff.anna, ["backup", "--db", str(db)], umask=0o000))
    holder = staff.start(staff.bo, HOLD, [str(db)], umask=0o000)
    assert holder.stdout is not None and holder.stdin is not None
    holder.stdout.readline()
    try:
        for side in (Path(f"{db}-wal"), Path(f"{db}-shm")):
            assert mode(side) == 0o660
    finally:
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=60)
    for folder in (db.parent, db.parent.parent, db.parent / "backups"):
        assert mode(folder) & 0o777 == 0o770, folder
    assert mode(db) == 0o660
    assert {mode(p) for p in (db.parent / "backups").iterdir()} == {0o660}
    assert (mode(out.parent), mode(out)) == (0o700, 0o600)


def test_a_reader_gets_a_read_only_program_and_blocks_nobody(staff: Staff) -> None:
    db = staff.shared / "las.db"
    ok(staff.run(staff.anna, ["demo", "--no-open", "--db", str(db)]))
    db.chmod(0o640)  # the group may read, only Anna may write
    base = count(staff, db)
    todo = staff.run(staff.bo, ["todo", "--db", str(db)])
    ok(todo)
    refused = import_as(staff, staff.bo, db, "bo")
    assert getattr(refused, "returncode", 0) == 1
    assert "får läsa men inte ändra" in getattr(refused, "stderr", "")
    assert "Traceback" not in getattr(refused, "stderr", "")
    # Bo keeps it open, as a reader: whatever side files he leaves, Anna can still write.
    holder = staff.start(staff.bo, HOLD, [str(db)])
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline().split() == [str(base), "True"]
    ok(import_as(staff, staff.anna, db, "anna"))
    holder.stdin.write("\n")
    holder.stdin.close()
    assert holder.wait(timeout=60) == 0
    ok(import_as(staff, staff.anna, db, "anna igen"))
    assert count(staff, db) == base + 2
    ok(staff.run(staff.anna, ["check", "--db", str(db)]))


def test_a_folder_the_reader_may_not_write_in_is_named_with_its_fix(staff: Staff) -> None:
    # SQLite reads a WAL database only with its -wal/-shm beside it, and must create them when
    # nobody has the file open: in a folder Bo may not write in, he cannot even read. He is told
    # why and what fixes it, not that "nothing was saved" of a read.
    folder = staff.shared / "bara-anna"
    folder.mkdir()
    os.chown(folder, pwd.getpwnam(staff.anna).pw_uid, -1)
    db = folder / "las.db"
    ok(staff.run(staff.anna, ["demo", "--no-open", "--db", str(db)]))
    folder.chmod(0o2750)
    for rights in (0o640, 0o660):
        db.chmod(rights)
        for argv in (["todo"], ["check"]):
            result = staff.run(staff.bo, [*argv, "--db", str(db)])
            assert result.returncode == 1, (argv, result.stdout)
            assert f"du får inte skapa filer i mappen {folder}" in result.stderr, result.stderr
            assert f"chmod g+ws {folder}" in result.stderr
            assert "det du skrev" not in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["las.db"]


# The TUI as Bo, driven by keys in a headless terminal: what he presses, what he is told.
READER_TUI = """
import asyncio, json, sys
from datetime import date
from dialogtui.app import DialogApp
from dialogtui.store import Store

async def run() -> None:
    store = Store(sys.argv[1], create=False)
    app = DialogApp(store, today=date(2026, 11, 24))
    screens = []
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screens.append(type(app.screen).__name__)
        app.open_initiative(int(sys.argv[2]))
        await pilot.pause()
        for key in ("e", "u", "s", "i", "a", "k", "space", "n"):
            await pilot.press(key)
            await pilot.pause()
            screens.append(type(app.screen).__name__)
        said = [str(n.message) for n in app._notifications]
    print(json.dumps({"read_only": store.read_only_reason, "screens": screens, "said": said,
                      "title": app.sub_title, "code": app.return_code}))

asyncio.run(run())
"""


def test_the_tui_of_a_reader_refuses_writes_up_front_in_swedish(staff: Staff) -> None:
    db = staff.shared / "las-tui.db"
    ok(staff.run(staff.anna, ["demo", "--no-open", "--db", str(db)]))
    db.chmod(0o640)
    before = db.read_bytes()
    result = staff.run(staff.bo, [str(db), "1"], code=READER_TUI)
    ok(result)
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert "får läsa men inte ändra" in seen["read_only"] and "bara läsning" in seen["title"]
    assert seen["screens"][0] == "CalendarScreen"  # `n` opened no form
    assert seen["screens"][1:6] == ["InitiativeScreen"] * 5  # e, u, s, i, a: all refused
    assert seen["screens"][6:] == ["ChecklistScreen"] * 3  # reading the checklist is fine
    refusals = [s for s in seen["said"] if "Därför går det inte att ändra något här" in s]
    # n, e, u, a, the checklist's tick and n always; s and i where the stage allows them. The
    # tick too is refused before any save is tried (the app asks the store up front).
    assert len(refusals) >= 6 and seen["code"] in (0, None)
    assert db.read_bytes() == before
