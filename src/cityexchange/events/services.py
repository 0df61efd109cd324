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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from cityexchange.core.services import audit_record, snapshot
from cityexchange.events import mails, seats
from cityexchange.events.models import (
    INTERPRETATION_CHOICES,
    ORGANISATION_KIND_CHOICES,
    SEAT_COUNTERS,
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
TOKEN_SALT = "cityexchange.events.registration"  # noqa: S105 - a namespace, not a secret
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
    """Bad input for a registration; ``field`` names the field when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RegistrationClosed(Exception):
    """The event does not take registrations now (closed, past, cancelled)."""


def privacy_notice_version() -> str:
    return str(getattr(settings, "CITYEXCHANGE_PRIVACY_NOTICE_VERSION", "2025-01"))


def retention_days() -> int:
    return int(getattr(settings, "CITYEXCHANGE_RETENTION_DAYS", 365))


def reminder_offsets() -> list[int]:
    """Minutes before the start at which reminders go out (24 h and 1 h by default)."""
    return sorted(getattr(settings, "CITYEXCHANGE_EVENT_REMINDERS", [24 * 60, 60]), reverse=True)


# ---------------------------------------------------------------- tokens and links


def registration_token(registration: Registration) -> str:
    """The personal link's secret: signed with SECRET_KEY, so nothing secret is stored."""
    return signing.dumps({"r": registration.pk}, salt=TOKEN_SALT, compress=True)


def registration_from_token(token: str) -> Registration | None:
    try:
        data = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        return None
    return (
        Registration.objects.select_related("event", "event__format")
        .filter(pk=data["r"], anonymised_at__isnull=True)
        .first()
    )


def manage_url(registration: Registration) -> str:
    """The personal link; the mail and the answer to a registration share one signing."""
    key = (registration.pk, registration.language)
    cached = getattr(registration, "_manage_url", None)
    if cached is not None and cached[0] == key:
        return str(cached[1])
    with translation.override(registration.language):
        path = reverse("events:manage", kwargs={"token": registration_token(registration)})
    url = f"{settings.SITE_URL}{path}"
    registration._manage_url = (key, url)  # type: ignore[attr-defined]
    return url


def event_url(event: Event, language: str) -> str:
    with translation.override(language):
        path = reverse("events:detail", kwargs={"slug": event.slug})
    return f"{settings.SITE_URL}{path}"


# ---------------------------------------------------------------- mail


def _mail(registration: Registration, template: str, **extra: Any) -> None:
    """Queue a participant mail; it is rendered after commit, outside any lock."""
    mails.queue(registration, template, **extra)


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
    if "@" not in data.email or len(data.email) > 254:
        raise RegistrationError(_("Please enter a valid email address."), field="email")
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
            )
    if data.attendance not in Attendance.values:
        raise RegistrationError(_("Choose online or on site."), field="attendance")
    if data.attendance == Attendance.ONSITE and not event.has_onsite:
        raise RegistrationError(_("This event takes place online only."), field="attendance")
    if data.attendance == Attendance.ONLINE and not event.has_online:
        raise RegistrationError(_("This event takes place on site only."), field="attendance")
    return data


def _confirmed_count(event: Event, attendance: str) -> int:
    return Registration.objects.filter(
        event=event, status=RegistrationStatus.CONFIRMED, attendance=attendance
    ).count()


def _seats_and_queue_sql(event: Event, attendance: str) -> tuple[str, tuple[Any, ...]]:
    """SQL counting confirmed and waiting registrations for one kind of attendance.

    Both counts come from the (event, status, attendance, created_at) index in
    one query. Under the event lock the second one is also a newcomer's place
    in the queue, so no count is needed after the commit. The SQL is compiled
    before the lock is taken: compiling this aggregate costs more than running
    it, and every moment under the lock is a moment all other registrations
    for the event wait.
    """
    counts = (
        Registration.objects.filter(
            event=event,
            attendance=attendance,
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
        )
        .values("event")
        .annotate(
            confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
        )
        .values_list("confirmed", "waiting")
    )
    return counts.query.sql_with_params()


def _run_count(sql: str, params: tuple[Any, ...]) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    # No row at all when nobody is confirmed or waiting yet.
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _has_seat(event: Event, attendance: str) -> bool:
    capacity = event.capacity_for(attendance)
    return capacity is None or _confirmed_count(event, attendance) < capacity


def _lock_event(event: Event) -> Event:
    # The event row alone: a join here would lock the format row too and make
    # registrations for different editions of one format wait for each other.
    return Event.objects.select_for_update().get(pk=event.pk)


# What the seat decision reads from the locked row; nothing else is fetched under the lock.
_SEAT_FIELDS = (
    "status",
    "starts_at",
    "registration_opens_at",
    "registration_closes_at",
    "requires_approval",
    "capacity_online",
    "capacity_onsite",
)


