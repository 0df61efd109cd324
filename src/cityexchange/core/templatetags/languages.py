"""``{{ codes|language_names }}``: language codes as the names a reader expects.

``["en", "pt"]`` becomes "English, Portuguese" in the page's language; an unknown
code stays as it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from cityexchange.core.models import LANGUAGE_CHOICES

register = template.Library()


@register.filter
def language_names(codes: Iterable[str] | str | None) -> str:
    if not codes:
        return ""
    if isinstance(codes, str):
        codes = [codes]
    names = dict(LANGUAGE_CHOICES)
    return ", ".join(str(names.get(code, code)) for code in codes)
