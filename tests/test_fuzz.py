"""Bad input, fuzzed: import files, model fields and form fields never give a traceback or a
partial write, and every refusal is Swedish and says where the fault is.

Each property runs with a small budget by default and a large one under `-m slow`. The examples
at the end are the faults the fuzzing found, kept so that they stay fixed.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import sqlite3
import tempfile
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from textual import events
from textual.widgets import Input, Select, TextArea
from textual.worker import WorkerState

from dialogtui.cli import main
from dialogtui.dates import MONTHS, DateInputError, parse_user_date
from dialogtui.domain import (
    COUNT_MAX,
    FIELD_LABELS,
    PLANNING_FIELDS,
    TEXT_MAX,
    TITLE_MAX,
    Method,
)
from dialogtui.interchange import (
    CSV_COLUMNS,
    GROUP_COLUMNS,
    InterchangeError,
    export_csv,
    export_json,
    initiative_to_json,
    parse,
    parse_csv,
    parse_json,
)
from dialogtui.models import (
    BlockedPeriod,
    ChecklistEntry,
    Compensation,
    Evaluation,
    FeedbackPromise,
    Initiative,
    PublicFeedback,
    TargetGroup,
    field_errors,
)
from dialogtui.screens.evaluation import EvaluationScreen
from dialogtui.screens.form import FieldRow, InitiativeFormScreen
from dialogtui.screens.initiative import InitiativeScreen
from dialogtui.store import Store
from tests.conftest import TODAY
from tests.factories import make_initiative
from tests.ui import fixed_store, make_app, widget_text

# --- budgets --------------------------------------------------------------------------------------

# A multiplier on each property's example count: 1 in the default run, 10 under `-m slow`.
# A property that drives the whole app costs seconds an example: the quick budget runs its
# explicit examples and one drawn case; `-m slow` draws ten.
UI_EXAMPLES = 1
BUDGETS = [pytest.param(1, id="quick"), pytest.param(10, id="thorough", marks=pytest.mark.slow)]


def check(
    budget: int,
    examples: int,
    strategy: st.SearchStrategy[Any],
    prop: Callable[[Any], None],
    *explicit: Any,
) -> None:
    """Run `prop` as a hypothesis property, always including the explicit examples."""
    test = given(strategy)(prop)
    for value in explicit:
        test = example(value)(test)
    settings(
        max_examples=examples * budget,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(test)()


# --- oracles --------------------------------------------------------------------------------------
# Written from the spec (no C0/C1 controls, no bidi overrides; one-line fields have no breaks)
# rather than by reusing models.clean_text, so that a bug there can fail these tests.

_BIDI_CONTROLS = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}


def is_forbidden(ch: str, one_line: bool) -> bool:
    if ch in "\t\n":
        return one_line
    return unicodedata.category(ch) == "Cc" or unicodedata.bidirectional(ch) in _BIDI_CONTROLS


def expected_text(raw: str) -> str:
    """What a multi-line field should store for what was typed."""
    raw = raw.replace("\r\n", "\n")
    return "".join(ch for ch in raw if not is_forbidden(ch, one_line=False)).strip()


def expected_line(raw: str) -> str:
    """What a one-line field should store for what was typed."""
    kept = "".join(ch for ch in raw if not is_forbidden(ch, one_line=False))
    return re.sub(r"[\t\n]+", " ", kept).strip()


ONE_LINE_FIELDS = ("title", "unit", "contact", "owner")
TEXT_FIELDS = PLANNING_FIELDS  # the free texts of an initiative


def assert_clean(ini: Initiative) -> None:
    """Nothing that reaches the store can move a cursor or change a colour."""
    lines = [getattr(ini, f) for f in ONE_LINE_FIELDS] + [g.name for g in ini.target_groups]
    if ini.compensation is not None:
        lines.append(ini.compensation.payer)
    for value in lines:
        assert not any(is_forbidden(ch, one_line=True) for ch in value), repr(value)
        assert len(value) <= TITLE_MAX
    for field in TEXT_FIELDS:
        value = getattr(ini, field)
        assert not any(is_forbidden(ch, one_line=False) for ch in value), repr(value)
        assert len(value) <= TEXT_MAX
    assert ini.title and ini.unit
    assert ini.start <= ini.end
    assert ini.deadline is None or ini.deadline >= ini.start


LABELS = set(FIELD_LABELS.values())
_TARGET_GROUP_LABEL = re.compile(r"^Målgrupp \d+$")


def names_a_field(message: str) -> bool:
    """Whether a message begins with a field's label: "Titel: måste anges", or, where the
    message names its field itself, "Slutdatum (2027-03-01) får inte …" (words.labelled)."""
    if _TARGET_GROUP_LABEL.match(message.split(": ", 1)[0]):
        return True
    return any(message.startswith((f"{label}: ", f"{label} ")) for label in LABELS)


def assert_swedish_field_errors(exc: ValidationError) -> None:
    """Every problem is told in the app's own Swedish words, located at a field users know."""
    problems = field_errors(exc)
    assert problems, "a ValidationError must yield at least one message"
    for error, problem in zip(exc.errors(), problems, strict=True):
        if error["type"] in ("value_error", "rule"):
            # Our own validators' messages (a rule's names its field): pydantic only prefixes them.
            assert not problem.message.startswith("Value error"), problem
        else:
            assert problem.message != error["msg"], (error["type"], error["msg"])
        for part in problem.label.split(": "):
            assert part in LABELS or _TARGET_GROUP_LABEL.match(part), (problem.label, error)


