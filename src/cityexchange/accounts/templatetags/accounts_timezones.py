"""The grouped time-zone ``<select>`` for hand-written forms (the footer's)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from cityexchange.accounts.timezones import grouped_zones, zone_label

register = template.Library()


@register.simple_tag
def timezone_options(current: Any) -> SafeString:
    """The ``<optgroup>``s and ``<option>``s, ``current`` selected. Every page shows them,
    so they are built once per language, current zone and minute (labels carry
    today's offset)."""
    minute = dt.datetime.now(tz=dt.UTC).replace(second=0, microsecond=0)
    return _options(get_language() or "", str(current or ""), minute)


@lru_cache(maxsize=64)
def _options(language: str, current: str, minute: dt.datetime) -> SafeString:
    return format_html_join(
        "\n",
        '<optgroup label="{}">{}</optgroup>',
        (
            (
                str(group.label),
                format_html_join(
                    "",
                    '<option value="{}"{}>{}</option>',
                    (
                        (name, " selected" if name == current else "", label)
                        for name, label in group.zones
                    ),
                ),
            )
            for group in grouped_zones(current=current)
        ),
    )


@register.filter
def zone_at(name: Any, moment: dt.datetime | None = None) -> str:
    """ "Berlin (UTC+1)" for ``Europe/Berlin`` with the offset in force at ``moment``
    (an event's start), instead of the zone's bare identifier."""
    try:
        return zone_label(str(name), now=moment)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return str(name)
