"""Files that may hold personal data are created with no access for others."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

PRIVATE_MODE = 0o660


def create_private_file(path: Path) -> None:
    """Create an empty file with no access for others, whatever the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_MODE)
    os.close(fd)
    # The umask can only take rights away; this makes sure "others" get none even if it was 0.
    os.chmod(path, stat.S_IMODE(os.stat(path).st_mode) & ~0o007)


def write_private(path: Path, data: bytes) -> None:
    """Write a whole file atomically (temporary name, then rename), readable by its owner only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp creates the file with mode 0600, so nobody else can read it at any moment.
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def permission_problem(path: Path) -> str | None:
    """A Swedish warning when a file can be read by users outside its owner and group."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return None
    if mode & 0o007:
        return (
            f"Databasfilen {path} kan läsas av alla användare på datorn (rättigheter {mode:04o}). "
            "Den innehåller personuppgifter om kontaktpersoner. "
            f"Åtgärda med: chmod o-rwx {path}"
        )
    return None
