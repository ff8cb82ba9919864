"""The command line: where the database is, the demo's own file, versions and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dialogtui import __version__, config
from dialogtui.cli import main
from dialogtui.store import Store
from tests.factories import make_initiative


def test_database_location_flag_then_environment_then_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert config.resolve_db_path(None) == tmp_path / "xdg-data" / "dialogtui" / "dialogtui.db"
    monkeypatch.setenv("DIALOGTUI_DB", str(tmp_path / "env.db"))
    assert config.resolve_db_path(None) == tmp_path / "env.db"
    assert config.resolve_db_path(str(tmp_path / "flag.db")) == tmp_path / "flag.db"


def test_every_subcommand_honours_the_environment_and_the_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env_db, flag_db = tmp_path / "env.db", tmp_path / "flag.db"
    Store(env_db).create_initiative(make_initiative(title="Från miljön"))
    Store(flag_db).create_initiative(make_initiative(title="Från flaggan"))
    monkeypatch.setenv("DIALOGTUI_DB", str(env_db))
    assert main(["export", "--format", "json"]) == 0
    assert [i["title"] for i in json.loads(capsys.readouterr().out)] == ["Från miljön"]
    assert main(["--db", str(flag_db), "export", "--format", "json"]) == 0
    assert [i["title"] for i in json.loads(capsys.readouterr().out)] == ["Från flaggan"]
    assert main(["overlaps", "--json", "--db", str(flag_db)]) == 0
    capsys.readouterr()


def test_demo_uses_its_own_file_beside_the_default_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--no-open"]) == 0
    demo_file = tmp_path / "xdg-data" / "dialogtui" / "demo.db"
    assert "Skapade demodatabasen" in capsys.readouterr().out
    assert Store(demo_file).count_initiatives() >= 50
    assert not (tmp_path / "xdg-data" / "dialogtui" / "dialogtui.db").exists()
    assert main(["demo", "--no-open"]) == 0  # again: opens, adds nothing
    assert capsys.readouterr().out == ""


def test_demo_refuses_a_database_with_real_data(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Store(db_path).create_initiative(make_initiative())
    assert main(["demo", "--no-open", "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "innehåller redan riktiga initiativ" in err and "Traceback" not in err
    assert Store(db_path).count_initiatives() == 1


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"dialogtui {__version__}"


def test_a_file_that_is_not_a_database_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "not.db"
    bogus.write_text("hello", encoding="utf-8")
    assert main(["export", "--format", "json", "--db", str(bogus)]) == 1
    assert "dialogtui-databas" in capsys.readouterr().err


def test_import_of_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(tmp_path / "saknas.json"), "--db", str(tmp_path / "x.db")]) == 1
    assert "Kan inte läsa" in capsys.readouterr().err


def test_calendar_and_spreadsheet_exports_are_private_and_parse_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import stat

    import icalendar
    import openpyxl

    db = tmp_path / "d.db"
    Store(db).create_initiative(make_initiative(title="Med tidsfrist", deadline="2026-03-10"))
    ics, xlsx = tmp_path / "k.ics", tmp_path / "k.xlsx"
    assert main(["export", "--db", str(db), "--format", "ics", "-o", str(ics)]) == 0
    assert main(["export", "--db", str(db), "--format", "xlsx", "-o", str(xlsx)]) == 0
    capsys.readouterr()
    for path in (ics, xlsx):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
    events = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == [
        "Med tidsfrist",
        "Tidsfrist: Med tidsfrist",
    ]
    sheet = openpyxl.load_workbook(xlsx).active
    assert sheet is not None and sheet["B2"].value == "Med tidsfrist"


def test_report_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import csv
    import io

    import openpyxl

    db = tmp_path / "r.db"
    Store(db).create_initiative(make_initiative(unit="Kultur i Halland"))
    assert main(["report", "--year", "2026", "--db", str(db)]) == 0
    assert "# Årsrapport 2026" in capsys.readouterr().out
    assert main(["report", "--year", "2026", "--db", str(db), "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff")), delimiter=";"))
    assert any("Kultur i Halland" in row for row in rows)
    out = tmp_path / "r.xlsx"
    assert (
        main(["report", "--year", "2026", "--db", str(db), "--format", "xlsx", "-o", str(out)]) == 0
    )
    assert "Beställare" in openpyxl.load_workbook(out).sheetnames
