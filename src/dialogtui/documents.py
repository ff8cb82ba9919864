"""Documents written from the data: Markdown for the public and for the files. Pure logic."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from dialogtui import catalog, process
from dialogtui.dates import format_period
from dialogtui.domain import FIELD_LABELS, PLANNING_FIELDS, RESPONDENT_FIELDS, ChecklistState
from dialogtui.models import ChecklistEntry, Evaluation, FeedbackPromise, Initiative, PublicFeedback
from dialogtui.rules import evaluation_status
from dialogtui.words import term

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~@])")
# What GitHub's and markdown-it's link finders turn into links without any markup: a scheme's
# "://", "www." and domain names ("region.se"). Escaping the colon or the dot splits the text
# where the finder looks, and a reader of the rendered page still sees the same characters.
_SCHEME_COLON = re.compile(r"(?<=[^\W_]):(?=//)")
_DOMAIN_DOT = re.compile(r"(?<=[^\W_])\.(?=[^\W\d_]{2})")


def md(text: str) -> str:
    """User text as literal Markdown: characters that would format are escaped, and addresses
    (https://…, www.…, name@…, region.se) stay text instead of becoming links."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _DOMAIN_DOT.sub(r"\\.", _SCHEME_COLON.sub(r"\\:", escaped))


def public_feedback_markdown(initiative: Initiative, feedback: PublicFeedback) -> str:
    """'Vi frågade – ni svarade – vi gjorde', ready to publish."""
    period = format_period(initiative.start, initiative.end)
    parts = [
        f"# {md(initiative.title)}",
        "",
        f"{md(initiative.unit)} · {initiative.method.label} · {period}",
        "",
        "## Vi frågade",
        "",
        md_block(feedback.asked) or "–",
        "",
        "## Ni svarade",
        "",
        md_block(feedback.answered) or "–",
        "",
        "## Vi gjorde",
        "",
        md_block(feedback.did) or "–",
        "",
    ]
    return "\n".join(parts)


# Well inside the 255 bytes a file name may have, with room for a suffix and a temporary name.
FILE_STEM_MAX_BYTES = 100


def safe_file_name(title: str, initiative_id: int | None, suffix: str) -> str:
    """A file name from a title: letters, digits and dashes only, at most 60 characters and
    FILE_STEM_MAX_BYTES bytes (a letter may take four bytes in UTF-8)."""
    stem = re.sub(r"[^\w]+", "-", title.casefold()).strip("-")[:60]
    stem = stem.encode("utf-8")[:FILE_STEM_MAX_BYTES].decode("utf-8", "ignore").strip("-")
    return f"{initiative_id or 0}-{stem or 'dialog'}{suffix}"


# --- the one-page summary of an initiative --------------------------------------------------------

# Markers that start a block when they open a line: lists, setext underlines, ordered lists.
_LINE_START_MARKER = re.compile(r"^([-=~])", re.MULTILINE)
_ORDERED_MARKER = re.compile(r"^(\d+)([.)])", re.MULTILINE)


EVALUATION_QUESTIONS = (
    "Vilken typ av dialog genomfördes?",
    "Hur många deltog i dialogen?",
    "Hur påverkade dialogen beslut eller utveckling?",
    "Vad är det viktigaste vi har lärt oss från dialogen?",
    "Har syfte och mål uppnåtts?",
    "Uppdagades några outtalade syften eller förhoppningar som inte specificerades från början?",
    "Vad gjordes bra?",
    "Vad kunde gjorts bättre?",
)


def md_block(text: str) -> str:
    """Multi-line user text as literal Markdown paragraphs, its line breaks kept.

    Beyond md(): leading spaces are dropped (four would make code), a line-opening '-', '=',
    '~' or '1.' is escaped (it would make a list, a heading or a fence), and a line break
    inside a paragraph becomes a hard break.
    """
    lines = [line.strip() for line in text.splitlines()]
    escaped = _ORDERED_MARKER.sub(r"\1\\\2", _LINE_START_MARKER.sub(r"\\\1", md("\n".join(lines))))
    out: list[str] = []
    for line, following in zip(escaped.split("\n"), [*escaped.split("\n")[1:], ""], strict=True):
        out.append(f"{line}  " if line and following else line)
    return "\n".join(out).strip() or "–"


def _percent(rate: float) -> str:
    return f"{round(rate * 100)} %"


def _participation(evaluation: Evaluation) -> str:
    if evaluation.participants is None:
        return "–"
    text = f"{evaluation.participants} deltagare"
    if evaluation.invited is not None:
        text += f" av {evaluation.invited} inbjudna"
    rate = evaluation.response_rate
    if rate is not None:
        text += f" (svarsfrekvens {_percent(rate)})"
    return text


def _facts(initiative: Initiative) -> list[str]:
    period = format_period(initiative.start, initiative.end)
    facts = [
        f"- **Beställare:** {md(initiative.unit)}",
        f"- **Kontaktperson:** {md(initiative.contact)}" if initiative.contact else "",
        f"- **{term('owner')}:** {md(initiative.owner)}" if initiative.owner else "",
        f"- **Metod:** {initiative.method.label}",
        f"- **Påverkansnivå:** {initiative.influence.label}",
        f"- **Invånarpanelen:** {'ja' if initiative.uses_panel else 'nej'}",
        f"- **Beställning till Invånartjänster:** "
        f"{'ja' if initiative.orders_invanartjanster else 'nej'}",
        f"- **Period:** {initiative.start.isoformat()} – {initiative.end.isoformat()} ({period})",
        f"- **Tidsfrist:** {initiative.deadline.isoformat()}" if initiative.deadline else "",
        f"- **Skede:** {initiative.stage.label}",
        f"- **Urval:** {initiative.sample_size}" if initiative.sample_size is not None else "",
    ]
    if initiative.compensation is not None:
        payer = initiative.compensation.payer
        facts.append(
            f"- **Ersättning:** {initiative.compensation.amount_sek} kr per deltagare"
            + (f", betalas av {md(payer)}" if payer else "")
        )
    return [fact for fact in facts if fact]


def _checklist_section(
    initiative: Initiative, checklist: Mapping[str, ChecklistEntry]
) -> list[str]:
    parts = ["## Checklista", "", process.progress_label(initiative, checklist), ""]
    counts = process.progress(initiative, checklist)
    applicable = process.applicable_items(initiative)
    for phase, name in catalog.PHASES.items():
        done, total = counts[phase]
        parts += [f"### {name} ({done}/{total})", ""]
        still_open = process.open_items(initiative, checklist, phase)
        if still_open:
            parts += ["Kvar att göra:", ""]
            parts += [f"- {md(item.text)}" for item in still_open]
        elif total:
            parts.append("Alla punkter är klara.")
        else:
            parts.append("Inga punkter i denna fas.")
        skipped = [
            (item, entry)
            for item in applicable
            if item.phase == phase
            and (entry := checklist.get(item.id)) is not None
            and entry.state is ChecklistState.NOT_APPLICABLE
        ]
        if skipped:
            parts += ["", "Ej aktuellt:", ""]
            parts += [f"- {md(item.text)} – {md(entry.reason)}" for item, entry in skipped]
        parts.append("")
    return parts


def _promises_section(promises: Sequence[FeedbackPromise]) -> list[str]:
    parts = ["## Återkoppling", ""]
    if not promises:
        return [*parts, "Ingen återkoppling utlovad.", ""]
    for promise in sorted(promises, key=lambda p: (p.due, p.id or 0)):
        state = f"{term('kept')} {promise.done.isoformat()}" if promise.done else term("not_kept")
        line = f"- {promise.due.isoformat()} till {promise.audience.label} ({state})"
        if promise.what:
            line += f": {md(' '.join(promise.what.split()))}"
        if promise.channel:
            line += f" – kanal: {md(promise.channel)}"
        parts.append(line)
    return [*parts, ""]


def _evaluation_section(initiative: Initiative, evaluation: Evaluation | None) -> list[str]:
    parts = ["## Utvärdering", ""]
    if evaluation is None:
        return [*parts, "Ingen utvärdering ännu.", ""]
    parts += [f"{evaluation_status(evaluation)}.", ""]
    achieved = evaluation.achieved.label.capitalize() if evaluation.achieved else "–"
    if evaluation.achieved_comment:
        achieved += f"\n\n{md_block(evaluation.achieved_comment)}"
    method = evaluation.method or initiative.method
    answers = (
        method.label.capitalize(),
        _participation(evaluation),
        md_block(evaluation.effect),
        md_block(evaluation.lesson),
        achieved,
        md_block(evaluation.unspoken),
        md_block(evaluation.went_well),
        md_block(evaluation.improve),
    )
    for number, (question, answer) in enumerate(
        zip(EVALUATION_QUESTIONS, answers, strict=True), start=1
    ):
        parts += [f"### {number}. {question}", "", answer, ""]
    return parts


def initiative_summary_markdown(
    initiative: Initiative,
    checklist: Mapping[str, ChecklistEntry],
    evaluation: Evaluation | None,
    promises: Sequence[FeedbackPromise],
) -> str:
    """A one-page Swedish summary of an initiative: facts, plan, groups, checklist, evaluation."""
    parts = [f"# {md(initiative.title)}", "", *_facts(initiative), "", "## Planering", ""]
    for field in PLANNING_FIELDS:
        parts += [f"### {FIELD_LABELS[field]}", "", md_block(getattr(initiative, field)), ""]
    parts += ["## Till de svarande under dialogen", ""]
    for field in RESPONDENT_FIELDS:
        parts += [f"### {FIELD_LABELS[field]}", "", md_block(getattr(initiative, field)), ""]
    parts += ["## Målgrupper", ""]
    if initiative.target_groups:
        for group in initiative.target_groups:
            line = f"- {md(group.label)}"
            if group.name and group.name != group.description:
                line += f" ({md(group.description)})"
            parts.append(line)
    else:
        parts.append("Inga målgrupper angivna.")
    parts.append("")
    parts += _checklist_section(initiative, checklist)
    parts += _promises_section(promises)
    parts += _evaluation_section(initiative, evaluation)
    return "\n".join(parts).rstrip("\n") + "\n"
