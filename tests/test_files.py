"""Issue 15 at the command line: other files are never replaced, the live database is never
overwritten by its own backup, files of other programs are never adopted, and every failure is
a Swedish message with a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from dialogtui import crashlog
from dialogtui.cli import main
from dialogtui.fileio import make_dirs, write_private
from dialogtui.maintenance import daily_backup, new_backup
from dialogtui.store import SCHEMA_VERSION, Store, StoreError
from dialogtui.store.base import TZ
from tests.factories import make_initiative


def file_state(path: Path) -> tuple[bytes, int]:
    """What a test compares to prove that a file was left alone: its bytes and its inode."""
    return path.read_bytes(), path.stat().st_ino


def sides(path: Path) -> list[Path]:
    return [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def filled(db_path: Path) -> Iterator[Store]:
    with Store(db_path, user="anna") as store:
        for n in range(3):
            store.create_initiative(make_initiative(title=f"Dialog {n}"))
        yield store


# --- the live database is never its own backup -------------------------------------------------


@pytest.mark.parametrize("how", ["same", "dotted", "symlink", "hardlink", "wal", "shm"])
def test_backup_onto_the_live_database_is_refused_by_any_path(
    filled: Store, db_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    other_session = Store(db_path, user="bo")  # a colleague with the file open
    with filled.connection():
        pass  # the -wal and -shm exist while connections are open
    target = {
        "same": db_path,
        "dotted": db_path.parent / "." / db_path.name,
        "symlink": db_path.parent / "lank.db",
        "hardlink": db_path.parent / "hard.db",
        "wal": Path(f"{db_path}-wal"),
        "shm": Path(f"{db_path}-shm"),
    }[how]
    if how == "symlink":
        target.symlink_to(db_path.name)
    if how == "hardlink":
        os.link(db_path, target)
    inode = db_path.stat().st_ino
    code, _, err = run(capsys, "backup", str(target), "--db", str(db_path))
    assert code == 1
    assert "är databasen själv" in err and "ingenting skrevs" in err
    assert db_path.stat().st_ino == inode  # not replaced by a rename
    # The colleague's later, acknowledged writes are all there: nothing swapped the file.
    for n in range(20):
        other_session.create_initiative(make_initiative(title=f"Efter {n}"))
    with Store(db_path) as fresh:
        assert fresh.count_initiatives() == 23
        assert fresh.check() == []
    other_session.close()


@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
def test_backup_onto_the_side_file_of_a_hard_link_to_the_database_is_refused(
    filled: Store, db_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    # A colleague who opens the database by its hard link has SQLite keep the write-ahead log
    # in hard.db-wal: a backup renamed onto that name would swap the log under them.
    twin = db_path.parent / "hard.db"
    os.link(db_path, twin)
    target = Path(f"{twin}{suffix}")
    code, _, err = run(capsys, "backup", str(target), "--db", str(db_path))
    assert code == 1 and "är databasen själv" in err
    assert not target.exists()


@pytest.mark.parametrize(
    "command",
    [
        ["export", "--format", "json", "-o", "{target}"],
        ["export", "--format", "xlsx", "-o", "{target}"],
        ["report", "--year", "2026", "-o", "{target}"],
        ["report", "--year", "2026", "--format", "xlsx", "-o", "{target}"],
        ["template", "-o", "{target}"],
    ],
    ids=["export-json", "export-xlsx", "report-md", "report-xlsx", "template"],
)
def test_no_output_is_written_over_the_live_database_by_any_path(
    filled: Store, db_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    # An export named like the database was renamed over it: the file under every open session
    # swapped for a JSON text, as a backup onto it once did.
    other_session = Store(db_path, user="bo")
    with filled.connection():
        pass
    (db_path.parent / "lank.db").symlink_to(db_path.name)
    os.link(db_path, db_path.parent / "hard.db")
    before = file_state(db_path)
    for target in (
        db_path,
        db_path.parent / "." / db_path.name,
        db_path.parent / "lank.db",
        db_path.parent / "hard.db",
        Path(f"{db_path}-wal"),
        Path(f"{db_path}-shm"),
    ):
        argv = [part.replace("{target}", str(target)) for part in command]
        code, _, err = run(capsys, "--db", str(db_path), *argv)
        assert code == 1, target
        assert "är databasen som används" in err and "Ingenting skrevs" in err, err
    assert file_state(db_path)[1] == before[1]  # never replaced by a rename
    other_session.create_initiative(make_initiative(title="Efter"))
    with Store(db_path) as fresh:
        assert fresh.count_initiatives() == 4 and fresh.check() == []
    other_session.close()


def test_restore_from_the_database_itself_by_a_hard_link_is_refused(
    filled: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twin = db_path.parent / "tvilling.db"
    os.link(db_path, twin)
    code, _, err = run(capsys, "restore", str(twin), "--db", str(db_path))
    assert code == 1 and "databasen själv" in err
    assert filled.count_initiatives() == 3


# --- nothing but a regular file is ever replaced ------------------------------------------------


def _special_files(folder: Path) -> Iterator[tuple[str, Path]]:
    fifo = folder / "ror"
    os.mkfifo(fifo)
    yield "rörledning", fifo
    sock_path = folder / "uttag"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    sock.close()
    yield "uttag", sock_path
    (folder / "en-mapp").mkdir()
    yield "mapp", folder / "en-mapp"
    device = folder / "noll"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        return  # not root: the other kinds still prove the rule
    yield "teckenenhet", device


@pytest.mark.parametrize(
    "command",
    [
        ["backup", "{target}"],
        ["export", "--format", "json", "-o", "{target}"],
        ["export", "--format", "xlsx", "-o", "{target}"],
        ["report", "--year", "2026", "-o", "{target}"],
        ["report", "--year", "2026", "--format", "xlsx", "-o", "{target}"],
    ],
    ids=["backup", "export-json", "export-xlsx", "report-md", "report-xlsx"],
)
def test_outputs_never_replace_what_is_not_a_regular_file(
    tmp_path: Path,
    filled: Store,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    folder = tmp_path / "special"
    folder.mkdir()
    for kind, target in _special_files(folder):
        if kind == "mapp" and command[0] == "backup":
            continue  # `backup MAPP` writes a new file in the folder: see the test below
        before = target.lstat()
        argv = [part.replace("{target}", str(target)) for part in command]
        code, _, err = run(capsys, *argv, "--db", str(db_path))
        assert code == 1, kind
        expected = "är en mapp" if kind == "mapp" else "ingen vanlig fil"
        assert expected in err, (kind, err)
        after = target.lstat()
        assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode), kind
    # Nothing was left behind: no temporary files beside them.
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


def test_backup_into_a_folder_writes_a_new_file_there(
    tmp_path: Path, filled: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "kopior"
    folder.mkdir()
    for _ in range(2):
        code, _, _ = run(capsys, "backup", str(folder), "--db", str(db_path))
        assert code == 0
    assert len(list(folder.glob("*-manuell*.db"))) == 2


def test_backup_replaces_only_an_earlier_backup_never_another_programs_file(
    tmp_path: Path, filled: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `dialogtui backup /etc/passwd` as root replaced the system's user list with a database.
    text = tmp_path / "passwd"
    text.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    foreign = tmp_path / "annat.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE places (url TEXT)")
    conn.close()
    for victim in (text, foreign):
        before = victim.read_bytes()
        code, _, err = run(capsys, "backup", str(victim), "--db", str(db_path))
        assert code == 1 and "ingen dialogtui-databas" in err and "ingenting skrevs" in err
        assert victim.read_bytes() == before
    # An earlier backup, or an empty file made for it, is replaced: a nightly job's fixed name.
    earlier = tmp_path / "senaste.db"
    empty = tmp_path / "tom.db"
    empty.touch()
    for target in (earlier, earlier, empty):
        code, _, err = run(capsys, "backup", str(target), "--db", str(db_path))
        assert code == 0, err
        # Read as a file, not opened as a Store: this process would then guard it as live.
        with closing(sqlite3.connect(f"{target.as_uri()}?mode=ro", uri=True)) as copy:
            assert copy.execute("SELECT count(*) FROM initiatives").fetchone() == (3,)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_symlink_to_a_regular_file_is_written_through_not_replaced(
    tmp_path: Path, filled: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "verklig.json"
    real.write_text("gammalt", encoding="utf-8")
    link = tmp_path / "lank.json"
    link.symlink_to(real)
    code, _, _ = run(capsys, "export", "--format", "json", "-o", str(link), "--db", str(db_path))
    assert code == 0
    assert link.is_symlink() and "Dialog 0" in real.read_text(encoding="utf-8")


def test_dash_means_standard_out(
    filled: Store, db_path: Path, tmp_path: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["export", "--format", "json", "-o", "-", "--db", str(db_path)]) == 0
    assert b"Dialog 0" in capfdbinary.readouterr().out
    assert main(["backup", "-", "--db", str(db_path)]) == 0
    copy = tmp_path / "fran-stdout.db"
    copy.write_bytes(capfdbinary.readouterr().out)
    with Store(copy) as opened:
        assert opened.count_initiatives() == 3
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("target", ["/proc/version", "/proc/self/nytt.json", "/sys/kernel/x.md"])
def test_kernel_folders_are_refused_in_swedish(
    filled: Store, db_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    code, _, err = run(capsys, "report", "--year", "2026", "-o", target, "--db", str(db_path))
    assert code == 1 and "kärnans vy" in err


def test_a_folder_that_cannot_be_written_is_a_swedish_message(
    tmp_path: Path, filled: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "last"
    locked.mkdir()
    if os.geteuid() == 0:
        read_only = _read_only_mount(locked)
        if not read_only:
            pytest.skip("root writes anywhere, and no read-only tmpfs could be mounted here")
    else:
        locked.chmod(0o555)
    try:
        for argv in (
            ["export", "--format", "csv", "-o", str(locked / "ut.csv")],
            ["report", "--year", "2026", "-o", str(locked / "r.md")],
            ["backup", str(locked / "kopia.db")],
            ["backup", str(locked)],
        ):
            code, _, err = run(capsys, *argv, "--db", str(db_path))
            assert code == 1, argv
            assert "skrivskyddat" in err or "behörighet" in err, err
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(locked)], check=False)
        else:
            locked.chmod(0o755)


def _read_only_mount(folder: Path) -> bool:
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
        capture_output=True,
    )
    return result.returncode == 0


# --- restore checks the schema itself ---------------------------------------------------------


def _crafted(tmp_path: Path, script: str, version: int) -> Path:
    path = tmp_path / f"lurad-{version}.db"
    conn = sqlite3.connect(path)
    conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    ("script", "version", "says"),
    [
        ("CREATE TABLE initiatives (x);", 3, "tabellen initiatives saknar id"),
        ("CREATE TABLE initiatives (x);", SCHEMA_VERSION, "tabellen audit_log saknas"),
    ],
)
def test_restore_refuses_a_crafted_file_that_only_has_the_right_number(
    tmp_path: Path,
    filled: Store,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    script: str,
    version: int,
    says: str,
) -> None:
    crafted = _crafted(tmp_path, script, version)
    before = file_state(db_path)
    code, _, err = run(capsys, "restore", str(crafted), "--db", str(db_path), "--force")
    assert code == 1 and says in err and "Inget återställdes" in err
    assert file_state(db_path)[1] == before[1]
    assert filled.count_initiatives() == 3
    code, _, _ = run(capsys, "check", "--db", str(db_path))
    assert code == 0


def test_restore_refuses_a_backup_with_a_trigger_that_would_run_on_our_writes(
    tmp_path: Path, filled: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = filled.backup_to(tmp_path / "kopia.db")
    conn = sqlite3.connect(copy)
    conn.execute("CREATE TRIGGER wipe AFTER INSERT ON audit_log BEGIN DELETE FROM initiatives; END")
    conn.commit()
    conn.close()
    code, _, err = run(capsys, "restore", str(copy), "--db", str(db_path), "--force")
    assert code == 1 and "okänd utlösare (trigger) wipe" in err
    code, out, _ = run(capsys, "check", "--db", str(copy))
    assert code == 1 and "wipe" in out


def test_a_broken_live_database_can_still_be_restored_from_its_safety_copy(
    tmp_path: Path, filled: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = filled.backup_to(tmp_path / "bra.db")
    filled.close()
    # What the crafted file of the issue did to the live database before restore checked it.
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TABLE audit_log")
    conn.commit()
    conn.close()
    code, _, err = run(capsys, "todo", "--db", str(db_path))
    assert code == 1 and "inte det schema" in err
    code, out, _ = run(capsys, "restore", str(good), "--db", str(db_path))
    assert code == 0, out
    code, out, _ = run(capsys, "check", "--db", str(db_path))
    assert code == 0 and "inga problem" in out


def test_the_expected_schema_follows_the_migrations() -> None:
    from dialogtui.store.schema import MIGRATIONS, expected_shape, schema_problems

    for version in range(1, len(MIGRATIONS) + 1):
        conn = sqlite3.connect(":memory:")
        for migration in MIGRATIONS[:version]:
            migration(conn)
        assert schema_problems(conn, version) == []
        if version < len(MIGRATIONS) and version != 7:
            # A file at an older version misses what later migrations add (8 only ticks the
            # process's deadline step in the rows already there: the shape of 7 is the same).
            assert schema_problems(conn, len(MIGRATIONS)) != []
        conn.close()
    assert "initiatives" in expected_shape(1) and "sessions" not in expected_shape(5)


# --- other programs' files and newer schemas ----------------------------------------------------


def test_check_and_every_command_leave_another_programs_database_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "annan.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (a, b)")
    conn.execute("INSERT INTO notes VALUES (1, 2)")
    conn.commit()
    conn.close()
    with Store(tmp_path / "dialogtui.db") as ours:
        copy = ours.backup_to(tmp_path / "kopia.db")
    before = file_state(other)
    source = tmp_path / "in.json"
    source.write_text(
        '[{"title": "x", "unit": "u", "method": "survey", "start": "2026-01-01",'
        ' "end": "2026-01-02"}]',
        encoding="utf-8",
    )
    for argv in (
        ["check"],
        ["todo"],
        ["export", "--format", "json"],
        ["overlaps"],
        ["import", str(source)],
        ["demo", "--no-open"],
        ["backup"],
        ["restore", str(copy), "--force"],
    ):
        code, _, err = run(capsys, *argv, "--db", str(other))
        assert code == 1, argv
        assert "ingen dialogtui-databas" in err, (argv, err)
    assert file_state(other) == before
    assert sides(other) == []
    assert not (tmp_path / "backups").exists()


def test_an_empty_file_is_adopted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "tom.db"
    empty.touch(mode=0o660)
    code, out, _ = run(capsys, "demo", "--no-open", "--db", str(empty))
    assert code == 0 and "Skapade demodatabasen" in out


def test_a_newer_schema_is_read_but_never_written(
    tmp_path: Path, filled: Store, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled.close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("ALTER TABLE initiatives ADD COLUMN from_the_future TEXT")
    conn.commit()
    conn.close()
    source = tmp_path / "in.json"
    source.write_text(
        '[{"title": "x", "unit": "u", "method": "survey", "start": "2026-01-01",'
        ' "end": "2026-01-02"}]',
        encoding="utf-8",
    )
    before = file_state(db_path)
    code, _, err = run(capsys, "import", str(source), "--db", str(db_path))
    assert code == 1 and "nyare än den här versionen" in err and "Inget sparades" in err
    code, out, _ = run(capsys, "export", "--format", "json", "--db", str(db_path))
    assert code == 0 and "Dialog 2" in out
    code, out, _ = run(capsys, "check", "--db", str(db_path))
    assert code == 1 and "uppdatera dialogtui" in out
    assert file_state(db_path) == before
    with Store(db_path) as opened:
        assert opened.read_only and opened.count_initiatives() == 3


# --- only demo and the default database's first start create a database -----------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["todo"],
        ["todo", "--json"],
        ["overlaps"],
        ["export", "--format", "json"],
        ["report"],
        ["check"],
        ["backup"],
        ["import", "{json}"],
        ["restore", "{copy}"],
        [],
    ],
    ids=lambda argv: " ".join(argv) or "tui",
)
def test_a_database_that_does_not_exist_is_never_created_by_a_mistyped_path(
    tmp_path: Path,
    filled: Store,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
) -> None:
    import dialogtui.cli

    monkeypatch.setattr(dialogtui.cli, "run_tui", lambda store, warnings: 0)
    source = tmp_path / "in.json"
    source.write_text("[]", encoding="utf-8")
    copy = filled.backup_to(tmp_path / "kopia.db")
    missing = tmp_path / "saknas" / "under" / "dialogtui.db"
    argv = [a.replace("{json}", str(source)).replace("{copy}", str(copy)) for a in argv]
    for how in ("flag", "env"):
        if how == "flag":
            code, out, err = run(capsys, *argv, "--db", str(missing))
        else:
            monkeypatch.setenv("DIALOGTUI_DB", str(missing.with_name("annan.db")))
            code, out, err = run(capsys, *argv)
        assert code == 1, (how, out)
        assert "finns inte" in err and "Inget att göra" not in out
    assert not (tmp_path / "saknas").exists()


def test_demo_and_the_default_databases_first_start_create_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import dialogtui.cli

    opened: list[Store] = []
    monkeypatch.setattr(dialogtui.cli, "run_tui", lambda store, warnings: opened.append(store) or 0)
    old = os.umask(0)  # the most permissive umask must still not open anything to others
    try:
        assert main([]) == 0
        named = tmp_path / "ny" / "mapp" / "demo.db"
        assert main(["demo", "--no-open", "--db", str(named)]) == 0
    finally:
        os.umask(old)
    default = tmp_path / "xdg-data" / "dialogtui" / "dialogtui.db"
    assert opened[0].path == default
    assert stat.S_IMODE(default.stat().st_mode) == 0o660
    assert stat.S_IMODE(default.parent.stat().st_mode) == 0o700  # the user's own data folder
    assert stat.S_IMODE(named.stat().st_mode) == 0o660
    for folder in (named.parent, named.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o770  # shared with the group
    capsys.readouterr()


def test_init_creates_the_shared_database_the_readme_sets_up_and_never_touches_one_that_exists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The README's jump host: DIALOGTUI_DB names a file in a setgid folder that is still empty.
    # Every other command refuses a missing file, so the first user needs a way to create it.
    shared = tmp_path / "srv"
    shared.mkdir(mode=0o2770)
    db = shared / "dialogtui.db"
    monkeypatch.setenv("DIALOGTUI_DB", str(db))
    code, _, err = run(capsys, "todo")
    assert code == 1 and "dialogtui init" in err and not db.exists()
    old = os.umask(0o022)
    try:
        code, out, _ = run(capsys, "init")
    finally:
        os.umask(old)
    assert code == 0 and str(db) in out
    assert stat.S_IMODE(db.stat().st_mode) == 0o660
    with Store(db) as store:
        assert store.count_initiatives() == 0
        store.create_initiative(make_initiative(title="Finns kvar"))
    before = db.read_bytes()
    code, _, err = run(capsys, "init")
    assert code == 1 and "finns redan" in err
    assert db.read_bytes() == before  # neither replaced nor adopted
    code, out, _ = run(capsys, "todo")
    assert code == 0
    # A named path in folders that do not exist yet: init makes them, shared with the group.
    code, _, _ = run(capsys, "init", "--db", str(tmp_path / "ny" / "d.db"))
    assert code == 0 and stat.S_IMODE((tmp_path / "ny").stat().st_mode) == 0o770


# --- modes whatever the umask -------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_modes_are_set_explicitly_whatever_the_umask(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], umask: int
) -> None:
    db = tmp_path / "delad" / "d.db"
    old = os.umask(umask)
    try:
        assert main(["demo", "--no-open", "--db", str(db)]) == 0
        assert main(["backup", "--db", str(db)]) == 0
        assert main(["export", "--format", "json", "-o", str(tmp_path / "ut" / "x.json"),
                     "--db", str(db)]) == 0  # fmt: skip
        store = Store(db)
        daily_backup(store, datetime(2026, 11, 24).date())
        with store.connection():
            side_modes = {p.name[-4:]: stat.S_IMODE(p.stat().st_mode) for p in sides(db)}
        store.close()
    finally:
        os.umask(old)
    capsys.readouterr()
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(db) == 0o660 and mode(db.parent) == 0o770
    assert side_modes == {"-wal": 0o660, "-shm": 0o660}
    backups = db.parent / "backups"
    assert mode(backups) == 0o770
    assert {mode(p) for p in backups.iterdir()} == {0o660}
    assert mode(tmp_path / "ut") == 0o700 and mode(tmp_path / "ut" / "x.json") == 0o600


def test_make_dirs_keeps_the_setgid_bit_of_a_shared_folder(tmp_path: Path) -> None:
    shared = tmp_path / "delad"
    shared.mkdir()
    shared.chmod(0o2770)
    old = os.umask(0)
    try:
        make_dirs(shared / "a" / "b", 0o770)
    finally:
        os.umask(old)
    assert stat.S_IMODE((shared / "a" / "b").stat().st_mode) == 0o2770


# --- backups never overwrite each other, and never stop the app ---------------------------------


def test_two_manual_backups_in_one_second_keep_both(filled: Store) -> None:
    moment = datetime(2026, 11, 24, 10, 0, 0, tzinfo=TZ)
    first = new_backup(filled, moment)
    filled.create_initiative(make_initiative(title="Mellan kopiorna"))
    second = new_backup(filled, moment)
    assert first != second and first.exists() and second.exists()
    assert second.name.endswith("-manuell-2.db")
    with Store(first) as a, Store(second) as b:
        assert (a.count_initiatives(), b.count_initiatives()) == (3, 4)


_RACE = """
import sys
from pathlib import Path
from dialogtui import cli
from dialogtui.store import Store

