"""What every screen of dialogtui shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from dialogtui.app import DialogApp


class DialogAppMixin:
    """Typed access to the running DialogApp, its store and its `today`."""

    @property
    def dialog_app(self) -> DialogApp:
        return cast("DialogApp", self.app)  # type: ignore[attr-defined]
