"""Swedish as the app writes it: numbers that agree with their nouns, days near today, and the
one word for each concept, from `data/glossary.toml`.

Every count a user reads ("1 träff", "2 träffar", "1 öppet överlapp") is made by `count`; every
distance in days by `days_until` and `days_late`; every word the glossary holds by `term`.
"""

from __future__ import annotations

from functools import cache

# Noun: (singular, plural, gender), gender "n" for ett-words, "u" for en-words; the adjective
# before or after it follows the gender in the singular.
NOUNS: dict[str, tuple[str, str, str]] = {
    "dag": ("dag", "dagar", "u"),
    "träff": ("träff", "träffar", "u"),
    "löfte": ("löfte", "löften", "n"),
    "överlapp": ("överlapp", "överlapp", "n"),
    "initiativ": ("initiativ", "initiativ", "n"),
    "före-punkt": ("före-punkt", "före-punkter", "u"),
    "efter-punkt": ("efter-punkt", "efter-punkter", "u"),
    "punkt": ("punkt", "punkter", "u"),
    "dialog": ("dialog", "dialoger", "u"),
    "fel": ("fel", "fel", "n"),
    "fil": ("fil", "filer", "u"),
    "anmälan": ("anmälan", "anmälningar", "u"),
    "utvärdering": ("utvärdering", "utvärderingar", "u"),
    "svar": ("svar", "svar", "n"),
    "deltagare": ("deltagare", "deltagare", "u"),
    "grupp": ("grupp", "grupper", "u"),
    "sak": ("sak", "saker", "u"),
    "rad": ("rad", "rader", "u"),
    "gång": ("gång", "gånger", "u"),
    "panelenkät": ("panelenkät", "panelenkäter", "u"),
    "värde": ("värde", "värden", "n"),
    "argument": ("argument", "argument", "n"),
}

# Adjective: (en-word singular, ett-word singular, plural).
ADJECTIVES: dict[str, tuple[str, str, str]] = {
    "öppen": ("öppen", "öppet", "öppna"),
    "hållen": ("hållen", "hållet", "hållna"),
    "registrerad": ("registrerad", "registrerat", "registrerade"),
    "samordnad": ("samordnad", "samordnat", "samordnade"),
    "försenad": ("försenad", "försenat", "försenade"),
    "ny": ("ny", "nytt", "nya"),
    "okänd": ("okänd", "okänt", "okända"),
}


def noun(n: int, word: str) -> str:
    """The form of `word` that goes with the number `n`: "träff" for 1, "träffar" otherwise."""
    singular, plural, _ = NOUNS[word]
    return singular if n == 1 else plural


def adjective(n: int, word: str, of: str) -> str:
    """The form of the adjective `word` that agrees with `n` of the noun `of`."""
    common, neuter, plural = ADJECTIVES[word]
    if n != 1:
        return plural
    return neuter if NOUNS[of][2] == "n" else common


def count(n: int, word: str, adj: str | None = None, *, after: bool = False) -> str:
    """ "1 träff", "2 träffar"; with an adjective before the noun "1 öppet överlapp", "2 öppna
    överlapp", or after it (`after=True`) "1 före-punkt öppen", "3 före-punkter öppna"."""
    name = noun(n, word)
    if adj is None:
        return f"{n} {name}"
    form = adjective(n, adj, word)
    return f"{n} {name} {form}" if after else f"{n} {form} {name}"


def labelled(label: str, message: str) -> str:
    """ "Titel: måste anges"; a message that names its field itself ("slutdatum (…) får inte
    …") is not given the name twice: "Slutdatum (…) får inte …"."""
    head, _, last = label.rpartition(": ")
    if last and message.casefold().startswith(last.casefold() + " "):
        said = message[0].upper() + message[1:]
        return f"{head}: {said}" if head else said
    return f"{label}: {message}"


def join_or(items: list[str]) -> str:
    """ "a, b eller c": a choice among several, as Swedish lists it."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} eller {items[-1]}"


def join_and(items: list[str]) -> str:
    """ "a, b och c": all of several, as Swedish lists them."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} och {items[-1]}"


def days_until(days: int) -> str:
    """When something comes, from today: "i dag", "i morgon", "om 3 dagar", "för 2 dagar sedan"."""
    if days == 0:
        return "i dag"
    if days == 1:
        return "i morgon"
    if days == -1:
        return "i går"
    if days < 0:
        return f"för {count(-days, 'dag')} sedan"
    return f"om {count(days, 'dag')}"


def days_late(days: int, of: str = "dag") -> str:
    """How late something is: "1 dag försenad", "3 dagar försenat" (for `of`, an ett-word)."""
    return f"{count(days, 'dag')} {adjective(1, 'försenad', of)}"


# --- the glossary ------------------------------------------------------------------------------


@cache
def glossary() -> dict[str, str]:
    """Every concept's one word, by its key in `data/glossary.toml`."""
    from dialogtui.catalog import load_toml

    terms = load_toml("glossary.toml")["terms"]
    return {key: str(value) for key, value in terms.items()}


def term(key: str) -> str:
    """The glossary's word for a concept: `term("owner")` is "Projektägare/linjechef"."""
    return glossary()[key]


def overlap_kind(kind: str) -> str:
    """ "samtidigt" for a direct overlap, "inom vilotiden" for a near one."""
    return term(f"overlap_{kind}")
