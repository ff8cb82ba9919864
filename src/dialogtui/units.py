"""The region's units (`data/units.toml`): who orders dialogues, and which belong to health care.

Pure: no Textual, no SQLite. Read once per process; the coordinator edits the file, and a fault
in it is told in Swedish with the entry it is in.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from dialogtui.catalog import data_dir
from dialogtui.domain import Municipality
from dialogtui.errors import UserError, os_error_text

FILE_NAME = "units.toml"


class UnitsFileError(UserError):
    """units.toml cannot be read; the message names the entry and the field."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One ordering unit ("beställare") of the region."""

    name: str
    health_care: bool
    offered: bool = True
    local_committee: bool = False
    municipality: Municipality | None = None


def _flag(entry: dict[str, object], key: str, default: bool, where: str) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise UnitsFileError(f"{where}: {key} ska vara true eller false, inte {value!r:.40}")
    return value


def parse_units(data: dict[str, object]) -> tuple[Unit, ...]:
    """The units of a parsed units.toml, checked: every name given once, flags true or false."""
    entries = data.get("unit", [])
    if not isinstance(entries, list):
        raise UnitsFileError(f"{FILE_NAME}: [[unit]] ska vara en lista av enheter")
    found: list[Unit] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        where = f"{FILE_NAME}, enhet {position}"
        if not isinstance(entry, dict):
            raise UnitsFileError(f"{where}: ska vara en tabell med name och health_care")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise UnitsFileError(f"{where}: name måste anges")
        name = " ".join(name.split())
        where = f"{FILE_NAME}, enheten ”{name}”"
        if name.casefold() in seen:
            raise UnitsFileError(f"{where}: namnet finns redan tidigare i filen")
        seen.add(name.casefold())
        if "health_care" not in entry:
            raise UnitsFileError(f"{where}: health_care måste anges (true eller false)")
        municipality = entry.get("municipality")
        try:
            place = Municipality.parse(municipality) if isinstance(municipality, str) else None
        except ValueError:
            raise UnitsFileError(
                f"{where}: municipality måste vara en av {Municipality.choices()}"
            ) from None
        found.append(
            Unit(
                name=name,
                health_care=_flag(entry, "health_care", False, where),
                offered=_flag(entry, "offered", True, where),
                local_committee=_flag(entry, "local_committee", False, where),
                municipality=place,
            )
        )
    return tuple(found)


@cache
def units() -> tuple[Unit, ...]:
    """Every unit of the data file, in the file's order."""
    path = data_dir() / FILE_NAME
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise UnitsFileError(f"Kan inte läsa {path}: {os_error_text(exc)}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise UnitsFileError(f"{path} är inte giltig TOML: {exc}") from None
    return parse_units(data)


def offered_names() -> tuple[str, ...]:
    """The names that lists offer, in the file's order."""
    return tuple(unit.name for unit in units() if unit.offered)


def find(name: str) -> Unit | None:
    """The unit of this name (case and spacing aside), or None for a unit the file does not know."""
    wanted = " ".join(name.split()).casefold()
    return next((unit for unit in units() if unit.name.casefold() == wanted), None)


def local_committees() -> tuple[Unit, ...]:
    return tuple(unit for unit in units() if unit.local_committee)


def choices(registered: Iterable[str], *, retired: bool = True) -> list[str]:
    """What the form and the filter offer: the units the list offers, in its order, then any
    other unit that has registered something. A broken file leaves the registered ones.

    `retired=False` (the registration form) leaves out a registered name that the file keeps
    known but no longer offers (`offered = false`): a new registration takes the current name,
    while the filter still finds the old records under the old one."""
    try:
        offered = list(offered_names())
        kept = {unit.name.casefold() for unit in units() if not unit.offered}
    except UnitsFileError:
        offered, kept = [], set()
    known = {name.casefold() for name in offered}
    if not retired:
        known |= kept
    return offered + [name for name in registered if name.casefold() not in known]
