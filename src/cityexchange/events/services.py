"""Every write of the events app: typed, keyword-only, atomic, audited.

Seats are what becomes scarcer here. Every change that can take or free a seat
locks the event row (``select_for_update``) and counts the confirmed
registrations inside the same transaction, so two people can never both get
the last seat. On SQLite every transaction is IMMEDIATE, which serialises
writers the same way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from cityexchange.core import caching
from cityexchange.core.models import LANGUAGE_CHOICES
from cityexchange.core.services import audit_record, audited_update, snapshot
from cityexchange.events import mails, selectors
from cityexchange.events.models import (
    INTERPRETATION_CHOICES,
    ORGANISATION_KIND_CHOICES,
    Attendance,
    Event,
    EventStatus,
    Material,
    MaterialKind,
    Registration,
    RegistrationStatus,
    ReminderSent,
)

RESEND_INTERVAL = dt.timedelta(minutes=10)
ALLOWED_UPLOADS = {
    ".pdf": "application/pdf",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
# Magic numbers of the allowed types: the extension alone proves nothing.
_SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".pptx": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
    ".odp": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


class RegistrationError(Exception):
    """Bad input for a registration; ``field`` names the field when there is one.

    ``conflict`` marks a value that is valid in itself but not for this event (on
    site at an online-only event, interpretation it does not offer): the API answers
    those with 409 rather than 400.
    """

    def __init__(self, message: str, *, field: str | None = None, conflict: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.conflict = conflict


class RegistrationClosed(Exception):
    """The event does not take registrations now (closed, past, cancelled)."""


def privacy_notice_version() -> str:
    return str(getattr(settings, "CITYEXCHANGE_PRIVACY_NOTICE_VERSION", "2025-01"))


def retention_days() -> int:
    return int(getattr(settings, "CITYEXCHANGE_RETENTION_DAYS", 365))


def reminder_offsets() -> list[int]:
    """Minutes before the start at which reminders go out (24 h and 1 h by default)."""
    return sorted(getattr(settings, "CITYEXCHANGE_EVENT_REMINDERS", [24 * 60, 60]), reverse=True)


# ---------------------------------------------------------------- registration


@dataclass
class RegistrationData:
    name: str
    email: str
    privacy_consent: bool
    privacy_notice_version: str
    organisation: str = ""
    organisation_kind: str = ""
    country: str = ""
    language: str = "en"
    interpretation_language: str = ""
    accessibility_needs: str = ""
    listed: bool = False
    attendance: str = Attendance.ONLINE
    extra: dict[str, Any] = field(default_factory=dict)


def registration_is_open(event: Event, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    if event.status != EventStatus.PUBLISHED:
        return False
    if event.registration_opens_at and now < event.registration_opens_at:
        return False
    closes = event.registration_closes_at or event.starts_at
    return now < closes


def _validate(event: Event, data: RegistrationData) -> RegistrationData:
    data.name = data.name.strip()
    data.email = data.email.strip().lower()
    if not data.name:
        raise RegistrationError(_("Please enter your name."), field="name")
    try:
        validate_email(data.email)
    except ValidationError:
        raise RegistrationError(_("Please enter a valid email address."), field="email") from None
    if not data.privacy_consent:
        raise RegistrationError(
            _("Registration needs your consent to the privacy notice."), field="privacy_consent"
        )
    current = privacy_notice_version()
    if not data.privacy_notice_version:
        raise RegistrationError(
            _(
                "Registration needs the version of the privacy notice the person agreed to "
                "(privacy_notice_version); the current version is %(version)s."
            )
            % {"version": current},
            field="privacy_notice_version",
        )
    if data.privacy_notice_version != current:
        raise RegistrationError(
            _(
                "The privacy notice has changed since version %(given)s; please read the "
                "current version (%(version)s) and agree again."
            )
            % {"given": data.privacy_notice_version, "version": current},
            field="privacy_notice_version",
        )
    if data.organisation_kind and data.organisation_kind not in dict(ORGANISATION_KIND_CHOICES):
        raise RegistrationError(_("Unknown kind of organisation."), field="organisation_kind")
    data.country = data.country.strip().upper()
    if data.country and data.country not in countries:
        raise RegistrationError(_("Unknown country code."), field="country")
    if data.language not in ("de", "en", "es", "pt"):
        raise RegistrationError(_("Unknown language."), field="language")
    if data.interpretation_language:
        if data.interpretation_language not in dict(INTERPRETATION_CHOICES):
            raise RegistrationError(
                _("Interpretation is offered into Spanish or Portuguese only."),
                field="interpretation_language",
            )
        if data.interpretation_language not in (event.interpretation_languages or []):
            raise RegistrationError(
                _("This event does not offer interpretation into that language."),
                field="interpretation_language",
                conflict=True,
            )
    if data.attendance not in Attendance.values:
        raise RegistrationError(_("Choose online or on site."), field="attendance")
    if data.attendance == Attendance.ONSITE and not event.has_onsite:
        raise RegistrationError(
            _("This event takes place online only."), field="attendance", conflict=True
        )
    if data.attendance == Attendance.ONLINE and not event.has_online:
        raise RegistrationError(
            _("This event takes place on site only."), field="attendance", conflict=True
        )
    return data


# ---------------------------------------------------------------- events
#
# Other apps keep data derived from events (the Finder's profiles, the home page);
# every change of what an event shows bumps the "events" version in core.caching,
# from the service, so they rebuild without listening to signals.

EVENTS_CACHE = "events"
# Fields nobody outside the back office sees; changing only these bumps nothing.
_PRIVATE_FIELDS = frozenset({"join_url", "data_quality_note", "data_quality_confirmed_at"})
_CAPACITY_FIELDS = ("capacity_online", "capacity_onsite")
# What a calendar entry shows (translated variants included): a change raises the
# event's calendar revision (SEQUENCE), so calendar programs replace their copy.
_CALENDAR_FIELDS = frozenset(
    {"starts_at", "duration_minutes", "time_known", "timezone", "mode", "status", "join_url"}
)
_CALENDAR_TEXT_FIELDS = ("title", "abstract", "venue")


def _shows_in_calendar(name: str) -> bool:
    return name in _CALENDAR_FIELDS or name.split("_", 1)[0] in _CALENDAR_TEXT_FIELDS


def event_create(*, event: Event, actor: Any) -> Event:
    """Store a new event (the back office fills it in); audited, other apps told."""
    if event.pk is not None:
        raise ValueError("event_create takes an unsaved event")
    with transaction.atomic():
        event.save()
        audit_record(actor=actor, action="event.create", obj=event, after=snapshot(event))
        caching.bump(EVENTS_CACHE)
    return event


def event_update(
    *, event: Event, actor: Any, fields: list[str] | None = None, **changes: Any
) -> list[Registration]:
    """Change an event's fields; returns the people a capacity change promoted.

    ``fields`` names fields whose new values are already on ``event`` (a back-office
    form). Seat limits change under the event lock and fill free seats from the
    waiting list, like ``event_capacity_change``; publishing, cancelling, a new
    title or date bump the "events" version for other apps.
    """
    names = [*changes, *(n for n in fields or [] if n not in changes)]
    seats = {n: changes.pop(n, getattr(event, n)) for n in _CAPACITY_FIELDS if n in names}
    for value in seats.values():
        if value is not None and value < 0:
            raise RegistrationError(_("A capacity cannot be negative."))
    other = [n for n in fields or [] if n not in _CAPACITY_FIELDS]
    with transaction.atomic():
        promoted: list[Registration] = []
        if seats:
            # Under the lock, audited against the row as it is now.
            promoted = event_capacity_change(
                event=event,
                capacity_online=seats.get("capacity_online", event.capacity_online),
                capacity_onsite=seats.get("capacity_onsite", event.capacity_onsite),
                actor=actor,
            )
        entry = audited_update(event, actor=actor, action="event.update", fields=other, **changes)
        changed = set(entry.after or {}) if entry is not None else set()
        if any(_shows_in_calendar(name) for name in changed):
            Event.objects.filter(pk=event.pk).update(sequence=F("sequence") + 1)
            event.sequence = Event.objects.values_list("sequence", flat=True).get(pk=event.pk)
        if changed - _PRIVATE_FIELDS:
            caching.bump(EVENTS_CACHE)
    return promoted


def event_topics_set(*, event: Event, topics: Iterable[Any], actor: Any) -> None:
    """Set the event's topics; audited and other apps told when they change."""
    with transaction.atomic():
        before = sorted(event.topics.values_list("pk", flat=True))
        event.topics.set(list(topics))
        after = sorted(event.topics.values_list("pk", flat=True))
        if before != after:
            audit_record(
                actor=actor,
                action="event.topics_set",
                obj=event,
                before={"topics": before},
                after={"topics": after},
            )
            caching.bump(EVENTS_CACHE)


