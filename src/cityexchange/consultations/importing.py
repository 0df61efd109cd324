"""Reading a draft document: Markdown (markdown-it-py) or DOCX (python-docx).

Headings become sections and the other blocks become numbered paragraphs. Text
before the first heading goes into a section named after the document itself.
Only the words are kept: formatting, images and tables' layout are not.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

# A draft larger than this is not a guideline: refuse it before parsing.
MAX_SOURCE_BYTES = 5 * 1024 * 1024
MAX_PARAGRAPHS = 2000
HEADING_MAX = 300


class ImportFailed(ValueError):
    """The file cannot be read as a document; the message says why, for the person."""


@dataclass
class SectionDraft:
    heading: str
    level: int = 1
    paragraphs: list[str] = field(default_factory=list)


def _finish(sections: list[SectionDraft]) -> list[SectionDraft]:
    kept = [s for s in sections if s.paragraphs or s.heading]
    count = sum(len(s.paragraphs) for s in kept)
    if count == 0:
        raise ImportFailed(_("The document has no paragraphs."))
    if count > MAX_PARAGRAPHS:
        raise ImportFailed(
            _("The document has %(count)d paragraphs; at most %(max)d can be imported.")
            % {"count": count, "max": MAX_PARAGRAPHS}
        )
    for section in kept:
        section.heading = section.heading[:HEADING_MAX]
    return kept


def _inline_text(tokens: list[Any]) -> str:
    parts: list[str] = []
    for token in tokens:
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
    return " ".join("".join(parts).split())


def parse_markdown(source: str) -> list[SectionDraft]:
    """Sections and paragraphs of a Markdown text; list items are paragraphs of their own."""
    if len(source.encode("utf-8", "replace")) > MAX_SOURCE_BYTES:
        raise ImportFailed(_("The file is too large."))
    tokens = MarkdownIt("commonmark").parse(source)
    sections = [SectionDraft(heading="", level=1)]
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            inline = tokens[index + 1]
            sections.append(SectionDraft(heading=_inline_text([inline]), level=int(token.tag[1:])))
            index += 3
            continue
        if token.type == "inline" and index > 0 and tokens[index - 1].type == "paragraph_open":
            text = _inline_text([token])
            if text:
                sections[-1].paragraphs.append(text)
        elif token.type in ("code_block", "fence"):
            text = " ".join(token.content.split())
            if text:
                sections[-1].paragraphs.append(text)
        index += 1
    return _finish(sections)


def parse_docx(data: bytes) -> list[SectionDraft]:
    """Sections and paragraphs of a Word document; styles named "Heading n" start sections."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if len(data) > MAX_SOURCE_BYTES:
        raise ImportFailed(_("The file is too large."))
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportFailed(_("The file is not a Word document (DOCX).")) from exc
    sections = [SectionDraft(heading="", level=1)]
    for paragraph in document.paragraphs:
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.startswith("Heading") or style == "Title":
            level_text = style.removeprefix("Heading").strip()
            level = int(level_text) if level_text.isdigit() else 1
            sections.append(SectionDraft(heading=text, level=level))
        else:
            sections[-1].paragraphs.append(text)
    return _finish(sections)