class RegistrationOutcome(NamedTuple):
    registration: Registration
    created: bool
    # Whether the personal link went out by this call (always for a new registration;
    # for a repeat only when the last one is older than RESEND_INTERVAL).
    link_sent: bool
    # A new waiting registration's place in the queue, counted under the lock.
    waitlist_position: int | None = None


def repeat_message(*, link_sent: bool) -> str:
    """What a repeated registration is told, on the page and in the API."""
    if link_sent:
        return _(
            "You were already registered with this email address; "
            "we have sent your personal link again."
        )
    return _(
        "You were already registered with this email address. Your personal link was "
        "sent less than 10 minutes ago, so we have not sent it again; please check "
        "your inbox and spam folder."
    )


def _resend_link(registration: Registration, *, now: dt.datetime) -> bool:
    """Send the personal link again unless it went out less than RESEND_INTERVAL ago.

    One conditional UPDATE decides, so two repeats at the same moment send one mail.
    """
    claimed = (
        Registration.objects.filter(pk=registration.pk)
        .filter(Q(link_sent_at__isnull=True) | Q(link_sent_at__lte=now - RESEND_INTERVAL))
        .update(link_sent_at=now)
    )
    if not claimed:
        return False
    registration.link_sent_at = now
    _mail(registration, "registration", repeated=True)
    return True


def registration_create(
    *, event: Event, data: RegistrationData, user: Any = None
) -> RegistrationOutcome:
    """Register someone: a confirmed seat while there is one, then the waiting list.

    The same email again returns the existing registration, never a second seat,
    and re-sends its link at most once per RESEND_INTERVAL. A cancelled
    registration is taken up again.

    Only the seat decision runs under the event lock: lock, count, insert, audit.
    A new email (the common case) costs no read before the lock: the insert
    itself meets the unique constraint on event and email when the person is
    already registered (or registers twice at the same moment), and only then
    is the earlier registration looked up. Mail is rendered after commit.
    """
    data = _validate(event, data)
    now = timezone.now()
    user = user if getattr(user, "is_authenticated", False) else None
    if not registration_is_open(event, now=now):
        raise RegistrationClosed(_("Registration for this event is closed."))
    try:
        if seats.available():
            return _take_place_in_one_statement(event=event, data=data, user=user, now=now)
        return _take_place(event=event, data=data, user=user, now=now, renew=None)
    except IntegrityError:
        existing = _existing_registration(event, data.email)
        if existing is None:
            raise
    if existing.status != RegistrationStatus.CANCELLED:
        return RegistrationOutcome(existing, False, _resend_link(existing, now=now))
    try:
        return _take_place(event=event, data=data, user=user, now=now, renew=existing)
    except IntegrityError:
        # Taken up again by a parallel request with the same email; answer as a repeat.
        return RegistrationOutcome(existing, False, _resend_link(existing, now=now))


def _new_registration(
    *, event: Event, data: RegistrationData, user: Any, now: dt.datetime
) -> Registration:
    return Registration(
        event=event,
        user=user,
        email=data.email,
        name=data.name,
        organisation=data.organisation.strip(),
        organisation_kind=data.organisation_kind,
        country=data.country,
        language=data.language,
        interpretation_language=data.interpretation_language,
        accessibility_needs=data.accessibility_needs.strip(),
        listed=data.listed,
        attendance=data.attendance,
        privacy_notice_version=data.privacy_notice_version,
        consented_at=now,
        link_sent_at=now,
    )


def _take_place_in_one_statement(
    *, event: Event, data: RegistrationData, user: Any, now: dt.datetime
) -> RegistrationOutcome:
    """PostgreSQL: lock, decide, count, insert and audit in one statement (see seats.py)."""
    registration = _new_registration(event=event, data=data, user=user, now=now)
    decision = seats.register(
        event=event,
        registration=registration,
        now=now,
        repr_text=f"{registration.name} – {event.title}",
    )
    if decision is None:
        raise RegistrationClosed(_("Registration for this event is closed."))
    registration.pk = decision.registration_id
    registration.status = decision.status
    registration.created_at = decision.created_at
    if decision.status == RegistrationStatus.CONFIRMED:
        registration.confirmed_at = decision.created_at
    registration._state.adding = False
    _mail(registration, "registration", repeated=False)
    position = (
        decision.waiting_before + 1 if decision.status == RegistrationStatus.WAITLISTED else None
    )
    return RegistrationOutcome(registration, True, True, position)


def _existing_registration(event: Event, email: str) -> Registration | None:
    registration = Registration.objects.filter(event=event, email=email).first()
    if registration is not None:
        registration.event = event
    return registration


