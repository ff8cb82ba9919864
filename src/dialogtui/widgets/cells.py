"""Text in columns measured by the cells a terminal gives it, not by its characters.

A title with an emoji, a flag, a combining accent or a zero-width space has a length in
characters that differs from the columns it takes; padding or cutting it by `len` shifted every
column after it. Invisible format characters (zero-width space and joiner, direction marks) and
variation selectors are dropped from what is shown: terminals disagree on how wide the sequences
they build are, and a joiner at the end of a cut title would join the padding after it.
"""

from __future__ import annotations

import unicodedata

from rich.cells import cell_len, set_cell_size

ELLIPSIS = "…"


def _shown(character: str) -> bool:
    if unicodedata.category(character) == "Cf":
        return False
    # Variation selectors (text or emoji presentation): width depends on the terminal.
    return not ("\ufe00" <= character <= "\ufe0f" or "\U000e0100" <= character <= "\U000e01ef")


def clean(value: str) -> str:
    """`value` as it is drawn in a column: composed, without invisible characters, and without
    combining marks that have nothing to combine with."""
    text = "".join(c for c in unicodedata.normalize("NFC", value) if _shown(c))
    start = 0
    while start < len(text) and unicodedata.combining(text[start]):
        start += 1
    return text[start:]


def width_of(value: str) -> int:
    """The terminal columns `value` takes once cleaned."""
    return cell_len(clean(value))


def fit(value: str, width: int) -> str:
    """`value` in exactly `width` columns: padded with spaces, or cut with an ellipsis."""
    if width <= 0:
        return ""
    text = clean(value)
    size = cell_len(text)
    if size <= width:
        return text + " " * (width - size)
    # set_cell_size pads with a space where a wide character would straddle the edge.
    return set_cell_size(text, width - 1) + ELLIPSIS


def cut(value: str, width: int) -> str:
    """`value` in at most `width` columns, cut with an ellipsis, not padded."""
    return fit(value, width).rstrip(" ") if width_of(value) > width else clean(value)
