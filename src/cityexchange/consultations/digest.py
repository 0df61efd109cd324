"""The consultations' part of the library digest: consultations that opened for
comments on a subscriber's topics since their previous digest.

Called through ``ConsultationsConfig.digest_sections`` (see ``library.digests``), in the
subscriber's language; the deadline is given in the subscriber's time zone. The digests'
windows do not overlap, so each opening is told once to each subscriber.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cityexchange.consultations import selectors, services


def digest_sections(subscription: Any, *, since: dt.datetime, now: dt.datetime) -> list[Any]:
    from cityexchange.library.digests import DigestItem, DigestSection

    topic_ids = [t.pk for t in subscription.topics.all()]
    if not topic_ids:
        return []
    opened = (
        selectors.visible_consultations(subscription.user)
        .filter(
            is_published=True,
            response_published_at__isnull=True,
            opens_at__gt=since,
            opens_at__lte=now,
            closes_at__gt=now,
            topics__in=topic_ids,
        )
        .distinct()
        .order_by("closes_at", "slug")
    )
    items = []
    with timezone.override(services.user_zone(subscription.user)):
        for consultation in opened:
            items.append(
                DigestItem(
                    title=consultation.title,
                    url=settings.SITE_URL + consultation.get_absolute_url(),
                    note=_("open for comments until %(deadline)s")
                    % {"deadline": services.deadline_text(consultation)},
                )
            )
    return [
        DigestSection(heading=_("Consultations open for comments on your topics:"), items=items)
    ]
