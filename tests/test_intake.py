"""`dialogtui template` and `dialogtui import` of filled templates, folders and the xlsx export."""

from __future__ import annotations

import io
import os
import sqlite3
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from dialogtui.cli import main
from dialogtui.store import Store
from dialogtui.template import FORM_SHEET, fill
from tests.factories import make_initiative
from tests.templates import blank

GOOD: dict[str, Any] = {
    "title": "Ungas psykiska hälsa",
    "unit": "Psykiatrin Halland",
    "method": "fokusgrupp",
    "start": date(2027, 3, 2),
    "end": date(2027, 3, 20),
    "mg1_age_min": 13,
    "mg1_age_max": 19,
    "mg1_kommun_Halmstad": "x",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    if argv[0] == "import" and "--db" in argv:
        # An import adds to a database; it never creates one (issue 15): the coordinator's is there.
        database = Path(argv[argv.index("--db") + 1])
        if not database.exists():
            Store(database).close()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(folder: Path, name: str, values: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(fill(blank(), values))
    return path


def test_template_is_written_to_a_private_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "anmalan.xlsx"
    code, _, err = run(capsys, "template", "-o", str(out), "--send-to", "dialog@regionhalland.se")
    assert code == 0 and "Skrev" in err
    assert out.stat().st_mode & 0o077 == 0
    workbook = load_workbook(out)
    assert FORM_SHEET in workbook.sheetnames
    text = " ".join(str(c.value) for c in workbook["Instruktioner"]["A"] if c.value)
    assert "dialog@regionhalland.se" in text


def test_a_template_without_an_address_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "template", "-o", str(tmp_path / "anmalan.xlsx"))
    assert code == 0
    assert "Obs: instruktionerna säger bara ”Skicka filen till koordinatören" in err
    assert "ange --send-to" in err


def test_no_spreadsheet_is_written_to_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dialogtui import config

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    Store(config.default_db_path()).close()  # commands never create the database themselves
    for argv in (["template"], ["export", "--format", "xlsx"], ["report", "--format", "xlsx"]):
        code, out, err = run(capsys, *argv)
        assert code == 1, argv
        assert out == ""
        assert "ange -o FIL.xlsx" in err


def test_a_filled_template_is_imported_and_audited_with_its_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "d.db"
    path = write(tmp_path, "psykiatrin.xlsx", GOOD)
    code, out, err = run(capsys, "import", str(path), "--db", str(db))
    assert (code, err) == (0, "")
    assert "Importerade 1 initiativ från 1 fil" in out
    assert "Inga överlapp med andra initiativ." in out
    with Store(db) as store:
        (ini,) = store.initiatives()
        assert ini.title == "Ungas psykiska hälsa" and ini.target_groups[0].age_min == 13
        (entry,) = store.audit_log(ini.id)
        assert entry.action == "create" and entry.note == "anmälan från filen psykiatrin.xlsx"


def test_a_folder_is_one_transaction_and_a_bad_file_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "d.db"
    folder = tmp_path / "inkorg"
    write(folder, "a.xlsx", GOOD)
    write(folder, "b.xlsx", GOOD | {"title": "Äldres munhälsa", "unit": "Folktandvården Halland"})
    write(folder, "c.xlsx", GOOD | {"title": "Trasig", "start": "31/2 2027", "method": "kafferep"})
    (folder / "notes.txt").write_text("not read")
    Store(db).close()
    code, out, err = run(capsys, "import", str(folder), "--db", str(db))
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "dialogtui: c.xlsx: 2 fel i anmälan:",
        "  Metod (cell B9): måste vara en av: enkätundersökning, panelenkät, dialogmöte, "
        "fokusgrupp, arbetsgrupp, råd, intervju, sociala medier, övrigt",
        "  Startdatum (cell B13): ”31/2 2027” är inget datum; skriv t.ex. 2027-03-14, 20270314 "
        "eller 14/3 2027",
        "Inget importerades: 1 av 3 filer har fel.",
    ]
    with Store(db) as store:
        assert store.count_initiatives() == 0
    (folder / "c.xlsx").unlink()
    code, out, _ = run(capsys, "import", str(folder), "--db", str(db))
    assert code == 0 and "Importerade 2 initiativ från 2 filer" in out


