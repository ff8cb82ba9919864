"""The lessons library: full-text search over titles, purposes and evaluations."""

from __future__ import annotations

from dialogtui.domain import FOUND_END, FOUND_START, LessonHit, Method
from dialogtui.models import Evaluation
from dialogtui.store import Store
from tests.factories import make_initiative


def seeded(store: Store) -> tuple[int, int]:
    first = store.create_initiative(
        make_initiative(title="Fokusgrupp om väntetider", purpose="Förstå väntan på akuten")
    )
    second = store.create_initiative(
        make_initiative(title="Enkät om kollektivtrafik", method="survey", purpose="Resvanor")
    )
    store.save_evaluation(
        Evaluation(
            initiative_id=second.id,
            lesson="Återkoppling tidigt gav högre svarsfrekvens",
            went_well="Samarbetet med skolorna",
        )
    )
    return first.id or 0, second.id or 0


def test_prefix_search_finds_fokusgrupp_by_fokus(store: Store) -> None:
    first, _ = seeded(store)
    (hit,) = store.search_lessons("fokus")
    assert (hit.initiative_id, hit.year, hit.method.label) == (first, 2026, "fokusgrupp")
    assert f"{FOUND_START}Fokusgrupp{FOUND_END}" in hit.snippet


def test_a_found_word_is_shown_in_bold_not_between_marks() -> None:
    from dialogtui.screens.lessons import LessonRows

    hit = LessonHit(
        1, "Unga", 2026, Method.FOCUS_GROUP, f"En {FOUND_START}fokusgrupp{FOUND_END} med »unga«"
    )
    shown = LessonRows().render_row(hit, 120)
    # User text keeps its own quote marks; the find is bold, with no mark of the search's.
    assert shown.plain.endswith("En fokusgrupp med »unga«")
    bold = [shown.plain[span.start : span.end] for span in shown.spans if "bold" in str(span.style)]
    assert "fokusgrupp" in bold and "»unga«" not in bold


def test_swedish_letters_are_their_own(store: Store) -> None:
    _, second = seeded(store)
    assert [h.initiative_id for h in store.search_lessons("återkoppling")] == [second]
    assert [h.initiative_id for h in store.search_lessons("ÅTERK")] == [second]
    # å is not a: "aterkoppling" is another word.
    assert store.search_lessons("aterkoppling") == []
    assert [h.initiative_id for h in store.search_lessons("väntan")] != []


def test_every_word_must_match_and_odd_input_is_harmless(store: Store) -> None:
    _, second = seeded(store)
    assert [h.initiative_id for h in store.search_lessons("samarbetet skolorna")] == [second]
    assert store.search_lessons("samarbetet akuten") == []
    for odd in ('"', "*", "NEAR(", "a OR b", "'; DROP TABLE x; --", ""):
        store.search_lessons(odd)  # never an SQL or FTS syntax error


def test_the_index_follows_edits_and_deletes(store: Store) -> None:
    first, _ = seeded(store)
    ini = store.initiative(first)
    store.update_initiative(ini.model_copy(update={"title": "Dialogmöte om väntetider"}))
    assert store.search_lessons("fokusgrupp") == []
    assert [h.initiative_id for h in store.search_lessons("dialogmöte")] == [first]
    store.delete_initiative(first, store.initiative(first).version)
    assert store.search_lessons("väntetider") == []


def test_drafts_are_per_user_and_go_when_the_evaluation_is_saved(store: Store) -> None:
    first, _ = seeded(store)
    store.save_draft(first, {"lesson": "halvfärdig"}, 0)
    other = Store(store.path, user="bo")
    assert other.draft(first) is None
    data, base, _ = store.draft(first)  # type: ignore[misc]
    assert (data, base) == ({"lesson": "halvfärdig"}, 0)
    store.save_evaluation(Evaluation(initiative_id=first, lesson="klar"))
    assert store.draft(first) is None
