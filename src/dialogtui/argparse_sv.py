"""argparse in Swedish: the command line's help, usage and errors as its users read them.

argparse writes its own words through gettext, and no Swedish catalogue ships with Python; the
words are few and stable, so they are replaced here, in one place, instead: the headings and
the help's own option by the parser and its formatter, the error messages by `translate`.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from dialogtui.words import adjective, count, join_and, join_or, noun

HELP_TEXT = "visa den här hjälpen och avsluta"
VERSION_TEXT = "visa versionen och avsluta"
USAGE_PREFIX = "användning: "


def _quoted(value: str) -> str:
    """A value argparse quoted with repr, or did not quote, as ”value”."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return f"”{value}”"


def _choices(text: str) -> str:
    """ "'a', 'b', 'c'" (or "a, b, c") as "a, b eller c"."""
    return join_or(_parts(text))


def _parts(text: str) -> list[str]:
    return [part.strip().strip("'\"") for part in text.split(",") if part.strip()]


def _unknown(text: str) -> str:
    """ "unrecognized arguments: --a x" as "okända argument: --a och x": every one is unknown."""
    names = _parts(text.replace(" ", ","))
    n = len(names)
    return f"{adjective(n, 'okänd', 'argument')} {noun(n, 'argument')}: {join_and(names)}"


# argparse's messages (Python 3.11–3.13), each with its Swedish wording.
_MESSAGES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern, re.DOTALL), make)
    for pattern, make in (
        (
            r"^argument (?P<name>[^:]+): (?P<rest>.*)$",
            lambda m: f"{m['name']}: {translate(m['rest'])}",
        ),
        (
            r"^invalid choice: (?P<value>.+?) \(choose from (?P<choices>.*)\)$",
            lambda m: f"{_quoted(m['value'])} går inte; välj {_choices(m['choices'])}",
        ),
        (
            r"^invalid (?P<type>\w+) value: (?P<value>.*)$",
            lambda m: (
                f"{_quoted(m['value'])} är "
                + ("inget heltal" if m["type"] == "int" else "inget giltigt värde")
            ),
        ),
        (
            r"^the following arguments are required: (?P<names>.*)$",
            # Every one named is required: "ange FIL och --format", not "eller".
            lambda m: f"ange {join_and(_parts(m['names']))}",
        ),
        (
            r"^unrecognized arguments: (?P<names>.*)$",
            lambda m: f"{_unknown(m['names'])} (se --help)",
        ),
        (r"^expected one argument$", lambda m: "ska följas av ett värde"),
        (r"^expected at most one argument$", lambda m: "tar högst ett värde"),
        (r"^expected at least one argument$", lambda m: "ska följas av minst ett värde"),
        (
            r"^expected (?P<n>\d+) arguments?$",
            lambda m: f"ska följas av {count(int(m['n']), 'värde')}",
        ),
        (
            r"^ambiguous option: (?P<option>\S+) could match (?P<matches>.*)$",
            lambda m: f"{m['option']} kan betyda {_choices(m['matches'])}; skriv ut hela",
        ),
        (r"^not allowed with argument (?P<name>.*)$", lambda m: f"går inte ihop med {m['name']}"),
        (
            r"^ignored explicit argument (?P<value>.*)$",
            lambda m: f"tar inget värde ({_quoted(m['value'])})",
        ),
        (
            r"^one of the arguments (?P<names>.*) is required$",
            lambda m: f"ange ett av {_choices(m['names'])}",
        ),
    )
)


def translate(message: str) -> str:
    """argparse's English message in Swedish; a message it does not know is kept as it is
    (our own, from a `type` function, is Swedish already)."""
    for pattern, make in _MESSAGES:
        found = pattern.match(message)
        if found:
            return make(found)
    return message


class SwedishHelpFormatter(argparse.HelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Any,
        groups: Any,
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, USAGE_PREFIX if prefix is None else prefix)


class SwedishArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose every word a user sees is Swedish. Subcommands' parsers are of
    this class too (argparse makes them of the parent's class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        add_help = kwargs.pop("add_help", True)
        parents: list[argparse.ArgumentParser] = kwargs.pop("parents", [])
        kwargs.setdefault("formatter_class", SwedishHelpFormatter)
        kwargs["add_help"] = False  # ours is added below, with Swedish help
        super().__init__(*args, **kwargs)
        # Before the parents' options join: argparse files them under a heading of the same
        # title, and "options" would make two.
        self._positionals.title = "argument"
        self._optionals.title = "flaggor"
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help=HELP_TEXT
            )
        for parent in parents:  # as argparse's own __init__ takes them in
            self._add_container_actions(parent)
            self._defaults.update(parent._defaults)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fel: {translate(message)}\n")
