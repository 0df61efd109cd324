"""Money and colour checks shared by pages, mail and exports."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency

from cityexchange.core.i18n import current_language

# Babel's locales for the platform's languages (the territory only picks separators).
_LOCALES = {"de": "de_DE", "en": "en_GB", "es": "es_ES", "pt": "pt_BR"}


def money(amount: Decimal, currency: str, language: str | None = None) -> str:
    """``amount`` in ``currency`` as a reader of ``language`` writes it (Babel, CLDR data)."""
    locale = _LOCALES.get(language or current_language(), "en_GB")
    return format_currency(amount, currency, locale=locale)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(hex_colour: str) -> float:
    """The WCAG 2.1 contrast ratio of white text on ``hex_colour`` (#rrggbb)."""
    return 1.05 / (_luminance(hex_colour) + 0.05)


# WCAG 2.1 AA for normal text.
MIN_CONTRAST = 4.5
