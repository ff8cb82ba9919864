"""The year report ("Årsrapport"): how many dialogues, with whom, followed up and kept as promised.

Pure logic: it is given initiatives, evaluations and feedback promises, so that the TUI, the
`dialogtui report` command and the tests all count the same way. Renderers turn a report into
Markdown, semicolon-separated CSV (as a Swedish spreadsheet expects) and an Excel workbook.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from dialogtui.domain import Achieved, Stage, swedish_key
from dialogtui.models import Evaluation, FeedbackPromise, Initiative
from dialogtui.spreadsheet import inert, keep_text
from dialogtui.words import adjective, term

BAR = "█"
MARKDOWN_BAR_WIDTH = 20
TOTAL_LABEL = "Totalt"

# The dimensions a report is broken down by: key, Swedish heading (also the CSV "Indelning").
DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("unit", "Beställare"),
    ("method", "Metod"),
    ("influence", "Påverkansnivå"),
)
DIMENSION_TITLES = dict(DIMENSIONS)

# Question 5's answers, each in a column of its own, under the glossary's words.
ACHIEVED_HEADERS = tuple(f"{term('achieved')}: {answer}" for answer in ("ja", "delvis", "nej"))

CSV_HEADERS = (
    "År",
    "Indelning",
    "Grupp",
    "Dialoger",
    "Deltagare",
    "Utvärderade",
    "Andel utvärderade (%)",
    "Återkopplingslöften",
    "Hållna i tid",
    "Andel i tid (%)",
    *ACHIEVED_HEADERS,
    "Beräknad ersättning (kr)",
)


@dataclass(slots=True)
class ReportRow:
    """The figures of one group (a unit, a method, a degree of influence) or of the whole year."""

    label: str
    dialogues: int = 0
    ended: int = 0
    participants: int = 0
    evaluated: int = 0
    promises: int = 0
    promises_kept: int = 0
    achieved_yes: int = 0
    achieved_partly: int = 0
    achieved_no: int = 0
    compensation_sek: int = 0

    @property
    def evaluated_share(self) -> float | None:
        """Share of the ended dialogues that have an evaluation; None when none has ended.

        A dialogue still running cannot be evaluated yet, so it is not counted against the share.
        """
        return min(1.0, self.evaluated / self.ended) if self.ended else None

    @property
    def promises_kept_share(self) -> float | None:
        """Share of the counted feedback promises kept on time; None when none were counted."""
        return self.promises_kept / self.promises if self.promises else None

    def _add(
        self,
        evaluation: Evaluation | None,
        promises: list[FeedbackPromise],
        compensation: int,
        end: date,
        ended: bool,
    ) -> None:
        self.dialogues += 1
        self.ended += int(ended)
        if evaluation is not None:
            # Only a complete evaluation counts as one (all eight questions, seed 000 line 31).
            self.evaluated += int(evaluation.is_complete)
            self.participants += evaluation.participants or 0
            if evaluation.achieved is Achieved.YES:
                self.achieved_yes += 1
            elif evaluation.achieved is Achieved.PARTLY:
                self.achieved_partly += 1
            elif evaluation.achieved is Achieved.NO:
                self.achieved_no += 1
        self.compensation_sek += compensation
        for promise in promises:
            if promise.done is None and promise.due > end:
                continue  # not due yet when the report ends
            self.promises += 1
            if promise.done is not None and promise.done <= promise.due:
                self.promises_kept += 1


@dataclass(slots=True)
class YearReport:
    year: int
    end: date
    by_unit: list[ReportRow] = field(default_factory=list)
    by_method: list[ReportRow] = field(default_factory=list)
    by_influence: list[ReportRow] = field(default_factory=list)
    total: ReportRow = field(default_factory=lambda: ReportRow(TOTAL_LABEL))

    def rows(self, dimension: str) -> list[ReportRow]:
        """The rows of one dimension: "unit", "method" or "influence"."""
        return {"unit": self.by_unit, "method": self.by_method, "influence": self.by_influence}[
            dimension
        ]


def touches_year(initiative: Initiative, year: int) -> bool:
    """Whether the initiative's period shares at least one day with the year."""
    return initiative.start <= date(year, 12, 31) and initiative.end >= date(year, 1, 1)