_POSITION = re.compile(r"^Post (\d+)(?: \(rad \d+\))?: (.*)$", re.DOTALL)
_FILE_LEVEL = re.compile(
    r"^(Filen är inte giltig JSON \(rad \d+, kolumn \d+\)"
    r"|Filen ska innehålla en JSON-lista"
    r"|Filen innehåller ett tal med orimligt många siffror"
    r"|Filen har listor eller objekt i orimligt många nivåer"
    r"|Kolumnen ”.*”: målgruppens nummer"
    r"|Rad \d+, tecken \d+: filen innehåller ett NUL-tecken"
    r"|Rad 1: kolumnen ”.*” finns två gånger \(kolumn \d+ och \d+\)"
    r"|CSV-filen saknar kolumnerna )"
)


def assert_located(message: str, source: str) -> tuple[int, str] | None:
    """An import error names the whole file's fault, or the record and the field.

    Returns (record position, the rest of the message) for record-level errors.
    """
    assert "Traceback" not in message
    for english in ("Input should", "Unable to", "Field required", "Value error"):
        # The message may quote the user's own text; only our own words must be Swedish.
        assert english not in message or english in source, message
    if _FILE_LEVEL.match(message):
        return None
    found = _POSITION.match(message)
    assert found, message
    rest = found.group(2)
    if not rest.startswith(
        ("ska vara ett objekt med fält", "raden har fler kolumner", "CSV-filen går inte att läsa")
    ):
        assert names_a_field(rest), message
    return int(found.group(1)), rest


def parse_or_error(text: str, fmt: str) -> list[Initiative] | InterchangeError:
    """The only two outcomes allowed: valid initiatives, or the import's own error."""
    try:
        result = parse(text, fmt)
    except InterchangeError as exc:
        assert_located(str(exc), text)
        return exc
    for ini in result:
        assert_clean(ini)
    return result


# --- strategies -----------------------------------------------------------------------------------

CONTROLS = (
    "".join(chr(c) for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)])
    + "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029\ufeff\u200b"
)
NASTY = (
    "",
    " ",
    "[bold]x[/]",
    "[/]",
    "[bold",
    "[link=https://example.org]klicka[/link]",
    "\x1b[31mröd\x1b[0m",
    "\x1b]8;;https://example.org\x07länk\x1b]8;;\x07",
    "\x9b2J",
    "a\x00b",
    "\u202eevil\u202c",
    "\r\n",
    "\t\n",
    "=SUMMA(A1)",
    "'=1+1",
    "'citat'",
    "+46",
    "@x",
    "-1",
    "1e309",
    "NaN",
    "null",
    "ja",
    "nej",
    "2027-02-30",
    "14/3",
    "9999-12-31",
    "0001-01-01",
    "\ufeffBOM",
    "🙂 åäö",
    "e\u0301",
    "ä" * (TITLE_MAX + 1),
    "x" * 5000,
)
# Huge strings, around the model's limits and past csv's own 131,072-character field limit.
HUGE = st.builds(
    str.__mul__,
    st.sampled_from(["x", "ä", "9", "[b]", "\x1b[0m", "a\n", " "]),
    st.sampled_from([TITLE_MAX, TITLE_MAX + 1, 5000, TEXT_MAX // 3, TEXT_MAX + 1, 140_000]),
)
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
CONTROL_TEXT = st.text(st.sampled_from(CONTROLS + "[]/=;,\"' abä\\"), max_size=30)
FUZZ_TEXT = st.one_of(
    st.sampled_from(NASTY),
    ANY_TEXT,
    CONTROL_TEXT,
    HUGE,
    st.lists(st.sampled_from(NASTY) | ANY_TEXT | CONTROL_TEXT, max_size=4).map("".join),
)
SHORT_FUZZ = st.one_of(st.sampled_from([s for s in NASTY if len(s) < 100]), ANY_TEXT, CONTROL_TEXT)

DATE_TEXT = st.one_of(
    st.dates().map(date.isoformat),
    st.dates().map(lambda d: f"{d.day}/{d.month} {d.year}"),
    st.dates().map(lambda d: f"{d.year:04}{d.month:02}{d.day:02}"),
    st.dates().map(lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}"),
    st.from_regex(r"\A[0-9/\-. a-zåäö]{0,14}\Z"),
    st.sampled_from(
        [
            "2027-02-30",
            "2027-13-01",
            "0000-01-01",
            "10000-01-01",
            "31/2",
            "29/2 2100",
            "99999999",
            "9" * 30 + "-1-1",
            "١٤/٣ ٢٠٢٧",
            "٢٠٢٧-٠٣-١٤",
            "sön 14 mars",
            "14 mars",
            "mars",
            "14",
            "1/1 99999",
            "2027-03-14T10:00",
            "1700000000",
        ]
    ),
    SHORT_FUZZ,
)

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(),  # NaN and ±Infinity included: Python's json writes and reads them
    FUZZ_TEXT,
    DATE_TEXT,
)
FIELD_KEYS = st.sampled_from(
    [
        *(f for _, f in CSV_COLUMNS),
        *(f for _, f in GROUP_COLUMNS),
        "target_groups",
        "compensation",
        "id",
        "version",
    ]
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(FIELD_KEYS | ANY_TEXT, inner, max_size=8)
    ),
    max_leaves=20,
)


