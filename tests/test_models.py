"""Validation of the domain models: good values pass, bad ones get Swedish messages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from dialogtui.domain import Method, Municipality, Stage, clean_text
from dialogtui.models import Evaluation, Initiative, TargetGroup, field_errors
from tests.factories import make_initiative


def errors_of(**overrides: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        make_initiative(**overrides)
    return [str(e) for e in field_errors(caught.value)]


def test_valid_initiative_keeps_its_values() -> None:
    ini = make_initiative(deadline="2026-03-13", sample_size=40)
    assert ini.method is Method.FOCUS_GROUP
    assert ini.start == date(2026, 3, 2)
    assert ini.deadline == date(2026, 3, 13)
    assert ini.target_groups[0].municipalities == [Municipality.HALMSTAD]
    assert ini.target_groups[0].description == "unga 13–19 i Halmstad"
    assert ini.days == 19


def test_swedish_labels_are_accepted_for_enums() -> None:
    ini = make_initiative(method="Dialogmöte", influence="medbestämmande", stage="planering")
    assert ini.method is Method.DIALOGUE_MEETING
    assert ini.stage is Stage.PLANNING


def test_title_required() -> None:
    assert errors_of(title="   ") == ["Titel: måste anges"]


def test_title_at_most_200_characters() -> None:
    make_initiative(title="x" * 200)
    assert errors_of(title="x" * 201) == ["Titel: får vara högst 200 tecken (nu 201)"]


def test_end_not_before_start() -> None:
    assert errors_of(start="2026-03-02", end="2026-03-01") == [
        "Slutdatum (2026-03-01) får inte vara före startdatum (2026-03-02)"
    ]


def test_end_equal_to_start_is_fine() -> None:
    assert make_initiative(start="2026-03-02", end="2026-03-02").days == 1


def test_deadline_not_before_start() -> None:
    messages = errors_of(deadline="2026-03-01")
    assert messages == ["Tidsfrist (2026-03-01) får inte vara före startdatum (2026-03-02)"]


def test_bad_date_names_the_field_and_the_format() -> None:
    assert errors_of(start="2026-13-40") == [
        "Startdatum: måste vara ett datum i formen ÅÅÅÅ-MM-DD, t.ex. 2027-03-14"
    ]


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ({"age_min": -1}, "Målgrupp 1: Ålder från: måste vara minst 0"),
        ({"age_max": 121}, "Målgrupp 1: Ålder till: får vara högst 120"),
        (
            {"age_min": 30, "age_max": 20},
            "Målgrupp 1: Ålder från (30) får inte vara större än ålder till (20)",
        ),
        (
            {"municipalities": ["Göteborg"]},
            "Målgrupp 1: Kommun: måste vara en av: Kungsbacka, Varberg, Falkenberg, Halmstad,"
            " Hylte, Laholm",
        ),
    ],
)
def test_target_group_rules(group: dict[str, Any], expected: str) -> None:
    assert errors_of(target_groups=[group]) == [expected]


def test_age_range_may_be_a_single_year() -> None:
    assert TargetGroup(age_min=13, age_max=13).description == "invånare 13–13 i hela Halland"


def test_unknown_segment_lists_the_allowed_ones() -> None:
    (message,) = errors_of(target_groups=[{"segments": ["marsianer"]}])
    assert message.startswith("Målgrupp 1: Segment: okänt segment 'marsianer'; tillåtna är ")
    assert "unga" in message


def test_municipalities_accept_any_case_and_separators() -> None:
    group = TargetGroup.model_validate({"municipalities": "halmstad; VARBERG, Halmstad"})
    assert group.municipalities == [Municipality.VARBERG, Municipality.HALMSTAD]


@pytest.mark.parametrize("field", ["sample_size"])
@pytest.mark.parametrize(("value", "message"), [(-1, "måste vara minst 0"), ("tio", "heltal")])
def test_counts_are_whole_numbers_not_below_zero(field: str, value: Any, message: str) -> None:
    (text,) = errors_of(**{field: value})
    assert text.startswith("Urval: ")
    assert message in text


def test_participants_whole_numbers_and_not_more_than_invited() -> None:
    assert Evaluation(participants=0, invited=0).response_rate is None
    assert Evaluation(participants=3, invited=12).response_rate == 0.25
    for bad, expected in [
        ({"participants": -2}, "Antal deltagare: måste vara minst 0"),
        ({"participants": 2.5}, "Antal deltagare: måste vara ett heltal, t.ex. 40"),
        (
            {"participants": 13, "invited": 12},
            "Antal deltagare (13) får inte vara fler än antal inbjudna (12)",
        ),
    ]:
        with pytest.raises(ValidationError) as caught:
            Evaluation.model_validate(bad)
        assert [str(e) for e in field_errors(caught.value)] == [expected]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x1b[31mb", "a[31mb"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("nul\x00del\x7fc1\x9b", "nuldelc1"),
        ("crlf\r\nline", "crlf\nline"),
        ("[bold]markup[/]", "[bold]markup[/]"),
    ],
)
def test_control_characters_removed(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_control_characters_removed_from_every_text_field() -> None:
    ini = make_initiative(
        title="Titel\x1b]0;hack\x07",
        purpose="Syfte\x1b[2J",
        target_groups=[{"name": "Grupp\x9b"}],
        compensation={"amount_sek": 100, "payer": "Betal\x00are"},
    )
    assert ini.title == "Titel]0;hack"
    assert ini.purpose == "Syfte[2J"
    assert ini.target_groups[0].name == "Grupp"
    assert ini.compensation is not None and ini.compensation.payer == "Betalare"


def test_stage_order_follows_the_process() -> None:
    walked = [Stage.REGISTERED]
    while (following := walked[-1].next()) is not None:
        walked.append(following)
    assert walked == [
        Stage.REGISTERED,
        Stage.PLANNING,
        Stage.RUNNING,
        Stage.RESULTS,
        Stage.FEEDBACK,
        Stage.EVALUATION,
        Stage.CLOSED,
    ]
    assert Stage.CANCELLED.next() is None


def test_whole_region_and_all_ages_description() -> None:
    assert TargetGroup().description == "invånare i hela Halland"
    assert TargetGroup(age_min=65, segments=["äldre"]).description == "äldre 65+ i hela Halland"
    assert Initiative.model_fields["title"].is_required()


def test_one_line_fields_keep_to_one_line_and_bidi_overrides_are_removed() -> None:
    ini = make_initiative(title="Rad ett\nrad två\tslut", unit="Enhet\u202eevil", purpose="A\nB")
    assert ini.title == "Rad ett rad två slut"
    assert ini.unit == "Enhetevil"
    assert ini.purpose == "A\nB"  # long texts keep their lines


def test_segments_are_kept_in_catalogue_order() -> None:
    group = TargetGroup(segments=["äldre", "anhöriga", "äldre"])
    assert group.segments == ["anhöriga", "äldre"]
