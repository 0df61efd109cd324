"""Small language helpers shared by every app."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language

# The one list of the platform's languages (interface and content fields), in the
# order of settings.LANGUAGES: import it from here rather than writing the codes out.
LANGUAGES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)


def current_language() -> str:
    """The active language reduced to one of de/en/es/pt (default: English)."""
    code = (get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    return code if code in LANGUAGES else "en"
