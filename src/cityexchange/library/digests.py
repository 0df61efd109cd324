"""The digest mail: new resources and upcoming events on a subscriber's topics and kinds.

Other apps add their own items without the library importing them: an AppConfig may
offer ``digest_sections(subscription, *, since, now) -> list[DigestSection]``. It is
called once per digest being sent, in the subscriber's language, and lists what
happened on the subscriber's topics between ``since`` (the previous digest) and
``now``; windows of successive digests do not overlap, so an item is told once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from cityexchange.core.mail import render_message, send_after_commit
from cityexchange.library.models import (
    DigestFrequency,
    Resource,
    ResourceStatus,
    Subscription,
    Visibility,
)

SALT = "library.unsubscribe"


@dataclass(frozen=True)
class DigestItem:
    title: str
    url: str  # absolute, in the subscriber's language
    note: str = ""


@dataclass
class DigestSection:
    heading: str
    items: list[DigestItem] = field(default_factory=list)


def _contributed_sections(
    subscription: Subscription, *, since: dt.datetime, now: dt.datetime
) -> list[DigestSection]:
    """What installed apps add to this digest (see the module's docstring)."""
    sections: list[DigestSection] = []
    with translation.override(subscription.language):
        for config in apps.get_app_configs():
            contribute = getattr(config, "digest_sections", None)
            if contribute is not None:
                found = contribute(subscription, since=since, now=now)
                sections.extend(s for s in found if s.items)
    return sections


PERIOD: dict[str, dt.timedelta] = {
    DigestFrequency.WEEKLY: dt.timedelta(days=7),
    DigestFrequency.MONTHLY: dt.timedelta(days=30),
}


def unsubscribe_token(subscription: Subscription) -> str:
    return signing.dumps({"s": subscription.pk}, salt=SALT)


def unsubscribe_url(subscription: Subscription) -> str:
    """The one-click address that ends ``subscription``, in its language."""
    with translation.override(subscription.language):
        path = reverse("library:unsubscribe", kwargs={"token": unsubscribe_token(subscription)})
    return settings.SITE_URL + path


def subscription_from_token(token: str) -> Subscription | None:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    pk = data.get("s")
    if not isinstance(pk, int):
        return None
    return Subscription.objects.filter(pk=pk).select_related("user").first()


def _matching_resources(subscription: Subscription, since: dt.datetime) -> list[Resource]:
    from django.db.models import Q

    from cityexchange.library.rules import may_see_members_content

    # New, or announced again (an edition's documentation published into its page).
    queryset = Resource.objects.filter(
        Q(created_at__gte=since) | Q(announced_at__gte=since), status=ResourceStatus.PUBLISHED
    )
    if not may_see_members_content(subscription.user):
        queryset = queryset.filter(visibility=Visibility.PUBLIC)
    topic_ids = [t.pk for t in subscription.topics.all()]
    condition = Q()
    if topic_ids:
        condition |= Q(topics__in=topic_ids)
    if subscription.kinds:
        condition |= Q(kind__in=subscription.kinds)
    return list(queryset.filter(condition).distinct().order_by("-published_on", "pk")[:20])


def _upcoming_events(subscription: Subscription, now: dt.datetime) -> list[Any]:
    """Upcoming published events on the subscriber's topics (when the events app is there)."""
    if not apps.is_installed("cityexchange.events"):
        return []
    event_model = apps.get_model("events", "Event")
    topic_ids = [t.pk for t in subscription.topics.all()]
    if not topic_ids:
        return []
    return list(
        event_model.objects.filter(
            starts_at__gte=now,
            starts_at__lte=now + dt.timedelta(days=60),
            status="published",
            topics__in=topic_ids,
        )
        .distinct()
        .order_by("starts_at")[:10]
    )


def send_due_digests(*, now: dt.datetime | None = None) -> int:
    """Send every digest that is due; returns how many mails were queued."""
    now = now or timezone.now()
    sent = 0
    subscriptions = (
        Subscription.objects.filter(is_active=True, user__is_active=True)
        .select_related("user")
        .prefetch_related("topics")
    )
    for subscription in subscriptions:
        period = PERIOD.get(subscription.frequency, dt.timedelta(days=7))
        if subscription.last_sent_at and now - subscription.last_sent_at < period - dt.timedelta(
            hours=1
        ):
            continue
        since = subscription.last_sent_at or now - period
        resources = _matching_resources(subscription, since)
        events = _upcoming_events(subscription, now)
        sections = _contributed_sections(subscription, since=since, now=now)
        with transaction.atomic():
            locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
            locked.last_sent_at = now
            locked.save(update_fields=["last_sent_at"])
            if not resources and not events and not sections:
                continue
            stop_url = unsubscribe_url(subscription)
            send_after_commit(
                render_message(
                    to=subscription.user.email,
                    language=subscription.language,
                    template="library/mail/digest",
                    context={
                        "user": subscription.user,
                        "resources": resources,
                        "events": events,
                        "sections": sections,
                        "unsubscribe_url": stop_url,
                    },
                    headers={
                        "List-Unsubscribe": f"<{stop_url}>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    },
                )
            )
            sent += 1
    return sent
