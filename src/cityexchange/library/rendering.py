"""How a resource page presents its material: the full text as safe HTML, and what it is.

The full text (``body``) is written by people (the shipped data, the back office,
documentation published from an edition) in a small Markdown: paragraphs, headings,
lists, emphasis, links. It is rendered with raw HTML switched off and then cleaned
with an allow-list, so nothing typed into it can run a script, load anything from
another site (no images) or break the page's outline: it sits under the page's
"Full text" heading (h2), so its own headings start at h3. Headings get anchors,
and long texts a table of contents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from cityexchange.library.models import Resource, ResourceKind

# A table of contents helps once a text has several sections and some length.
TOC_MIN_HEADINGS = 3
TOC_MIN_WORDS = 400

_ALLOWED_TAGS = {
    "p", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote",
    "code", "pre", "br", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href"}, "h3": {"id"}, "h4": {"id"}, "th": {"scope"}}


@dataclass
class Heading:
    level: int
    text: str
    anchor: str


@dataclass
class RenderedText:
    html: SafeString
    headings: list[Heading] = field(default_factory=list)
    words: int = 0

    @property
    def toc(self) -> list[Heading]:
        """The headings worth a table of contents: only for a long text with several sections."""
        if len(self.headings) >= TOC_MIN_HEADINGS and self.words >= TOC_MIN_WORDS:
            return list(self.headings)
        return []


def _parser() -> MarkdownIt:
    # CommonMark without raw HTML; images would load from other sites, so they stay text.
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def render_body(text: str) -> RenderedText:
    """The full text as cleaned HTML, its headings (with anchors) and its length in words."""
    text = (text or "").strip()
    if not text:
        return RenderedText(html=mark_safe(""))  # noqa: S308 - empty
    if "\n\n" not in text:
        # The shipped texts keep one paragraph per line (YAML folded blocks).
        text = re.sub(r"\n+", "\n\n", text)
    parser = _parser()
    tokens = parser.parse(text)
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    # Under the page's h1 and its "Full text" h2: the text's top headings become h3.
    shift = 3 - min(levels) if levels else 0
    headings: list[Heading] = []
    used: set[str] = set()
    for index, token in enumerate(tokens):
        if token.type not in ("heading_open", "heading_close"):
            continue
        level = min(int(token.tag[1]) + shift, 4)
        token.tag = f"h{level}"
        if token.type == "heading_open":
            inline = tokens[index + 1].content if index + 1 < len(tokens) else ""
            anchor = _anchor(inline, used)
            token.attrSet("id", anchor)
            headings.append(Heading(level, inline, anchor))
    html = parser.renderer.render(tokens, parser.options, {})
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return RenderedText(
        html=mark_safe(cleaned),  # noqa: S308 - cleaned by nh3 with an allow-list
        headings=headings,
        words=len(text.split()),
    )


def _anchor(text: str, used: set[str]) -> str:
    base = "section-" + (slugify(text)[:60] or "part")
    anchor, n = base, 2
    while anchor in used:
        anchor, n = f"{base}-{n}", n + 1
    used.add(anchor)
    return anchor


# Kinds whose name promises a file or a recording, which a page alone is not.
_MEDIA_KINDS = {
    ResourceKind.RECORDING: "recording",
    ResourceKind.PRESENTATION: "presentation",
    ResourceKind.DATASET: "dataset",
}


@dataclass
class Nature:
    """What a resource is and where it comes from, said plainly on its page."""

    code: str  # "file", "outside", "own"
    label: str
    origin: str
    missing: str = ""


def nature_of(resource: Resource, *, attachments: list[Any] | None = None) -> Nature:
    """Decide from the data alone: files attached, a real source address, or neither."""
    files = attachments if attachments is not None else list(resource.attachments.all())
    missing = ""
    if not files and resource.kind in _MEDIA_KINDS:
        missing = {
            "recording": _(
                "No recording is attached to this page; it describes the content in words."
            ),
            "presentation": _(
                "No slides are attached to this page; it describes the content in words."
            ),
            "dataset": _("No data file is attached to this page; it describes the data in words."),
        }[_MEDIA_KINDS[ResourceKind(resource.kind)]]
    if files:
        return Nature(
            "file",
            _("A file, with a description by the network team."),
            _("The files below are the material itself."),
            missing,
        )
    if resource.source_url:
        return Nature(
            "outside",
            _("A pointer to material published elsewhere, described by the network team."),
            _("The material itself is at the source address below."),
            missing,
        )
    return Nature(
        "own",
        _("The network's own explanatory page: the text below is the whole resource."),
        _("Written by the network team for this library; no outside source is recorded."),
        missing,
    )
