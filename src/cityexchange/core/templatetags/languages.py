"""``{{ codes|language_names }}``: language codes as the names a reader expects.

``["en", "pt"]`` becomes "English, Portuguese" in the page's language; an unknown
code stays as it is. Portuguese and Spanish write language names in lower case
inside a sentence or a list ("Idioma: alemão, inglês", "en alemán"), unlike German
and English; ``language_names:"start"`` capitalises the first name for a text that
begins with it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.translation import get_language

from cityexchange.core.models import LANGUAGE_CHOICES

register = template.Library()

# Page languages whose orthography writes language names in lower case.
LOWER_CASE_NAMES = frozenset({"es", "pt"})


@register.filter
def language_names(codes: Iterable[str] | str | None, position: str = "") -> str:
    if not codes:
        return ""
    if isinstance(codes, str):
        codes = [codes]
    names = dict(LANGUAGE_CHOICES)
    lower = (get_language() or "")[:2] in LOWER_CASE_NAMES
    shown = [
        (str(names[code]).lower() if lower else str(names[code])) if code in names else code
        for code in codes
    ]
    text = ", ".join(shown)
    if position == "start":
        text = text[:1].upper() + text[1:]
    return text
