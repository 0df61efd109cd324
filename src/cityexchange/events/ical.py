"""iCalendar output: one event for a participant's mail, or a feed of many."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar
from icalendar import Event as ICalEvent

from cityexchange.events.models import Event, EventStatus


def event_uid(event: Event) -> str:
    """The entry's identity in every calendar: the same for the event's whole life."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]
    return f"event-{event.pk}@{host}"


def calendar_for(
    events: Iterable[Event],
    *,
    language: str,
    join_url: str = "",
    name: str = "",
    cancel: bool = False,
    sequence_offset: int = 0,
) -> str:
    """An .ics text; the join link only when given (a confirmed participant's own copy).

    ``cancel``: the entry is withdrawn for the recipient (METHOD:CANCEL, STATUS:CANCELLED),
    so a calendar program removes it instead of adding it again. An event cancelled
    for everyone is also STATUS:CANCELLED in a published feed. SEQUENCE is the event's
    calendar revision plus ``sequence_offset`` (a participant's own revisions).
    """
    calendar = Calendar()
    calendar.add("prodid", "-//cityexchange//events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    with translation.override(language):
        for event in events:
            item = ICalEvent()
            item.add("uid", event_uid(event))
            item.add("sequence", event.sequence + sequence_offset)
            item.add("dtstamp", stamp)
            if event.time_known:
                item.add("dtstart", event.starts_at)
                item.add("dtend", event.ends_at)
            else:
                # Only the day is known: an all-day entry (VALUE=DATE; DTEND is exclusive).
                item.add("dtstart", event.starts_on)
                item.add("dtend", event.starts_on + dt.timedelta(days=1))
            item.add("summary", event.title)
            url = f"{settings.SITE_URL}{reverse('events:detail', kwargs={'slug': event.slug})}"
            item.add("url", url)
            description = event.abstract or ""
            if join_url:
                description = f"{description}\n\n{join_url}".strip()
                item.add("location", join_url)
            elif event.venue:
                item.add("location", event.venue)
            item.add("description", description)
            withdrawn = cancel or event.status == EventStatus.CANCELLED
            item.add("status", "CANCELLED" if withdrawn else "CONFIRMED")
            calendar.add_component(item)
    return calendar.to_ical().decode("utf-8")


# A participant mail carries one event's .ics; everyone registering for that event in
# the same language, with or without the join link, gets the same text. It is kept
# for a minute per process, keyed by every value it is made of, so an edited event
# never gets an old text; only DTSTAMP (when the text was made) can be up to a
# minute old, which is what it says.
MAIL_CALENDAR_SECONDS = 60.0
_MAIL_CALENDAR_LIMIT = 256
_mail_calendars: dict[tuple[Any, ...], tuple[float, str]] = {}
_mail_calendars_lock = threading.Lock()


def mail_calendar(
    event: Event,
    *,
    language: str,
    join_url: str = "",
    cancel: bool = False,
    sequence_offset: int = 0,
) -> str:
    """The .ics attached to a participant mail (see calendar_for), memoised briefly."""
    with translation.override(language):
        key = (
            event.pk,
            event.slug,
            event.starts_at,
            event.duration_minutes,
            event.time_known,
            event.timezone,
            event.title,
            event.abstract,
            event.venue,
            event.status,
            event.sequence,
            cancel,
            sequence_offset,
            join_url,
            language,
            settings.SITE_URL,
        )
    now = time.monotonic()
    cached = _mail_calendars.get(key)
    if cached is not None and now - cached[0] < MAIL_CALENDAR_SECONDS:
        return cached[1]
    text = calendar_for(
        [event],
        language=language,
        join_url=join_url,
        name=event.title,
        cancel=cancel,
        sequence_offset=sequence_offset,
    )
    with _mail_calendars_lock:
        if len(_mail_calendars) >= _MAIL_CALENDAR_LIMIT:
            _mail_calendars.clear()
        _mail_calendars[key] = (now, text)
    return text
