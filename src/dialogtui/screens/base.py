"""What every screen of dialogtui shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from textual.screen import Screen

    from dialogtui.app import DialogApp


class DialogAppMixin:
    """Typed access to the running DialogApp, its store and its `today`."""

    _leaving = False

    @property
    def dialog_app(self) -> DialogApp:
        return cast("DialogApp", self.app)  # type: ignore[attr-defined]

    def leave(self) -> None:
        """Close this screen now if it is on top; else when the user comes back to it.

        Dismissing a screen that is not on top would pop the one above it (a form with the
        user's text in it) and end the app: its initiative may vanish under it (a restore).
        """
        screen = cast("Screen[Any]", self)
        if self.dialog_app.screen is screen:
            screen.dismiss()
        else:
            self._leaving = True

    def on_screen_resume(self) -> None:
        if self._leaving:
            cast("Screen[Any]", self).dismiss()