def base_record(n: int = 1) -> dict[str, Any]:
    """A valid record with every field filled, so that every field can be broken."""
    ini = make_initiative(
        title=f"Dialog {n}",
        contact="Eva Ek",
        owner="Per Lind",
        method="dialogue_meeting",
        purpose="Förstå hur unga reser",
        start="2027-03-01",
        end="2027-03-20",
        deadline="2027-03-10",
        sample_size=40,
        compensation={"amount_sek": 300, "payer": "Beställaren"},
    )
    return initiative_to_json(ini)


# Where a replaced value's error must point, by the path that was replaced.
DATE_LABELS = ("Startdatum", "Slutdatum", "Tidsfrist")
GROUP_PATHS = [("target_groups", 0, f) for _, f in GROUP_COLUMNS]
COMPENSATION_PATHS = [("compensation", "amount_sek"), ("compensation", "payer")]
TOP_PATHS = [(key,) for key in base_record()] + [("extra",)]


def expected_labels(path: tuple[Any, ...]) -> tuple[str, ...]:
    """The label prefixes an error about this path may carry."""
    key = path[0]
    if key in ("start", "end", "deadline"):
        return DATE_LABELS
    if key in ("unit", "method"):
        # They decide whether the record's compensation may be offered (`rules`), and a unit
        # not in the units list is asked about there.
        return (FIELD_LABELS[key], FIELD_LABELS["compensation"])
    if key == "target_groups":
        if len(path) > 2 and path[2] in ("age_min", "age_max"):
            return ("Målgrupp 1: Ålder från", "Målgrupp 1: Ålder till")
        if len(path) > 2:
            return (f"Målgrupp 1: {FIELD_LABELS[path[2]]}",)
        return ("Målgrupp",)
    return (FIELD_LABELS[key],)


@st.composite
def mutated_records(draw: st.DrawFn) -> tuple[list[dict[str, Any]], int, tuple[Any, ...]]:
    """Several valid records, one of which has one field replaced by bad input, or deleted."""
    records = [base_record(n) for n in range(1, draw(st.integers(1, 4)) + 1)]
    position = draw(st.integers(1, len(records)))
    path = draw(st.sampled_from(TOP_PATHS + GROUP_PATHS + COMPENSATION_PATHS))
    target: Any = records[position - 1]
    for part in path[:-1]:
        target = target[part]
    if draw(st.booleans()) and path[-1] in target:
        del target[path[-1]]
    else:
        target[path[-1]] = draw(JSON_VALUES | DATE_TEXT)
    return records, position, path


# --- import files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("budget", BUDGETS)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_arbitrary_text_is_parsed_or_refused_in_swedish(budget: int, fmt: str) -> None:
    """Any text at all: valid initiatives, or an InterchangeError saying where."""

    def prop(text: str) -> None:
        parse_or_error(text, fmt)

    check(budget, 150, FUZZ_TEXT, prop, "", "\x00", "[bold]x[/]", "\ufeff", "[", "{}", "[{}]")


@pytest.mark.parametrize("budget", BUDGETS)
def test_arbitrary_json_values_are_parsed_or_refused_in_swedish(budget: int) -> None:
    """Any JSON document, including NaN, Infinity and huge numbers, in any shape."""

    def prop(value: Any) -> None:
        parse_or_error(json.dumps(value), "json")
        parse_or_error(json.dumps([value]), "json")

    check(budget, 150, JSON_VALUES, prop, [None], [[]], {"title": float("nan")}, 10**40)


@pytest.mark.parametrize("budget", BUDGETS)
def test_a_broken_field_is_named_with_its_record(budget: int) -> None:
    """One bad field among good records: the error names that record and that field."""

    def prop(case: tuple[list[dict[str, Any]], int, tuple[Any, ...]]) -> None:
        records, position, path = case
        outcome = parse_or_error(json.dumps(records), "json")
        if isinstance(outcome, list):
            assert len(outcome) == len(records)
            return
        located = assert_located(str(outcome), json.dumps(records))
        assert located is not None, str(outcome)
        where, rest = located
        assert where == position, str(outcome)
        assert path[0] not in ("id", "version", "extra"), "ignored keys must not fail"
        assert rest.startswith(expected_labels(path)), (path, str(outcome))

    def at(path: tuple[Any, ...], value: Any) -> tuple[list[dict[str, Any]], int, tuple[Any, ...]]:
        record = base_record()
        target: Any = record
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
        return [record], 1, path

    check(
        budget,
        150,
        mutated_records(),
        prop,
        at(("start",), "2027-02-30"),
        at(("end",), "14/3 2027"),
        at(("title",), "\x1b[31m\x00"),
        at(("title",), "x" * 5000),
        at(("purpose",), "x" * (TEXT_MAX + 1)),
        at(("sample_size",), 10**30),
        at(("sample_size",), "12.5"),
        at(("uses_panel",), "kanske"),
        at(("target_groups", 0, "age_max"), 5),
        at(("target_groups", 0, "segments"), ["[bold]x[/]"]),
        at(("compensation", "amount_sek"), -1),
        at(("method",), "[bold]fokusgrupp[/]"),
    )


