"""A scrolling list of rows that asks for them a page at a time and renders only what is seen.

The calendar views hold up to tens of thousands of initiatives; a DataTable would build them all.
This widget keeps a row count and a small page cache, and calls `fetch(offset, limit)` for the
pages the viewport needs (a LIMIT/OFFSET query of a millisecond or two). A query that may take
longer than a frame (the calendar's, with a text filter: a `casefold` over every row) is read in
the background: `reset(..., background=True)` makes the widget ask its screen for a missing page
(`PagesWanted`), show "Hämtar …" meanwhile, and take the page when it comes (`page_loaded`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar, Generic, TypeVar

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

Row = TypeVar("Row")
PAGE = 100
LOADING = "Hämtar …"


class PagedRows(ScrollView, Generic[Row], can_focus=True, inherit_bindings=False):
    """Rows with a cursor; Enter posts `Chosen` with the row under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Upp", show=False),
        Binding("down", "cursor(1)", "Ned", show=False),
        Binding("pageup", "page(-1)", "Sida upp", show=False),
        Binding("pagedown", "page(1)", "Sida ned", show=False),
        Binding("home", "jump(0)", "Först", show=False),
        Binding("end", "jump(-1)", "Sist", show=False),
        Binding("enter", "choose", "Öppna", id="open"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paged-rows--cursor",
        "paged-rows--dim",
        "paged-rows--header",
    }
    DEFAULT_CSS = """
    PagedRows {
        height: 1fr;
        /* Rows are cut to the visible width: a horizontal scrollbar would only cost a row. */
        overflow-x: hidden;
        & > .paged-rows--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        &:blur > .paged-rows--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: none;
        }
        &:ansi > .paged-rows--dim, &:ansi > .paged-rows--header { text-style: dim; }
        & > .paged-rows--dim { color: $text-muted; }
        & > .paged-rows--header { color: $text-muted; }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True)
    # Lists with headings between their rows say which rows the cursor may rest on.
    HAS_HEADINGS: ClassVar[bool] = False

    class Chosen(Message):
        """The user pressed Enter on a row."""

        def __init__(self, rows: PagedRows[Row], row: Row) -> None:
            super().__init__()
            self.rows = rows
            self.row = row

    class PageWanted(Message):
        """A row is to be shown whose page has not been read: read it off the UI thread, with
        `rows.fetcher`, and hand it to `rows.page_loaded(generation, page, found)`."""

        def __init__(self, rows: PagedRows[Row], generation: int, page: int) -> None:
            super().__init__()
            self.rows = rows
            self.generation = generation
            self.page = page

    def __init__(
        self, *, id: str | None = None, classes: str | None = None, empty_text: str = ""
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._count = 0
        self._fetch: Callable[[int, int], Sequence[Row]] = lambda offset, limit: []
        self._pages: LRUCache[int, Sequence[Row]] = LRUCache(16)
        self._header: Callable[[int], Text] | None = None
        self._header_lines: dict[int, list[Text]] = {}
        # Ids of initiatives with open overlaps, which rows mark with a warning sign.
        self.warn_ids: set[int] = set()
        self.empty_text = empty_text
        # Pages read in the background: each result is numbered, so that a page of an older
        # result that arrives late is never shown in a newer one.
        self._background = False
        self._generation = 0
        self._asked: set[int] = set()
        # Nothing to show yet, and something on its way: says "Hämtar …" instead of empty_text.
        self.waiting = False

    # -- data --

    def reset(
        self,
        count: int,
        fetch: Callable[[int, int], Sequence[Row]],
        header: Callable[[int], Text] | None = None,
        *,
        pages: Mapping[int, Sequence[Row]] | None = None,
        background: bool = False,
    ) -> None:
        """Show a new result: `count` rows, fetched through `fetch(offset, limit)`.

        `header(width)` gives the lines that stay on top while the rows scroll; drawing them
        here, at the rows' own width, keeps the columns aligned whatever the scrollbar does.
        `pages` are pages already read (by number); with `background`, `fetch` is never called
        on the UI thread: a missing page is asked for with `PageWanted`.
        """
        self._count = count
        self._fetch = fetch
        self._header = header
        self._header_lines.clear()
        self._pages.clear()
        self._generation += 1
        self._background = background
        self._asked.clear()
        self.waiting = False
        for number, rows in (pages or {}).items():
            self._pages[number] = rows
        self.virtual_size = Size(self.size.width, count + self.header_height)
        self.cursor = min(self.cursor, max(count - 1, 0))
        self.refresh()

    def header_lines(self, width: int) -> list[Text]:
        if self._header is None:
            return []
        if width not in self._header_lines:
            self._header_lines[width] = list(self._header(width).split())
        return self._header_lines[width]

    @property
    def header_height(self) -> int:
        return len(self.header_lines(self.scrollable_content_region.width))

    @property
    def row_count(self) -> int:
        return self._count

    @property
    def fetcher(self) -> Callable[[int, int], Sequence[Row]]:
        """What reads a page of the current result (on a worker's thread when `background`)."""
        return self._fetch

    @property
    def generation(self) -> int:
        """The number of the current result; a page read for another is not taken."""
        return self._generation

    @property
    def reading(self) -> bool:
        """Whether a page asked for in the background has not come yet."""
        return bool(self._asked)

    def row_at(self, index: int) -> Row | None:
        """The row at `index`, or None when there is none or its page is still being read."""
        if not 0 <= index < self._count:
            return None
        page = index // PAGE
        rows = self._pages.get(page)
        if rows is None:
            if self._background:
                if page not in self._asked:
                    self._asked.add(page)
                    self.post_message(self.PageWanted(self, self._generation, page))
                return None
            rows = self._fetch(page * PAGE, PAGE)
            self._pages[page] = rows
        offset = index - page * PAGE
        return rows[offset] if offset < len(rows) else None

    def page_loaded(self, generation: int, page: int, rows: Sequence[Row]) -> None:
        """A page read in the background; ignored if the result has been replaced since."""
        if generation != self._generation:
            return
        self._pages[page] = rows
        self._asked.discard(page)
        self.refresh()

    @property
    def current(self) -> Row | None:
        return self.row_at(self.cursor)

    # -- rendering --

    def render_row(self, row: Row, width: int) -> Text:
        """The text of one row; subclasses say what a row looks like."""
        return Text(str(row))

    def note_line(self, note: str, width: int) -> Strip:
        """A dimmed line of the widget's own words (not a row), such as "nothing here"."""
        base = self.rich_style
        text = Text(note, style=self.get_component_rich_style("paged-rows--dim"))
        # Every segment needs a style: Textual's NO_COLOR filter fails on one without.
        segments = Segment.apply_style(text.render(self.app.console), base)
        return Strip(segments, text.cell_len).crop_extend(0, width, base)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        header_height = self.header_height
        if y < header_height:
            line = self.header_lines(width)[y].copy()
            line.stylize(self.get_component_rich_style("paged-rows--header"))
            return Strip(list(line.render(self.app.console)), line.cell_len).crop_extend(
                0, width, base
            )
        y -= header_height
        index = scroll_y + y
        if self._count == 0:
            note = LOADING if self.waiting else self.empty_text
            if y == 0 and note:
                return self.note_line(note, width)
            return Strip.blank(width, base)
        row = self.row_at(index)
        if row is None:
            if index // PAGE in self._asked and (y == 0 or index % PAGE == 0):
                return self.note_line(LOADING, width)
            return Strip.blank(width, base)
        text = self.render_row(row, width)
        if index == self.cursor:
            text.stylize(self.get_component_rich_style("paged-rows--cursor"))
        segments = list(text.render(self.app.console))
        strip = Strip(Segment.apply_style(segments, base), text.cell_len)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def selectable(self, row: Row) -> bool:
        """Whether the cursor may rest on `row`; a heading it passes over says no."""
        return True

    def validate_cursor(self, index: int) -> int:
        # The cursor passes over headings, on in the direction it moved, else back.
        if not self.HAS_HEADINGS or not self._count:
            return index
        index = max(0, min(self._count - 1, index))
        step = -1 if index < self.cursor else 1
        for direction in (step, -step):
            found = index
            while 0 <= found < self._count:
                row = self.row_at(found)
                if row is not None and self.selectable(row):
                    return found
                found += direction
        return index

    def watch_cursor(self, old: int, new: int) -> None:
        self.scroll_to_cursor()
        self.refresh()

    def scroll_to_cursor(self) -> None:
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height - self.header_height
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    # -- actions --

    def action_cursor(self, delta: int) -> None:
        if self._count:
            self.cursor = max(0, min(self._count - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        rows = self.scrollable_content_region.height - self.header_height
        self.action_cursor(direction * max(1, rows - 1))

    def action_jump(self, index: int) -> None:
        if self._count:
            self.cursor = index % self._count

    def action_choose(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Chosen(self, row))
