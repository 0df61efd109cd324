"""Opening hours and pickup slots, in the town's time zone.

A pickup slot is 30 minutes that start and end inside one opening period of a day,
taking the day's exception (closure or other hours) into account. Times are stored
in UTC and compared as aware datetimes.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Iterator

from cityexchange.marketplace.models import OpeningException, OpeningHours

SLOT = dt.timedelta(minutes=30)
# Time a shop needs to prepare an order, and how far ahead a resident may choose.
LEAD_TIME = dt.timedelta(hours=1)
HORIZON_DAYS = 14


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def periods_on(
    day: dt.date,
    hours: Iterable[OpeningHours],
    exceptions: dict[dt.date, OpeningException],
) -> list[tuple[dt.time, dt.time]]:
    """The opening periods of ``day`` (local times)."""
    exception = exceptions.get(day)
    if exception is not None:
        if exception.opens is None or exception.closes is None:
            return []
        return [(exception.opens, exception.closes)]
    return [(h.opens, h.closes) for h in hours if h.weekday == day.weekday()]


def is_open(
    now: dt.datetime,
    tz: zoneinfo.ZoneInfo,
    hours: Iterable[OpeningHours],
    exceptions: Iterable[OpeningException],
) -> bool:
    local = now.astimezone(tz)
    by_day = {e.date: e for e in exceptions}
    return any(
        opens <= local.time() < closes for opens, closes in periods_on(local.date(), hours, by_day)
    )


def slots(
    *,
    now: dt.datetime,
    tz: zoneinfo.ZoneInfo,
    hours: Iterable[OpeningHours],
    exceptions: Iterable[OpeningException],
    days: int = HORIZON_DAYS,
) -> Iterator[dt.datetime]:
    """Every pickup slot start (aware, UTC) from ``now + LEAD_TIME`` for ``days`` days."""
    hours = list(hours)
    by_day = {e.date: e for e in exceptions}
    earliest = now + LEAD_TIME
    first_day = now.astimezone(tz).date()
    for offset in range(days + 1):
        day = first_day + dt.timedelta(days=offset)
        for opens, closes in sorted(periods_on(day, hours, by_day)):
            start = dt.datetime.combine(day, opens, tzinfo=tz)
            end = dt.datetime.combine(day, closes, tzinfo=tz)
            while start + SLOT <= end:
                if start >= earliest:
                    yield start.astimezone(dt.UTC)
                start += SLOT


def is_slot(
    when: dt.datetime,
    *,
    now: dt.datetime,
    tz: zoneinfo.ZoneInfo,
    hours: Iterable[OpeningHours],
    exceptions: Iterable[OpeningException],
) -> bool:
    return when.astimezone(dt.UTC) in set(slots(now=now, tz=tz, hours=hours, exceptions=exceptions))
