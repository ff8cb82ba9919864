"""`dialogtui import` of several files: registration templates, the .xlsx export, JSON and CSV.

Every file is read before the database is touched, and every fault of every file is told at once
(file, field, cell and what is allowed); one bad file and nothing is written. A registration
that looks like one already registered is pointed out before anything is added. After the
import, the overlaps the new initiatives create are listed, as the form warns before a save.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from dialogtui import words
from dialogtui.domain import swedish_key
from dialogtui.errors import UserError
from dialogtui.inbox import (
    OTHER_SPREADSHEETS,
    InboxError,
    audit_note,
    duplicates_in_batch,
    lock_target,
    read_bytes,
)
from dialogtui.words import overlap_kind

if TYPE_CHECKING:
    from dialogtui.models import Initiative
    from dialogtui.store import Store

FORMATS = ("json", "csv", "xlsx")


class ImportRefused(UserError):
    """Nothing was imported; the message lists every reason, one per line."""


@dataclass
class Source:
    """One file of an import and what it holds."""

    name: str
    initiatives: list[Initiative]
    is_template: bool = False

    @property
    def note(self) -> str:
        """The audit note of what it adds: a registration names the file it came in."""
        return audit_note(self.name) if self.is_template else ""


@dataclass
class Batch:
    sources: list[Source] = field(default_factory=list)

    @property
    def initiatives(self) -> list[Initiative]:
        return [ini for source in self.sources for ini in source.initiatives]


def format_of(path: str, explicit: str | None) -> str:
    if explicit:
        return explicit
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    if f".{suffix}" in OTHER_SPREADSHEETS:
        raise UserError(other_spreadsheet(path))
    raise UserError(
        f"Kan inte avgöra formatet på {path}; ange --format json, --format csv eller --format xlsx."
    )


def other_spreadsheet(path: str) -> str:
    return (
        f"{path}: ett kalkylblad som inte är .xlsx; öppna det och spara det som "
        "Excel-arbetsbok (.xlsx), så läses det."
    )


def expand(arguments: Sequence[str]) -> list[Path]:
    """The files named, with each folder replaced by its .xlsx files (in name order).

    A spreadsheet of another format in a folder (.ods, .xls …) refuses the import, as a bad
    file does: it is a registration that would otherwise be passed over unseen.

    A file of a folder that someone has open (a lock file beside it) refuses the import: what
    is read could be half of what the unit means to send.
    """
    found: list[Path] = []
    problems: list[str] = []
    for argument in arguments:
        path = Path(argument)
        if argument == "-" or not path.is_dir():
            found.append(path)
            continue
        chosen: list[Path] = []
        locked: set[str] = set()
        for child in sorted(path.iterdir(), key=lambda p: swedish_key(p.name)):
            name = child.name
            target = lock_target(name)
            if target is not None:
                locked.add(target)
                continue
            if not name.startswith(".") and child.suffix.casefold() in OTHER_SPREADSHEETS:
                # A registration saved in another format: skipping it would lose it unseen.
                problems.append(other_spreadsheet(str(child)))
                continue
            if name.startswith(".") or child.suffix.casefold() != ".xlsx":
                continue
            if child.is_symlink():
                problems.append(f"{child}: en symbolisk länk; den läses inte.")
                continue
            if child.is_file():
                chosen.append(child)
        for child in chosen:
            if child.name in locked:
                problems.append(
                    f"{child}: öppen i ett annat program (en låsfil finns); stäng den och "
                    "försök igen."
                )
        if not chosen:
            problems.append(f"{path}: mappen har inga .xlsx-filer.")
        found += chosen
    if problems:
        raise ImportRefused("\n".join([*problems, "Inget importerades."]))
    return found


def _read(path: Path) -> bytes:
    if str(path) == "-":
        import sys

        return sys.stdin.buffer.read()
    try:
        return read_bytes(path, follow_links=True)  # a file the user named, link or not
    except InboxError as exc:
        raise UserError(str(exc)) from None


def read_source(path: Path, fmt: str, today: date, reason: str = "") -> Source:
    """One file's initiatives; raises UserError naming the file and every fault in it.

    `reason` lets records past the stage gate in (`interchange`); a registration has no stage.
    """
    from dialogtui.interchange import InterchangeError, parse

    name = "standard in" if str(path) == "-" else path.name
    data = _read(path)
    if fmt in ("json", "csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UserError(f"{name} är inte UTF-8; spara filen som UTF-8.") from None
        try:
            return Source(name, parse(text, fmt, reason))
        except InterchangeError as exc:
            raise UserError(f"{name}: {exc}") from None
    return _read_workbook(name, data, today, reason)


def _read_workbook(name: str, data: bytes, today: date, reason: str = "") -> Source:
    from dialogtui.exports import SHEET_TITLE, initiatives_from_xlsx
    from dialogtui.interchange import InterchangeError
    from dialogtui.template import WorkbookError, is_template, open_workbook, read_template

    try:
        workbook = open_workbook(data)
    except WorkbookError as exc:
        raise UserError(f"{name}: {exc}") from None
    try:
        if is_template(workbook):
            read = read_template(workbook, today)
            if read.initiative is None:
                count = len(read.problems)
                lines = [f"{name}: {count} fel i anmälan:"]
                lines += [f"  {problem}" for problem in read.problems]
                raise UserError("\n".join(lines))
            return Source(name, [read.initiative], is_template=True)
        if SHEET_TITLE in workbook.sheetnames:
            try:
                return Source(name, initiatives_from_xlsx(workbook, reason))
            except InterchangeError as exc:
                raise UserError(f"{name}: {exc}") from None
        raise UserError(
            f"{name}: varken en anmälningsmall (dialogtui template) eller en export från "
            "dialogtui (bladet Initiativ)."
        )
    except WorkbookError as exc:
        raise UserError(f"{name}: {exc}") from None
    finally:
        workbook.close()


def read_batch(paths: Sequence[Path], fmt: str | None, today: date, reason: str = "") -> Batch:
    """Read every file; raise ImportRefused with every fault of every file, if any."""
    batch = Batch()
    faults: list[str] = []
    for path in paths:
        try:
            batch.sources.append(read_source(path, format_of(str(path), fmt), today, reason))
        except UserError as exc:
            faults.append(str(exc))
    if faults:
        bad = len(faults)
        faults.append(
            f"Inget importerades: {bad} av {len(paths)} {'fil' if len(paths) == 1 else 'filer'}"
            " har fel."
        )
        raise ImportRefused("\n".join(faults))
    return batch


def check_duplicates(store: Store, batch: Batch) -> list[str]:
    """Lines that point out registrations looking like one already registered, or like each
    other; empty when there are none. Only registrations (templates) are judged: JSON, CSV and
    the export are transfers of whole lists, where many similar records are normal."""
    registrations = [
        (source.name, source.initiatives[0]) for source in batch.sources if source.is_template
    ]
    if not registrations:
        return []
    found = duplicates_in_batch(registrations, store.planned())
    lines: list[str] = []
    for name, similar in found.items():
        ini = next(i for n, i in registrations if n == name)
        lines.append(f"{name}: ”{ini.title}” ({ini.unit}) liknar")
        lines += [f"  {other.describe()}" for other in similar]
    return lines


def add(store: Store, batch: Batch, reason: str = "") -> list[int]:
    """Write the whole batch in one transaction; registrations are audited with their file, and
    records that passed the stage gate on `reason` with it."""
    from dialogtui.interchange import audit_notes

    # Nested writes join the outer transaction: one file's failure leaves nothing of the others.
    with store.write():
        return [
            new_id
            for source in batch.sources
            for new_id in store.create_initiatives(
                source.initiatives,
                notes=audit_notes(source.initiatives, source.note, reason),
            )
        ]


def print_overlaps(store: Store, new_ids: Sequence[int], out: TextIO, today: date) -> None:
    """The open overlaps and blocked periods that the new initiatives have: open as the overlap
    view and the to-do list mean it (`coordination.is_open`), so that last year's dialogues
    imported for the record do not list overlaps that nobody can coordinate any more."""
    from dialogtui.coordination import is_open, panel_cap, panel_heading, rest_days
    from dialogtui.overlap import blocked_conflicts, find_overlaps
    from dialogtui.rules import panel_peaks, peak_text

    if not new_ids:
        return
    new = set(new_ids)
    planned = {p.id: p for p in store.planned()}
    marks = store.coordination_marks()
    found = [
        o
        for o in find_overlaps(list(planned.values()), rest_days(store))
        if (o.a in new or o.b in new)
        and is_open(planned[o.a], planned[o.b], marks.get((o.a, o.b)), today)
    ]
    blocked = blocked_conflicts(
        [planned[i] for i in new_ids if i in planned and planned[i].end >= today],
        store.blocked_periods(),
    )
    # Hallandspanelen's cap, as a save in the form says it first: the peaks the new ones make.
    cap = panel_cap(store)
    surveys = store.panel_surveys()
    before = {p.initiative_id for p in panel_peaks([s for s in surveys if s[0] not in new], cap)}
    panel = [p for p in panel_peaks(surveys, cap) if p.initiative_id not in before]
    if not found and not blocked and not panel:
        out.write("Inga överlapp med andra initiativ.\n")
        return
    if found:
        count = len(found)
        out.write(f"\nDe nya initiativen överlappar {words.count(count, 'gång')}:\n")
    for overlap in sorted(found, key=lambda o: (-o.severity.rank, o.a, o.b)):
        kind = overlap_kind(overlap.kind)
        a, b = planned[overlap.a], planned[overlap.b]
        out.write(
            f"\n{overlap.severity.label:<5} {kind:<14} #{a.id} {a.title}  ↔  #{b.id} {b.title}\n"
        )
        for reason in overlap.reasons:
            out.write(f"      {reason}\n")
    for initiative_id, period in blocked:
        out.write(
            f"\nI spärrad period: #{initiative_id} {planned[initiative_id].title}: {period.name}"
            f" {period.start.isoformat()}–{period.end.isoformat()}\n"
        )
    if panel:
        out.write(f"\n{panel_heading(cap)}:\n")
        for peak in panel:
            title = planned[peak.initiative_id].title if peak.initiative_id in planned else ""
            out.write(f"  #{peak.initiative_id} {title}: {peak_text(peak)}\n")
