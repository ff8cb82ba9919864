"""Two real OS users in a shared group, as on the jump host, for the tests where rights matter.

Creating users needs root (useradd/groupadd); without it the tests that use them are skipped
with the reason. The names carry this process's id, so that two suites running at once never
share (or delete) each other's users, and everything is removed afterwards.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLI = "import sys; from dialogtui.cli import main; sys.exit(main())"


@dataclass(frozen=True)
class Staff:
    """The group, two of its members, and their shared folder (setgid, 2770, like the README)."""

    group: str
    anna: str
    bo: str
    shared: Path

    def run(
        self,
        user: str,
        argv: Sequence[str],
        umask: int = 0o022,
        code: str = CLI,
        stdin: str | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        """Run Python `code` (by default the dialogtui command line) as `user`, with `umask`."""
        return subprocess.run(
            self.command(user, argv, umask, code),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self.env(user),
        )

    def start(
        self, user: str, code: str, argv: Sequence[str] = (), umask: int = 0o022
    ) -> subprocess.Popen[str]:
        """Start Python `code` as `user` in the background, talking over stdin and stdout."""
        return subprocess.Popen(
            self.command(user, argv, umask, code),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env(user),
        )

    def command(self, user: str, argv: Sequence[str], umask: int, code: str) -> list[str]:
        run_as = [
            "setpriv",
            f"--reuid={user}",
            f"--regid={self.group}",
            "--init-groups",
            "--",
            sys.executable,
            "-c",
            code,
            *argv,
        ]
        hidden = _hidden_ancestor(Path(os.path.realpath(sys.base_prefix)))
        if hidden is None:
            return ["sh", "-c", f'umask {umask:03o} && exec "$@"', "sh", *run_as]
        # The interpreter lives under a folder others may not enter (root's home): in a mount
        # namespace of the child's own, that folder is covered by an open one that shows only
        # the interpreter. Nothing of it is seen outside the child.
        base = os.path.realpath(sys.base_prefix)
        stage = self.shared.parent / "interpreter"
        stage.mkdir(exist_ok=True)
        script = (
            f'set -e; mount --bind "{base}" "{stage}"; '
            f'mount -t tmpfs -o mode=755 tmpfs "{hidden}"; mkdir -p "{base}"; '
            f'mount --bind "{stage}" "{base}"; umask {umask:03o}; exec "$@"'
        )
        return ["unshare", "--mount", "--", "sh", "-c", script, "sh", *run_as]

    def env(self, user: str) -> dict[str, str]:
        home = self.shared.parent / f"home-{user}"
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_STATE_HOME": str(home / "state"),
            "XDG_DATA_HOME": str(home / "data"),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": str(ROOT),
            "TEXTUAL_ANIMATIONS": "none",
            "DIALOGTUI_TODAY": "2026-11-24",
            "TERM": "xterm-256color",
        }


def _hidden_ancestor(path: Path) -> Path | None:
    """The first folder on the way to `path` that other users may not pass through."""
    for folder in reversed([path, *path.parents]):
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def _exists(kind: str, name: str) -> bool:
    try:
        (grp.getgrnam if kind == "group" else pwd.getpwnam)(name)
    except KeyError:
        return False
    return True


@contextmanager
def staff_on_a_jump_host() -> Iterator[Staff]:
    """Create the group, two users and the shared folder; remove them all afterwards."""
    if os.geteuid() != 0:
        pytest.skip("two real OS users need root to be created (useradd); run the suite as root")
    tools = ("useradd", "groupadd", "userdel", "setpriv", "unshare")
    if not all(shutil.which(tool) for tool in tools):
        pytest.skip(f"one of {', '.join(tools)} is missing on this machine")
    tag = f"dt{os.getpid()}"
    group, anna, bo = f"{tag}g", f"{tag}anna", f"{tag}bo"
    made: list[tuple[str, str]] = []
    top = Path(tempfile.mkdtemp(prefix="dialogtui-jump-", dir="/tmp"))
    try:
        if not _exists("group", group):
            subprocess.run(["groupadd", group], check=True, capture_output=True)
            made.append(("group", group))
        for user in (anna, bo):
            if not _exists("user", user):
                subprocess.run(
                    ["useradd", "-M", "-N", "-g", group, "-s", "/usr/sbin/nologin", user],
                    check=True,
                    capture_output=True,
                )
                made.append(("user", user))
        top.chmod(0o755)  # the users reach their folders through it
        gid = grp.getgrnam(group).gr_gid
        shared = top / "delad"
        shared.mkdir()
        os.chown(shared, 0, gid)
        shared.chmod(0o2770)
        for user in (anna, bo):
            home = top / f"home-{user}"
            home.mkdir()
            os.chown(home, pwd.getpwnam(user).pw_uid, gid)
            home.chmod(0o700)
        yield Staff(group=group, anna=anna, bo=bo, shared=shared)
    finally:
        shutil.rmtree(top, ignore_errors=True)
        for kind, name in reversed(made):
            tool = "userdel" if kind == "user" else "groupdel"
            subprocess.run([tool, name], check=False, capture_output=True)
