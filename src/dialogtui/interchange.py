"""Import and export of initiatives as JSON (the DESIGN.md contract) and CSV (Swedish headers).

Parsing is all-or-nothing: the first bad record raises `InterchangeError` naming the record's
position and the field, before anything reaches the store. Every record passes the same rules
as the form (the model's, `rules`) and the same stage gate as the stage key
(`process.stage_problems`), from "anmäld": an import carries no checklist and no evaluation, so
a record at "genomförande" or later needs a reason, which the history keeps.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from dialogtui.domain import AGE_MAX, AGE_MIN, FIELD_LABELS, Stage
from dialogtui.errors import UserError
from dialogtui.models import FieldError, Initiative, field_errors
from dialogtui.process import stage_problems
from dialogtui.rules import advice
from dialogtui.spreadsheet import inert, revive
from dialogtui.words import term

FORMATS = ("json", "csv")


class InterchangeError(UserError, ValueError):
    """A file that cannot be imported; the message is Swedish and names where the fault is."""


# --- JSON -----------------------------------------------------------------------------------------

_JSON_KEYS = [
    *("id", "title", "unit", "contact", "owner", "method", "influence", "uses_panel"),
    *("purpose", "context", "questions", "use_of_answers", "reach", "marketing"),
    *("representativeness", "start", "end", "deadline", "stage", "target_groups"),
    *("sample_size", "compensation"),
    # Beyond the DESIGN.md contract (added keys are allowed; older files simply lack them).
    *("orders_invanartjanster", "conditions", "personal_data", "feedback_description"),
]


def initiative_to_json(initiative: Initiative) -> dict[str, Any]:
    """One initiative in the key order of the DESIGN.md contract."""
    data = initiative.model_dump(mode="json", exclude={"version", "updated_at", "updated_by"})
    return {key: data[key] for key in _JSON_KEYS}


def export_json(initiatives: Iterable[Initiative]) -> str:
    return (
        json.dumps([initiative_to_json(i) for i in initiatives], ensure_ascii=False, indent=2)
        + "\n"
    )


_BOOKKEEPING = ("id", "version", "updated_at", "updated_by")


def check_record(record: dict[str, Any]) -> tuple[Initiative | None, list[FieldError]]:
    """The rules every door applies to an initiative: the form, the template and every import.

    Returns the initiative, or None and every problem in Swedish, each naming its field.
    """
    try:
        return Initiative.model_validate(record), []
    except ValidationError as exc:
        return None, field_errors(exc)


def gate_problems(initiative: Initiative) -> list[str]:
    """What the stage gate says of a new initiative arriving at its stage from "anmäld"."""
    return stage_problems(initiative, initiative.stage, {}, None, (), origin=Stage.REGISTERED)


def _validate(record: Any, position: int, where: str = "", reason: str = "") -> Initiative:
    if not isinstance(record, dict):
        raise InterchangeError(
            f"Post {position}{where}: ska vara ett objekt med fält, inte {record!r:.40}"
        )
    # Bookkeeping is the store's own: a file cannot say who changed a record, or when.
    record = {k: v for k, v in record.items() if k not in _BOOKKEEPING}
    initiative, problems = check_record(record)
    if initiative is None:
        raise InterchangeError(f"Post {position}{where}: {problems[0]}")
    gate = gate_problems(initiative)
    if gate and not reason.strip():
        raise InterchangeError(
            f"Post {position}{where}: {FIELD_LABELS['stage']}: ”{initiative.stage.label}” kräver "
            f"mer än en import kan visa: {_summary(gate)}. Importera i skedet anmäld eller "
            "planering, eller ange ett skäl med --reason (det sparas i historiken)."
        )
    return initiative


def _summary(problems: list[str]) -> str:
    """The gate's problems in a line: open checklist items counted rather than listed."""
    counted = {
        "Före ej klar: ": ("Före-punkt", "Före-punkter"),
        "Efter ej klar: ": ("Efter-punkt", "Efter-punkter"),
    }
    parts = [p.rstrip(".") for p in problems if not p.startswith(tuple(counted))]
    for prefix, (one, many) in counted.items():
        count = sum(1 for p in problems if p.startswith(prefix))
        if count:
            parts.append(f"1 {one} ej klar" if count == 1 else f"{count} {many} ej klara")
    return "; ".join(parts)


