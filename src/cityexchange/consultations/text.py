"""Comment text as people see it, and readable differences between paragraph versions.

A comment is stored as typed. It is shown as a small Markdown subset (emphasis,
strong, lists, quotes, inline code, line breaks): markdown-it-py escapes any HTML
typed in (``html=False``), and nh3 then keeps only the subset's tags, so neither a
parser quirk nor a new plugin can let markup through. Exports and mails use the
plain text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "em", "strong", "ul", "ol", "li", "blockquote", "code", "br"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("zero", {"html": False, "breaks": True}).enable(
        ["emphasis", "list", "blockquote", "backticks", "newline"]
    )


def render_comment(text: str) -> SafeString:
    """Safe HTML of a comment; whatever was typed, only the allowed tags come out."""
    html = _parser().render(text)
    return mark_safe(nh3.clean(html, tags=ALLOWED_TAGS, attributes={}))  # noqa: S308 - nh3 cleaned


@dataclass(frozen=True)
class Piece:
    """A run of words that is the same, added or removed between two versions."""

    kind: str  # "same", "added", "removed"
    text: str


_WORDS = re.compile(r"\S+\s*")


def word_diff(before: str, after: str) -> list[Piece]:
    """Word by word, what changed from ``before`` to ``after`` (for <del>/<ins>)."""
    old = _WORDS.findall(before)
    new = _WORDS.findall(after)
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(Piece("removed", "".join(old[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(Piece("added", "".join(new[j1:j2])))
    return pieces


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(a=a.split(), b=b.split(), autojunk=False).ratio()
