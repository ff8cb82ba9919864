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

# How often a wait looks whether what it waits for is gone (a closed widget or screen drops the
# probe it held). It never gives up on something that is only slow: on a loaded jump host a form
# can take seconds to build, and letters let go before it has its field would be lost.
WATCH_S = 0.5


class KeyHandled(Message):
    """Key number `number` has been handled by every node it could travel through."""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number


class ScreenSettled(Message):
    """The screen of wait number `number` has been drawn since it came to the top, or is no
    longer there to wait for."""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number


def _gone(node: DOMNode) -> bool:
    """Closed or taken off the screen: a probe posted to it will never run."""
    return not node.is_attached or node._closing or node._closed


class TypeAhead(App[None]):
    """An app that handles keys typed ahead in order, each on its own screen (see above)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._waiting_keys: deque[events.Key] = deque()
        self._key_number = 0
        self._in_flight: int | None = None
        # Where the probe behind the key in flight is now.
        self._probe_at: DOMNode | None = None
        self._settled_screen: Screen[Any] | None = None
        # The screen waited for, and the number of that wait (0: none). Numbers are never
        # reused: a late ScreenSettled of an earlier wait (the watch and the drawing may both
        # answer one wait) must not pass for the next one and let keys go to an unready screen.
        self._awaited_screen: Screen[Any] | None = None
        self._wait_number = 0
        self._waits = 0
        self._watch: Timer | None = None

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
        self._follow(target, number)
        self._start_watch()

    def _follow(self, node: DOMNode, number: int) -> None:
        """Post a probe behind the key on `node`, then on its parent, up to the app: each runs
        once its node has handled what was posted before it, the key included."""

        def reached() -> None:
            parent = node.parent
            if parent is None or parent is self:
                self.post_message(KeyHandled(number))
            else:
                self._follow(parent, number)

        self._probe_at = node
        if node is self or not node.call_later(reached):  # closed: nothing more to wait for
            self.post_message(KeyHandled(number))

    async def on_key_handled(self, message: KeyHandled) -> None:
        if message.number != self._in_flight:
            return  # a probe after the watch let the key go
        self._in_flight = None
        self._probe_at = None
        await self._next_key()

    def _await_settled(self, screen: Screen[Any] | None) -> None:
        if self._wait_number and screen is self._awaited_screen:
            return
        self._waits += 1
        number = self._wait_number = self._waits
        self._awaited_screen = screen
        self._start_watch()
        if screen is None:
            return

        def drawn() -> None:
            # Twice: the first turn comes before what the screen's own on_mount put off until
            # after its first frame.
            screen.call_after_refresh(self.post_message, ScreenSettled(number))

        if not screen.call_after_refresh(drawn):  # closing: nothing will be drawn
            self.post_message(ScreenSettled(number))

    async def on_screen_settled(self, message: ScreenSettled) -> None:
        if message.number != self._wait_number or not self._wait_number:
            return  # about a wait that is over
        awaited, top = self._awaited_screen, self._top()
        self._wait_number, self._awaited_screen = 0, None
        if awaited is not top or top is None:
            self._await_settled(top)  # it was left before it was drawn: wait for the new one
            return
        self._settled_screen = top
        await self._next_key()

    def _start_watch(self) -> None:
        if self._watch is None:
            self._watch = self.set_interval(WATCH_S, self._look)

    def _look(self) -> None:
        """Let a wait go only when what it waits for is gone, never because it is slow."""
        if self._in_flight is not None:
            at = self._probe_at
            if at is not None and at is not self and _gone(at):
                self.post_message(KeyHandled(self._in_flight))
        elif self._wait_number:
            awaited = self._awaited_screen
            if awaited is None or _gone(awaited) or awaited is not self._top():
                # No screen yet, or left before it was drawn: wait for the one now on top.
                self.post_message(ScreenSettled(self._wait_number))
        elif self._watch is not None:
            self._watch.stop()  # nothing waits
            self._watch = None
