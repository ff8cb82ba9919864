"""The one base of every error a user can act on: its message is Swedish and shown as it is;
and the one place where the operating system's errors are said in Swedish."""

from __future__ import annotations

import errno


class UserError(Exception):
    """A problem the user can fix (bad input, a conflict, a missing record); never a traceback."""


_REASONS = {
    errno.ENOSPC: "disken är full",
    errno.EDQUOT: "din diskkvot är slut",
    errno.EACCES: "du saknar behörighet",
    errno.EPERM: "åtgärden är inte tillåten",
    errno.EROFS: "filsystemet är skrivskyddat",
    errno.ENOENT: "den finns inte",
    errno.ENOTDIR: "en del av sökvägen är ingen mapp",
    errno.EISDIR: "det är en mapp",
    errno.ENAMETOOLONG: "namnet är för långt",
    errno.EIO: "ett in-/utmatningsfel på disken",
    errno.ETXTBSY: "filen används av ett program",
    errno.EBUSY: "filen är upptagen",
    errno.ELOOP: "för många symboliska länkar i rad",
    errno.EXDEV: "den ligger på ett annat filsystem",
    errno.EEXIST: "den finns redan",
    errno.EINVAL: "namnet eller åtgärden går inte att använda här",
    errno.EFBIG: "filen blir för stor",
}


def os_error_text(exc: OSError) -> str:
    """Why an operation on a file failed, in Swedish."""
    code = exc.errno or 0
    # An error not in the table is rare enough to name by its code, never in English.
    return (
        _REASONS.get(code) or f"ett fel från operativsystemet ({errno.errorcode.get(code, code)})"
    )