def audit_notes(initiatives: Sequence[Initiative], note: str, reason: str) -> list[str]:
    """Each record's note in the history: the file's own, and the reason where the stage gate
    asked for one ("Åsidosatt: …", as the stage key writes it)."""
    return [
        "; ".join(
            part for part in (note, f"Åsidosatt: {reason}" if gate_problems(ini) else "") if part
        )
        for ini in initiatives
    ]


def notes(initiatives: Sequence[Initiative]) -> list[str]:
    """What to point out about imported records without refusing them (`rules.advice`)."""
    found: list[str] = []
    for position, initiative in enumerate(initiatives, start=1):
        payer = initiative.compensation.payer if initiative.compensation else ""
        for item in advice(initiative, payer):
            found.append(f"Post {position} ”{initiative.title}”: {item.message}")
    return found


# What Python's JSON parser says (its C scanner and its Python fallback), in Swedish: a message
# a user reads never ends in English. Matched by prefix, since some carry a position after.
_JSON_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("Expecting value", "här väntades ett värde (text, tal, lista eller objekt)"),
    ("Expecting property name", "här väntades ett fältnamn inom dubbla citattecken"),
    ("Expecting ':' delimiter", "här väntades ett kolon (:) efter fältnamnet"),
    ("Expecting ',' delimiter", "här väntades ett kommatecken (,) mellan två värden"),
    ("Unterminated string", "en text börjar här men slutar aldrig (citattecknet saknas)"),
    ("Invalid control character", "ett styrtecken (t.ex. radbrytning) står inne i en text"),
    ("Invalid \\uXXXX escape", "en \\u-kod ska ha fyra hexadecimala siffror"),
    ("Invalid \\escape", "ett omvänt snedstreck (\\) följs av ett tecken som inte är tillåtet"),
    ("Extra data", "det står mer i filen efter att JSON-värdet har slutat"),
    ("Unexpected UTF-8 BOM", "filen börjar med ett BOM-tecken som JSON inte tillåter"),
    ("Illegal trailing comma", "ett kommatecken står före en avslutande klammer"),
)


def json_problem(message: str) -> str:
    """The JSON parser's complaint in Swedish; one it has never said before gets a plain line."""
    for english, swedish in _JSON_PROBLEMS:
        if message.startswith(english):
            return swedish
    return "tecknet här passar inte i JSON"


def parse_json(text: str, reason: str = "") -> list[Initiative]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InterchangeError(
            f"Filen är inte giltig JSON (rad {exc.lineno}, kolumn {exc.colno}): "
            f"{json_problem(exc.msg)}"
        ) from None
    except ValueError:
        # Python refuses integers of more than 4,300 digits while parsing.
        raise InterchangeError("Filen innehåller ett tal med orimligt många siffror.") from None
    except RecursionError:
        raise InterchangeError("Filen har listor eller objekt i orimligt många nivåer.") from None
    if not isinstance(data, list):
        raise InterchangeError("Filen ska innehålla en JSON-lista med initiativ: [ {...}, ... ]")
    return [
        _validate(record, position, reason=reason) for position, record in enumerate(data, start=1)
    ]


# --- CSV ------------------------------------------------------------------------------------------

# Column header (Swedish, as users see it in a spreadsheet) → model field.
CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Titel", "title"),
    ("Beställare", "unit"),
    ("Kontaktperson", "contact"),
    (term("owner"), "owner"),
    ("Metod", "method"),
    ("Påverkansnivå", "influence"),
    ("Invånarpanelen", "uses_panel"),
    ("Syfte", "purpose"),
    ("Sammanhang", "context"),
    ("Frågor", "questions"),
    ("Användning av svaren", "use_of_answers"),
    ("Var och hur målgruppen nås", "reach"),
    ("Marknadsföring", "marketing"),
    ("Relevant underlag", "representativeness"),
    ("Start", "start"),
    ("Slut", "end"),
    ("Tidsfrist", "deadline"),
    ("Skede", "stage"),
    ("Urval", "sample_size"),
    ("Ersättning kr", "amount_sek"),
    ("Ersättning betalas av", "payer"),
    # Added after the first version's columns, so that spreadsheets built on those still fit.
    ("Beställning till Invånartjänster", "orders_invanartjanster"),
    ("Villkor för påverkan", "conditions"),
    ("Personuppgifter och svar", "personal_data"),
    ("Återkoppling till de svarande", "feedback_description"),
)
GROUP_COLUMNS: tuple[tuple[str, str], ...] = (
    ("namn", "name"),
    ("kommuner", "municipalities"),
    ("ålder från", "age_min"),
    ("ålder till", "age_max"),
    ("segment", "segments"),
)
_GROUP_HEADER = re.compile(r"^Målgrupp (\d+) (.+)$")
_YES = {"ja", "j", "yes", "true", "1", "x"}
_NO = {"nej", "n", "no", "false", "0", ""}