go = Path(sys.argv[2])
while not go.exists():
    pass
store = Store(Path(sys.argv[1]), create=False)
warnings = []
cli._daily_backup(store, warnings)
print("|".join(warnings))
"""


def test_two_apps_starting_at_once_on_a_day_without_a_backup_both_live(
    tmp_path: Path, filled: Store, db_path: Path
) -> None:
    filled.close()
    env = {**os.environ, "DIALOGTUI_TODAY": "2026-11-24"}
    for round_ in range(10):
        go = tmp_path / f"go-{round_}"
        racers = [
            subprocess.Popen(
                [sys.executable, "-c", _RACE, str(db_path), str(go)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        go.touch()
        for racer in racers:
            out, err = racer.communicate(timeout=60)
            assert racer.returncode == 0, err
            assert out.strip() == "" and err == "", (out, err)
        daily = db_path.parent / "backups" / f"{db_path.stem}-2026-11-24.db"
        with Store(daily) as copy:
            assert copy.count_initiatives() == 3 and copy.check() == []
        daily.unlink()
    assert [p.name for p in (db_path.parent / "backups").iterdir()] == []


def test_a_daily_backup_that_fails_is_a_warning(
    filled: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dialogtui import cli

    warnings: list[str] = []

    def broken(*args: object) -> None:
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr("dialogtui.maintenance.daily_backup", broken)
    cli._daily_backup(filled, warnings)
    assert len(warnings) == 1 and "Dagens säkerhetskopia kunde inte skrivas" in warnings[0]
    assert "oväntat fel" in warnings[0]
    monkeypatch.setattr(
        "dialogtui.maintenance.daily_backup",
        lambda *a: (_ for _ in ()).throw(StoreError("Disken är full")),
    )
    cli._daily_backup(filled, warnings)
    assert warnings[1] == "Dagens säkerhetskopia kunde inte skrivas: Disken är full"


# --- a full disk, for real: a small tmpfs ------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "liten"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("a full disk is simulated with a small tmpfs, which needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode:
        pytest.skip(f"tmpfs cannot be mounted here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill_disk(folder: Path, leave: int = 0) -> Path:
    """Fill the file system to the last byte, then give back `leave` bytes; returns the filler,
    to free space with."""
    filler = folder / "fyllnad"
    fd = os.open(filler, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                continue
    finally:
        os.close(fd)
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def test_a_full_disk_at_import_and_backup_is_explained_and_nothing_is_half_written(
    small_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = small_disk / "d.db"
    with Store(db) as store:
        store.create_initiative(make_initiative(title="Före"))
    source = tmp_path / "in.json"
    big = "x" * 5000
    records = [
        {
            "title": f"T{n}",
            "unit": "u",
            "method": "survey",
            "start": "2026-01-01",
            "end": "2026-01-02",
            "purpose": big,
        }
        for n in range(300)
    ]
    import json

    source.write_text(json.dumps(records), encoding="utf-8")
    # Room to open the database and begin, none to finish: the import fails part-way.
    filler = fill_disk(small_disk, leave=96 * 1024)
    code, _, err = run(capsys, "import", str(source), "--db", str(db))
    assert code == 1 and "är full: inget sparades" in err
    code, _, err = run(capsys, "backup", "--db", str(db))
    assert code == 1 and "fick inte plats" in err
    assert list((small_disk / "backups").iterdir()) == []  # no half backup left
    filler.unlink()
    with Store(db) as store:
        assert [i.title for i in store.initiatives()] == ["Före"]
        assert store.check() == []


def test_a_full_backups_folder_never_stops_the_app_from_starting(
    small_disk: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import dialogtui.cli

    db = small_disk / "d.db"
    with Store(db) as store:
        for n in range(10):
            store.create_initiative(make_initiative(title=f"D{n}", purpose="y" * 4000))
    # Room for SQLite's -shm and a little log, none for a backup.
    fill_disk(small_disk, leave=96 * 1024)
    started: list[list[str]] = []
    monkeypatch.setattr(
        dialogtui.cli, "run_tui", lambda store, warnings: started.append(warnings) or 0
    )
    monkeypatch.setenv("DIALOGTUI_TODAY", "2026-11-24")
    code, _, _ = run(capsys, "--db", str(db))
    assert code == 0 and len(started) == 1
    assert any("säkerhetskopia kunde inte skrivas" in w and "full" in w for w in started[0])


def test_a_database_on_a_completely_full_disk_says_so(
    small_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = small_disk / "d.db"
    Store(db).close()
    fill_disk(small_disk)
    code, _, err = run(capsys, "todo", "--db", str(db))
    assert code == 1 and "Disken där" in err and "är full" in err


# --- DIALOGTUI_TODAY and unexpected errors --------------------------------------------------


def test_a_bad_today_never_crashes(
    filled: Store,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DIALOGTUI_TODAY", "foo")
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    capsys.readouterr()
    for argv in (["todo"], ["report"], []):
        code, _, err = run(capsys, *argv, "--db", str(db_path))
        assert code == 1 and "DIALOGTUI_TODAY='foo' är inget datum" in err
    monkeypatch.setenv("DIALOGTUI_TODAY", "1066-10-14")
    code, _, err = run(capsys, "todo", "--db", str(db_path))
    assert code == 1 and "år 2000–2099" in err


def test_the_real_program_with_a_bad_today_prints_its_version(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from dialogtui.cli import main; sys.exit(main())",
            "--version",
        ],
        env={**os.environ, "DIALOGTUI_TODAY": "foo"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and result.stdout.startswith("dialogtui ")
    assert result.stderr == ""


@pytest.mark.parametrize("argv", [["todo"], ["check"], ["--version"], ["--help"]])
def test_a_reader_who_has_left_the_pipe_gets_no_python_error(
    filled: Store, db_path: Path, argv: list[str]
) -> None:
    # `dialogtui todo | head -1`: Python writes its buffered output when the program ends, after
    # `head` may have gone; that last write must not print Python's own English error.
    reader, writer = os.pipe()
    os.close(reader)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from dialogtui.cli import main; sys.exit(main())",
                "--db",
                str(db_path),
                *argv,
            ],
            env=env,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        os.close(writer)
    assert result.stderr == ""
    assert result.returncode == 0


def test_an_unexpected_error_is_logged_privately_and_told_in_swedish(
    filled: Store,
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dialogtui.cli

    def crash(args: object) -> int:
        contact = "Anna Andersson, 070-123 45 67"  # a local a Rich traceback would print
        raise KeyError(len(contact))

    monkeypatch.setattr(dialogtui.cli, "cmd_todo", crash)
    old = os.umask(0)
    try:
        code, _, err = run(capsys, "todo", "--db", str(db_path))
    finally:
        os.umask(old)
    assert code == 2
    assert "Ett oväntat fel inträffade (KeyError)" in err and "Anna" not in err
    log = Path(err.split("Detaljerna finns i ")[1].split(";")[0])
    assert log.parent == crashlog.log_dir()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "KeyError" in text and "Anna" not in text


def test_the_log_goes_elsewhere_when_the_state_folder_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "inte-en-mapp"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr(crashlog, "log_dir", lambda: blocker / "log")
    monkeypatch.setattr(crashlog, "_fallback_dir", lambda: tmp_path / "reserv")
    message = crashlog.report(ValueError("x"))
    assert str(tmp_path / "reserv") in message


# --- written documents ------------------------------------------------------------------------


def test_write_private_leaves_the_target_untouched_on_a_full_disk(small_disk: Path) -> None:
    from dialogtui.fileio import FileError

    target = small_disk / "rapport.md"
    target.write_text("förra veckans", encoding="utf-8")
    fill_disk(small_disk)
    with pytest.raises(FileError, match="disken är full"):
        write_private(target, b"x" * 200_000)
    assert target.read_text(encoding="utf-8") == "förra veckans"
    assert [p.name for p in small_disk.iterdir() if p.name.startswith(".")] == []