def year_report(
    year: int,
    initiatives: Iterable[Initiative],
    evaluations: Mapping[int, Evaluation],
    promises: Iterable[FeedbackPromise],
    *,
    as_of: date | None = None,
) -> YearReport:
    """Count the year's dialogues by unit, method and degree of influence, and in total.

    A dialogue belongs to the year when its period touches the year; cancelled ones are left
    out. The method is the one carried out (the evaluation's first question) when the
    evaluation says, else the planned one. A feedback promise counts when it is due by the
    report's end (31 December, or `as_of` when earlier, e.g. today for the current year) or
    already done; it was kept on time when it was done on or before its due date. An evaluation
    counts as done only when all eight questions are answered. The compensation is an estimate:
    the amount per participant times the evaluation's participants, not what was paid out.
    """
    end = date(year, 12, 31)
    if as_of is not None:
        end = min(end, as_of)
    report = YearReport(year=year, end=end)
    chosen = [
        ini for ini in initiatives if ini.stage is not Stage.CANCELLED and touches_year(ini, year)
    ]
    ids = {ini.id for ini in chosen if ini.id is not None}
    promised: dict[int, list[FeedbackPromise]] = {}
    for promise in promises:
        if promise.initiative_id in ids:
            promised.setdefault(promise.initiative_id, []).append(promise)

    groups: dict[str, dict[str, ReportRow]] = {key: {} for key, _ in DIMENSIONS}
    for ini in chosen:
        evaluation = evaluations.get(ini.id) if ini.id is not None else None
        own = promised.get(ini.id, []) if ini.id is not None else []
        paid = 0
        if ini.compensation is not None and evaluation and evaluation.participants is not None:
            paid = ini.compensation.amount_sek * evaluation.participants
        method = evaluation.method if evaluation and evaluation.method else ini.method
        labels = {"unit": ini.unit, "method": method.label, "influence": ini.influence.label}
        for key, label in labels.items():
            row = groups[key].setdefault(label, ReportRow(label))
            row._add(evaluation, own, paid, end, ini.end < end)
        report.total._add(evaluation, own, paid, end, ini.end < end)

    def ordered(rows: Iterable[ReportRow]) -> list[ReportRow]:
        return sorted(rows, key=lambda r: (-r.dialogues, swedish_key(r.label), r.label))

    report.by_unit = ordered(groups["unit"].values())
    report.by_method = ordered(groups["method"].values())
    report.by_influence = ordered(groups["influence"].values())
    return report


# --- formatting ---------------------------------------------------------------------------------


def bar(value: int, largest: int, width: int) -> str:
    """A bar of █ as long as `value` is of `largest`, at most `width`; never empty above zero."""
    if value <= 0 or largest <= 0 or width <= 0:
        return ""
    length = round(width * min(value, largest) / largest)
    return BAR * max(1, length)


def format_number(value: int) -> str:
    """12 500: thousands apart with a space, as Swedish writes them."""
    return f"{value:,}".replace(",", " ")


def format_share(share: float | None) -> str:
    """67 %, or – when there is nothing to share."""
    return "–" if share is None else f"{round(share * 100)} %"


def format_evaluated(row: ReportRow) -> str:
    return f"{row.evaluated} ({format_share(row.evaluated_share)})"


def format_promises(row: ReportRow) -> str:
    if not row.promises:
        return "–"
    return f"{row.promises_kept} av {row.promises} ({format_share(row.promises_kept_share)})"


def format_achieved(row: ReportRow) -> str:
    """ja / delvis / nej, e.g. 3/1/0."""
    return f"{row.achieved_yes}/{row.achieved_partly}/{row.achieved_no}"


# Kept, of the promises (plural): the glossary's "hållet" as its plural, "hållna".
KEPT = adjective(2, "hållen", "löfte")


def period_note(report: YearReport) -> str:
    """One sentence on what the report counts, for the top of every rendering."""
    return (
        f"Invånardialoger vars period berör {report.year}; inställda räknas inte. "
        f"Återkopplingslöften räknas när de ska vara {KEPT} senast {report.end.isoformat()} "
        f"eller redan är {KEPT}."
    )


# --- Markdown -----------------------------------------------------------------------------------


def _md(text: str) -> str:
    """A user's text inside a Markdown table cell, read literally: one rule for all Markdown."""
    from dialogtui.documents import md

    return md(" ".join(text.split()))


