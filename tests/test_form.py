"""Registration and editing with the keyboard only: saving, refusing, asking, conflicts."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Select

from dialogtui.domain import Method
from dialogtui.screens.calendar import CalendarScreen, DayList
from dialogtui.screens.dialogs import ConfirmScreen, ConflictScreen
from dialogtui.screens.form import FieldRow, InitiativeFormScreen
from dialogtui.screens.initiative import InitiativeScreen
from dialogtui.store import Store
from dialogtui.widgets.initiative_table import InitiativeTable
from dialogtui.widgets.timeline import TimelineRows
from tests.factories import make_initiative
from tests.ui import (
    calendar_read,
    fixed_store,
    make_app,
    settled,
    wait_for,
    wait_for_screen,
    widget_text,
)


def error_of(app: object, field: str) -> str:
    row = app.screen.query_one(f"#row-{field}", FieldRow)  # type: ignore[attr-defined]
    if not row.has_class("-invalid"):
        return ""
    # The message may wrap at 80 columns: read it as one line.
    return " ".join(widget_text(row.query_one(".field-error")).split())


async def test_register_with_keys_only_and_find_it_in_all_three_views(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, InitiativeFormScreen)
        await pilot.press(*"Kollektivtrafik för unga", "enter")
        await pilot.press(*"Hallandstrafiken", "enter", *"Eva Ek", "enter", *"Per Lind", "enter")
        # Metod: open the list, pick the fourth (fokusgrupp), move on.
        await pilot.press("enter", "down", "down", "down", "down", "enter", "tab")
        # Influence as is; tick the panel; not ordered from Invånartjänster.
        await pilot.press("tab", "space", "tab", "tab")
        await pilot.press(*"24/11", "enter", *"20261211", "enter", "enter")
        await pilot.press(*"Förstå hur unga reser", "ctrl+s")
        await pilot.pause()
        await settled(pilot)

        assert isinstance(app.screen, InitiativeScreen)
        (saved,) = store.initiatives()
        assert saved.title == "Kollektivtrafik för unga"
        assert (saved.unit, saved.contact, saved.owner) == (
            "Hallandstrafiken",
            "Eva Ek",
            "Per Lind",
        )
        assert saved.method is Method.FOCUS_GROUP
        assert saved.uses_panel
        assert (saved.start.isoformat(), saved.end.isoformat()) == ("2026-11-24", "2026-12-11")
        assert saved.purpose == "Förstå hur unga reser"
        assert [e.action for e in store.audit_log(saved.id)] == ["create"]

        await pilot.press("escape")
        assert isinstance(app.screen, CalendarScreen)
        await calendar_read(pilot)
        assert "Kollektivtrafik för unga" in widget_text(app.screen.query_one(DayList))
        await pilot.press("2")
        await calendar_read(pilot)
        assert "Kollektivtrafik för unga" in widget_text(app.screen.query_one(TimelineRows))
        await pilot.press("3")
        await calendar_read(pilot)
        listed = widget_text(app.screen.query_one(InitiativeTable))
        assert "Kollektivtrafik för u…" in listed  # the title column is 22 wide at 80x24
        assert "1/16" in listed  # of its 16 "Före" items only "anmäld", which ticks itself


async def test_empty_title_and_bad_date_are_refused_with_their_messages(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("n", "enter", *"Enhet", "enter", "enter", "enter")
        await pilot.press("enter", "down", "enter", "tab", "tab", "tab", "tab")
        await pilot.press(*"31/2 2027", "enter", *"2027-03-01", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, InitiativeFormScreen)
        assert error_of(app, "title") == "Titel: måste anges"
        assert error_of(app, "start").startswith("Startdatum: ”31/2 2027” är inget datum")
        assert app.focused is app.screen.query_one("#title")
        assert store.count_initiatives() == 0
        assert "Kan inte spara" in widget_text(app.screen.query_one("#summary"))


async def test_end_before_start_is_named_even_before_the_method_is_chosen(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("n", *"T", "enter", *"U", "ctrl+s")
        screen = app.screen
        screen.query_one("#start").value = "2027-03-10"  # type: ignore[attr-defined]
        screen.query_one("#end").value = "2027-03-01"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert error_of(app, "end") == (
            "Slutdatum (2027-03-01) får inte vara före startdatum (2027-03-10)"
        )
        assert error_of(app, "method") == "Metod: måste anges"
        assert store.count_initiatives() == 0


async def test_typed_dates_show_the_parsed_day(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("n")
        app.screen.query_one("#start").focus()
        await pilot.press(*"14/3 2027")
        hint = app.screen.query_one("#row-start .field-hint")
        assert widget_text(hint).strip() == "→ sön 14 mars 2027"


async def test_escape_on_a_changed_form_asks_first(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("n", "escape")
        assert isinstance(app.screen, CalendarScreen)  # nothing typed: leaves at once
        await pilot.press("n", *"Halvfärdig")
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # no: stay
        assert isinstance(app.screen, InitiativeFormScreen)
        assert app.screen.query_one("#title").value == "Halvfärdig"  # type: ignore[attr-defined]
        await pilot.press("escape", "y")
        assert isinstance(app.screen, CalendarScreen)
        assert store.count_initiatives() == 0


async def test_long_and_markup_text_is_saved_and_shown_literally(store: Store) -> None:
    app = make_app(store)
    long_purpose = "x" * 5000
    async with app.run_test(notifications=True, size=(80, 24)) as pilot:
        await pilot.press("n", *"[bold]Rubrik[/]", "enter", *"[red]Enhet")
        screen = app.screen
        screen.query_one("#method", Select).value = Method.SURVEY
        screen.query_one("#start").value = "2026-12-01"  # type: ignore[attr-defined]
        screen.query_one("#end").value = "2026-12-02"  # type: ignore[attr-defined]
        screen.query_one("#purpose").text = long_purpose  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settled(pilot)
        (saved,) = store.initiatives()
        assert saved.title == "[bold]Rubrik[/]" and saved.purpose == long_purpose
        assert isinstance(app.screen, InitiativeScreen)
        page = widget_text(app.screen.query_one("#body"))
        assert "[bold]Rubrik[/]" in page and "[red]Enhet" in page


async def test_edit_over_someone_elses_save_shows_both_and_never_overwrites(
    db_path: Path,
) -> None:
    mine = fixed_store(db_path, "anna")
    created = mine.create_initiative(make_initiative(title="Originalet"))
    assert created.id is not None
    app = make_app(mine)
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        app.open_initiative(created.id)
        await pilot.pause()
        await pilot.press("e")
        assert isinstance(app.screen, InitiativeFormScreen)
        # Bo saves first, from his own session on the same file.
        theirs = fixed_store(db_path, "bo")
        theirs.update_initiative(
            theirs.initiative(created.id).model_copy(update={"title": "Bos titel"})
        )
        app.screen.query_one("#title").value = "Annas titel"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settled(pilot)

        assert isinstance(app.screen, ConflictScreen)
        shown = widget_text(app.screen.query_one("VerticalScroll Static"))
        assert "Bos titel" in shown and "Annas titel" in shown
        assert "ändrats av bo" in widget_text(app.screen.query_one("Static"))
        assert mine.initiative(created.id).title == "Bos titel"

        await pilot.press("escape")  # keep editing my version
        assert isinstance(app.screen, InitiativeFormScreen)
        await pilot.press("ctrl+s")  # a deliberate overwrite, after seeing theirs
        await settled(pilot)
        assert mine.initiative(created.id).title == "Annas titel"
        assert [e.user for e in mine.audit_log(created.id)] == ["anna", "bo", "anna"]


async def test_conflict_reload_takes_their_version(db_path: Path) -> None:
    mine = fixed_store(db_path, "anna")
    created = mine.create_initiative(make_initiative(title="Originalet"))
    assert created.id is not None
    app = make_app(mine)
    async with app.run_test(notifications=True, size=(120, 40)) as pilot:
        app.edit_initiative(created)
        await pilot.pause()
        theirs = fixed_store(db_path, "bo")
        theirs.update_initiative(created.model_copy(update={"title": "Bos titel"}))
        app.screen.query_one("#title").value = "Annas titel"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settled(pilot)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, InitiativeFormScreen)
        assert app.screen.query_one("#title").value == "Bos titel"  # type: ignore[attr-defined]
        assert mine.initiative(created.id).version == 2


async def test_influence_that_does_not_fit_the_method_is_pointed_out(store: Store) -> None:
    from dialogtui.domain import InfluenceLevel

    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        await pilot.press("n")
        screen = app.screen
        screen.query_one("#method", Select).value = Method.SURVEY
        screen.query_one("#influence", Select).value = InfluenceLevel.CO_DECIDE

        def hint() -> str:
            return " ".join(widget_text(screen.query_one("#row-influence .field-hint")).split())

        # The hint is checked on the Select's message and laid out after: wait for its text.
        expected = "⚠ Påverkansnivån medbestämmande passar dåligt med metoden"
        await wait_for(pilot, lambda: hint().startswith(expected), what=expected)
        screen.query_one("#influence", Select).value = InfluenceLevel.CONSULT
        await wait_for(
            pilot,
            lambda: not screen.query_one("#row-influence").has_class("-hinted"),
            what="the hint to go",
        )


async def test_target_groups_are_shown_added_and_filled_with_keys(store: Store) -> None:
    from dialogtui.screens.form import TargetGroupEditor

    created = store.create_initiative(make_initiative())
    app = make_app(store)
    async with app.run_test(notifications=True, size=(100, 40)) as pilot:
        app.edit_initiative(created)
        await wait_for_screen(pilot, InitiativeFormScreen)
        (existing,) = app.screen.query(TargetGroupEditor)
        # The groups are numbered after the form's first refresh, and laid out after that.
        await wait_for(
            pilot,
            lambda: (
                "Målgrupp 1: Unga i Halmstad" in widget_text(existing.query_one(".group-title"))
            ),
            what="the group's title",
        )
        assert existing.region.height > 8  # the whole editor, not just its border
        await pilot.press("ctrl+g")
        await wait_for(
            pilot, lambda: len(app.screen.query(TargetGroupEditor)) == 2, what="a second group"
        )
        await pilot.press(*"Äldre i Laholm", "enter", "ctrl+a", "ctrl+k", *"65", "ctrl+s")
        await settled(pilot)
        groups = store.initiative(created.id or 0).target_groups
        assert [(g.name, g.age_min) for g in groups] == [
            ("Unga i Halmstad", 13),
            ("Äldre i Laholm", 65),
        ]