def event_delete(*, event: Event, actor: Any) -> None:
    """Delete an event without registrations (those are kept: ProtectedError)."""
    with transaction.atomic():
        before = snapshot(event)
        audit_record(actor=actor, action="event.delete", obj=event, before=before)
        event.delete()
        caching.bump(EVENTS_CACHE)


# ---------------------------------------------------------------- seats
#
# One path decides every seat: lock the event row, count the registrations that
# hold a seat or wait for one, change, audit, queue the mail for after the commit.
# PostgreSQL: the count is a statement of its own after the lock is granted, so in
# READ COMMITTED it sees every registration committed before (a count inside the
# locking statement would read that statement's older snapshot). SQLite: every
# transaction is IMMEDIATE (settings.py), so writers queue for the database lock.


class SeatCount(NamedTuple):
    confirmed: int
    waiting: int


def _seat_count(event: Event, attendance: str) -> SeatCount:
    """Confirmed and waiting registrations of one kind; one query on the seat-queue index."""
    counts = Registration.objects.filter(
        event_id=event.pk,
        attendance=attendance,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
    ).aggregate(
        confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
    )
    return SeatCount(int(counts["confirmed"] or 0), int(counts["waiting"] or 0))


# What the seat decision reads from the locked row; nothing else is fetched under the lock.
_SEAT_FIELDS = (
    "slug",
    "title",
    "mode",
    "status",
    "starts_at",
    "registration_opens_at",
    "registration_closes_at",
    "requires_approval",
    "capacity_online",
    "capacity_onsite",
)


