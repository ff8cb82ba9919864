"""Backups and the health check."""

from __future__ import annotations

import sqlite3
import stat
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import pytest

from dialogtui.cli import main
from dialogtui.maintenance import daily_backup
from dialogtui.store import Store
from tests.factories import make_initiative


def test_daily_backup_once_a_day_keeps_the_last_14(store: Store) -> None:
    store.create_initiative(make_initiative())
    first = date(2026, 11, 1)
    made = [daily_backup(store, first + timedelta(days=n)) for n in range(20)]
    assert all(path is not None for path in made)
    assert daily_backup(store, first + timedelta(days=19)) is None  # once a day
    kept = sorted((store.path.parent / "backups").glob("*.db"))
    assert len(kept) == 14
    assert kept[0].name == f"{store.path.stem}-2026-11-07.db"
    assert stat.S_IMODE(kept[-1].stat().st_mode) & 0o007 == 0
    with Store(kept[-1]) as copy:
        assert copy.count_initiatives() == 1
        assert copy.check() == []


def test_backup_and_check_commands(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Store(db_path).create_initiative(make_initiative(title="Säkrad"))
    target = tmp_path / "kopia.db"
    assert main(["backup", str(target), "--db", str(db_path)]) == 0
    with Store(target) as copy:
        assert [i.title for i in copy.initiatives()] == ["Säkrad"]
    assert main(["backup", "--db", str(db_path)]) == 0
    assert "manuell.db" in capsys.readouterr().out
    assert main(["check", "--db", str(db_path)]) == 0
    assert "inga problem" in capsys.readouterr().out


def test_check_names_the_records_no_command_could_read(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Values set by hand in sqlite3 passed the file's checks ("inga problem") and then stopped
    # every command that listed them.
    with Store(db_path) as store:
        ids = [store.create_initiative(make_initiative(title=f"T{n}")).id for n in range(3)]
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("UPDATE initiatives SET method = 'bogus' WHERE id = ?", (ids[0],))
        conn.execute("UPDATE initiatives SET start = 'inte ett datum' WHERE id = ?", (ids[2],))
        conn.commit()
    assert main(["check", "--db", str(db_path)]) == 1
    out = capsys.readouterr().out
    assert f"Initiativ {ids[0]}: går inte att läsa" in out
    assert f"Initiativ {ids[2]}: går inte att läsa" in out
    assert f"Initiativ {ids[1]}:" not in out
    assert "dialogtui restore" in out and "bogus" not in out


def test_check_finds_a_broken_foreign_key(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    created = Store(db_path).create_initiative(make_initiative())
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM initiatives WHERE id = ?", (created.id,))
    conn.commit()
    conn.close()
    assert main(["check", "--db", str(db_path)]) == 1
    assert "Främmande nyckel: target_groups" in capsys.readouterr().out