def csv_with_cell(cell: tuple[int, int], value: str, records: int = 2) -> tuple[str, list[str]]:
    """An exported CSV file with one cell replaced (quoted as a spreadsheet would)."""
    text = export_csv([make_initiative(title=f"Dialog {n}") for n in range(1, records + 1)])
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))
    row, column = cell
    rows[row][column] = value
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return "\ufeff" + out.getvalue(), rows[0]


def csv_label(header: str) -> tuple[str, ...]:
    fields = dict(CSV_COLUMNS)
    if header in ("Start", "Slut", "Tidsfrist"):
        return DATE_LABELS
    if header == "Ersättning kr":
        return ("Ersättning",)
    if header == "Ersättning betalas av":
        return ("Ersättning",)
    if header.startswith("Målgrupp 1 "):
        suffix = header.removeprefix("Målgrupp 1 ")
        if suffix.startswith("ålder"):
            return ("Målgrupp 1: Ålder",)
        return (f"Målgrupp 1: {FIELD_LABELS[dict(GROUP_COLUMNS)[suffix]]}",)
    return (FIELD_LABELS[fields[header]],)


@pytest.mark.parametrize("budget", BUDGETS)
def test_a_broken_csv_cell_is_named_with_its_row(budget: int) -> None:
    """One bad cell in an exported spreadsheet: refused naming that row's record and column."""

    def prop(case: tuple[int, int, str]) -> None:
        row, column, value = case
        text, header = csv_with_cell((row, column), value)
        outcome = parse_or_error(text, "csv")
        if isinstance(outcome, list) or row == 0:
            return
        if "\0" in value:
            # A NUL byte is no cell's fault but the file's: named by its line and column.
            line = int(str(outcome).split(",")[0].removeprefix("Rad "))
            assert "NUL-tecken" in str(outcome) and line >= row + 1, str(outcome)
            return
        located = assert_located(str(outcome), text)
        assert located is not None, str(outcome)
        where, rest = located
        assert where == row, str(outcome)
        assert header[column] != "Id", "the Id column is ignored on import"
        assert rest.startswith(csv_label(header[column])), (header[column], str(outcome))

    columns = len(csv_with_cell((0, 0), "Id")[1])
    cases = st.tuples(st.integers(0, 2), st.integers(0, columns - 1), FUZZ_TEXT | DATE_TEXT)
    check(budget, 150, cases, prop, (1, 1, "x" * 5000), (2, 7, "kanske"), (1, 15, "31/2"))


@pytest.mark.parametrize("budget", BUDGETS)
def test_hand_made_csv_grids_are_parsed_or_refused(budget: int) -> None:
    """Spreadsheets typed by hand: any cells, either separator, ragged rows."""
    header = ["Titel", "Beställare", "Metod", "Start", "Slut", "Invånarpanelen"]

    def prop(case: tuple[str, list[list[str]]]) -> None:
        delimiter, rows = case
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter).writerows([header, *rows])
        parse_or_error(out.getvalue(), "csv")

    cells = FUZZ_TEXT | DATE_TEXT | st.sampled_from([m.value for m in Method])
    grid = st.lists(st.lists(cells, min_size=0, max_size=8), max_size=3)
    check(budget, 100, st.tuples(st.sampled_from([";", ","]), grid), prop)


@pytest.mark.parametrize("budget", BUDGETS)
def test_what_is_exported_imports_back_unchanged(budget: int) -> None:
    """Nasty but valid text survives export and import in both formats, unchanged."""

    def prop(fields: dict[str, str]) -> None:
        try:
            ini = make_initiative(**fields)
        except ValidationError:
            return
        for fmt, text in (("json", export_json([ini])), ("csv", export_csv([ini]))):
            (back,) = parse(text, fmt)
            assert back == ini, fmt

    fields = st.fixed_dictionaries(
        {},
        optional={
            "title": SHORT_FUZZ,
            "unit": SHORT_FUZZ,
            "contact": SHORT_FUZZ,
            "purpose": FUZZ_TEXT,
            "questions": FUZZ_TEXT,
        },
    )
    check(budget, 100, fields, prop, {"title": "[bold]x[/]", "purpose": "=1+1\n'@x"})


# --- the command line -----------------------------------------------------------------------------


def table_counts(db: Path) -> dict[str, int]:
    """Rows in every table, read without the app, so the app cannot hide a partial write."""
    conn = sqlite3.connect(db)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


IMPORT_FILES = st.one_of(
    mutated_records().map(lambda case: ("json", json.dumps(case[0]).encode())),
    st.tuples(st.integers(0, 2), st.integers(0, 25), FUZZ_TEXT | DATE_TEXT).map(
        lambda c: ("csv", csv_with_cell((c[0], c[1]), c[2])[0].encode())
    ),
    JSON_VALUES.map(lambda v: ("json", json.dumps(v).encode())),
    st.tuples(st.sampled_from(["json", "csv"]), FUZZ_TEXT.map(str.encode)),
    st.tuples(st.sampled_from(["json", "csv"]), st.binary(max_size=200)),
)


