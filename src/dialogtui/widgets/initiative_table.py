"""The list view: a sortable table of initiatives, paged from the store."""

from __future__ import annotations

from rich.text import Text

from dialogtui.domain import InitiativeSummary
from dialogtui.widgets.cells import fit
from dialogtui.widgets.paged_rows import PagedRows

# (key, header, width); the title takes what is left, and optional columns drop out when narrow.
_FIXED = (
    ("unit", "Beställare", 14),
    ("method", "Metod", 11),
    ("start", "Start", 10),
    ("end", "Slut", 10),
    ("stage", "Skede", 12),
    ("fore", "Före", 5),
)
TITLE_MIN = 18
GROUPS_MIN = 24
SORTS = ("start", "end", "title", "unit", "method", "stage")
SORT_LABELS = {
    "start": "start",
    "end": "slut",
    "title": "titel",
    "unit": "beställare",
    "method": "metod",
    "stage": "skede",
}


# A wide terminal gives units and methods their whole names ("Invånartjänster e-hälsa").
_WIDER = {120: {"unit": 20, "method": 14}, 160: {"unit": 28, "method": 18}}


def _fixed_columns(width: int) -> list[tuple[str, str, int]]:
    wider: dict[str, int] = {}
    for least, sizes in _WIDER.items():
        if width >= least:
            wider = sizes
    return [(key, label, wider.get(key, size)) for key, label, size in _FIXED]


def columns(width: int) -> list[tuple[str, str, int]]:
    """The columns that fit in `width`, title first, each with its width."""
    fixed = _fixed_columns(width)
    with_groups = sum(w + 1 for _, _, w in fixed) + TITLE_MIN + GROUPS_MIN + 1 <= width
    if not with_groups and sum(w + 1 for _, _, w in fixed) + TITLE_MIN > width:
        fixed = [c for c in fixed if c[0] != "end"]
    used = sum(w + 1 for _, _, w in fixed)
    if with_groups:
        title = max(TITLE_MIN, (width - used) // 2)
        groups = width - used - title - 1
        return [("title", "Titel", title), *fixed, ("groups", "Målgrupper", groups)]
    return [("title", "Titel", max(TITLE_MIN, width - used)), *fixed]


def cell(item: InitiativeSummary, key: str, progress: dict[int, str]) -> str:
    if key == "fore":
        return progress.get(item.id, "")
    value = getattr(item, key)
    if key in ("method", "stage"):
        return str(value.label)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def header(width: int, sort: str) -> Text:
    text = Text(no_wrap=True, overflow="crop", style="bold")
    for key, label, size in columns(width):
        mark = " ▲" if key == sort else ""
        text.append(fit(label + mark, size) + " ")
    return text


class InitiativeTable(PagedRows[InitiativeSummary]):
    """One row per initiative; the screen says which page of which order to show."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, empty_text="Inga initiativ med det här filtret.")
        # "Före" progress per initiative id, filled in page by page as rows are fetched.
        self.progress: dict[int, str] = {}

    def render_row(self, row: InitiativeSummary, width: int) -> Text:
        # Text.append with a plain string never parses markup: user text stays literal.
        text = Text(no_wrap=True, overflow="crop")
        for key, _, size in columns(width):
            value = cell(row, key, self.progress)
            if key == "title" and row.id in self.warn_ids:
                value = "⚠ " + value
            text.append(fit(value, size) + " ")
        return text
