"""The key bar of every screen: the keys that fit, Help always among them, rebuilt only when
what it shows changes."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import NamedTuple

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

# Kept whatever the width: Help lists every key that had to be left out.
KEPT_ACTIONS = frozenset({"app.help", "help"})
# The palette's key sits at the right edge, after a separator and with a space of its own.
PALETTE_EXTRA = 2


class Shown(NamedTuple):
    binding: Binding
    enabled: bool
    tooltip: str


def key_width(key_display: str, description: str) -> int:
    """Columns a key takes in the bar: " k " then "description "."""
    return cell_len(key_display) + 2 + (cell_len(description) + 1 if description else 0)


def fitting(items: list[tuple[int, bool]], room: int) -> list[int]:
    """Which of `items` (width, kept) to show in `room` columns, in their order: the kept ones
    first, then the others in their order as long as they fit; a key that does not fit is left
    out and a shorter one after it may still be shown. Returns their indexes."""
    used = sum(width for width, kept in items if kept)
    chosen = {index for index, (_, kept) in enumerate(items) if kept}
    for index, (width, kept) in enumerate(items):
        if not kept and used + width <= room:
            chosen.add(index)
            used += width
    return sorted(chosen)


class Footer(TextualFooter):
    """Textual's key bar, changed in two ways.

    It shows only the keys that fit in one line, dropping the last ones first but never Help
    (Textual's own cut the last key in the middle: "? Hjäl▏").

    It rebuilds only when the keys, their words, their state or the width differ: Textual's
    rebuilds all its keys whenever a screen refreshes its bindings, and screens here refresh
    them on every cursor move (which keys apply depends on the row); each rebuild mounts and
    styles a widget per key.
    """

    _shown: Hashable = None

    def _candidates(self, screen: Screen[object]) -> list[Shown]:
        # One key per action, as Textual's footer shows them.
        by_action: dict[str, Shown] = {}
        for _, binding, enabled, tooltip in screen.active_bindings.values():
            if binding.show and binding.action not in by_action:
                by_action[binding.action] = Shown(binding, enabled, tooltip)
        return list(by_action.values())

    def _palette(self, screen: Screen[object]) -> Shown | None:
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return None
        found = screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if found is None:
            return None
        _, binding, enabled, _tooltip = found
        return Shown(binding, enabled, binding.tooltip or binding.description)

    def _width(self) -> int:
        return self.size.width or self.app.size.width

    def _chosen(self, screen: Screen[object]) -> tuple[list[Shown], Shown | None]:
        candidates = self._candidates(screen)
        palette = self._palette(screen)
        room = self._width()
        if palette is not None:
            binding = palette.binding
            room -= key_width(self.app.get_key_display(binding), binding.description)
            room -= PALETTE_EXTRA
        widths = [
            (
                key_width(self.app.get_key_display(item.binding), item.binding.description),
                item.binding.action in KEPT_ACTIONS,
            )
            for item in candidates
        ]
        return [candidates[index] for index in fitting(widths, room)], palette

    def _what_it_shows(self, screen: Screen[object]) -> Hashable:
        keys, palette = self._chosen(screen)
        return (
            tuple((item.binding, item.enabled, item.tooltip) for item in _with(keys, palette)),
            self.compact,
        )

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        keys, palette = self._chosen(self.screen)
        for item in keys:
            binding = item.binding
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not item.enabled,
                tooltip=item.tooltip,
            ).data_bind(compact=TextualFooter.compact)
        if palette is not None:
            binding = palette.binding
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not palette.enabled,
                tooltip=palette.tooltip,
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

    def on_resize(self, event: Resize) -> None:
        # Another width can fit more keys, or fewer.
        if self._bindings_ready and self.is_attached:
            self.bindings_changed(self.screen)

    async def recompose(self) -> None:
        if self.is_attached and self._bindings_ready:
            self._shown = self._what_it_shows(self.screen)
        await super().recompose()


def _with(keys: Iterable[Shown], palette: Shown | None) -> list[Shown]:
    return [*keys, *([palette] if palette is not None else [])]
