"""What "My cityexchange" shows of the events app: the person's registrations.

Called through ``EventsConfig.account_sections`` (see ``accounts.sections``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityexchange.accounts.sections import AccountSection
from cityexchange.events.links import registration_token
from cityexchange.events.models import Registration, RegistrationStatus


def _row(registration: Registration) -> dict[str, Any]:
    event = registration.event
    return {
        "registration": registration,
        "event": event,
        "manage_url": reverse("events:manage", kwargs={"token": registration_token(registration)}),
        "calendar_url": reverse("events:ics", kwargs={"slug": event.slug}),
    }


def account_sections(user: Any) -> list[AccountSection]:
    now = timezone.now()
    registrations = list(
        Registration.objects.filter(user=user)
        .exclude(status__in=[RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED])
        .select_related("event")
        .order_by("event__starts_at")
    )
    upcoming = [
        _row(r)
        for r in registrations
        if r.event.starts_at >= now and r.status != RegistrationStatus.WAITLISTED
    ]
    waiting = [
        _row(r)
        for r in registrations
        if r.event.starts_at >= now and r.status == RegistrationStatus.WAITLISTED
    ]
    past = [_row(r) for r in reversed(registrations) if r.event.starts_at < now][:10]
    template = "events/account_registrations.html"
    return [
        AccountSection(
            key="events-upcoming",
            title=_("My upcoming events"),
            template=template,
            items=upcoming,
            empty=_("You are not registered for an upcoming event."),
            links=[(_("See the programme"), reverse("events:programme"))],
            order=10,
        ),
        AccountSection(
            key="events-waiting",
            title=_("Waiting lists"),
            template=template,
            items=waiting,
            empty=_("You are not on a waiting list."),
            order=11,
        ),
        AccountSection(
            key="events-past",
            title=_("Past events"),
            template=template,
            items=past,
            empty=_("No past events yet."),
            order=12,
        ),
    ]


def _earlier(user: Any) -> Any:
    return Registration.objects.filter(
        Q(user__isnull=True), email__iexact=user.email, anonymised_at__isnull=True
    )


def earlier_records(user: Any) -> int:
    return int(_earlier(user).count())


def link_earlier_records(user: Any) -> int:
    """Attach registrations made without an account to ``user``; the caller has checked
    that the address is the person's, verified, and holds the transaction."""
    return int(_earlier(user).update(user=user))
