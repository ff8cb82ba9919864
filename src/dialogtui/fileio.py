"""Files the program writes: the database's own, backups, exports and documents.

Three promises, whatever the umask:
- files that may hold personal data give others no rights: the database, its -wal/-shm and its
  backups are 0660 (the staff's group shares them), exports and documents 0600;
- folders it creates are 0770 (shared: the database's, backups/) or 0700 (the user's own), set
  explicitly after creation, since the umask can only take rights away (and 000 takes none);
- it never replaces anything that is not a regular file (a device, a FIFO, a socket, a folder),
  and every failure is a `FileError` with a Swedish message naming the path, never a traceback.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from dialogtui.errors import UserError, os_error_text

SHARED_FILE_MODE = 0o660
SHARED_DIR_MODE = 0o770
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
# Kept for callers of the first release: the database's mode.
PRIVATE_MODE = SHARED_FILE_MODE
# Sides of an SQLite database in WAL mode: created by whichever process opens it first.
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
# Kernel views that look like folders of regular files but take none.
_PSEUDO_ROOTS = (Path("/proc"), Path("/sys"))
# A name longer than this (in bytes) is refused by most file systems.
NAME_MAX_BYTES = 255


class FileError(UserError):
    """A file could not be read or written; the message says which and why, in Swedish."""


def file_error(exc: OSError, path: Path | str, doing: str) -> FileError:
    """A Swedish FileError: `Kan inte {doing} {path}: {why}.`"""
    return FileError(f"Kan inte {doing} {path}: {os_error_text(exc)}.")


def is_disk_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


# --- folders ----------------------------------------------------------------------------------


def make_dirs(folder: Path, mode: int = SHARED_DIR_MODE) -> None:
    """Create `folder` and its missing parents with exactly `mode` (a setgid bit is kept).

    Raises OSError; callers say in Swedish what they were doing.
    """
    missing: list[Path] = []
    current = Path(folder)
    while not current.is_dir():
        if current.exists() or current.is_symlink():
            raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(current))
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for created in reversed(missing):
        try:
            os.mkdir(created, mode)
        except FileExistsError:
            continue  # another process made it first: its mode is its creator's choice
        # The umask took what it took; a setgid bit inherited from the parent (the README's
        # shared folder) gives the group and must survive the chmod.
        inherited = os.stat(created).st_mode & stat.S_ISGID
        os.chmod(created, mode | inherited)


def make_dir(folder: Path, mode: int = SHARED_DIR_MODE) -> None:
    """Create one folder (its parent must exist) with exactly `mode`, a setgid bit kept.

    Raises FileExistsError when it is there already, and OSError otherwise.
    """
    os.mkdir(folder, mode)
    inherited = os.stat(folder).st_mode & stat.S_ISGID
    os.chmod(folder, mode | inherited)


# --- the database's own files ---------------------------------------------------------------


def create_shared_file(path: Path) -> None:
    """Create an empty file for the staff's group: 0660 whatever the umask, never replacing one.

    Missing folders are made 0770.
    """
    path = Path(path)
    make_dirs(path.parent, SHARED_DIR_MODE)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, SHARED_FILE_MODE)
    try:
        # Explicitly, after creation: under umask 022 the open above gives 0640, and a colleague
        # in the group could not write.
        os.fchmod(fd, SHARED_FILE_MODE)
    finally:
        os.close(fd)


# The first release's name.
create_private_file = create_shared_file


def share_side_files(database: Path) -> None:
    """Give the database's -wal and -shm the group's rights, if this user created them.

    SQLite creates them with the database's mode minus the umask, owned by whoever opened the
    database first: under umask 022 a colleague who only read would leave files the others cannot
    write, and every later write would fail with "attempt to write a readonly database". Every
    reader must write the -shm, so the group gets read and write whenever it may use the database.
    """
    try:
        db_mode = stat.S_IMODE(os.stat(database).st_mode)
    except OSError:
        return
    wanted = SHARED_FILE_MODE if db_mode & 0o070 else PRIVATE_FILE_MODE
    for suffix in ("-wal", "-shm"):
        side = Path(f"{database}{suffix}")
        try:
            info = os.stat(side)
            if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) != wanted:
                os.chmod(side, wanted)
        except OSError:
            continue  # gone meanwhile (the last connection closed), or not ours to change


def side_file_problem(database: Path) -> str | None:
    """A Swedish warning when another user left a -wal/-shm this user cannot write."""
    if not os.access(database, os.W_OK):
        return None
    for suffix in ("-wal", "-shm"):
        side = Path(f"{database}{suffix}")
        try:
            info = os.stat(side)
        except OSError:
            continue
        if not os.access(side, os.W_OK):
            import pwd

            try:
                owner = pwd.getpwuid(info.st_uid).pw_name
            except KeyError:
                owner = f"uid {info.st_uid}"
            return (
                f"Filen {side} tillhör {owner} och gruppen får inte skriva i den "
                f"(rättigheter {stat.S_IMODE(info.st_mode):04o}), så ingen annan kan spara. "
                f"Be {owner} köra: chmod g+rw {side}"
            )
    return None


def permission_problem(path: Path) -> str | None:
    """A Swedish warning when a file can be read by users outside its owner and group."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return None
    if mode & 0o007:
        return (
            f"Databasfilen {path} kan läsas av alla användare på datorn (rättigheter {mode:04o}). "
            "Den innehåller personuppgifter om kontaktpersoner. "
            f"Åtgärda med: chmod o-rwx {path}"
        )
    return None


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (links followed, hard links included)."""
    try:
        first, second = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def database_files(database: Path) -> list[Path]:
    """The database and its side files, by their real (resolved) paths."""
    real = Path(os.path.realpath(database))
    return [real, *(Path(f"{real}{suffix}") for suffix in SIDE_SUFFIXES)]


def is_database_file(path: Path, database: Path) -> bool:
    """Whether writing `path` would write the live database or one of its side files."""
    real = Path(os.path.realpath(path))
    if real in database_files(database):
        return True
    if any(same_file(path, own) for own in database_files(database)):
        return True
    # The side file of the database by another name: SQLite keeps the log of a database opened
    # through a hard link beside that link (hard.db-wal), where it may be live right now.
    for named in {Path(path), real}:
        for suffix in SIDE_SUFFIXES:
            stem = named.name.removesuffix(suffix)
            if stem not in ("", named.name) and same_file(named.with_name(stem), database):
                return True
    return False


# --- outputs: exports, reports, documents, backups ---------------------------------------------

# The databases this process works on. No output is ever written over one of them or its side
# files, by whatever path: an export or a document named like the database would be renamed
# over it and swap it under every open session, as a backup onto it once did.
_LIVE_DATABASES: set[Path] = set()


def protect_database(database: Path | str) -> None:
    """Never let an output of this process replace `database` or its -wal/-shm."""
    _LIVE_DATABASES.add(Path(os.path.realpath(database)))


def _refuse_a_live_database(path: Path) -> None:
    for database in sorted(_LIVE_DATABASES):
        if is_database_file(path, database):
            raise FileError(
                f"{path} är databasen som används ({database}), eller en av dess "
                "-wal/-shm-filer; välj en annan fil. Ingenting skrevs."
            )


_KINDS = (
    (stat.S_ISDIR, "en mapp"),
    (stat.S_ISCHR, "en teckenenhet"),
    (stat.S_ISBLK, "en blockenhet"),
    (stat.S_ISFIFO, "en namngiven rörledning (FIFO)"),
    (stat.S_ISSOCK, "ett uttag (socket)"),
)


def output_path(path: Path | str) -> Path:
    """The file to write when the user names `path`: through symbolic links, and only if it is
    (or will be) a regular file. Raises FileError, in Swedish, for anything else."""
    path = Path(path)
    try:
        info = os.stat(path)  # follows symbolic links
    except FileNotFoundError:
        if path.is_symlink():
            raise FileError(
                f"{path} är en symbolisk länk till {os.readlink(path)}, som inte finns; "
                "ange filen direkt."
            ) from None
        info = None
    except OSError as exc:
        raise file_error(exc, path, "skriva till") from None
    if info is not None:
        for test, kind in _KINDS:
            if test(info.st_mode):
                if kind == "en mapp":
                    raise FileError(
                        f"{path} är en mapp; ange ett filnamn i den, t.ex. {path / 'fil'}."
                    )
                raise FileError(
                    f"{path} är {kind}, ingen vanlig fil; dialogtui ersätter bara vanliga filer. "
                    "Skriv - för standard ut."
                )
    _refuse_a_live_database(path)
    real = Path(os.path.realpath(path))
    for root in _PSEUDO_ROOTS:
        if real == root or root in real.parents:
            raise FileError(
                f"{path} ligger i {root}, som är kärnans vy och inte tar emot filer; "
                "välj en annan mapp."
            )
    if len(real.name.encode("utf-8", "surrogateescape")) > NAME_MAX_BYTES:
        raise FileError(f"Filnamnet {real.name[:40]}… är för långt; välj ett kortare namn.")
    return real


def write_file(
    path: Path | str,
    data: bytes,
    mode: int = PRIVATE_FILE_MODE,
    folder_mode: int = PRIVATE_DIR_MODE,
) -> Path:
    """Write a whole file atomically (a temporary name, then renamed) with exactly `mode`.

    Only a regular file (or a new one) is ever replaced; missing folders are created with
    `folder_mode`. On any failure the target is untouched and the error is a Swedish FileError.
    Returns the path written (links resolved).
    """
    target = output_path(path)
    folder = target.parent
    try:
        make_dirs(folder, folder_mode)
    except OSError as exc:
        raise file_error(exc, folder, "skapa mappen") from None
    try:
        # A short name of our own, unique per call: two writers never share a temporary file,
        # and a long target name never makes the temporary one too long.
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".dialogtui-", suffix=".tmp")
    except OSError as exc:
        raise file_error(exc, folder, "skapa en fil i mappen") from None
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, mode)
            # Once more, just before the rename: the path may have become something else.
            output_path(target)
            os.replace(temporary, target)
        except OSError as exc:
            raise file_error(exc, target, "skriva") from None
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def documents_folder(database: Path) -> Path:
    """Where Markdown summaries go by default, so that the user finds them again: a `dokument`
    folder beside the database when it can be written there, else one in the user's home."""
    beside = Path(database).resolve().parent / "dokument"
    if beside.is_dir() and os.access(beside, os.W_OK | os.X_OK):
        return beside
    if not beside.exists() and os.access(beside.parent, os.W_OK | os.X_OK):
        return beside
    return Path.home() / "dialogtui-dokument"


def write_document(path: Path | str, data: bytes, default_name: str) -> Path:
    """Write a document where the user chose: a folder gets `default_name` in it. The file is
    the writer's own (0600); a folder made for it is shared with the group beside the database
    (0770), anywhere else it is the user's own (0700)."""
    target = Path(path).expanduser()
    if target.is_dir():
        target = target / default_name
    shared = target.parent.name == "dokument"
    return write_file(
        target, data, PRIVATE_FILE_MODE, SHARED_DIR_MODE if shared else PRIVATE_DIR_MODE
    )


def write_private(path: Path | str, data: bytes) -> Path:
    """Write an export or a document, readable by its owner only."""
    return write_file(path, data, PRIVATE_FILE_MODE, PRIVATE_DIR_MODE)
