"""What happens to an error nobody expected: a log file for the developers, a Swedish line for
the user. A traceback never reaches the terminal: it is long, English, and Rich's version shows
local variables, which can hold contact persons' names.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

from dialogtui import __version__

LOG_DIR_MODE = 0o700
LOG_FILE_MODE = 0o600


def log_dir() -> Path:
    """Where this user's error logs go: the user state folder (~/.local/state/dialogtui/log)."""
    import platformdirs

    return platformdirs.user_state_path("dialogtui", appauthor=False) / "log"


def _fallback_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"dialogtui-{os.geteuid()}"


def _open_log(folder: Path) -> tuple[Path, int]:
    from dialogtui.fileio import make_dirs

    make_dirs(folder, LOG_DIR_MODE)
    stamp = datetime.now().strftime("%Y-%m-%d-%H%M%S")
    for number in range(1, 100):
        path = folder / f"fel-{stamp}-{os.getpid()}{'' if number == 1 else f'-{number}'}.log"
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, LOG_FILE_MODE)
        except FileExistsError:
            continue
        os.fchmod(fd, LOG_FILE_MODE)  # the umask could only take away; this is the mode
        return path, fd
    raise FileExistsError(f"no free log name in {folder}")


def write_log(error: BaseException, context: str = "") -> Path | None:
    """Write the error and its traceback (no local variables) to a new file with mode 0600."""
    text = "".join(
        [
            f"dialogtui {__version__}, Python {sys.version.split()[0]}, pid {os.getpid()}\n",
            f"tid: {datetime.now().isoformat(timespec='seconds')}\n",
            f"kommando: {' '.join(sys.argv)}\n",
            f"sammanhang: {context}\n" if context else "",
            "\n",
            *traceback.format_exception(error),
        ]
    )
    for folder in (log_dir(), _fallback_dir()):
        try:
            path, fd = _open_log(folder)
        except OSError:
            continue
        try:
            with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
                handle.write(text)
        except OSError:
            continue
        return path
    return None


def report(error: BaseException, context: str = "") -> str:
    """Log an unexpected error and return the Swedish message that tells the user where."""
    path = write_log(error, context)
    kind = type(error).__name__
    if path is None:
        where = "Detaljerna kunde inte skrivas till någon loggfil."
    else:
        where = f"Detaljerna finns i {path}; skicka filen till den som sköter dialogtui."
    return f"Ett oväntat fel inträffade ({kind}). Det du redan har sparat finns kvar. {where}"
