"""Helpers for driving the TUI in tests: an app on a fixed day, and reading what a widget shows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from textual.geometry import Region
from textual.widget import Widget

from dialogtui.app import DialogApp
from dialogtui.store import Store
from tests.conftest import TODAY

FIXED_NOW = datetime(2026, 11, 24, 9, 30, tzinfo=ZoneInfo("Europe/Stockholm"))


def fixed_store(path: Path, user: str = "anna") -> Store:
    """A store whose clock stands still, so that histories in screenshots never change."""
    return Store(path, user=user, clock=lambda: FIXED_NOW)


def make_app(store: Store) -> DialogApp:
    return DialogApp(store, today=TODAY, theme="textual-dark")


def widget_text(widget: Widget) -> str:
    """The characters a widget paints, line by line, as the user would read them."""
    # The widget's full box, padding included: render_lines paints in those coordinates.
    region = Region(0, 0, widget.region.width, widget.region.height)
    return "\n".join(strip.text for strip in widget.render_lines(region))


def screen_text(app: DialogApp) -> str:
    """Everything visible on the current screen, top to bottom."""
    return "\n".join(widget_text(w) for w in app.screen.walk_children(Widget) if w.display)
