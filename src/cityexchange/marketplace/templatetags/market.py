"""Template helpers of the marketplace: money in the reader's language, local times."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from cityexchange.marketplace import hours
from cityexchange.marketplace.money import money as format_money

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    return format_money(amount or Decimal("0"), currency)


@register.filter
def in_town(when: dt.datetime | None, zone_name: str) -> dt.datetime | None:
    """``when`` in the town's zone (pickup times are the shop's local times)."""
    return when.astimezone(hours.zone(zone_name)) if when else None