def csv_headers(group_sets: int) -> list[str]:
    """The CSV header row for a file with this many target-group column sets."""
    headers = ["Id", *(h for h, _ in CSV_COLUMNS)]
    for n in range(1, group_sets + 1):
        headers += [f"Målgrupp {n} {suffix}" for suffix, _ in GROUP_COLUMNS]
    return headers


def export_csv(initiatives: Sequence[Initiative]) -> str:
    """One row per initiative, Swedish headers and labels, target groups as numbered column sets.

    Semicolon-separated with a byte-order mark, which is what a Swedish spreadsheet expects.
    """
    header = csv_headers(max((len(i.target_groups) for i in initiatives), default=0))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for ini in initiatives:
        comp = ini.compensation
        values: dict[str, Any] = {
            **ini.model_dump(mode="json", include={f for _, f in CSV_COLUMNS}),
            "method": ini.method.label,
            "influence": ini.influence.label,
            "stage": ini.stage.label,
            "uses_panel": "ja" if ini.uses_panel else "nej",
            "orders_invanartjanster": "ja" if ini.orders_invanartjanster else "nej",
            "amount_sek": comp.amount_sek if comp else "",
            "payer": comp.payer if comp else "",
        }
        row = [ini.id or "", *("" if values.get(f) is None else values[f] for _, f in CSV_COLUMNS)]
        for group in ini.target_groups:
            row += [
                group.name,
                "; ".join(m.value for m in group.municipalities),
                group.age_min,
                group.age_max,
                "; ".join(group.segments),
            ]
        row += [""] * (len(header) - len(row))
        writer.writerow([inert(value) if isinstance(value, str) else value for value in row])
    return "\ufeff" + out.getvalue()


def _csv_record(
    row: dict[str, str], position: int, line: int, undo_inert: bool = True
) -> dict[str, Any]:
    """Turn one spreadsheet row into the shape `Initiative` validates.

    `undo_inert` undoes the apostrophe that a CSV export puts before a formula-like text; an .xlsx
    keeps such a text a text by its cell type instead, so its cells are taken as they are.
    """
    where = f" (rad {line})"
    # "Projektägare": the owner's header in files written before the glossary named it.
    by_header = dict(CSV_COLUMNS) | {"Projektägare": "owner"}
    record: dict[str, Any] = {}
    groups: dict[int, dict[str, Any]] = {}
    group_fields = dict(GROUP_COLUMNS)
    for header, raw in row.items():
        if header is None:
            raise InterchangeError(f"Post {position}{where}: raden har fler kolumner än rubriken")
        value = (raw or "").strip()
        if undo_inert:
            value = revive(value)
        if header in by_header:
            record[by_header[header]] = value
        elif match := _GROUP_HEADER.match(header):
            field = group_fields.get(match.group(2))
            if field is None:
                continue
            if len(match.group(1)) > 3:
                raise InterchangeError(
                    f"Kolumnen ”{header[:40]}…”: målgruppens nummer får vara högst 999."
                )
            groups.setdefault(int(match.group(1)), {})[field] = value
    for key in ("uses_panel", "orders_invanartjanster"):
        answer = str(record.get(key, "")).casefold()
        if answer in _YES:
            record[key] = True
        elif answer in _NO:
            record[key] = False
        else:
            raise InterchangeError(
                f"Post {position}{where}: {FIELD_LABELS[key]}: måste vara ja eller nej"
            )
    for key in ("deadline", "sample_size"):
        if record.get(key) == "":
            record[key] = None
    for key in ("method", "influence", "stage"):
        if record.get(key) == "":
            record.pop(key)
    amount, payer = record.pop("amount_sek", ""), record.pop("payer", "")
    if amount or payer:
        record["compensation"] = {"amount_sek": amount or None, "payer": payer}
    target_groups = []
    for number in sorted(groups):
        group = groups[number]
        if not any(group.values()):
            continue
        group["age_min"] = group.get("age_min") or AGE_MIN
        group["age_max"] = group.get("age_max") or AGE_MAX
        target_groups.append(group)
    record["target_groups"] = target_groups
    return record


