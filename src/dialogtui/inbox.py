"""The coordinator's inbox: a folder where filled registration templates arrive.

Listing reads each file once (and again only when it changes), and tells apart registrations
that can be taken in, registrations with problems, files that are not templates, damaged files
and files still being written. Files taken in move to `inlagda/`, rejected ones to `avvisade/`
with the reason in a text file beside them; nothing is deleted and nothing is overwritten, and a
symbolic link is never followed.

Pure: no Textual, no SQLite. Likely duplicates are judged here too, for the inbox and the
command line alike.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import re
import stat
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from dialogtui.domain import swedish_key
from dialogtui.errors import UserError, os_error_text
from dialogtui.fileio import SHARED_DIR_MODE, make_dir
from dialogtui.template import (
    MAX_FILE_BYTES,
    TemplateRead,
    WorkbookError,
    is_template,
    open_workbook,
    read_template,
)

SETTING = "inbox_dir"
DEFAULT_NAME = "inkorg"
ACCEPTED = "inlagda"
REJECTED = "avvisade"
REASON_SUFFIX = ".skäl.txt"
# A file changed this recently may still be being copied in: it is looked at again later.
SETTLE_SECONDS = 2.0

OK = "ok"
PROBLEMS = "problems"
NOT_TEMPLATE = "not_template"
DAMAGED = "damaged"
BUSY = "busy"
LOCK = "lock"
LINK = "link"

STATE_LABELS = {
    OK: "kan läggas in",
    PROBLEMS: "behöver rättas",
    NOT_TEMPLATE: "inte en anmälan",
    DAMAGED: "går inte att läsa",
    BUSY: "väntar",
    LOCK: "låsfil",
    LINK: "länk, läses inte",
}


class InboxError(UserError):
    """A file operation in the inbox that could not be done; the message is Swedish."""


def audit_note(name: str, filed_as: str = "") -> str:
    """The audit log's note on an initiative that came in as a file (and where the file went)."""
    where = f" ({ACCEPTED}/{filed_as})" if filed_as else ""
    return f"anmälan från filen {name}{where}"


# The inbox opens files without following links: ELOOP there means the name is a link.
_OS_ERRORS = {errno.ELOOP: "en symbolisk länk"}


def os_message(exc: OSError) -> str:
    """An operating-system error in Swedish, with the file it concerns."""
    what = _OS_ERRORS.get(exc.errno or 0) or os_error_text(exc)
    return f"{exc.filename}: {what}" if exc.filename else what


def shown(folder: Path, db_path: Path) -> str:
    """The folder as the coordinator reads it: relative to the database's folder when inside."""
    base = db_path.expanduser().absolute().parent
    try:
        return f"{folder.relative_to(base)}/"
    except ValueError:
        return str(folder)


def folder_for(db_path: Path, setting: str | None) -> Path:
    """The inbox folder: the setting (relative to the database's folder), else inkorg/ there."""
    base = db_path.expanduser().absolute().parent
    chosen = Path(setting).expanduser() if setting and setting.strip() else Path(DEFAULT_NAME)
    return chosen if chosen.is_absolute() else base / chosen


# --- what is in the folder ---------------------------------------------------------------------


@dataclass
class Entry:
    """One file of the inbox and what it is."""

    name: str
    state: str
    note: str = ""
    size: int = 0
    mtime_ns: int = 0
    read: TemplateRead | None = None
    # Filled in by whoever knows the stored initiatives (see `likely_duplicates`).
    duplicates: list[Similar] = field(default_factory=list)
    # What reading the file found (state, note), kept while it waits for a lock to go away, so
    # that an unchanged file is never read twice.
    found: tuple[str, str] | None = field(default=None, repr=False)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def can_accept(self) -> bool:
        return self.state == OK

    @property
    def problems(self) -> list[str]:
        """What is wrong or missing, each naming its field and cell."""
        if self.read is not None:
            return [str(problem) for problem in self.read.problems]
        return [self.note] if self.note else []


def lock_target(name: str) -> str | None:
    """The file a lock file stands for: LibreOffice's .~lock.NAME#, Excel's ~$NAME."""
    if name.startswith(".~lock.") and name.endswith("#"):
        return name[len(".~lock.") : -1]
    if name.startswith("~$"):
        return name[2:]
    return None


# Spreadsheets that are not the template's .xlsx: LibreOffice saves .ods unless told otherwise.
OTHER_SPREADSHEETS = (".xls", ".ods", ".xlsm", ".numbers", ".fods")