def _lock_event(event: Event) -> Event:
    """The event row, locked until the transaction ends. Call inside ``transaction.atomic``.

    The row alone: a join here would lock the format row too and make registrations
    for different editions of one format wait for each other.
    """
    return Event.objects.select_for_update().only(*_SEAT_FIELDS).get(pk=event.pk)


def _promote(event: Event, *, actor: Any = None) -> list[Registration]:
    """Fill free seats from the waiting list, first come first served; mail each one.

    The caller holds the lock on ``event``, whose capacities are the ones to fill to.
    Every way a seat frees up ends here: a cancellation by the person or by staff,
    a registration deleted in the back office, more seats.
    """
    promoted: list[Registration] = []
    now = timezone.now()
    for attendance in (Attendance.ONLINE, Attendance.ONSITE):
        waiting = Registration.objects.filter(
            event_id=event.pk, status=RegistrationStatus.WAITLISTED, attendance=attendance
        ).order_by("created_at", "id")
        capacity = event.capacity_for(attendance)
        if capacity is not None:
            free = capacity - _seat_count(event, attendance).confirmed
            if free <= 0:
                continue
            waiting = waiting[:free]
        for registration in waiting:
            audited_update(
                registration,
                actor=actor,
                action="registration.promote",
                status=RegistrationStatus.CONFIRMED,
                confirmed_at=now,
            )
            registration.event = event
            mails.queue(registration, "promoted")
            promoted.append(registration)
    return promoted


# ---------------------------------------------------------------- registration


class RegistrationOutcome(NamedTuple):
    registration: Registration
    created: bool
    # Whether the personal link went out by this call (always for a new registration;
    # for a repeat only when the last one is older than RESEND_INTERVAL).
    link_sent: bool
    # A new waiting registration's place in the queue, counted under the lock.
    waitlist_position: int | None = None


def registration_is_own(*, registration: Registration, user: Any) -> bool:
    """Whether the answer to a registration may show it: only to its address's account.

    Anyone can type an address into the form, so everyone else is told only that the
    personal link went to that address; the state and the link travel by mail.
    The account's address is the one it signs in with, so it counts as verified.
    """
    email = getattr(user, "email", "") if getattr(user, "is_authenticated", False) else ""
    return bool(email) and bool(registration.email) and email.lower() == registration.email


def registration_state_message(*, registration: Registration, created: bool) -> str:
    """What the owner of a registration is told on the page and in the API: its state."""
    if registration.status == RegistrationStatus.CONFIRMED:
        state = _("Your seat is confirmed.")
    elif registration.status == RegistrationStatus.WAITLISTED:
        state = _(
            "The event is full; you are on the waiting list. We write to you as soon as a "
            "seat frees up."
        )
    else:
        state = _("Your registration awaits the organisers' approval.")
    if not created:
        return " ".join([_("You were already registered with this email address."), state])
    return " ".join(
        [
            state,
            _(
                "We have sent you a mail with a calendar entry and your personal link to "
                "change, cancel, export or delete the registration."
            ),
        ]
    )


def registration_sent_message(*, email: str) -> str:
    """What everyone else is told, whatever the address's registration is or was."""
    return _(
        "Thank you. We have sent the personal link to the registration and its state "
        "(confirmed, on the waiting list or awaiting approval) to %(email)s. Please check "
        "your inbox and spam folder; the link goes to one address at most once every "
        "10 minutes."
    ) % {"email": email}