# csv's own limit (131,072 characters a cell) would refuse a long text before the model could
# say which field is too long and what the limit is.
_CELL_LIMIT = 16 * 1024 * 1024


def _refuse_nul(text: str) -> None:
    """A NUL character is no text a person typed: the file is binary or UTF-16. Refused, with
    where it is, rather than silently dropped."""
    position = text.find("\0")
    if position < 0:
        return
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    raise InterchangeError(
        f"Rad {line}, tecken {column}: filen innehåller ett NUL-tecken (byte 0), som ingen text "
        "har. Den är troligen inte sparad som text; spara den som CSV (UTF-8) och försök igen."
    )


def _refuse_duplicate_columns(headers: Sequence[str]) -> None:
    """Two columns with one name would let the last one win without a word; refused instead."""
    known = {h for h, _ in CSV_COLUMNS} | {"Id"}
    seen: dict[str, int] = {}
    for number, header in enumerate(headers, start=1):
        if header in known or _GROUP_HEADER.match(header or ""):
            if header in seen:
                raise InterchangeError(
                    f"Rad 1: kolumnen ”{header[:40]}” finns två gånger (kolumn {seen[header]} "
                    f"och {number}); ta bort den ena, så att det är klart vilken som gäller."
                )
            seen[header] = number


def parse_csv(text: str, reason: str = "") -> list[Initiative]:
    text = text.removeprefix("\ufeff")
    _refuse_nul(text)
    csv.field_size_limit(max(csv.field_size_limit(), _CELL_LIMIT))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers = reader.fieldnames or []
    _refuse_duplicate_columns(headers)
    missing = [
        h
        for h, f in CSV_COLUMNS
        if f in ("title", "unit", "method", "start", "end") and h not in headers
    ]
    if missing:
        raise InterchangeError(
            f"CSV-filen saknar kolumnerna {', '.join(missing)}; se README för kolumnnamnen."
        )
    result = []
    position = 0
    try:
        for position, row in enumerate(reader, start=1):
            line = reader.line_num
            record = _csv_record(row, position, line)
            result.append(_validate(record, position, f" (rad {line})", reason))
    except csv.Error as exc:
        raise InterchangeError(
            f"Post {position + 1} (rad {reader.line_num}): CSV-filen går inte att läsa ({exc})."
        ) from None
    return result


def parse_table(
    header: Sequence[str], rows: Iterable[tuple[int, Sequence[str]]], reason: str = ""
) -> list[Initiative]:
    """A spreadsheet's table with the CSV columns (the .xlsx export), as (line, cells) rows.

    The cells are texts as CSV would hold them; the CSV rules read them.
    """
    headers = [h.strip() for h in header]
    missing = [
        h
        for h, f in CSV_COLUMNS
        if f in ("title", "unit", "method", "start", "end") and h not in headers
    ]
    if missing:
        raise InterchangeError(
            f"Bladet saknar kolumnerna {', '.join(missing)}; se README för kolumnnamnen."
        )
    result = []
    for position, (line, cells) in enumerate(rows, start=1):
        row = dict(zip(headers, cells, strict=False))
        record = _csv_record(row, position, line, undo_inert=False)
        result.append(_validate(record, position, f" (rad {line})", reason))
    return result


def parse(text: str, fmt: str, reason: str = "") -> list[Initiative]:
    """The initiatives of a file; `reason` lets records past the stage gate in (see above)."""
    if fmt == "json":
        return parse_json(text, reason)
    if fmt == "csv":
        return parse_csv(text, reason)
    raise InterchangeError(f"Okänt format '{fmt}'; välj json eller csv.")


def export(initiatives: Sequence[Initiative], fmt: str) -> str:
    if fmt == "json":
        return export_json(initiatives)
    if fmt == "csv":
        return export_csv(initiatives)
    raise InterchangeError(f"Okänt format '{fmt}'; välj json eller csv.")
