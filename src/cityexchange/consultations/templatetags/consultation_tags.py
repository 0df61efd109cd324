"""Template filters of the consultations pages."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from cityexchange.consultations.text import render_comment

register = template.Library()


@register.filter
def comment_html(text: str) -> SafeString:
    """A comment's text as the small, sanitised Markdown subset."""
    return render_comment(text or "")


@register.filter
def heat(count: int, peak: int) -> int:
    """0–4: how warm a cell of the heat map is, relative to the busiest one."""
    if not count or not peak:
        return 0
    return min(4, 1 + (4 * count - 1) // peak) if count < peak else 4