@pytest.mark.parametrize("budget", BUDGETS)
def test_cli_import_writes_everything_or_nothing(
    budget: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`dialogtui import`: exit 0 and every record added, or exit 1, one Swedish line, no change."""
    db = tmp_path / "dialog.db"
    with Store(db, user="anna") as store:
        store.create_initiative(make_initiative())

    def prop(case: tuple[str, bytes]) -> None:
        fmt, data = case
        source = tmp_path / f"in.{fmt}"
        source.write_bytes(data)
        before = table_counts(db)
        code = main(["import", str(source), "--db", str(db)])
        out, err = capsys.readouterr()
        after = table_counts(db)
        assert "Traceback" not in err + out
        if code == 0:
            text = data.decode("utf-8-sig")
            added = len(parse(text, fmt))
            assert after["initiatives"] == before["initiatives"] + added
            assert after["audit_log"] == before["audit_log"] + added
            assert f"Importerade {added} initiativ" in out
        else:
            assert code == 1
            assert after == before, "a refused import must leave the database as it was"
            assert err.startswith("dialogtui: ") and err.count("\n") == 1, err
            message = err.removeprefix("dialogtui: ").rstrip("\n")
            if "är inte UTF-8" not in message:
                assert_located(message, data.decode("utf-8-sig", errors="replace"))

    check(budget, 40, IMPORT_FILES, prop, ("json", b"[]"), ("csv", b"\xff\xfe"))


# --- model fields ---------------------------------------------------------------------------------

MODELS: list[type[BaseModel]] = [
    Initiative,
    TargetGroup,
    Compensation,
    Evaluation,
    FeedbackPromise,
    BlockedPeriod,
    ChecklistEntry,
    PublicFeedback,
]


@st.composite
def some_replaced(
    draw: st.DrawFn, base: dict[str, Any], fuzz: dict[str, st.SearchStrategy[Any]]
) -> dict[str, Any]:
    """A valid `base` with a few fields, or now and then all of them, replaced by fuzz.

    Fuzzing everything at once nearly always fails on some field, which would leave the
    success side of a property (is what got through clean?) untested.
    """
    names = sorted(fuzz)
    few = st.lists(st.sampled_from(names), unique=True, min_size=1, max_size=3)
    chosen = draw(st.just(names) | few | few)
    return base | {name: draw(fuzz[name]) for name in chosen}


# A valid record of each model: the starting point that fuzzed fields are put into.
VALID: dict[type[BaseModel], dict[str, Any]] = {
    Initiative: base_record(),
    TargetGroup: {"name": "Unga", "municipalities": ["Hylte"], "segments": ["unga"]},
    Compensation: {"amount_sek": 300, "payer": "Beställaren"},
    Evaluation: {"participants": 12, "invited": 40, "effect": "Nya öppettider"},
    FeedbackPromise: {"audience": "public", "what": "Resultat", "due": "2027-04-01"},
    BlockedPeriod: {"name": "Sommar", "start": "2027-06-21", "end": "2027-08-08"},
    ChecklistEntry: {"item_id": "F-syfte", "state": "not_applicable", "reason": "Finns"},
    PublicFeedback: {"asked": "Om resor", "answered": "Fler turer", "did": "Ny linje"},
}
# Fields a person types; whatever gets through into them must be free of control characters.
USER_TEXT_FIELDS = {
    *ONE_LINE_FIELDS,
    *TEXT_FIELDS,
    *("payer", "name", "what", "channel", "reason", "note", "asked", "answered", "did"),
    *("effect", "lesson", "achieved_comment", "unspoken", "went_well", "improve"),
}


@pytest.mark.parametrize("budget", BUDGETS)
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_model_fields_fail_only_with_swedish_messages(budget: int, model: type[BaseModel]) -> None:
    """Any values in any fields: a valid model, or a ValidationError told fully in Swedish."""

    def prop(data: dict[str, Any]) -> None:
        try:
            validated = model.model_validate(data)
        except ValidationError as exc:
            assert_swedish_field_errors(exc)
            return
        for name in USER_TEXT_FIELDS & set(model.model_fields):
            value = getattr(validated, name)
            assert not any(is_forbidden(ch, one_line=False) for ch in value), (name, value)
        if isinstance(validated, Initiative):
            assert_clean(validated)

    names = [name for name in model.model_fields if name in FIELD_LABELS]
    fuzz = dict.fromkeys(names, JSON_VALUES | DATE_TEXT | FUZZ_TEXT)
    check(budget, 40, some_replaced(VALID[model], fuzz), prop)


@pytest.mark.parametrize("budget", BUDGETS)
def test_typed_dates_are_read_or_refused_in_swedish(budget: int) -> None:
    """Whatever is typed in a date field: a date, or a Swedish DateInputError."""

    def prop(text: str) -> None:
        try:
            day = parse_user_date(text, TODAY)
        except DateInputError as exc:
            assert str(exc) and "Traceback" not in str(exc)
            return
        assert isinstance(day, date)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip(), re.ASCII):
            assert day.isoformat() == text.strip()

    check(budget, 200, DATE_TEXT, prop, "", "\x00", "31/2 2027", "9" * 5000, "1/1 " + "9" * 5000)


# --- the registration and evaluation forms, without a terminal -----------------------------------

FORM_FIELDS = {
    *ONE_LINE_FIELDS,
    *TEXT_FIELDS,
    "method",
    "influence",
    "uses_panel",
    "start",
    "end",
    "deadline",
    "sample_size",
    "amount_sek",
    "payer",
}
NUMBER_TEXT = st.one_of(
    st.integers(-5, COUNT_MAX + 5).map(str),
    st.from_regex(r"\A[0-9 +\-.,e_]{0,12}\Z"),
    st.sampled_from(["", " 12 ", "٣", "1_000", "1e3", "9" * 30, "0x10", "12.0"]),
    SHORT_FUZZ,
)


def form_raw() -> st.SearchStrategy[dict[str, Any]]:
    """What the registration form's widgets can hold."""
    groups = st.fixed_dictionaries(
        {
            "name": SHORT_FUZZ,
            "age_min": NUMBER_TEXT,
            "age_max": NUMBER_TEXT,
            "municipalities": st.lists(st.sampled_from(["Halmstad", "Hylte"]), unique=True),
            "segments": st.lists(st.sampled_from(["unga", "äldre"]), unique=True),
        }
    )
    valid = {
        "title": "Dialog",
        "unit": "Enhet",
        "contact": "",
        "owner": "",
        **dict.fromkeys(TEXT_FIELDS, ""),
        "start": "2027-03-01",
        "end": "2027-03-20",
        "deadline": "",
        "sample_size": "",
        "amount_sek": "",
        "payer": "",
        "method": Method.FOCUS_GROUP,
        "influence": "consult",
        "uses_panel": False,
        "target_groups": [],
    }
    fuzz = {
        **dict.fromkeys(ONE_LINE_FIELDS, FUZZ_TEXT),
        **dict.fromkeys(TEXT_FIELDS, FUZZ_TEXT),
        **dict.fromkeys(("start", "end", "deadline"), DATE_TEXT),
        "sample_size": NUMBER_TEXT,
        "amount_sek": NUMBER_TEXT,
        "payer": SHORT_FUZZ,
        "method": st.none() | st.sampled_from(list(Method)),
        "uses_panel": st.booleans(),
        "target_groups": st.lists(groups, max_size=2),
    }
    return some_replaced(valid, fuzz)


def reads_as_date(text: str) -> bool:
    try:
        parse_user_date(text, TODAY)
    except DateInputError:
        return False
    return True


@pytest.mark.parametrize("budget", BUDGETS)
def test_form_turns_any_field_values_into_an_initiative_or_named_errors(budget: int) -> None:
    """InitiativeFormScreen.build: an initiative of the cleaned values, or errors per field."""

    def prop(raw: dict[str, Any]) -> None:
        screen = InitiativeFormScreen(None, TODAY)
        screen.raw = lambda: raw  # type: ignore[method-assign]
        initiative, errors = screen.build()
        if initiative is None:
            assert errors
            for key, message in errors.items():
                assert key in FORM_FIELDS or re.fullmatch(r"group-\d+", key), key
                assert names_a_field(message), message
                assert "Input should" not in message or "Input should" in str(raw), message
            return
        assert not errors
        assert_clean(initiative)
        for name in ONE_LINE_FIELDS:
            assert getattr(initiative, name) == expected_line(raw[name]), name
        for name in TEXT_FIELDS:
            assert getattr(initiative, name) == expected_text(raw[name]), name

    check(budget, 60, form_raw(), prop)


EVALUATION_ROWS = {
    "method",
    "participants",
    "invited",
    "effect",
    "lesson",
    "achieved",
    "achieved_comment",
    "unspoken",
    "went_well",
    "improve",
}
EVALUATION_TEXTS = ("effect", "lesson", "achieved_comment", "unspoken", "went_well", "improve")


@pytest.mark.parametrize("budget", BUDGETS)
def test_evaluation_turns_any_field_values_into_an_evaluation_or_named_errors(
    budget: int,
) -> None:
    """EvaluationScreen.build: counts and free text fuzzed, errors land on a row the form has."""

    def prop(raw: dict[str, Any]) -> None:
        screen = EvaluationScreen(1)
        screen.raw = lambda: raw  # type: ignore[method-assign]
        evaluation, errors = screen.build()
        if evaluation is None:
            assert errors and set(errors) <= EVALUATION_ROWS, errors
            for message in errors.values():
                assert names_a_field(message), message
            return
        assert not errors
        for name in EVALUATION_TEXTS:
            assert getattr(evaluation, name) == expected_text(raw[name]), name
        for name in ("participants", "invited"):
            value = getattr(evaluation, name)
            assert value is None or 0 <= value <= COUNT_MAX

    valid = {
        "participants": "12",
        "invited": "40",
        "method": "focus_group",
        "achieved": None,
        **dict.fromkeys(EVALUATION_TEXTS, ""),
    }
    fuzz = {
        "participants": NUMBER_TEXT,
        "invited": NUMBER_TEXT,
        "method": st.none() | st.sampled_from([m.value for m in Method]),
        "achieved": st.none() | st.sampled_from(["yes", "partly", "no"]),
        **dict.fromkeys(EVALUATION_TEXTS, FUZZ_TEXT),
    }
    check(budget, 100, some_replaced(valid, fuzz), prop)


# --- the forms, driven with keys and pastes -------------------------------------------------------


def error_of(app: Any, field: str) -> str:
    row = app.screen.query_one(f"#row-{field}", FieldRow)
    if not row.has_class("-invalid"):
        return ""
    return " ".join(widget_text(row.query_one(".field-error")).split())


ACTIVE = (WorkerState.PENDING, WorkerState.RUNNING)
# Printable keys only: a typed control key would be a command (Escape leaves the form).
TYPED = st.text(st.sampled_from("ab Åä[]/=@#'\"-+"), max_size=12)
PILOT_TEXT = st.one_of(
    st.sampled_from(["[bold]x[/]", "\x1b[31m", "x" * 5000, "[/]", "\u202eA\x00\r\nB\tC"]),
    SHORT_FUZZ,
    HUGE,
)


async def settle(app: Any, pilot: Any) -> None:
    """Wait until saving is over: a finished worker may have started the next one."""
    for _ in range(50):
        await pilot.pause()
        if not any(worker.state in ACTIVE for worker in app.workers):
            break
        await app.workers.wait_for_complete()
    await pilot.pause()


async def register(typed: str, pasted: str, purpose: str) -> None:
    """Type and paste into the title, paste into the purpose, save; check what happened."""
    with tempfile.TemporaryDirectory() as tmp:
        store = fixed_store(Path(tmp) / "dialog.db")
        try:
            await _register(store, typed, pasted, purpose)
        finally:
            store.close()


async def _register(store: Store, typed: str, pasted: str, purpose: str) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("n")
        screen = app.screen
        assert isinstance(screen, InitiativeFormScreen)
        await pilot.press(*typed)
        title = screen.query_one("#title", Input)
        title.post_message(events.Paste(pasted))
        area = screen.query_one("#purpose", TextArea)
        area.focus()
        area.post_message(events.Paste(purpose))
        screen.query_one("#unit", Input).value = "Enhet"
        screen.query_one("#method", Select).value = Method.FOCUS_GROUP
        screen.query_one("#start", Input).value = "2027-03-01"
        screen.query_one("#end", Input).value = "2027-03-20"
        await pilot.pause()
        want_title, want_purpose = expected_line(title.value), expected_text(area.text)
        assert title.value.startswith(typed)
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        title_ok = 0 < len(want_title) <= TITLE_MAX
        purpose_ok = len(want_purpose) <= TEXT_MAX
        if title_ok and purpose_ok:
            assert isinstance(app.screen, InitiativeScreen)
            (saved,) = store.initiatives()
            assert (saved.title, saved.purpose) == (want_title, want_purpose)
            if want_title.isascii() and want_title.isprintable() and len(want_title) < 40:
                # Shown as typed: markup in a title is text, never styling.
                assert want_title in widget_text(app.screen.query_one("#body"))
        else:
            assert isinstance(app.screen, InitiativeFormScreen)
            assert store.count_initiatives() == 0
            assert title_ok or error_of(app, "title").startswith("Titel: ")
            assert purpose_ok or error_of(app, "purpose").startswith("Syfte: ")


@pytest.mark.parametrize("budget", BUDGETS)
def test_registration_form_with_fuzzed_title_and_purpose(budget: int) -> None:
    def prop(case: tuple[str, str, str]) -> None:
        asyncio.run(register(*case))

    check(
        budget,
        UI_EXAMPLES,
        st.tuples(TYPED, PILOT_TEXT, PILOT_TEXT),
        prop,
        # Markup stays text and ESC goes, so the rest of a colour code is inert text too.
        ("[bold]", "x[/] \x1b[31mred", "[bold]x[/]"),
        ("", "\x1b[31m\x00\u202e", "\x1b[31mröd\r\n\x07"),
        ("a", "x" * 5000, "x" * 5000),
    )


def counts_that_must_save(participants: str, invited: str, effect: str) -> bool:
    """Plain digits within the limits and something answered: nothing may refuse that."""
    if not re.fullmatch(r"[0-9]{0,7}", participants) or not re.fullmatch(r"[0-9]{0,7}", invited):
        return False
    if participants and invited and int(participants) > int(invited):
        return False
    return bool(participants or invited or effect) and len(effect) <= TEXT_MAX


async def evaluate(participants: str, invited: str, effect: str) -> None:
    """Type the counts, paste the effect, save; check what was stored or refused."""
    with tempfile.TemporaryDirectory() as tmp:
        store = fixed_store(Path(tmp) / "dialog.db")
        try:
            ini = store.create_initiative(make_initiative(start="2026-10-01", end="2026-10-20"))
            assert ini.id is not None
            await _evaluate(store, ini.id, participants, invited, effect)
        finally:
            store.close()


async def _evaluate(store: Store, iid: int, participants: str, invited: str, effect: str) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        app.open_evaluation(iid)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EvaluationScreen)
        await pilot.press(*participants)
        screen.query_one("#invited", Input).value = invited
        area = screen.query_one("#effect", TextArea)
        area.focus()
        area.post_message(events.Paste(effect))
        await pilot.pause()
        want_effect = expected_text(area.text)
        must_save = counts_that_must_save(participants, invited, want_effect)
        await pilot.press("ctrl+s")
        await pilot.pause()

        saved = store.evaluation(iid)
        if app.screen is screen:
            assert not must_save, "a valid evaluation was refused"
            assert saved is None
            shown = " ".join(widget_text(screen.query_one("#evaluation-summary")).split())
            assert shown.startswith("Inget sparades: "), shown
            if "besvara minst en" not in shown:
                invalid = [row for row in screen.query(FieldRow) if row.has_class("-invalid")]
                assert invalid, shown
                for row in invalid:
                    message = " ".join(widget_text(row.query_one(".field-error")).split())
                    assert names_a_field(message), message
            return
        assert saved is not None
        assert saved.effect == want_effect
        if must_save and participants:
            assert saved.participants == int(participants)
        if saved.participants is not None and saved.invited is not None:
            assert saved.participants <= saved.invited


