"""The region's units (data/units.toml): read once, checked, and complete for the demo."""

from __future__ import annotations

import pytest

from dialogtui import catalog, units
from dialogtui.domain import Municipality
from dialogtui.units import UnitsFileError, parse_units


def test_every_unit_of_the_demo_is_known() -> None:
    known = {unit.name for unit in units.units()}
    assert set(catalog.demo_vocabulary()["units"]) <= known


def test_the_six_local_committees_one_per_municipality() -> None:
    committees = units.local_committees()
    assert len(committees) == 6
    assert {c.municipality for c in committees} == set(Municipality)
    assert all(c.offered and not c.health_care for c in committees)


def test_health_care_as_the_demo_counts_it() -> None:
    assert units.find("psykiatrin halland") is not None
    assert units.find("Psykiatrin  Halland").health_care  # type: ignore[union-attr]
    assert not units.find("Kultur i Halland").health_care  # type: ignore[union-attr]
    assert units.find("Okänd enhet") is None


def test_names_not_offered_are_known_but_not_listed() -> None:
    assert units.find("Område Psykiatri") is not None
    assert "Område Psykiatri" not in units.offered_names()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"unit": [{"health_care": True}]}, "enhet 1: name måste anges"),
        ({"unit": [{"name": "A"}]}, "health_care måste anges"),
        ({"unit": [{"name": "A", "health_care": "ja"}]}, "health_care ska vara true eller false"),
        (
            {"unit": [{"name": "A", "health_care": True}, {"name": "a", "health_care": False}]},
            "”a”: namnet finns redan",
        ),
        ({"unit": [{"name": "A", "health_care": False, "municipality": "Lund"}]}, "municipality"),
    ],
)
def test_a_fault_in_the_file_is_told_in_swedish_with_its_entry(
    data: dict[str, object], message: str
) -> None:
    with pytest.raises(UnitsFileError, match=message):
        parse_units(data)