def _resend_link(registration: Registration, *, now: dt.datetime) -> bool:
    """Send the personal link again unless it went out less than RESEND_INTERVAL ago.

    One conditional UPDATE decides, so two repeats at the same moment send one mail.
    """
    with transaction.atomic():
        claimed = (
            Registration.objects.filter(pk=registration.pk)
            .filter(Q(link_sent_at__isnull=True) | Q(link_sent_at__lte=now - RESEND_INTERVAL))
            .update(link_sent_at=now)
        )
        if not claimed:
            return False
        registration.link_sent_at = now
        mails.queue(registration, "registration", repeated=True)
    return True


def registration_create(
    *, event: Event, data: RegistrationData, user: Any = None
) -> RegistrationOutcome:
    """Register someone: a confirmed seat while there is one, then the waiting list.

    The same email again returns the existing registration, never a second seat,
    and re-sends its link (with its state) at most once per RESEND_INTERVAL. A
    cancelled registration is taken up again with the new data only and a new
    personal link. Whoever asked learns nothing of this unless ``registration_is_own``
    says the registration is theirs: the outcome is for the caller to keep to itself.
    A signed-in user is linked to the registration only when it is for their own address.

    A new email (the common case) costs no read before the lock: the insert
    meets the unique constraint on event and email when the person is already
    registered (or registers twice at the same moment), and only then is the
    earlier registration looked up. Mail is rendered after commit.
    """
    data = _validate(event, data)
    now = timezone.now()
    # Nobody's account is tied to a registration for someone else's address.
    email = getattr(user, "email", "") if getattr(user, "is_authenticated", False) else ""
    user = user if email and email.lower() == data.email else None
    if not registration_is_open(event, now=now):
        raise RegistrationClosed(_("Registration for this event is closed."))
    try:
        return _take_place(event=event, data=data, user=user, now=now, renew=None)
    except IntegrityError:
        existing = Registration.objects.filter(event=event, email=data.email).first()
        if existing is None:
            raise
    existing.event = event
    if existing.status != RegistrationStatus.CANCELLED:
        return RegistrationOutcome(existing, False, _resend_link(existing, now=now))
    try:
        return _take_place(event=event, data=data, user=user, now=now, renew=existing)
    except IntegrityError:
        # Taken up again by a parallel request with the same email; answer as a repeat.
        return RegistrationOutcome(existing, False, _resend_link(existing, now=now))


def _take_place(
    *,
    event: Event,
    data: RegistrationData,
    user: Any,
    now: dt.datetime,
    renew: Registration | None,
) -> RegistrationOutcome:
    """The locked section: lock, count, decide, insert (or take up again), audit."""
    with transaction.atomic():
        locked = _lock_event(event)
        # Checked again under the lock: staff may have closed it meanwhile.
        if not registration_is_open(locked, now=now):
            raise RegistrationClosed(_("Registration for this event is closed."))
        position = None
        if locked.requires_approval:
            status = RegistrationStatus.PENDING
        else:
            counted = _seat_count(locked, data.attendance)
            capacity = locked.capacity_for(data.attendance)
            if capacity is None or counted.confirmed < capacity:
                status = RegistrationStatus.CONFIRMED
            else:
                status = RegistrationStatus.WAITLISTED
                position = counted.waiting + 1
        values: dict[str, Any] = {
            "name": data.name,
            "organisation": data.organisation.strip(),
            "organisation_kind": data.organisation_kind,
            "country": data.country,
            "language": data.language,
            "interpretation_language": data.interpretation_language,
            "accessibility_needs": data.accessibility_needs.strip(),
            "listed": data.listed,
            "attendance": data.attendance,
            "privacy_notice_version": data.privacy_notice_version,
            "consented_at": now,
            "status": status,
            "confirmed_at": now if status == RegistrationStatus.CONFIRMED else None,
            "cancelled_at": None,
            "link_sent_at": now,
            "user": user,
        }
        if renew is None:
            registration = Registration.objects.create(event=event, email=data.email, **values)
            audit_record(
                actor=user,
                action="registration.create",
                obj=registration,
                after={"status": status, "attendance": data.attendance},
            )
        else:
            # Taken up again only if it is still cancelled now that we hold the lock.
            registration = Registration.objects.select_for_update().get(pk=renew.pk)
            if registration.status != RegistrationStatus.CANCELLED:
                raise IntegrityError("registration became active concurrently")
            # A re-registration joins the end of the waiting list, like anyone new. It
            # is a new registration in the old row: nothing of the earlier one stays,
            # and the links mailed for that one stop working (a new link version).
            registration.reminders.all().delete()
            audited_update(
                registration,
                actor=user,
                action="registration.renew",
                created_at=now,
                link_version=registration.link_version + 1,
                attended=False,
                joined_at=None,
                left_at=None,
                minutes_attended=None,
                checked_in_at=None,
                **values,
            )
        registration.event = event
        mails.queue(
            registration, "registration", final=True, repeated=False, waitlist_position=position
        )
    return RegistrationOutcome(registration, True, True, position)


