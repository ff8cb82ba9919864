"""Import and export through the real CLI: formats, round trips, all-or-nothing imports."""

from __future__ import annotations

import errno
import json
import re
import stat
from pathlib import Path
from typing import Any

import pytest

from dialogtui.cli import main
from dialogtui.interchange import InterchangeError, csv_headers, parse_csv, parse_json
from dialogtui.store import Store
from tests.factories import make_initiative


def record(n: int) -> dict[str, Any]:
    return {
        "title": f"Dialog {n}",
        "unit": "Närsjukvården Halland",
        "method": ["survey", "focus_group", "dialogue_meeting"][n % 3],
        "start": "2027-02-01",
        "end": "2027-02-28",
        "target_groups": [{"municipalities": ["Hylte"], "segments": ["äldre"], "age_min": 65}],
    }


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_bad_record_57_of_100_aborts_the_whole_import(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [record(n) for n in range(1, 101)]
    records[56]["end"] = "2027-01-15"  # before its start
    source = tmp_path / "in.json"
    source.write_text(json.dumps(records), encoding="utf-8")

    code, _, err = run(capsys, "--db", str(db_path), "import", str(source))

    assert code != 0
    assert "Post 57" in err and "Slutdatum" in err
    assert "Traceback" not in err
    # The whole file is read before the database is touched: not even a file is created.
    assert not db_path.exists()


def test_a_failing_write_part_way_through_an_import_leaves_nothing(
    tmp_path: Path,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps([record(n) for n in range(1, 101)]), encoding="utf-8")
    Store(db_path).close()
    calls = {"n": 0}
    original = Store._insert_initiative

    def failing(self: Store, initiative: object, note: str = "") -> int:
        calls["n"] += 1
        if calls["n"] == 57:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, initiative, note)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "_insert_initiative", failing)
    assert main(["import", str(source), "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert "disken är full" in err and "Traceback" not in err
    monkeypatch.undo()
    with Store(db_path) as opened:
        assert opened.count_initiatives() == 0
        assert opened.audit_log() == []


def test_bad_csv_record_names_position_line_and_field(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    initiatives = [make_initiative(title=f"D{n}") for n in range(3)]
    with Store(db_path) as opened:
        opened.create_initiatives(initiatives)
    code, csv_text, _ = run(capsys, "export", "--db", str(db_path), "--format", "csv")
    assert code == 0
    lines = csv_text.splitlines()
    lines[2] = lines[2].replace("Halmstad", "Göteborg")
    source = tmp_path / "in.csv"
    source.write_text("\n".join(lines), encoding="utf-8")

    code, _, err = run(capsys, "import", str(source), "--db", str(db_path))

    assert code == 1
    assert "Post 2 (rad 3): Målgrupp 1: Kommun: måste vara en av" in err
    with Store(db_path) as opened:
        assert opened.count_initiatives() == 3


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_import_export_round_trips(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first_db, second_db = tmp_path / "a.db", tmp_path / "b.db"
    with Store(first_db) as opened:
        opened.create_initiatives(
            [
                make_initiative(
                    title='Citat "och" semikolon; [bold]markup[/]',
                    purpose="Rad ett\nrad två",
                    uses_panel=True,
                    deadline="2026-03-10",
                    sample_size=12,
                    compensation={"amount_sek": 300, "payer": "Beställaren"},
                    orders_invanartjanster=True,
                    conditions="Rådgivande;\n nämnden beslutar",
                    personal_data="Anonymt",
                    feedback_description="Brev i maj",
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
    exported = tmp_path / f"out.{fmt}"
    assert (
        run(capsys, "export", "--db", str(first_db), "--format", fmt, "-o", str(exported))[0] == 0
    )
    assert stat.S_IMODE(exported.stat().st_mode) & 0o077 == 0
    Store(second_db).close()  # import adds to a database; it never creates one
    # "Utan målgrupp" is closed: an import shows no evaluation, so the stage gate wants a reason.
    code, _, err = run(capsys, "import", str(exported), "--db", str(second_db))
    assert code == 1 and "Post 2" in err and "Skede: ”avslutad”" in err
    reason = ("--reason", "Flytt från det gamla registret")
    assert run(capsys, "import", str(exported), "--db", str(second_db), *reason)[0] == 0
    code, again, _ = run(capsys, "export", "--db", str(second_db), "--format", fmt)
    assert code == 0
    assert again == exported.read_bytes().decode("utf-8")


def test_json_export_matches_the_design_contract(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    store.create_initiative(
        make_initiative(compensation={"amount_sek": 500, "payer": "Psykiatrin Halland"})
    )
    code, out, _ = run(capsys, "export", "--db", str(store.path), "--format", "json")
    assert code == 0
    (item,) = json.loads(out)
    assert list(item)[:4] == ["id", "title", "unit", "contact"]
    assert item["method"] == "focus_group"
    assert item["target_groups"][0] == {
        "name": "Unga i Halmstad",
        "municipalities": ["Halmstad"],
        "age_min": 13,
        "age_max": 19,
        "segments": ["unga"],
    }
    assert item["compensation"] == {"amount_sek": 500, "payer": "Psykiatrin Halland"}


def test_import_ignores_ids_and_defaults_the_optional_fields() -> None:
    (one,) = parse_json(
        '[{"id": 7, "title": "T", "unit": "U", "method": "council",'
        ' "start": "2026-01-01", "end": "2026-01-02"}]'
    )
    assert one.id is None
    assert one.stage.value == "registered"
    assert one.target_groups == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "inte giltig JSON"),
        ('{"title": "x"}', "JSON-lista"),
        ('[{"title": "T"}]', "Post 1: Beställare: måste anges"),
        (
            '[{"title": "T", "unit": "U", "method": "enkät", "start": "2026-01-01",'
            ' "end": "2026-01-02"}]',
            "Post 1: Metod: måste vara en av",
        ),
        ("[42]", "Post 1: ska vara ett objekt"),
    ],
)
def test_json_errors_are_swedish(text: str, message: str) -> None:
    with pytest.raises(InterchangeError, match=message):
        parse_json(text)


def test_csv_accepts_commas_swedish_labels_and_no_bom() -> None:
    header = ",".join([*csv_headers(1)[:17], "Målgrupp 1 kommuner"])
    row = ",".join(
        ["", "Enkät", "Regional utveckling", "", "", "Enkätundersökning", "dialog", "JA"]
        + [""] * 7
        + ["2027-04-01", "2027-04-30", '"Varberg; Falkenberg"']
    )
    (one,) = parse_csv(f"{header}\n{row}\n")
    assert one.method.value == "survey"
    assert one.influence.value == "dialogue"
    assert one.uses_panel is True
    assert [m.value for m in one.target_groups[0].municipalities] == ["Varberg", "Falkenberg"]


def test_csv_missing_required_columns() -> None:
    with pytest.raises(InterchangeError, match="saknar kolumnerna Titel"):
        parse_csv("Namn;Datum\nx;y\n")


def test_unknown_extension_asks_for_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "data.txt"
    source.write_text("[]", encoding="utf-8")
    code, _, err = run(capsys, "import", str(source), "--db", str(tmp_path / "x.db"))
    assert code == 1
    assert "--format json" in err


def test_csv_cells_never_run_as_spreadsheet_formulas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    with Store(first) as opened:
        opened.create_initiative(make_initiative(title='=HYPERLINK("x")', unit="+46 35 13 10 00"))
    assert main(["export", "--db", str(first), "--format", "csv"]) == 0
    exported = capsys.readouterr().out
    assert "'=HYPERLINK(" in exported and ";'+46 35" in exported
    source = tmp_path / "in.csv"
    source.write_text(exported, encoding="utf-8")
    Store(second).close()  # import adds to a database; it never creates one
    assert main(["import", str(source), "--db", str(second)]) == 0
    capsys.readouterr()
    with Store(second) as opened:
        (back,) = opened.initiatives()
    assert (back.title, back.unit) == ('=HYPERLINK("x")', "+46 35 13 10 00")


def test_json_accepts_swedish_yes_and_no_for_the_panel() -> None:
    record = '{"title": "T", "unit": "U", "method": "survey", "start": "2026-01-01",'
    (yes,) = parse_json(f'[{record} "end": "2026-01-02", "uses_panel": "ja"}}]')
    (no,) = parse_json(f'[{record} "end": "2026-01-02", "uses_panel": "Nej"}}]')
    assert (yes.uses_panel, no.uses_panel) == (True, False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Titel;Beställare;Metod;Start;Slut\nA;B;fokusgrupp;2026-03-02;2026-03-20\n"
            "Tv\0å;B;fokusgrupp;2026-03-02;2026-03-20\n",
            "Rad 3, tecken 3: filen innehåller ett NUL-tecken",
        ),
        (
            "Titel;Beställare;Metod;Start;Slut;Titel\nA;B;fokusgrupp;2026-03-02;2026-03-20;C\n",
            "Rad 1: kolumnen ”Titel” finns två gånger (kolumn 1 och 6)",
        ),
        (
            "Titel;Beställare;Metod;Start;Slut;Målgrupp 1 namn;Målgrupp 1 namn\n"
            "A;B;fokusgrupp;2026-03-02;2026-03-20;x;y\n",
            "kolumnen ”Målgrupp 1 namn” finns två gånger (kolumn 6 och 7)",
        ),
    ],
    ids=["nul", "duplicate-title", "duplicate-group-column"],
)
def test_csv_with_a_nul_byte_or_a_duplicate_column_is_refused_by_where(
    tmp_path: Path,
    db_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    message: str,
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    Store(db_path).close()
    assert main(["import", str(source), "--db", str(db_path)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    with Store(db_path) as opened:
        assert opened.count_initiatives() == 0


def test_empty_extra_columns_a_spreadsheet_leaves_are_no_duplicates() -> None:
    text = "Titel;Beställare;Metod;Start;Slut;;\nA;B;fokusgrupp;2026-03-02;2026-03-20;;\n"
    assert [i.title for i in parse_csv(text)] == ["A"]


@pytest.mark.parametrize(
    ("text", "swedish"),
    [
        ("", "här väntades ett värde"),
        ('[{"title" "T"}]', "här väntades ett kolon"),
        ('[{"title": "T" "unit": "U"}]', "här väntades ett kommatecken"),
        ("[{title: 1}]", "här väntades ett fältnamn"),
        ('["abc', "slutar aldrig"),
        ('["a\nb"]', "ett styrtecken"),
        ('["\\q"]', "omvänt snedstreck"),
        ('["\\u12"]', "fyra hexadecimala siffror"),
        ("[] []", "det står mer i filen"),
        ("\ufeff[]", "BOM-tecken"),
    ],
)
def test_broken_json_is_explained_in_swedish(text: str, swedish: str) -> None:
    # `dialogtui import --format json /dev/null` ended in Python's "Expecting value".
    with pytest.raises(InterchangeError) as caught:
        parse_json(text)
    message = str(caught.value)
    assert swedish in message
    assert not re.search(r"Expecting|Unterminated|Invalid|Extra data|delimiter", message)
