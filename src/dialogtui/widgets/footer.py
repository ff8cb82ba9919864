"""Textual's footer, rebuilt only when what it shows changes."""

from __future__ import annotations

from collections.abc import Hashable

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """The key bar; Textual's own, which rebuilds all its keys whenever a screen refreshes its
    bindings. Screens here refresh them on every cursor move (which keys apply depends on the
    row), and a calendar start refreshes them four times: each rebuild mounts and styles a
    widget per key. This one rebuilds only when the keys, their words or their state differ.
    """

    _shown: Hashable = None

    def _what_it_shows(self, screen: Screen[object]) -> Hashable:
        return (
            tuple(
                (binding.key, binding.action, binding.description, enabled, tooltip)
                for _, binding, enabled, tooltip in screen.active_bindings.values()
                if binding.show
            ),
            self.show_command_palette,
            self.compact,
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        if (
            self._shown is not None
            and self.is_attached
            and screen is self.screen
            and self._what_it_shows(screen) == self._shown
        ):
            return
        super().bindings_changed(screen)

    async def recompose(self) -> None:
        if self.is_attached and self._bindings_ready:
            self._shown = self._what_it_shows(self.screen)
        await super().recompose()