def registration_cancel(*, registration: Registration, actor: Any = None) -> list[Registration]:
    """Cancel; a freed seat goes to the first person waiting. Returns those promoted.

    The one way a registration gives up its place: the person's own link, staff on
    the participants page, erasure and a deletion in the back office all come here.
    """
    with transaction.atomic():
        event = _lock_event(registration.event)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == RegistrationStatus.CANCELLED:
            return []
        audited_update(
            current,
            actor=actor,
            action="registration.cancel",
            status=RegistrationStatus.CANCELLED,
            cancelled_at=timezone.now(),
        )
        current.event = event
        mails.queue(current, "cancelled")
        registration.status, registration.cancelled_at = current.status, current.cancelled_at
        return _promote(event, actor=actor)


def event_capacity_change(
    *,
    event: Event,
    capacity_online: int | None,
    capacity_onsite: int | None,
    actor: Any = None,
) -> list[Registration]:
    """Change the seat limits; more seats promote people from the waiting list at once.

    Fewer seats than are confirmed take nobody's seat away (they were promised);
    nobody is confirmed again until the confirmed count is below the new limit.
    """
    for value in (capacity_online, capacity_onsite):
        if value is not None and value < 0:
            raise RegistrationError(_("A capacity cannot be negative."))
    with transaction.atomic():
        locked = _lock_event(event)
        audited_update(
            locked,
            actor=actor,
            action="event.capacity_change",
            capacity_online=capacity_online,
            capacity_onsite=capacity_onsite,
        )
        event.capacity_online, event.capacity_onsite = capacity_online, capacity_onsite
        return _promote(locked, actor=actor)


def registration_decide(*, registration: Registration, approve: bool, actor: Any) -> Registration:
    """Approval mode: confirm (or wait-list when full) or reject a pending registration."""
    with transaction.atomic():
        event = _lock_event(registration.event)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status != RegistrationStatus.PENDING:
            raise RegistrationError(_("Only registrations awaiting approval can be decided."))
        changes: dict[str, Any] = {"status": RegistrationStatus.REJECTED}
        if approve:
            capacity = event.capacity_for(current.attendance)
            if capacity is None or _seat_count(event, current.attendance).confirmed < capacity:
                changes = {"status": RegistrationStatus.CONFIRMED, "confirmed_at": timezone.now()}
            else:
                changes = {"status": RegistrationStatus.WAITLISTED}
        audited_update(
            current,
            actor=actor,
            action="registration.approve" if approve else "registration.reject",
            **changes,
        )
        current.event = event
        mails.queue(current, "registration", repeated=False)
    return current


def registration_update(
    *,
    registration: Registration,
    interpretation_language: str,
    accessibility_needs: str,
    listed: bool,
    language: str,
    actor: Any = None,
) -> Registration:
    """What a participant may change through their personal link."""
    event = registration.event
    if interpretation_language and interpretation_language not in (
        event.interpretation_languages or []
    ):
        raise RegistrationError(
            _("This event does not offer interpretation into that language."),
            field="interpretation_language",
        )
    if language not in ("de", "en", "es", "pt"):
        raise RegistrationError(_("Unknown language."), field="language")
    audited_update(
        registration,
        actor=actor,
        action="registration.update",
        interpretation_language=interpretation_language,
        accessibility_needs=accessibility_needs.strip(),
        listed=listed,
        language=language,
    )
    return registration


def registration_correct(
    *, registration: Registration, actor: Any, fields: list[str]
) -> Registration:
    """Staff correct a registration's details in the back office; audited.

    ``fields`` names the values already put on ``registration``; only they are
    written, so a seat decided meanwhile (a cancellation, a promotion) stays.
    """
    if {"event", "attendance", "status"} & set(fields):
        raise RegistrationError(_("Seats change only by registering or cancelling."))
    audited_update(registration, actor=actor, action="registration.correct", fields=fields)
    return registration


def registration_export(*, registration: Registration) -> dict[str, Any]:
    """Everything stored about one participant, for their own download."""
    event = registration.event
    return {
        "event": {
            "slug": event.slug,
            "title": event.title,
            "starts_at": event.starts_at.isoformat(),
        },
        "name": registration.name,
        "email": registration.email,
        "organisation": registration.organisation,
        "organisation_kind": registration.organisation_kind,
        "country": str(registration.country or ""),
        "language": registration.language,
        "interpretation_language": registration.interpretation_language,
        "accessibility_needs": registration.accessibility_needs,
        "attendance": registration.attendance,
        "listed": registration.listed,
        "status": registration.status,
        "privacy_notice_version": registration.privacy_notice_version,
        "consented_at": registration.consented_at.isoformat(),
        "registered_at": registration.created_at.isoformat(),
        "attended": registration.attended,
        "minutes_attended": registration.minutes_attended,
        "checked_in_at": registration.checked_in_at.isoformat()
        if registration.checked_in_at
        else None,
    }