def _suffix_note(name: str) -> str:
    suffix = Path(name).suffix.casefold()
    if suffix in OTHER_SPREADSHEETS:
        return "spara den som Excel-arbetsbok (.xlsx) och skicka igen"
    if suffix in (".json", ".csv"):
        return "läs in den med dialogtui import"
    return "bara ifyllda anmälningsmallar (.xlsx) läses här"


def scan(
    folder: Path,
    today: date,
    previous: dict[str, Entry] | None = None,
    now: float | None = None,
) -> list[Entry]:
    """Every file of the inbox, newest reading where the file has changed, sorted by name.

    `previous` is the last scan's result: a file whose size and time are unchanged is not read
    again, and one that changed since is still being written.
    """
    previous = previous or {}
    now = datetime.now().timestamp() if now is None else now
    # Made if missing (beside the database, by default), but never a whole new tree: a mistyped
    # setting is told, not created.
    with contextlib.suppress(FileExistsError):
        make_dir(folder, SHARED_DIR_MODE)  # 0770 whatever the umask: the staff share it
    found: dict[str, Entry] = {}
    locked: set[str] = set()
    with os.scandir(folder) as listing:
        items = sorted(listing, key=lambda item: swedish_key(item.name))
    for item in items:
        name = item.name
        target = lock_target(name)
        if target is not None:
            locked.add(target)
            found[name] = Entry(name, LOCK, f"någon har {target} öppen just nu")
            continue
        if name.startswith("."):
            continue  # the system's and programs' own files (.DS_Store and the like)
        if item.is_symlink():
            found[name] = Entry(
                name, LINK, "en symbolisk länk; lägg själva filen i inkorgen i stället"
            )
            continue
        try:
            info = item.stat(follow_symlinks=False)
        except OSError as exc:
            found[name] = Entry(name, DAMAGED, f"kan inte läsas: {os_message(exc)}")
            continue
        if stat.S_ISDIR(info.st_mode):
            continue  # inlagda/, avvisade/ and any folder of the coordinator's own
        if not stat.S_ISREG(info.st_mode):
            found[name] = Entry(name, NOT_TEMPLATE, "inte en vanlig fil")
            continue
        entry = _entry(folder, name, info, today, previous.get(name), now)
        found[name] = entry
    for name in locked & found.keys():
        entry = found[name]
        if entry.state in (OK, PROBLEMS, NOT_TEMPLATE, DAMAGED):
            # Its reading is kept (to show), but it is not taken in while someone has it open.
            entry.state = BUSY
            entry.note = "öppen i ett annat program; stäng den där först"
    return list(found.values())


