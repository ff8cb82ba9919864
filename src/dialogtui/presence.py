"""Who else has the database open, in words: for the initiative's page and the edit warning."""

from __future__ import annotations

from collections.abc import Sequence

from dialogtui.domain import Presence


def join_swedish(words: Sequence[str]) -> str:
    """'a', 'a och b', 'a, b och c'."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} och {words[-1]}"


def describe_presence(sessions: Sequence[Presence], own_user: str) -> str:
    """The people behind some sessions, each named once, in the order given."""
    names: list[str] = []
    for session in sessions:
        name = "du själv i en annan session" if session.user == own_user else session.user
        if name not in names:
            names.append(name)
    return join_swedish(names)


def presence_line(sessions: Sequence[Presence], own_user: str) -> str:
    """One sentence about who has an initiative open, editors first; empty when no one does."""
    editors = [s for s in sessions if s.editing]
    viewers = [s for s in sessions if not s.editing]
    parts = []
    if editors:
        parts.append(f"Redigeras just nu av {describe_presence(editors, own_user)}")
    if viewers:
        verb = "Visas även för" if editors else "Visas just nu för"
        parts.append(f"{verb} {describe_presence(viewers, own_user)}")
    return ". ".join(parts) + "." if parts else ""
