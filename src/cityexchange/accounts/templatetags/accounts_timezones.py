"""The grouped time-zone ``<select>`` for hand-written forms (the footer's)."""

from __future__ import annotations

from typing import Any

from django import template

from cityexchange.accounts.timezones import grouped_zones

register = template.Library()


@register.inclusion_tag("accounts/_timezone_options.html")
def timezone_options(current: Any) -> dict[str, Any]:
    name = str(current or "")
    return {"groups": grouped_zones(current=name), "current": name}