@pytest.mark.parametrize("budget", BUDGETS)
def test_evaluation_form_with_fuzzed_counts_and_text(budget: int) -> None:
    counts = st.text(st.sampled_from("0123456789 -+.,e"), max_size=9)

    def prop(case: tuple[str, str, str]) -> None:
        asyncio.run(evaluate(*case))

    check(
        budget,
        UI_EXAMPLES,
        st.tuples(counts, NUMBER_TEXT, PILOT_TEXT),
        prop,
        ("12", "40", "[bold]x[/] \x1b[31m"),
        ("41", "40", "x" * 5000),
        ("", "", "x" * (TEXT_MAX + 1)),
    )


# --- known source bugs ----------------------------------------------------------------------------


def _record(**fields: Any) -> dict[str, Any]:
    return {**base_record(), **fields}


def test_json_with_a_huge_integer_is_refused_in_swedish() -> None:
    with pytest.raises(InterchangeError):
        parse_json("[" + "9" * 5000 + "]")


def test_deeply_nested_json_is_refused_in_swedish() -> None:
    with pytest.raises(InterchangeError):
        parse_json("[" * 100_000)


def test_csv_with_a_huge_cell_is_refused_in_swedish() -> None:
    text, _ = csv_with_cell((1, 8), "x" * 140_000)
    with pytest.raises(InterchangeError, match=r"^Post 1 \(rad \d+\): Syfte"):
        parse_csv(text)