def test_a_write_that_fails_half_way_leaves_nothing_of_the_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every file is valid: the refusal comes from the database during the writes, after the
    # first file's registration is written. One transaction: that one is not kept either.
    db = tmp_path / "d.db"
    folder = tmp_path / "inkorg"
    write(folder, "a.xlsx", GOOD)
    write(folder, "b.xlsx", GOOD | {"title": "Äldres munhälsa", "unit": "Folktandvården Halland"})
    written = Store.create_initiatives
    calls: list[int] = []

    def second_fails(self: Store, *args: Any, **kwargs: Any) -> list[int]:
        calls.append(1)
        if len(calls) == 2:
            raise sqlite3.OperationalError("disk I/O error")
        return written(self, *args, **kwargs)

    monkeypatch.setattr(Store, "create_initiatives", second_fails)
    code, out, err = run(capsys, "import", str(folder), "--db", str(db))
    assert code != 0 and len(calls) == 2
    assert "Traceback" not in err and "Importerade" not in out
    assert err.startswith("dialogtui: Disken svarade med ett fel") and "inget sparades" in err
    monkeypatch.undo()
    with Store(db) as store:
        assert store.count_initiatives() == 0


def test_a_registration_saved_as_ods_is_told_not_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # LibreOffice saves in its own format unless told otherwise: such a file in a folder must
    # not be passed over in silence (the unit's registration would be lost unseen).
    db = tmp_path / "d.db"
    folder = tmp_path / "inkorg"
    write(folder, "a.xlsx", GOOD)
    (folder / "kultur.ods").write_bytes(b"PK\x03\x04 an OpenDocument spreadsheet")
    code, out, err = run(capsys, "import", str(folder), "--db", str(db))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"dialogtui: {folder / 'kultur.ods'}: ett kalkylblad som inte är .xlsx; öppna det och "
        "spara det som Excel-arbetsbok (.xlsx), så läses det.",
        "Inget importerades.",
    ]
    code, _, err = run(capsys, "import", str(folder / "kultur.ods"), "--db", str(db))
    assert code == 1 and "spara det som Excel-arbetsbok (.xlsx)" in err
    with Store(db) as store:
        assert store.count_initiatives() == 0


def test_a_folder_with_a_file_open_elsewhere_waits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "inkorg"
    write(folder, "a.xlsx", GOOD)
    (folder / ".~lock.a.xlsx#").write_text("anna,host")
    code, _, err = run(capsys, "import", str(folder), "--db", str(tmp_path / "d.db"))
    assert code == 1 and "a.xlsx: öppen i ett annat program" in err


def test_a_likely_duplicate_is_pointed_out_and_added_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "d.db"
    with Store(db) as store:
        store.create_initiative(
            make_initiative(title="Ungas psykiska hälsa", start="2027-03-01", end="2027-03-05")
        )
    first = write(tmp_path, "a.xlsx", GOOD)
    second = write(tmp_path, "b.xlsx", GOOD | {"title": "Ungas psykiska hälsa – fokusgrupp"})
    code, out, err = run(capsys, "import", str(first), str(second), "--db", str(db))
    assert code == 1 and out == ""
    assert "a.xlsx: ”Ungas psykiska hälsa” (Psykiatrin Halland) liknar" in err
    assert "#1 ”Ungas psykiska hälsa” (Psykiatrin Halland, 2027-03-01–2027-03-05)" in err
    assert "a.xlsx ”Ungas psykiska hälsa”" in err  # b.xlsx looks like a.xlsx of the same batch
    assert "--allow-duplicates" in err
    with Store(db) as store:
        assert store.count_initiatives() == 1
    code, out, err = run(
        capsys, "import", str(first), str(second), "--db", str(db), "--allow-duplicates"
    )
    assert code == 0 and "Importerade 2 initiativ" in out
    assert err.startswith("Varning: a.xlsx")


def test_the_overlaps_the_new_registrations_create_are_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIALOGTUI_TODAY", "2026-11-24")  # open overlaps: not yet ended
    db = tmp_path / "d.db"
    with Store(db) as store:
        store.create_initiative(
            make_initiative(title="Skolenkät", unit="Regionkontoret", start="2027-03-10",
                            end="2027-03-12")
        )  # fmt: skip
    path = write(tmp_path, "a.xlsx", GOOD | {"mg1_segment_3": "x"})
    code, out, _ = run(capsys, "import", str(path), "--db", str(db))
    assert code == 0
    assert "De nya initiativen överlappar 1 gång:" in out
    assert "#1 Skolenkät  ↔  #2 Ungas psykiska hälsa" in out
    assert "Båda når unga 13–19 i Halmstad" in out


def test_several_formats_in_one_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "d.db"
    as_json = tmp_path / "en.json"
    as_json.write_text(
        '[{"title": "Från JSON", "unit": "Regionservice", "method": "survey",'
        ' "start": "2027-01-01", "end": "2027-01-31"}]',
        encoding="utf-8",
    )
    template = write(tmp_path, "mall.xlsx", GOOD)
    code, out, _ = run(capsys, "import", str(as_json), str(template), "--db", str(db))
    assert code == 0 and "Importerade 2 initiativ från 2 filer" in out
    with Store(db) as store:
        notes = sorted(e.note for e in store.audit_log())
    assert notes == ["", "anmälan från filen mall.xlsx"]


