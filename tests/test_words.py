"""Swedish numbers agree with their nouns, days near today have their words, and the glossary
is the one source of each concept's word."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from dialogtui import words
from dialogtui.words import count, days_late, days_until, glossary, term

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "dialogtui"


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        (count(1, "träff"), "1 träff"),
        (count(2, "träff"), "2 träffar"),
        (count(0, "träff"), "0 träffar"),
        (count(1, "löfte"), "1 löfte"),
        (count(3, "löfte"), "3 löften"),
        (count(1, "dag"), "1 dag"),
        (count(1, "överlapp", "öppen"), "1 öppet överlapp"),
        (count(2, "överlapp", "öppen"), "2 öppna överlapp"),
        (count(1, "före-punkt", "öppen", after=True), "1 före-punkt öppen"),
        (count(3, "före-punkt", "öppen", after=True), "3 före-punkter öppna"),
        (count(1, "löfte", "registrerad", after=True), "1 löfte registrerat"),
        (days_until(0), "i dag"),
        (days_until(1), "i morgon"),
        (days_until(5), "om 5 dagar"),
        (days_until(-3), "för 3 dagar sedan"),
        (days_late(1), "1 dag försenad"),
        (days_late(3), "3 dagar försenad"),
    ],
)
def test_numbers_agree(made: str, expected: str) -> None:
    assert made == expected


def test_every_noun_and_adjective_is_complete() -> None:
    for singular, plural, gender in words.NOUNS.values():
        assert singular and plural and gender in ("u", "n")
    for forms in words.ADJECTIVES.values():
        assert all(forms)


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstrings' nodes: words about the code, which no user reads."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _strings() -> list[tuple[str, str]]:
    """Every string constant of the package, with its module, f-strings' literal parts joined;
    docstrings left out."""
    found: list[tuple[str, str]] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "words.py":
            continue  # the grammar's own tables: "hållet" is the adjective's form there
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if id(node) in docstrings:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append((path.name, node.value))
            elif isinstance(node, ast.JoinedStr):
                text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                found.append((path.name, text))
    return found


# The other words the code used for the glossary's concepts (issue 14); none may come back.
OTHER_WORDS = (
    "Syfte uppnått",
    "Panelen över taket",
    "Panelbelastning",
    "Utförd",
    "ej utförd",
    "klart 20",
    "Avslutade (",
    "avslutade dialoger",
    '"direkt"',
    '"nära"',
    "Ny dialog",
    "ska vara uppfyllda",  # kept promises are "hållna"
    '"Öppet överlapp"',  # a heading with a count after it: "Öppna överlapp (57)"
    '"Idag"',  # "i dag", as the app says it everywhere else
)


def test_the_glossary_is_the_one_source_of_its_words() -> None:
    strings = _strings()
    for key, value in glossary().items():
        # Taken from the glossary, a word is never written out in the code: not alone, and a
        # term of several words ("Syfte och mål uppnådda") not inside a longer text either. A
        # one-word term ("samtidigt") is also an ordinary word of prose, and so is the verb
        # "har slutat" ("JSON-värdet har slutat").
        inside = re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)", re.IGNORECASE)
        phrase = (" " in value or "/" in value) and key != "ended"
        written = [
            (module, text)
            for module, text in strings
            if text == value or (phrase and inside.search(text))
        ]
        assert not written, f"{key} ({value!r}) is written in {written}; use words.term"
    for module, text in strings:
        for other in OTHER_WORDS:
            assert other.strip('"') != text and (other.startswith('"') or other not in text), (
                f"{module} says {other!r}, which the glossary names otherwise"
            )


def test_the_glossary_names_the_concepts_the_code_asks_for() -> None:
    asked = {
        text
        for _, text in _strings()
        if text in glossary()  # a key given to term()
    }
    for key in ("owner", "achieved", "kept", "ended", "panel_over_cap", "register"):
        assert key in asked and term(key)
    assert words.overlap_kind("direct") == "samtidigt"
    assert words.overlap_kind("near") == "inom vilotiden"


def test_what_the_screens_and_files_call_things_comes_from_the_glossary() -> None:
    from dialogtui.domain import FIELD_LABELS
    from dialogtui.exports import EVALUATION_HEADERS
    from dialogtui.interchange import CSV_COLUMNS
    from dialogtui.reports import CSV_HEADERS, XLSX_HEADERS

    assert FIELD_LABELS["owner"] == term("owner")
    assert (term("owner"), "owner") in CSV_COLUMNS
    assert FIELD_LABELS["achieved"] == term("achieved") in EVALUATION_HEADERS
    # The year report's columns for question 5 say it with the same words.
    for headers in (CSV_HEADERS, XLSX_HEADERS):
        said = [h for h in headers if "ja" in h.split() or "nej" in h.split()]
        assert said and all(h.startswith(term("achieved") + ":") for h in said), headers


def test_a_field_is_named_once() -> None:
    from dialogtui.words import join_or, labelled

    assert labelled("Titel", "måste anges") == "Titel: måste anges"
    assert labelled("Slutdatum", "slutdatum (1 mars) får inte …") == "Slutdatum (1 mars) får inte …"
    assert labelled("Målgrupp 1: Ålder från", "ålder från (30) är för …") == (
        "Målgrupp 1: Ålder från (30) är för …"
    )
    assert join_or(["information", "konsultation", "dialog"]) == (
        "information, konsultation eller dialog"
    )
    assert join_or(["dialog"]) == "dialog"