def _entry(
    folder: Path, name: str, info: os.stat_result, today: date, before: Entry | None, now: float
) -> Entry:
    size, mtime_ns = info.st_size, info.st_mtime_ns
    unchanged = before is not None and (before.size, before.mtime_ns) == (size, mtime_ns)
    if before is not None and unchanged and before.found is not None:
        state, note = before.found
        return Entry(name, state, note, size, mtime_ns, before.read, found=before.found)
    if before is not None and unchanged and before.state != BUSY:
        return Entry(name, before.state, before.note, size, mtime_ns, before.read)
    if not name.casefold().endswith(".xlsx"):
        return Entry(name, NOT_TEMPLATE, _suffix_note(name), size, mtime_ns)
    # A time in the future (another host's clock, a moved system clock) is not "just written".
    age = now - mtime_ns / 1e9
    if (before is not None and not unchanged) or 0 <= age < SETTLE_SECONDS:
        return Entry(name, BUSY, "filen skrivs just nu; den läses när den är klar", size, mtime_ns)
    if size == 0:
        return Entry(name, DAMAGED, "filen är tom", size, mtime_ns)
    state, note, read = read_file(folder / name, today)
    return Entry(name, state, note, size, mtime_ns, read, found=(state, note))


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES, follow_links: bool = False) -> bytes:
    """A regular file's bytes, never more than `limit`, and never through a symbolic link
    unless the user named the link (`follow_links`, for the command line)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InboxError(f"{path.name} är en symbolisk länk; den följs inte.") from None
        raise InboxError(f"Kan inte läsa {path.name}: {os_message(exc)}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise InboxError(f"{path.name} är inte en vanlig fil.")
        if info.st_size > limit:
            raise InboxError(
                f"{path.name} är {info.st_size // (1024 * 1024)} MB; en anmälan är några kB."
            )
        return handle.read(limit + 1)


def read_file(path: Path, today: date) -> tuple[str, str, TemplateRead | None]:
    """What a file is: (state, note, the template's reading). Never raises."""
    try:
        workbook = open_workbook(read_bytes(path))
    except (InboxError, WorkbookError) as exc:
        return DAMAGED, str(exc), None
    try:
        if not is_template(workbook):
            from dialogtui.exports import SHEET_TITLE

            if SHEET_TITLE in workbook.sheetnames:
                return (
                    NOT_TEMPLATE,
                    "en export från dialogtui; läs in den med dialogtui import",
                    None,
                )
            return NOT_TEMPLATE, "en annan arbetsbok, inte mallen från dialogtui template", None
        read = read_template(workbook, today)
    except WorkbookError as exc:
        return DAMAGED, str(exc), None
    except Exception as exc:  # a file crafted or broken in a way openpyxl did not expect
        return DAMAGED, f"går inte att läsa som anmälan ({type(exc).__name__})", None
    finally:
        workbook.close()
    if read.initiative is None:
        count = len(read.problems)
        return PROBLEMS, f"{count} fel" if count != 1 else "1 fel", read
    return OK, "", read


# --- moving files ------------------------------------------------------------------------------


def _subfolder(folder: Path, name: str) -> Path:
    """inlagda/ or avvisade/, made if missing; never a link out of the inbox."""
    target = folder / name
    try:
        make_dir(target, SHARED_DIR_MODE)
    except FileExistsError:
        pass
    except OSError as exc:
        raise InboxError(f"Kan inte skapa mappen {name}/: {os_message(exc)}") from None
    info = os.lstat(target)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise InboxError(f"{name}/ i inkorgen är inte en vanlig mapp; inget flyttades.")
    return target


def free_names(folder: Path, name: str) -> Iterator[Path]:
    """name, then name-2, name-3 …: candidates for a file that must not replace another."""
    path = Path(name)
    yield folder / name
    for number in range(2, 10_000):
        yield folder / f"{path.stem}-{number}{path.suffix}"


def move_unique(source: Path, folder: Path) -> Path:
    """Move a regular file into `folder` under its own name or the first free variant of it.

    A hard link is made and the old name removed, so an existing file is never replaced, even by
    a file that appears at the same moment.
    """
    try:
        info = os.lstat(source)
    except OSError as exc:
        raise InboxError(f"{source.name} finns inte längre ({os_message(exc)}).") from None
    if not stat.S_ISREG(info.st_mode):
        raise InboxError(f"{source.name} är inte en vanlig fil; den flyttas inte.")
    for candidate in free_names(folder, source.name):
        try:
            os.link(source, candidate, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK):
                raise InboxError(f"Kan inte flytta {source.name}: {os_message(exc)}") from None
            # No hard links here (another file system, or one that has none): rename, having
            # looked first. The window between is the best such a file system allows.
            if os.path.lexists(candidate):
                continue
            try:
                os.rename(source, candidate)
            except OSError as err:
                raise InboxError(f"Kan inte flytta {source.name}: {os_message(err)}") from None
            return candidate
        try:
            os.unlink(source)
        except OSError as exc:
            os.unlink(candidate)
            raise InboxError(f"Kan inte flytta {source.name}: {os_message(exc)}") from None
        return candidate
    raise InboxError(f"Hittar inget ledigt namn för {source.name}.")


def file_accepted(folder: Path, name: str) -> Path:
    """Move a registration that has been taken in to inlagda/; returns where it went."""
    return move_unique(folder / name, _subfolder(folder, ACCEPTED))


def file_rejected(folder: Path, name: str, reason: str, user: str, when: datetime) -> Path:
    """Move a rejected registration to avvisade/, with the reason in a text file beside it."""
    moved = move_unique(folder / name, _subfolder(folder, REJECTED))
    text = (
        f"Anmälan {name} avvisades {when.strftime('%Y-%m-%d %H:%M')} av {user}.\n\nSkäl: {reason}\n"
    )
    try:
        _write_new(moved.with_name(moved.name + REASON_SUFFIX), text.encode("utf-8"))
    except OSError as exc:
        # Without its reason the rejection would be silent: put the file back.
        with contextlib.suppress(InboxError):
            move_unique(moved, folder)
        raise InboxError(f"Kan inte skriva skälet: {os_message(exc)}; inget flyttades.") from None
    return moved


def _write_new(path: Path, data: bytes) -> Path:
    """Write a new file, under a free variant of the name if it is taken."""
    for candidate in free_names(path.parent, path.name):
        try:
            fd = os.open(
                candidate,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                0o660,
            )
        except FileExistsError:
            continue
        os.fchmod(fd, 0o660)  # the umask could have taken the group's write
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return candidate
    raise FileExistsError(path)


# --- likely duplicates -------------------------------------------------------------------------


class Registered(Protocol):
    """What a duplicate check needs of an initiative, stored or not."""

    @property
    def id(self) -> int | None: ...
    @property
    def title(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def start(self) -> date: ...
    @property
    def end(self) -> date: ...


@dataclass(frozen=True, slots=True)
class Similar:
    """An initiative that a registration looks like: same unit, similar title, shared days."""

    id: int | None
    title: str
    unit: str
    start: date
    end: date
    source: str = ""  # another file of the same batch, when it is not stored

    def describe(self) -> str:
        where = f"#{self.id}" if self.id is not None else self.source
        return (
            f"{where} ”{self.title}” ({self.unit}, {self.start.isoformat()}–{self.end.isoformat()})"
        )


_WORDS = re.compile(r"\w+")
TITLE_SIMILARITY = 0.8


def _normal(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def similar_titles(first: str, second: str, years: Collection[int] = ()) -> bool:
    """Titles that read as the same dialogue: nearly the same words, and the same numbers.

    "Enkät om vården 2027" and "Enkät om vården 2028" are two dialogues; "Ungas psykiska
    hälsa" and "Ungas psykiska hälsa, fokusgrupp" are one, and so are "Enkät om
    kollektivtrafik för unga" and "Kollektivtrafik för unga – enkät" (the same words in
    another order). `years` are the years the two run in: such a year in one title only says
    when, which the dates already say, so "Enkät om vården 2027" is "Enkät om vården" in 2027.
    """
    a, b = _normal(first), _normal(second)
    if not a or not b:
        return False
    when = {str(year) for year in years}
    if set(re.findall(r"\d+", a)) - when != set(re.findall(r"\d+", b)) - when:
        return False
    a, b = _without(a, when), _without(b, when)
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    if difflib.SequenceMatcher(None, a, b).ratio() >= TITLE_SIMILARITY:
        return True
    words_a, words_b = set(a.split()), set(b.split())
    return len(words_a & words_b) / len(words_a | words_b) >= TITLE_SIMILARITY


def _without(text: str, words: Collection[str]) -> str:
    return " ".join(word for word in text.split() if word not in words)


def _years(first: Registered, second: Registered) -> set[int]:
    return {first.start.year, first.end.year, second.start.year, second.end.year}


def looks_like(candidate: Registered, other: Registered) -> bool:
    """Same unit, a similar title and at least one day in common."""
    return (
        _normal(candidate.unit) == _normal(other.unit)
        and candidate.start <= other.end
        and other.start <= candidate.end
        and similar_titles(candidate.title, other.title, _years(candidate, other))
    )


def likely_duplicates(candidate: Registered, existing: Iterable[Registered]) -> list[Similar]:
    """The initiatives among `existing` that the candidate looks like."""
    return [
        Similar(other.id, other.title, other.unit, other.start, other.end)
        for other in existing
        if other is not candidate and looks_like(candidate, other)
    ]


class _ByUnit:
    """Stored initiatives by their unit as compared, so that each registration is judged only
    against its own unit's: 200 registrations against 10,000 stored is then a moment's work."""

    def __init__(self, existing: Iterable[Registered]) -> None:
        self.units: dict[str, list[Registered]] = {}
        for other in existing:
            self.units.setdefault(_normal(other.unit), []).append(other)

    def like(self, candidate: Registered) -> list[Similar]:
        return [
            Similar(other.id, other.title, other.unit, other.start, other.end)
            for other in self.units.get(_normal(candidate.unit), [])
            if candidate.start <= other.end
            and other.start <= candidate.end
            and similar_titles(candidate.title, other.title, _years(candidate, other))
        ]


def duplicates_in_batch(
    batch: Sequence[tuple[str, Registered]], existing: Sequence[Registered]
) -> dict[str, list[Similar]]:
    """For each (source, registration) of a batch: the stored ones and the earlier ones of the
    batch that it looks like. Sources without any are left out."""
    found: dict[str, list[Similar]] = {}
    stored = _ByUnit(existing)
    for index, (source, candidate) in enumerate(batch):
        similar = stored.like(candidate)
        for earlier_source, earlier in batch[:index]:
            if looks_like(candidate, earlier):
                similar.append(
                    Similar(None, earlier.title, earlier.unit, earlier.start, earlier.end,
                            earlier_source)
                )  # fmt: skip
        if similar:
            found[source] = similar
    return found