def test_csv_with_a_huge_group_number_is_refused_in_swedish() -> None:
    text = "Titel;Beställare;Metod;Start;Slut;Målgrupp " + "9" * 5000 + " namn\n"
    with pytest.raises(InterchangeError):
        parse_csv(text + "T;U;survey;2027-01-01;2027-01-02;x\n")


def test_cli_import_of_a_huge_integer_gives_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.json"
    source.write_text("[" + "9" * 5000 + "]", encoding="utf-8")
    assert main(["import", str(source), "--db", str(tmp_path / "x.db")]) == 1
    assert capsys.readouterr().err.startswith("dialogtui: ")


def test_nan_in_a_number_field_is_told_in_swedish() -> None:
    with pytest.raises(InterchangeError) as caught:
        parse_json(json.dumps([_record(sample_size=float("nan"))]))
    assert "Input should" not in str(caught.value)


def test_a_5000_digit_number_text_is_told_in_swedish() -> None:
    with pytest.raises(InterchangeError) as caught:
        parse_json(json.dumps([_record(sample_size="9" * 5000)]))
    assert "Unable to parse" not in str(caught.value)


def test_a_lone_surrogate_is_told_in_swedish() -> None:
    text = json.dumps([_record()]).replace('"Dialog 1"', '"\\ud800"')
    with pytest.raises(InterchangeError) as caught:
        parse_json(text)
    assert "Input should" not in str(caught.value)


