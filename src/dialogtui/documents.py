"""Documents written from the data: Markdown for the public and for the files. Pure logic."""

from __future__ import annotations

import re

from dialogtui.models import Initiative, PublicFeedback
from dialogtui.overlap import format_period

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|])")


def md(text: str) -> str:
    """User text as literal Markdown: characters that would format are escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


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
        md(feedback.asked) or "–",
        "",
        "## Ni svarade",
        "",
        md(feedback.answered) or "–",
        "",
        "## Vi gjorde",
        "",
        md(feedback.did) or "–",
        "",
    ]
    return "\n".join(parts)


def safe_file_name(title: str, initiative_id: int | None, suffix: str) -> str:
    """A file name from a title: letters, digits and dashes only."""
    stem = re.sub(r"[^\w]+", "-", title.casefold()).strip("-")[:60] or "dialog"
    return f"{initiative_id or 0}-{stem}{suffix}"
