"""The inbox folder, without a screen: what each file is, moving files away, likely duplicates."""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from pathlib import Path

import pytest

from dialogtui import inbox
from dialogtui.inbox import (
    ACCEPTED,
    BUSY,
    DAMAGED,
    LINK,
    LOCK,
    NOT_TEMPLATE,
    OK,
    PROBLEMS,
    REJECTED,
    InboxError,
    file_accepted,
    file_rejected,
    folder_for,
    likely_duplicates,
    move_unique,
    scan,
    similar_titles,
)
from dialogtui.template import fill
from tests.factories import make_initiative
from tests.templates import TODAY, blank

GOOD = {
    "title": "Ungas psykiska hälsa",
    "unit": "Psykiatrin Halland",
    "method": "fokusgrupp",
    "start": date(2027, 3, 2),
    "end": date(2027, 3, 20),
}


def settled(path: Path) -> Path:
    """A file written a while ago, which the inbox reads at once."""
    past = time.time() - 3600
    os.utime(path, (past, past))
    return path


def put(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return settled(path)


def states(entries: list[inbox.Entry]) -> dict[str, str]:
    return {entry.name: entry.state for entry in entries}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "inkorg"


def test_every_kind_of_file_is_listed_as_what_it_is(folder: Path) -> None:
    put(folder, "bra.xlsx", fill(blank(), GOOD))
    put(folder, "fel.xlsx", fill(blank(), GOOD | {"method": "kafferep"}))
    put(folder, "trasig.xlsx", blank()[:5000])
    put(folder, "brev.docx", b"PK\x03\x04 not really")
    put(folder, "data.json", b"[]")
    put(folder, "tom.xlsx", b"")
    (folder / ".DS_Store").write_bytes(b"\x00")
    (folder / "egen-mapp").mkdir()
    entries = scan(folder, TODAY)
    assert states(entries) == {
        "bra.xlsx": OK,
        "brev.docx": NOT_TEMPLATE,
        "data.json": NOT_TEMPLATE,
        "fel.xlsx": PROBLEMS,
        "tom.xlsx": DAMAGED,
        "trasig.xlsx": DAMAGED,
    }
    by_name = {entry.name: entry for entry in entries}
    assert by_name["bra.xlsx"].read is not None
    assert by_name["bra.xlsx"].read.initiative is not None
    assert by_name["fel.xlsx"].problems == [
        "Metod (cell B9): måste vara en av: enkätundersökning, panelenkät, dialogmöte, "
        "fokusgrupp, arbetsgrupp, råd, intervju, sociala medier, övrigt"
    ]
    assert "dialogtui import" in by_name["data.json"].note
    assert "Excel-arbetsbok" in by_name["trasig.xlsx"].note


def test_the_folder_is_made_beside_the_database_unless_set(tmp_path: Path) -> None:
    db = tmp_path / "db" / "dialogtui.db"
    assert folder_for(db, None) == tmp_path / "db" / "inkorg"
    assert folder_for(db, "  ") == tmp_path / "db" / "inkorg"
    assert folder_for(db, "delad/inkorg") == tmp_path / "db" / "delad" / "inkorg"
    assert folder_for(db, "/srv/anmalan") == Path("/srv/anmalan")
    assert inbox.shown(tmp_path / "db" / "inkorg", db) == "inkorg/"
    db.parent.mkdir()
    scan(folder_for(db, None), TODAY)
    assert (tmp_path / "db" / "inkorg").is_dir()


def test_a_mistyped_folder_is_not_created_as_a_whole_tree(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        scan(tmp_path / "finns" / "inte", TODAY)


def test_files_still_being_written_wait_and_are_read_when_done(folder: Path) -> None:
    path = put(folder, "ny.xlsx", fill(blank(), GOOD)[:3000])
    now = time.time()
    fresh = now - 0.5
    os.utime(path, (fresh, fresh))
    (first,) = scan(folder, TODAY, now=now)
    assert first.state == BUSY and first.read is None
    # It grows: still being written, whatever its age.
    path.write_bytes(fill(blank(), GOOD))
    os.utime(path, (now - 10, now - 10))
    (second,) = scan(folder, TODAY, {first.name: first}, now=now)
    assert second.state == BUSY
    (third,) = scan(folder, TODAY, {second.name: second}, now=now)
    assert third.state == OK


def test_a_file_from_the_future_is_not_waited_for_forever(folder: Path) -> None:
    path = put(folder, "klocka.xlsx", fill(blank(), GOOD))
    later = time.time() + 86_400
    os.utime(path, (later, later))
    (entry,) = scan(folder, TODAY)
    assert entry.state == OK


def test_an_unchanged_file_is_not_read_again(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    put(folder, "bra.xlsx", fill(blank(), GOOD))
    put(folder, "öppen.xlsx", fill(blank(), GOOD))
    put(folder, ".~lock.öppen.xlsx#", b"bo")
    first = scan(folder, TODAY)
    monkeypatch.setattr(inbox, "read_file", lambda *a: pytest.fail("read again"))
    again = scan(folder, TODAY, {e.name: e for e in first})
    assert states(again) == {".~lock.öppen.xlsx#": LOCK, "bra.xlsx": OK, "öppen.xlsx": BUSY}
    (folder / ".~lock.öppen.xlsx#").unlink()
    closed = scan(folder, TODAY, {e.name: e for e in again})
    assert states(closed) == {"bra.xlsx": OK, "öppen.xlsx": OK}


def test_lock_files_are_listed_and_the_open_file_waits(folder: Path) -> None:
    put(folder, "bra.xlsx", fill(blank(), GOOD))
    put(folder, "excel.xlsx", fill(blank(), GOOD))
    put(folder, ".~lock.bra.xlsx#", b"user,host")
    put(folder, "~$excel.xlsx", b"owner")
    found = states(scan(folder, TODAY))
    assert found == {
        ".~lock.bra.xlsx#": LOCK,
        "bra.xlsx": BUSY,
        "excel.xlsx": BUSY,
        "~$excel.xlsx": LOCK,
    }


def test_links_and_odd_files_are_never_followed_or_opened(folder: Path, tmp_path: Path) -> None:
    secret = tmp_path / "utanfor.xlsx"
    secret.write_bytes(fill(blank(), GOOD))
    folder.mkdir()
    (folder / "lank.xlsx").symlink_to(secret)
    os.mkfifo(folder / "ror.xlsx")
    found = scan(folder, TODAY)
    assert states(found) == {"lank.xlsx": LINK, "ror.xlsx": NOT_TEMPLATE}
    with pytest.raises(InboxError, match="symbolisk länk"):
        inbox.read_bytes(folder / "lank.xlsx")
    with pytest.raises(InboxError):
        file_accepted(folder, "lank.xlsx")
    assert secret.exists() and (folder / "lank.xlsx").is_symlink()


def test_moving_never_replaces_a_file(folder: Path) -> None:
    put(folder, "anmalan.xlsx", b"new")
    target = folder / ACCEPTED
    target.mkdir()
    (target / "anmalan.xlsx").write_bytes(b"old")
    (target / "anmalan-2.xlsx").write_bytes(b"older")
    moved = file_accepted(folder, "anmalan.xlsx")
    assert moved == target / "anmalan-3.xlsx"
    assert moved.read_bytes() == b"new"
    assert (target / "anmalan.xlsx").read_bytes() == b"old"
    assert (target / "anmalan-2.xlsx").read_bytes() == b"older"
    assert not (folder / "anmalan.xlsx").exists()


def test_moving_without_hard_links_still_never_replaces(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    put(folder, "a.xlsx", b"new")
    (folder / ACCEPTED).mkdir()
    (folder / ACCEPTED / "a.xlsx").write_bytes(b"old")
    moved = file_accepted(folder, "a.xlsx")
    assert moved.name == "a-2.xlsx" and moved.read_bytes() == b"new"
    assert (folder / ACCEPTED / "a.xlsx").read_bytes() == b"old"


def test_a_linked_subfolder_is_refused(folder: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    put(folder, "a.xlsx", b"x")
    (folder / REJECTED).symlink_to(elsewhere)
    with pytest.raises(InboxError, match="inte en vanlig mapp"):
        file_rejected(folder, "a.xlsx", "skäl", "anna", datetime(2026, 11, 24, 9, 30))
    assert (folder / "a.xlsx").exists() and not any(elsewhere.iterdir())


def test_a_rejection_keeps_the_file_and_its_reason_beside_it(folder: Path) -> None:
    put(folder, "a.xlsx", b"x")
    (folder / REJECTED).mkdir()
    (folder / REJECTED / "a.xlsx").write_bytes(b"earlier")
    moved = file_rejected(
        folder, "a.xlsx", "Dubblett av #12", "anna", datetime(2026, 11, 24, 9, 30)
    )
    assert moved == folder / REJECTED / "a-2.xlsx"
    reason = (folder / REJECTED / "a-2.xlsx.skäl.txt").read_text(encoding="utf-8")
    assert "2026-11-24 09:30 av anna" in reason and "Skäl: Dubblett av #12" in reason
    assert (folder / REJECTED / "a.xlsx").read_bytes() == b"earlier"
    assert not (folder / REJECTED / "a-2.xlsx.skäl.txt").stat().st_mode & 0o007


def test_a_reason_that_cannot_be_written_puts_the_file_back(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(folder, "a.xlsx", b"x")

    def full(*args: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(inbox, "_write_new", full)
    with pytest.raises(InboxError, match="disken är full"):
        file_rejected(folder, "a.xlsx", "skäl", "anna", datetime(2026, 11, 24))
    assert (folder / "a.xlsx").read_bytes() == b"x"


def test_a_file_taken_by_someone_else_is_told(folder: Path) -> None:
    folder.mkdir()
    with pytest.raises(InboxError, match="finns inte längre"):
        move_unique(folder / "borta.xlsx", folder)


# --- likely duplicates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("Ungas psykiska hälsa", "Ungas psykiska hälsa", True),
        ("Ungas psykiska hälsa", "ungas psykiska hälsa!", True),
        ("Ungas psykiska hälsa", "Ungas psykiska hälsa – fokusgrupper", True),
        ("Ungas psykiska halsa", "Ungas psykiska hälsa", True),
        ("Enkät om vården 2027", "Enkät om vården 2028", False),
        ("Dialog 1", "Dialog 2", False),
        ("Enkät om kollektivtrafik för unga", "Kollektivtrafik för unga – enkät", True),
        ("Ungas psykiska hälsa", "Äldres munhälsa", False),
        ("", "", False),
    ],
)
def test_similar_titles(first: str, second: str, same: bool) -> None:
    assert similar_titles(first, second) is same


def test_a_duplicate_has_the_same_unit_a_similar_title_and_shared_days() -> None:
    stored = make_initiative(
        id=7, title="Ungas psykiska hälsa", start="2027-03-01", end="2027-03-10"
    )
    same = make_initiative(title="Ungas psykiska hälsa", start="2027-03-10", end="2027-03-31")
    later = make_initiative(title="Ungas psykiska hälsa", start="2027-03-11", end="2027-03-31")
    other_unit = make_initiative(
        title="Ungas psykiska hälsa", unit="Kultur i Halland", start="2027-03-01", end="2027-03-10"
    )
    (found,) = likely_duplicates(same, [stored])
    assert found.describe() == (
        "#7 ”Ungas psykiska hälsa” (Psykiatrin Halland, 2027-03-01–2027-03-10)"
    )
    assert likely_duplicates(later, [stored]) == []
    assert likely_duplicates(other_unit, [stored]) == []
    # A year in one title only says when, as the dates do; another year is another dialogue.
    this_year = make_initiative(
        title="Ungas psykiska hälsa 2027", start="2027-03-01", end="2027-03-10"
    )
    assert [s.id for s in likely_duplicates(this_year, [stored])] == [7]
    next_round = make_initiative(
        title="Ungas psykiska hälsa 2028", start="2027-03-01", end="2027-03-10"
    )
    assert likely_duplicates(next_round, [stored]) == []