PERSONAL_FIELDS = ["name", "email", "organisation", "accessibility_needs", "user"]


def _anonymise(registration: Registration, *, actor: Any, action: str) -> None:
    registration.name = ""
    registration.email = ""
    registration.organisation = ""
    registration.accessibility_needs = ""
    registration.user = None
    registration.listed = False
    registration.anonymised_at = timezone.now()
    registration.save(update_fields=[*PERSONAL_FIELDS, "listed", "anonymised_at"])
    # The audit entry records that it happened, never the erased values.
    audit_record(actor=actor, action=action, obj=registration, after={"anonymised": True})


def registration_delete(*, registration: Registration, actor: Any = None) -> None:
    """The participant's own erasure: the seat is freed, personal data removed.

    Country, kind of organisation and attendance stay, without a name, for the statistics.
    """
    if registration.is_active:
        registration_cancel(registration=registration, actor=actor)
    with transaction.atomic():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        _anonymise(current, actor=actor, action="registration.erase")


def registrations_erase_for_user(*, user: Any, actor: Any = None) -> int:
    """Erase every registration of a person whose account is being erased.

    Seats are freed and passed on, as with the person's own erasure by link.
    """
    registrations = list(selectors.registrations_of_user(user=user))
    for registration in registrations:
        registration_delete(registration=registration, actor=actor)
    return len(registrations)


def registrations_anonymise_expired(*, now: dt.datetime | None = None) -> int:
    """Remove personal data of registrations whose event ended longer ago than the retention."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=retention_days())
    # Events are at most a few days long; filter on the start and check the end exactly.
    candidates = Registration.objects.filter(
        anonymised_at__isnull=True, event__starts_at__lt=limit
    ).select_related("event")
    count = 0
    for registration in candidates.iterator():
        if registration.event.ends_at >= limit:
            continue
        with transaction.atomic():
            _anonymise(registration, actor=None, action="registration.anonymise")
        count += 1
    return count


# ---------------------------------------------------------------- reminders


def reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Send the reminders that are due; each (registration, offset) goes out at most once.

    Someone who registers late gets only the nearest reminder, not all of them at once.
    """
    now = now or timezone.now()
    offsets = reminder_offsets()
    if not offsets:
        return 0
    horizon = now + dt.timedelta(minutes=max(offsets))
    registrations = (
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            event__status=EventStatus.PUBLISHED,
            event__starts_at__gt=now,
            event__starts_at__lte=horizon,
        )
        .select_related("event", "event__format")
        .prefetch_related("reminders")
    )
    sent = 0
    for registration in registrations:
        minutes_left = (registration.event.starts_at - now).total_seconds() / 60
        due = [o for o in offsets if minutes_left <= o]
        if not due:
            continue
        nearest = min(due)
        done = {r.minutes_before for r in registration.reminders.all()}
        if nearest in done:
            continue
        try:
            with transaction.atomic():
                # The unique constraint is the guard against a parallel run sending too.
                ReminderSent.objects.bulk_create(
                    [
                        ReminderSent(registration=registration, minutes_before=o)
                        for o in due
                        if o not in done
                    ]
                )
                mails.queue(registration, "reminder", minutes_before=nearest)
        except IntegrityError:
            continue
        sent += 1
    return sent


# ---------------------------------------------------------------- attendance


EMAIL_COLUMNS = (
    "email",
    "e-mail",
    "email address",
    "user email",
    "attendee email",
    "e-mail-adresse",
)
JOIN_COLUMNS = (
    "join time",
    "joined",
    "join_time",
    "joined at",
    "first join",
    "beitrittszeit",
    "start time",
)
LEAVE_COLUMNS = (
    "leave time",
    "left",
    "leave_time",
    "left at",
    "last leave",
    "austrittszeit",
    "end time",
)
DURATION_COLUMNS = (
    "duration (minutes)",
    "duration (mins)",
    "duration",
    "minutes",
    "time in session (minutes)",
)
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%z",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
)


@dataclass
class AttendanceReport:
    matched: int = 0
    participants: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (line, email, reason)


def _find_column(header: list[str], names: tuple[str, ...]) -> int | None:
    folded = [h.strip().lower().lstrip("\ufeff") for h in header]
    for name in names:
        if name in folded:
            return folded.index(name)
    return None