def test_other_workbooks_are_told_apart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import Workbook

    other = Workbook()
    other.active["A1"] = "Budget"  # type: ignore[index]
    path = tmp_path / "budget.xlsx"
    other.save(path)
    broken = tmp_path / "trasig.xlsx"
    broken.write_bytes(blank()[:4000])
    code, _, err = run(capsys, "import", str(path), str(broken), "--db", str(tmp_path / "d.db"))
    assert code == 1
    assert "budget.xlsx: varken en anmälningsmall" in err
    assert "trasig.xlsx: Filen är ingen Excel-arbetsbok" in err
    assert "Traceback" not in err


# --- the xlsx export round trip ------------------------------------------------------------------


def cells(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data))["Initiativ"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_xlsx_export_imports_back_to_the_same_initiatives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first_db, second_db = tmp_path / "a.db", tmp_path / "b.db"
    with Store(first_db) as opened:
        opened.create_initiatives(
            [
                make_initiative(
                    title='=Citat "och" semikolon; [bold]markup[/]',
                    purpose="Rad ett\nrad två",
                    contact="'=apostrof",
                    uses_panel=True,
                    deadline="2026-03-10",
                    sample_size=12,
                    compensation={"amount_sek": 300, "payer": "Beställaren"},
                ),
                make_initiative(
                    title="Utan målgrupp", method="social_media", target_groups=[], stage="closed"
                ),
                make_initiative(
                    title="Två grupper",
                    target_groups=[{"segments": ["anhöriga", "äldre"]}, {"age_max": 17}],
                ),
            ]
        )
        stored = opened.initiatives()
    exported = tmp_path / "out.xlsx"
    assert (
        run(capsys, "export", "--db", str(first_db), "--format", "xlsx", "-o", str(exported))[0]
        == 0
    )
    # "Utan målgrupp" is closed: the stage gate wants a reason, as for JSON and CSV.
    code, _, err = run(capsys, "import", str(exported), "--db", str(second_db))
    assert code == 1 and "Post 2 (rad 3): Skede: ”avslutad”" in err
    reason = ("--reason", "Flytt mellan databaser")
    code, _, err = run(capsys, "import", str(exported), "--db", str(second_db), *reason)
    assert (code, err) == (0, "")
    with Store(second_db) as opened:
        back = opened.initiatives()
    skip = {"updated_at", "updated_by"}
    assert [i.model_dump(exclude=skip) for i in back] == [
        i.model_dump(exclude=skip) for i in stored
    ]
    again = tmp_path / "again.xlsx"
    assert (
        run(capsys, "export", "--db", str(second_db), "--format", "xlsx", "-o", str(again))[0] == 0
    )
    assert cells(again.read_bytes()) == cells(exported.read_bytes())


def test_a_bad_row_of_an_export_names_row_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.db"
    with Store(db) as opened:
        opened.create_initiatives([make_initiative(), make_initiative(title="Två")])
    exported = tmp_path / "out.xlsx"
    run(capsys, "export", "--db", str(db), "--format", "xlsx", "-o", str(exported))
    workbook = load_workbook(exported)
    sheet = workbook["Initiativ"]
    column = [c.value for c in sheet[1]].index("Metod") + 1
    sheet.cell(row=3, column=column, value="kafferep")
    workbook.save(exported)
    code, _, err = run(capsys, "import", str(exported), "--db", str(tmp_path / "b.db"))
    assert code == 1
    assert "out.xlsx: Post 2 (rad 3): Metod: måste vara en av" in err


def test_files_are_read_before_the_database_is_touched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "d.db"
    path = write(tmp_path, "a.xlsx", {"title": "Ofullständig"})
    code = main(["import", str(path), "--db", str(db)])
    capsys.readouterr()
    assert code == 1
    assert not db.exists()


def test_a_file_of_a_minute_ago_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command line reads what it is given: no waiting for files to settle.
    path = write(tmp_path, "a.xlsx", GOOD)
    now = time.time()
    os.utime(path, (now, now))
    assert run(capsys, "import", str(tmp_path), "--db", str(tmp_path / "d.db"))[0] == 0


def test_a_link_named_on_the_command_line_is_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = write(tmp_path / "elsewhere", "a.xlsx", GOOD)
    link = tmp_path / "lank.xlsx"
    link.symlink_to(target)
    assert run(capsys, "import", str(link), "--db", str(tmp_path / "d.db"))[0] == 0
    # Inside a folder, a link is never followed.
    folder = tmp_path / "inkorg"
    folder.mkdir()
    (folder / "lank.xlsx").symlink_to(target)
    code, _, err = run(capsys, "import", str(folder), "--db", str(tmp_path / "d.db"))
    assert code == 1 and "lank.xlsx: en symbolisk länk; den läses inte." in err