def test_bookkeeping_fields_in_an_import_are_ignored_or_told_in_swedish() -> None:
    try:
        parse_json(json.dumps([_record(updated_at="igår")]))
    except InterchangeError as exc:
        assert "updated_at" not in str(exc) and "Input should" not in str(exc)


def test_an_unreadable_deadline_with_valid_dates_is_a_field_error() -> None:
    # In the TUI: type start and end, then "31/2" as the deadline and leave the field; the
    # blur handler calls build() and the app dies with KeyError: 'deadline'.
    screen = InitiativeFormScreen(None, TODAY)
    raw = {name: "" for name in FORM_FIELDS} | {"method": None, "target_groups": []}
    raw |= {"start": "2027-03-01", "end": "2027-03-20", "deadline": "31/2"}
    screen.raw = lambda: raw  # type: ignore[method-assign]
    initiative, errors = screen.build()
    assert initiative is None and errors["deadline"].startswith("Tidsfrist: ")


def test_a_title_starting_with_an_apostrophe_survives_csv() -> None:
    ini = make_initiative(title="'=1+1")
    (back,) = parse_csv(export_csv([ini]))
    assert back.title == "'=1+1"


def test_a_mistyped_year_is_refused_by_name() -> None:
    # Any year 1-9999 is a date; near 9999 the calendar and the .ics export overflowed.
    with pytest.raises(InterchangeError, match=r"^Post 1: Slutdatum: året 9999 är inte rimligt"):
        parse_json(json.dumps([_record(end="9999-12-31", deadline=None)]))
    screen = InitiativeFormScreen(None, TODAY)
    raw = {name: "" for name in FORM_FIELDS} | {"method": None, "target_groups": []}
    raw |= {"title": "T", "unit": "U", "start": "2207-03-01", "end": "2207-03-20"}
    screen.raw = lambda: raw  # type: ignore[method-assign]
    initiative, errors = screen.build()
    assert initiative is None and "året 2207 är inte rimligt" in errors["start"]