def _parse_time(value: str, zone: dt.tzinfo) -> dt.datetime | None:
    value = value.strip()
    for pattern in _TIME_FORMATS:
        try:
            parsed = dt.datetime.strptime(value, pattern)  # noqa: DTZ007 - zone added below
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    return None


def attendance_import(*, event: Event, content: str, actor: Any) -> AttendanceReport:
    """Read a video-conference attendance report (CSV) and mark who attended, for how long.

    Times without a zone are read in the event's reference zone. Several rows for
    one email (people who dropped out and rejoined) are added up.
    """
    report = AttendanceReport()
    sample = content[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(content), dialect))
    if not rows:
        raise RegistrationError(_("The file is empty."), field="file")
    header = rows[0]
    email_col = _find_column(header, EMAIL_COLUMNS)
    if email_col is None:
        raise RegistrationError(
            _("The file has no email column (looked for: %(names)s).")
            % {"names": ", ".join(EMAIL_COLUMNS)},
            field="file",
        )
    join_col = _find_column(header, JOIN_COLUMNS)
    leave_col = _find_column(header, LEAVE_COLUMNS)
    duration_col = _find_column(header, DURATION_COLUMNS)
    zone = event.reference_zone
    seen: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        email = row[email_col].strip().lower() if email_col < len(row) else ""
        if "@" not in email:
            report.problems.append((line, email, _("no valid email address")))
            continue
        joined = (
            _parse_time(row[join_col], zone)
            if join_col is not None and join_col < len(row)
            else None
        )
        left = (
            _parse_time(row[leave_col], zone)
            if leave_col is not None and leave_col < len(row)
            else None
        )
        minutes = 0
        if joined and left and left >= joined:
            minutes = int((left - joined).total_seconds() // 60)
        elif duration_col is not None and duration_col < len(row):
            try:
                minutes = int(float(row[duration_col].replace(",", ".")))
            except ValueError:
                report.problems.append((line, email, _("duration is not a number")))
                continue
        entry = seen.setdefault(email, {"joined": joined, "left": left, "minutes": 0, "line": line})
        entry["minutes"] += minutes
        if joined and (entry["joined"] is None or joined < entry["joined"]):
            entry["joined"] = joined
        if left and (entry["left"] is None or left > entry["left"]):
            entry["left"] = left
        report.matched += 1
    with transaction.atomic():
        registrations = {
            r.email: r
            for r in Registration.objects.select_for_update().filter(
                event=event, email__in=list(seen)
            )
        }
        for email, entry in seen.items():
            registration = registrations.get(email)
            if registration is None:
                report.problems.append((entry["line"], email, _("no registration with this email")))
                report.matched -= 1
                continue
            registration.attended = True
            registration.joined_at = entry["joined"]
            registration.left_at = entry["left"]
            registration.minutes_attended = entry["minutes"]
            registration.save(
                update_fields=["attended", "joined_at", "left_at", "minutes_attended"]
            )
            report.participants += 1
        audit_record(
            actor=actor,
            action="event.attendance_import",
            obj=event,
            after={"participants": report.participants, "problems": len(report.problems)},
        )
    report.matched = max(report.matched, 0)
    return report


def registration_check_in(*, registration: Registration, actor: Any) -> Registration:
    """On-site check-in at a hybrid or on-site event; a second check-in changes nothing.

    Decided on the row as it is now (locked): a registration cancelled meanwhile on
    another page is not checked in.
    """
    if not registration.event.has_onsite:
        raise RegistrationError(_("Only hybrid and on-site events have a check-in."))
    with transaction.atomic():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status != RegistrationStatus.CONFIRMED:
            raise RegistrationError(_("Only confirmed participants can be checked in."))
        registration.status = current.status
        registration.checked_in_at, registration.attended = current.checked_in_at, current.attended
        if registration.checked_in_at is None:
            registration.checked_in_at = timezone.now()
            registration.attended = True
            registration.save(update_fields=["checked_in_at", "attended"])
            audit_record(
                actor=actor,
                action="registration.check_in",
                obj=registration,
                after={"checked_in_at": registration.checked_in_at.isoformat()},
            )
    return registration


# ---------------------------------------------------------------- documentation


def _validate_upload(upload: UploadedFile) -> None:
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_UPLOADS:
        raise RegistrationError(
            _("Allowed file types: %(types)s.") % {"types": ", ".join(sorted(ALLOWED_UPLOADS))},
            field="file",
        )
    if (upload.size or 0) > settings.CITYEXCHANGE_MAX_UPLOAD_BYTES:
        raise RegistrationError(
            _("The file is larger than %(mb)s MB.")
            % {"mb": settings.CITYEXCHANGE_MAX_UPLOAD_BYTES // (1024 * 1024)},
            field="file",
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in _SIGNATURES[suffix]):
        raise RegistrationError(
            _("The file's content does not match its type %(type)s.") % {"type": suffix},
            field="file",
        )


MAX_MATERIAL_MINUTES = 24 * 60


def material_add(
    *,
    event: Event,
    kind: str,
    title: str,
    actor: Any,
    upload: UploadedFile | None = None,
    url: str = "",
    summary: str = "",
    published: bool = False,
    duration_minutes: int | None = None,
    captions_language: str = "",
) -> Material:
    """Add one piece of an edition's documentation (unpublished until staff publish)."""
    if kind not in MaterialKind.values:
        raise RegistrationError(_("Unknown kind of material."), field="kind")
    if duration_minutes is not None and not 1 <= duration_minutes <= MAX_MATERIAL_MINUTES:
        raise RegistrationError(
            _("A length between 1 and %(max)s minutes, please.") % {"max": MAX_MATERIAL_MINUTES},
            field="duration_minutes",
        )
    if captions_language and captions_language not in dict(LANGUAGE_CHOICES):
        raise RegistrationError(_("Unknown captions language."), field="captions_language")
    if kind == MaterialKind.RECORDING and upload is None and not url:
        raise RegistrationError(_("A recording needs a link or a file."), field="url")
    if not title.strip():
        raise RegistrationError(_("Please give the material a title."), field="title")
    if upload is None and not url and not summary.strip():
        raise RegistrationError(_("Add a file, a link or a text."), field="file")
    if upload is not None:
        _validate_upload(upload)
    with transaction.atomic():
        material = Material(
            event=event,
            kind=kind,
            title=title.strip(),
            url=url,
            summary=summary.strip(),
            published=published,
            duration_minutes=duration_minutes,
            captions_language=captions_language,
        )
        if upload is not None:
            material.file.save(Path(upload.name or "file").name, upload, save=False)
        material.save()
        audit_record(actor=actor, action="material.add", obj=material, after=snapshot(material))
    return material


def documentation_publish(*, event: Event, actor: Any) -> Event:
    """Publish the edition's materials, its library page, and tell those who registered.

    The library's documentation page is made or brought up to date in the same
    transaction (linked to the event both ways, in the event's language, with its
    topics; the next digest brings it to the subscribers of those topics). People
    with a confirmed seat get a mail in their language when something new is
    published: the first time, or when materials were added since.
    """
    with transaction.atomic():
        # The whole row: the library page reads titles, abstract and organiser.
        locked = Event.objects.select_for_update().get(pk=event.pk)
        newly = locked.materials.filter(published=False).update(published=True)
        first = locked.documentation_published_at is None
        audited_update(
            locked,
            actor=actor,
            action="event.documentation_publish",
            documentation_published_at=timezone.now(),
        )
        resource = _library_page(locked, actor=actor)
        if first or newly:
            recipients = Registration.objects.filter(
                event=locked, status=RegistrationStatus.CONFIRMED, anonymised_at__isnull=True
            ).exclude(email="")
            for registration in recipients:
                registration.event = locked
                mails.queue(
                    registration,
                    "documentation",
                    resource_slug=resource.slug if resource is not None else "",
                )
        caching.bump(EVENTS_CACHE)
    event.documentation_published_at = locked.documentation_published_at
    return event


def _library_page(event: Event, *, actor: Any) -> Any:
    """The library's page for the edition's documentation, when the library is installed."""
    if not apps.is_installed("cityexchange.library"):
        return None
    from cityexchange.library.services import resource_from_event_documentation

    return resource_from_event_documentation(event=event, actor=actor)


def event_data_confirm(*, event: Event, actor: Any) -> Event:
    """Staff confirm a shipped value that was flagged as doubtful."""
    with transaction.atomic():
        event.data_quality_confirmed_at = timezone.now()
        event.save(update_fields=["data_quality_confirmed_at", "updated_at"])
        audit_record(
            actor=actor,
            action="event.data_confirm",
            obj=event,
            after={"note": event.data_quality_note},
        )
    return event


def event_message_participants(*, event: Event, subject: str, body: str, actor: Any) -> int:
    """Write to every confirmed and waiting participant; each gets the mail in their language."""
    if not subject.strip() or not body.strip():
        raise RegistrationError(_("Subject and text are both required."))
    recipients = list(
        Registration.objects.filter(
            event=event,
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
            anonymised_at__isnull=True,
        ).select_related("event")
    )
    with transaction.atomic():
        for registration in recipients:
            mails.queue(registration, "announcement", subject=subject.strip(), text=body.strip())
        audit_record(
            actor=actor,
            action="event.message_participants",
            obj=event,
            after={"subject": subject.strip(), "recipients": len(recipients)},
        )
    return len(recipients)