def _take_place(
    *,
    event: Event,
    data: RegistrationData,
    user: Any,
    now: dt.datetime,
    renew: Registration | None,
) -> RegistrationOutcome:
    """The locked section: decide the status against the seats and store it."""
    with transaction.atomic():
        # The event row alone, and only the columns the decision needs: a join
        # here would lock the format row too and make registrations for
        # different editions of one format wait for each other.
        count_sql = _seats_and_queue_sql(event, data.attendance)
        locked = Event.objects.select_for_update().only(*_SEAT_FIELDS).get(pk=event.pk)
        if not registration_is_open(locked, now=now):
            raise RegistrationClosed(_("Registration for this event is closed."))
        position = None
        if locked.requires_approval:
            status = RegistrationStatus.PENDING
        else:
            confirmed, waiting = _run_count(*count_sql)
            capacity = locked.capacity_for(data.attendance)
            if capacity is None or confirmed < capacity:
                status = RegistrationStatus.CONFIRMED
            else:
                status = RegistrationStatus.WAITLISTED
                position = waiting + 1
        values = {
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
        if renew is not None:
            # Taken up again only if it is still cancelled now that we hold the lock.
            current = Registration.objects.select_for_update().get(pk=renew.pk)
            if current.status != RegistrationStatus.CANCELLED:
                raise IntegrityError("registration became active concurrently")
            before = snapshot(current)
            for name, value in values.items():
                setattr(current, name, value)
            # A re-registration joins the end of the waiting list, like anyone new.
            current.created_at = now
            current.save(update_fields=[*values, "created_at"])
            registration = current
            audit_record(
                actor=user,
                action="registration.renew",
                obj=registration,
                before=before,
                after=snapshot(registration),
            )
        else:
            registration = Registration.objects.create(event=event, email=data.email, **values)
            audit_record(
                actor=user,
                action="registration.create",
                obj=registration,
                after={"status": status, "attendance": data.attendance},
            )
        registration.event = event
        _store_counts(locked)
        _mail(registration, "registration", repeated=False)
    return RegistrationOutcome(registration, True, True, position)


def _promote(event: Event, *, actor: Any = None) -> list[Registration]:
    """Fill free seats from the waiting list, first come first served. Caller holds the lock."""
    promoted: list[Registration] = []
    now = timezone.now()
    for attendance in (Attendance.ONLINE, Attendance.ONSITE):
        capacity = event.capacity_for(attendance)
        waiting = Registration.objects.filter(
            event=event, status=RegistrationStatus.WAITLISTED, attendance=attendance
        ).order_by("created_at", "id")
        if capacity is None:
            candidates = list(waiting)
        else:
            free = capacity - _confirmed_count(event, attendance)
            candidates = list(waiting[: max(free, 0)])
        for registration in candidates:
            registration.status = RegistrationStatus.CONFIRMED
            registration.confirmed_at = now
            registration.save(update_fields=["status", "confirmed_at"])
            audit_record(
                actor=actor,
                action="registration.promote",
                obj=registration,
                before={"status": RegistrationStatus.WAITLISTED},
                after={"status": RegistrationStatus.CONFIRMED},
            )
            registration.event = event
            _mail(registration, "promoted")
            promoted.append(registration)
    _store_counts(event)
    return promoted


# What each seat counter on the event row counts.
_COUNTERS = {
    "seats_taken_online": Q(status=RegistrationStatus.CONFIRMED, attendance=Attendance.ONLINE),
    "seats_taken_onsite": Q(status=RegistrationStatus.CONFIRMED, attendance=Attendance.ONSITE),
    "waiting_online": Q(status=RegistrationStatus.WAITLISTED, attendance=Attendance.ONLINE),
    "waiting_onsite": Q(status=RegistrationStatus.WAITLISTED, attendance=Attendance.ONSITE),
}


def _counted(event: Event) -> dict[str, int]:
    counts = Registration.objects.filter(
        event_id=event.pk,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED],
    ).aggregate(**{name: Count("pk", filter=q) for name, q in _COUNTERS.items()})
    return {name: int(value or 0) for name, value in counts.items()}


def _store_counts(event: Event) -> dict[str, int]:
    """Set the event's seat counters from its registrations. Caller holds the event lock.

    Every change other than a new registration on PostgreSQL ends here, so the
    counters are recounted rather than adjusted wherever it is cheap to do so.
    """
    counts = _counted(event)
    Event.objects.filter(pk=event.pk).update(**counts)
    for name, value in counts.items():
        setattr(event, name, value)
    return counts


