"""Keys typed ahead are handled one after the other, each by the screen it was typed for.

Textual hands a key to whatever has the focus when the key arrives, and a key that opens a screen
(`n` for a new dialogue) does so only after it has travelled up from the focused widget to the
screen's binding. Keys typed right behind it were meanwhile handed to the old screen: someone who
types "n" and a title at once (over SSH the keys arrive together) lost the title, or had its
letters taken as the calendar's keys. And a new screen focuses its first field only once mounted.

`TypeAhead` therefore lets one key go at a time: the next waits until the one before has been
handled all the way up (a probe follows it from the widget it was given to, up to the app), and,
when that key opened or closed a screen, until the new top screen has been drawn after its
`on_mount` (the form notes its unchanged values after its first frame, so that held letters count
as typed, not as what was there).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

# However a screen or a key fails to report back, the keys behind it go on after this long.
WAIT_AT_MOST_S = 1.0


class KeyHandled(Message):
    """Key number `number` has been handled by every node it could travel through."""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number


class ScreenSettled(Message):
    """The screen of wait number `number` has been drawn since it came to the top (or, `late`,
    has been waited for long enough)."""

    def __init__(self, number: int, late: bool = False) -> None:
        super().__init__()
        self.number = number
        self.late = late


class TypeAhead(App[None]):
    """An app that handles keys typed ahead in order, each on its own screen (see above)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._waiting_keys: deque[events.Key] = deque()
        self._key_number = 0
        self._in_flight: int | None = None
        self._key_timer: Timer | None = None
        self._settled_screen: Screen[Any] | None = None
        # The screen waited for, and the number of that wait.
        self._awaited_screen: Screen[Any] | None = None
        self._wait_number = 0

    def _top(self) -> Screen[Any] | None:
        return self.screen_stack[-1] if self.screen_stack else None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._waiting_keys.append(event)
            await self._next_key()
            return
        await super().on_event(event)

    async def _next_key(self) -> None:
        """Hand on the next waiting key, if the one before is through and its screen is drawn."""
        if self._in_flight is not None or not self._waiting_keys:
            return
        top = self._top()
        if top is None or top is not self._settled_screen:
            self._await_settled(top)
            return
        key = self._waiting_keys.popleft()
        self._key_number += 1
        number = self._key_number
        self._in_flight = number
        target: DOMNode = self.focused or top
        await super().on_event(key)
        self._key_timer = self.set_timer(
            WAIT_AT_MOST_S, lambda: self.post_message(KeyHandled(number))
        )
        self._follow(target, number)

    def _follow(self, node: DOMNode, number: int) -> None:
        """Post a probe behind the key on `node`, then on its parent, up to the app: each runs
        once its node has handled what was posted before it, the key included."""

        def reached() -> None:
            parent = node.parent
            if parent is None or parent is self:
                self.post_message(KeyHandled(number))
            else:
                self._follow(parent, number)

        if node is self or not node.call_later(reached):  # closed: nothing more to wait for
            self.post_message(KeyHandled(number))

    async def on_key_handled(self, message: KeyHandled) -> None:
        if message.number != self._in_flight:
            return  # a late timer, or a probe after the timer
        self._in_flight = None
        if self._key_timer is not None:
            self._key_timer.stop()
            self._key_timer = None
        await self._next_key()

    def _await_settled(self, screen: Screen[Any] | None) -> None:
        if self._wait_number and screen is self._awaited_screen:
            return
        self._wait_number += 1
        number = self._wait_number
        self._awaited_screen = screen
        self.set_timer(WAIT_AT_MOST_S, lambda: self.post_message(ScreenSettled(number, late=True)))
        if screen is None:
            return

        def drawn() -> None:
            # Twice: the first turn comes before what the screen's own on_mount put off until
            # after its first frame.
            screen.call_after_refresh(self.post_message, ScreenSettled(number))

        if not screen.call_after_refresh(drawn):  # closing: nothing will be drawn
            self.post_message(ScreenSettled(number, late=True))

    async def on_screen_settled(self, message: ScreenSettled) -> None:
        if message.number != self._wait_number or not self._wait_number:
            return  # about a wait that is over (a late timer, say)
        awaited, top = self._awaited_screen, self._top()
        self._wait_number, self._awaited_screen = 0, None
        if awaited is not top and not message.late:
            self._await_settled(top)  # it was left before it was drawn: wait for the new one
            return
        self._settled_screen = top
        await self._next_key()
