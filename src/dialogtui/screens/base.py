"""What every screen of dialogtui shares, and the messages between the app and its screens.

State flows down, events flow up: the app holds what several screens show (the overlaps, who
else is in, the saves under way) as reactive attributes that screens `watch`; what the data did
reaches each screen on the stack as one typed `DataChanged` message, which the screen compares
with what it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

from textual.message import Message
from textual.worker import Worker, WorkerState

from dialogtui.changes import Change

if TYPE_CHECKING:
    from textual.screen import Screen

    from dialogtui.app import DialogApp
    from dialogtui.errors import UserError
    from dialogtui.store import ConflictError, Store

T = TypeVar("T")

# A draft (what a form holds, kept for its user until saved) is kept this long after the last
# key, as well as when a field is left: a killed terminal loses at most this much typing.
DRAFT_PAUSE_S = 1.0
# What a form knows of its stored draft after a failed keep: unknown, so the next keep writes.
UNKNOWN = object()


@dataclass(eq=False)
class Save(Generic[T]):
    """One write the user asked for. The app runs saves in turn on one worker thread, in the
    order they were asked for, and never on the UI thread (see `DialogApp.save`).

    `write` runs on the worker; it raises a UserError (a StoreError, say: Swedish) to refuse.
    The callbacks run on the UI thread afterwards, wherever the user has gone meanwhile, so a
    callback that touches a screen checks that the screen is still there.
    """

    # The action and what it acts on. While one is pending, a second press of the same action
    # is refused, so that nothing is written twice.
    key: Hashable
    write: Callable[[Store], T]
    # What the write touched, from what it returned: only the screens that show it re-read.
    change: Callable[[T], Change]
    # Said when it has landed (a notification), or None.
    done: Callable[[T], str | None] | None = None
    saved: Callable[[T], None] | None = None
    # With the Swedish reason, after the app has said it: give back what the user typed.
    failed: Callable[[UserError], None] | None = None
    # A newer save with the same key replaces one still waiting (drafts, settings: the last
    # value typed is the one meant) instead of being refused.
    coalesce: bool = False
    # The notification's title when it fails.
    failure_title: str = "Sparades inte"
    # It writes to the database (refused at once for a user who may only read it), or it
    # only writes a file the user asked for.
    database: bool = True
    # Kept in the background (a draft): not announced as "Sparar …" in the header.
    quiet: bool = False


@dataclass(frozen=True, slots=True)
class Conflicted(Generic[T]):
    """A versioned save was refused: someone else saved first. `theirs` is what they saved."""

    error: ConflictError
    theirs: T


@dataclass(frozen=True, slots=True)
class Gated:
    """A stage change not written: what stands in its way (`process.stage_problems`), for the
    user to see and to give a reason to go on anyway."""

    problems: list[str]


AnySave = Save[Any]


def draft_save(
    key: Hashable, write: Callable[[Store], object], failed: Callable[[UserError], None]
) -> AnySave:
    """The save that keeps a draft (the evaluation's, the form's): in the background, the
    newest replacing one still waiting, and no screen to tell, as drafts are the user's own.
    Should it fail, the text stays in the form; only the safety copy was not written now."""
    return Save(
        key=key,
        write=write,
        change=lambda _: Change(),
        failure_title="Utkastet kunde inte sparas",
        failed=failed,
        coalesce=True,
        quiet=True,
    )


class DataChanged(Message, bubble=False):
    """Something was written, by this session or another: `change` says what it touched."""

    def __init__(self, change: Change) -> None:
        super().__init__()
        self.change = change


class DialogAppMixin:
    """Typed access to the running DialogApp, and one place for a failing worker to end up."""

    _leaving = False

    @property
    def dialog_app(self) -> DialogApp:
        return cast("DialogApp", self.app)  # type: ignore[attr-defined]

    @property
    def on_top(self) -> bool:
        return cast(object, self.dialog_app.screen) is self

    def leave(self) -> None:
        """Close this screen now if it is on top; else when the user comes back to it.

        Dismissing a screen that is not on top would pop the one above it (a form with the
        user's text in it) and end the app: its initiative may vanish under it (a restore).
        """
        screen = cast("Screen[Any]", self)
        if self.on_top:
            screen.dismiss()
        else:
            self._leaving = True

    def on_screen_resume(self) -> None:
        if self._leaving:
            cast("Screen[Any]", self).dismiss()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A screen's workers report to the screen only (the message does not bubble): hand a
        # failure to the app's one handler, which says it in Swedish and keeps the app alive.
        if event.state is WorkerState.ERROR:
            self.dialog_app.worker_failed(event.worker)


class OneInitiative(DialogAppMixin):
    """A screen about one initiative: its page, checklist, evaluation, a form editing it.

    `initiative_id` is what presence tells the other sessions this one has open, and `EDITS`
    whether it is being edited there; a `DataChanged` that concerns it is what it re-reads.
    """

    EDITS: ClassVar[bool] = False
    initiative_id: int | None

    def concerns(self, change: Change) -> bool:
        return change.concerns(self.initiative_id)