def to_markdown(report: YearReport) -> str:
    """The report as Markdown: a summary, then one table per dimension with a bar column."""
    total = report.total
    lines = [f"# Årsrapport {report.year}", "", period_note(report), ""]
    if not total.dialogues:
        lines.append(f"Inga invånardialoger under {report.year}.")
        return "\n".join(lines) + "\n"
    lines += [
        "## Totalt",
        "",
        f"- Dialoger: {format_number(total.dialogues)}",
        f"- Deltagare: {format_number(total.participants)}",
        f"- Utvärderade: {total.evaluated} av {total.ended} som {term('ended')}"
        f" ({format_share(total.evaluated_share)})",
        f"- Återkoppling i tid: {format_promises(total)}",
        f"- {term('achieved')}: ja {total.achieved_yes}, delvis {total.achieved_partly},"
        f" nej {total.achieved_no}",
        f"- Beräknad ersättning: {format_number(total.compensation_sek)} kr"
        " (belopp per deltagare × deltagare)",
    ]
    for key, title in DIMENSIONS:
        rows = report.rows(key)
        largest = max((r.dialogues for r in rows), default=0)
        lines += [
            "",
            f"## Per {title.lower()}",
            "",
            f"| {title} | Dialoger | Fördelning | Deltagare | Utvärderade | Återkoppling i tid"
            f" | {term('achieved')} (ja/delvis/nej) | Beräknad ersättning (kr) |",
            "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in [*rows, total]:
            is_total = row is total
            label = f"**{TOTAL_LABEL}**" if is_total else _md(row.label)
            cells = [
                label,
                format_number(row.dialogues),
                "" if is_total else bar(row.dialogues, largest, MARKDOWN_BAR_WIDTH),
                format_number(row.participants),
                format_evaluated(row),
                format_promises(row),
                format_achieved(row),
                format_number(row.compensation_sek),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# --- CSV ----------------------------------------------------------------------------------------


def _csv_percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}".replace(".", ",")


def to_csv(report: YearReport) -> str:
    """Semicolon-separated with a byte-order mark; one row per group, the total last.

    Shares are percent with a decimal comma, so that a Swedish spreadsheet reads them as numbers.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    sections = [(title, report.rows(key)) for key, title in DIMENSIONS]
    sections.append((TOTAL_LABEL, [report.total]))
    for section, rows in sections:
        for row in rows:
            writer.writerow(
                [
                    report.year,
                    section,
                    inert(row.label),
                    row.dialogues,
                    row.participants,
                    row.evaluated,
                    _csv_percent(row.evaluated_share),
                    row.promises,
                    row.promises_kept,
                    _csv_percent(row.promises_kept_share),
                    row.achieved_yes,
                    row.achieved_partly,
                    row.achieved_no,
                    row.compensation_sek,
                ]
            )
    return "\ufeff" + out.getvalue()


# --- Excel --------------------------------------------------------------------------------------

XLSX_HEADERS = (
    "Dialoger",
    "Deltagare",
    "Utvärderade",
    "Andel utvärderade",
    "Återkopplingslöften",
    "Hållna i tid",
    "Andel i tid",
    *ACHIEVED_HEADERS,
    "Beräknad ersättning (kr)",
)
_XLSX_VALUES: tuple[tuple[Callable[[ReportRow], int | float | None], str], ...] = (
    (lambda r: r.dialogues, "0"),
    (lambda r: r.participants, "#,##0"),
    (lambda r: r.evaluated, "0"),
    (lambda r: r.evaluated_share, "0%"),
    (lambda r: r.promises, "0"),
    (lambda r: r.promises_kept, "0"),
    (lambda r: r.promises_kept_share, "0%"),
    (lambda r: r.achieved_yes, "0"),
    (lambda r: r.achieved_partly, "0"),
    (lambda r: r.achieved_no, "0"),
    (lambda r: r.compensation_sek, "#,##0"),
)


def to_xlsx(report: YearReport) -> bytes:
    """An Excel workbook: one sheet per dimension, the total on its last row, numbers as numbers."""
    # openpyxl is heavy and only needed here.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    workbook.properties.title = f"Årsrapport {report.year}"
    bold = Font(bold=True)
    for key, title in DIMENSIONS:
        sheet = workbook.create_sheet(title)
        sheet.append([title, *XLSX_HEADERS])
        for cell in sheet[1]:
            cell.font = bold
        for row in [*report.rows(key), report.total]:
            sheet.append([row.label, *(value(row) for value, _ in _XLSX_VALUES)])
            label, *numbers = sheet[sheet.max_row]
            keep_text(label)  # a unit called "=…" is text, never a formula
            if row is report.total:
                label.font = bold
            for cell, (_, number_format) in zip(numbers, _XLSX_VALUES, strict=True):
                cell.number_format = number_format
        sheet.freeze_panes = "B2"
        widest = max((len(r.label) for r in report.rows(key)), default=0)
        sheet.column_dimensions["A"].width = min(60, max(len(title), widest, 8) + 2)
        for column, header in enumerate(XLSX_HEADERS, start=2):
            sheet.column_dimensions[get_column_letter(column)].width = max(10, len(header) + 2)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