def event_seats_recount(
    *, events: Any = None
) -> list[tuple[Event, dict[str, int], dict[str, int]]]:
    """Compare every event's seat counters with its registrations and repair them.

    Returns (event, counters before, counted) for each event whose counters were wrong.
    """
    repaired = []
    for event_id in (events if events is not None else Event.objects.all()).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            locked = Event.objects.select_for_update().only("pk", *SEAT_COUNTERS).get(pk=event_id)
            before = {name: getattr(locked, name) for name in SEAT_COUNTERS}
            counted = _counted(locked)
            if counted != before:
                _store_counts(locked)
                audit_record(
                    actor=None,
                    action="event.seats_recount",
                    obj=locked,
                    before=before,
                    after=counted,
                )
                repaired.append((locked, before, counted))
    return repaired


def registration_cancel(*, registration: Registration, actor: Any = None) -> list[Registration]:
    """Cancel; the freed seat goes to the first person waiting. Returns those promoted."""
    with transaction.atomic():
        event = _lock_event(registration.event)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == RegistrationStatus.CANCELLED:
            return []
        before = snapshot(current, ["status", "cancelled_at"])
        current.status = RegistrationStatus.CANCELLED
        current.cancelled_at = timezone.now()
        current.save(update_fields=["status", "cancelled_at"])
        audit_record(
            actor=actor,
            action="registration.cancel",
            obj=current,
            before=before,
            after=snapshot(current, ["status", "cancelled_at"]),
        )
        current.event = event
        _mail(current, "cancelled")
        registration.status, registration.cancelled_at = current.status, current.cancelled_at
        return _promote(event, actor=actor)


def event_capacity_change(
    *,
    event: Event,
    capacity_online: int | None,
    capacity_onsite: int | None,
    actor: Any = None,
) -> list[Registration]:
    """Change the seat limits; more seats promote people from the waiting list at once."""
    for value in (capacity_online, capacity_onsite):
        if value is not None and value < 0:
            raise RegistrationError(_("A capacity cannot be negative."))
    with transaction.atomic():
        locked = _lock_event(event)
        before = snapshot(locked, ["capacity_online", "capacity_onsite"])
        locked.capacity_online = capacity_online
        locked.capacity_onsite = capacity_onsite
        locked.save(update_fields=["capacity_online", "capacity_onsite", "updated_at"])
        audit_record(
            actor=actor,
            action="event.capacity_change",
            obj=locked,
            before=before,
            after=snapshot(locked, ["capacity_online", "capacity_onsite"]),
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
        if not approve:
            current.status = RegistrationStatus.REJECTED
        elif _has_seat(event, current.attendance):
            current.status = RegistrationStatus.CONFIRMED
            current.confirmed_at = timezone.now()
        else:
            current.status = RegistrationStatus.WAITLISTED
        current.save(update_fields=["status", "confirmed_at"])
        _store_counts(event)
        audit_record(
            actor=actor,
            action="registration.approve" if approve else "registration.reject",
            obj=current,
            before={"status": RegistrationStatus.PENDING},
            after={"status": current.status},
        )
        current.event = event
        _mail(current, "registration", repeated=False)
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
    fields = ["interpretation_language", "accessibility_needs", "listed", "language"]
    with transaction.atomic():
        before = snapshot(registration, fields)
        registration.interpretation_language = interpretation_language
        registration.accessibility_needs = accessibility_needs.strip()
        registration.listed = listed
        registration.language = language
        registration.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="registration.update",
            obj=registration,
            before=before,
            after=snapshot(registration, fields),
        )
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
                _mail(registration, "reminder", minutes_before=nearest)
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
    """On-site check-in at a hybrid or on-site event."""
    if registration.status != RegistrationStatus.CONFIRMED:
        raise RegistrationError(_("Only confirmed participants can be checked in."))
    with transaction.atomic():
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
) -> Material:
    if kind not in MaterialKind.values:
        raise RegistrationError(_("Unknown kind of material."), field="kind")
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
        )
        if upload is not None:
            material.file.save(Path(upload.name or "file").name, upload, save=False)
        material.save()
        audit_record(actor=actor, action="material.add", obj=material, after=snapshot(material))
    return material


def documentation_publish(*, event: Event, actor: Any) -> Event:
    """Publish the edition's materials; the library links its resource to the event."""
    with transaction.atomic():
        event.materials.update(published=True)
        before = snapshot(event, ["documentation_published_at"])
        event.documentation_published_at = timezone.now()
        event.save(update_fields=["documentation_published_at", "updated_at"])
        audit_record(
            actor=actor,
            action="event.documentation_publish",
            obj=event,
            before=before,
            after=snapshot(event, ["documentation_published_at"]),
        )
    return event


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
            _mail(registration, "announcement", subject=subject.strip(), text=body.strip())
        audit_record(
            actor=actor,
            action="event.message_participants",
            obj=event,
            after={"subject": subject.strip(), "recipients": len(recipients)},
        )
    return len(recipients)
