"""Exchange formats, their series and editions, registrations, attendance and documentation.

Models stay slim: every write goes through ``events.services``, every non-trivial
read through ``events.selectors``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from cityexchange.core.models import LANGUAGE_CHOICES, OrganisationKind


class Mode(models.TextChoices):
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")
    ONSITE = "onsite", _("On site")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    FINISHED = "finished", _("Finished")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Not approved")


class Attendance(models.TextChoices):
    ONLINE = "online", _("Online")
    ONSITE = "onsite", _("On site")


class SpeakerRole(models.TextChoices):
    SPEAKER = "speaker", _("Speaker")
    PANELLIST = "panellist", _("Panellist")
    MODERATOR = "moderator", _("Moderator")
    TRAINER = "trainer", _("Trainer")


class MaterialKind(models.TextChoices):
    SLIDES = "slides", _("Slides")
    RECORDING = "recording", _("Recording")
    SUMMARY = "summary", _("Summary")
    MINUTES = "minutes", _("Minutes")
    OTHER = "other", _("Other material")


INTERPRETATION_CHOICES = [("es", _("Spanish")), ("pt", _("Portuguese"))]
ORGANISATION_KIND_CHOICES = [*OrganisationKind.choices, ("other", _("Other"))]


def private_storage() -> FileSystemStorage:
    """Uploads that must pass a permission check: kept outside MEDIA_ROOT."""
    return FileSystemStorage(location=Path(settings.VAR_DIR) / "private")


class Format(models.Model):
    """An exchange format (Global Mixer, Online Advisory Programme, a training series ...)."""

    slug = models.SlugField(_("short address"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    organiser = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_formats",
    )
    default_duration_minutes = models.PositiveIntegerField(_("default duration (minutes)"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.ONLINE)
    language = models.CharField(
        _("working language"), max_length=2, choices=LANGUAGE_CHOICES, default="en"
    )
    interpretation_languages = models.JSONField(
        _("interpretation offered on demand"),
        default=list,
        blank=True,
        help_text=_("Language codes, for example es and pt."),
    )
    language_policy = models.TextField(_("language policy"), blank=True)
    cadence = models.CharField(_("rhythm"), max_length=200, blank=True)
    # What the network reported for past editions in aggregate (participation range,
    # international share) lives with its source in network.ReportedFigure.
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("format")
        verbose_name_plural = _("formats")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    """A season of one format (a Global Mixer season of about four editions)."""

    format = models.ForeignKey(
        Format, verbose_name=_("format"), on_delete=models.CASCADE, related_name="series"
    )
    slug = models.SlugField(_("short address"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["format", "slug"]

    def __str__(self) -> str:
        return self.title


class Event(models.Model):
    """One edition of a format."""

    slug = models.SlugField(_("short address"), max_length=100, unique=True)
    format = models.ForeignKey(
        Format, verbose_name=_("format"), on_delete=models.PROTECT, related_name="events"
    )
    series = models.ForeignKey(
        Series,
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    organiser = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    edition = models.PositiveIntegerField(_("edition"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    abstract = models.TextField(_("abstract"), blank=True)
    starts_at = models.DateTimeField(_("start"), db_index=True)
    time_known = models.BooleanField(
        _("start time known"),
        default=True,
        help_text=_(
            "Off for editions whose sources give only the date: pages, feeds and the API "
            "then show the day without a time."
        ),
    )
    timezone = models.CharField(
        _("reference time zone"),
        max_length=64,
        default="Europe/Berlin",
        help_text=_("The zone the organisers plan in; viewers also see their own."),
    )
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.ONLINE)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    join_url = models.URLField(
        _("online join link"),
        blank=True,
        help_text=_("Shown only to confirmed participants and in their mails."),
    )
    language = models.CharField(
        _("working language"), max_length=2, choices=LANGUAGE_CHOICES, default="en"
    )
    interpretation_languages = models.JSONField(
        _("interpretation offered on demand"), default=list, blank=True
    )
    capacity_online = models.PositiveIntegerField(
        _("online seats"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    capacity_onsite = models.PositiveIntegerField(
        _("seats on site"), null=True, blank=True, help_text=_("Hybrid and on-site events only.")
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty: at the start.")
    )
    requires_approval = models.BooleanField(
        _("registrations need approval"),
        default=False,
        help_text=_("For members-only editions: staff confirm each registration."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    topics = models.ManyToManyField(
        "core.Concept", verbose_name=_("topics"), blank=True, related_name="events"
    )
    documentation_published_at = models.DateTimeField(
        _("documentation published"), null=True, blank=True
    )
    data_quality_note = models.TextField(
        _("data-quality warning"),
        blank=True,
        help_text=_("Doubts about the shipped data that staff should confirm."),
    )
    data_quality_confirmed_at = models.DateTimeField(_("data confirmed"), null=True, blank=True)
    reported_participants = models.PositiveIntegerField(
        _("reported participants"),
        null=True,
        blank=True,
        help_text=_("For past editions without registrations in this system."),
    )
    is_demo = models.BooleanField(_("demo content"), default=False)
    # The calendar revision (iCalendar SEQUENCE): raised by events.services whenever
    # something a calendar shows changes, so calendar programs replace their copy.
    sequence = models.PositiveIntegerField(_("calendar revision"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "slug"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["format", "edition"],
                condition=models.Q(edition__isnull=False),
                name="event_format_edition_unique",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def reference_zone(self) -> dt.tzinfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return dt.UTC

    @property
    def starts_at_reference(self) -> dt.datetime:
        return self.starts_at.astimezone(self.reference_zone)

    @property
    def starts_on(self) -> dt.date:
        """The calendar day in the reference zone: for date-only editions, the whole truth."""
        return self.starts_at_reference.date()

    @property
    def has_onsite(self) -> bool:
        return self.mode in (Mode.HYBRID, Mode.ONSITE)

    @property
    def has_online(self) -> bool:
        return self.mode in (Mode.HYBRID, Mode.ONLINE)

    @property
    def capacity(self) -> int | None:
        """All seats together; None when any part is unlimited."""
        parts = []
        if self.has_online:
            parts.append(self.capacity_online)
        if self.has_onsite:
            parts.append(self.capacity_onsite)
        if any(p is None for p in parts):
            return None
        return sum(p for p in parts if p is not None)

    def capacity_for(self, attendance: str) -> int | None:
        return self.capacity_onsite if attendance == Attendance.ONSITE else self.capacity_online

    @property
    def has_data_quality_warning(self) -> bool:
        return bool(self.data_quality_note) and self.data_quality_confirmed_at is None


class Speaker(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers")
    person = models.ForeignKey(
        "core.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="talks"
    )
    role = models.CharField(
        _("role"), max_length=12, choices=SpeakerRole.choices, default=SpeakerRole.SPEAKER
    )
    country = CountryField(_("country"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="speaker_unique")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class Registration(models.Model):
    """A person's place at an event: confirmed, waiting, pending approval or cancelled."""

    # No index of its own: the seat-queue index and the one-per-email constraint both
    # begin with the event, and every index is one more write per registration.
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        related_name="registrations",
        db_index=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"))
    organisation = models.CharField(_("organisation"), max_length=250, blank=True)
    organisation_kind = models.CharField(
        _("kind of organisation"), max_length=20, choices=ORGANISATION_KIND_CHOICES, blank=True
    )
    country = CountryField(_("country"), blank=True)
    language = models.CharField(
        _("language for mails"), max_length=2, choices=LANGUAGE_CHOICES, default="en"
    )
    interpretation_language = models.CharField(
        _("interpretation needed"), max_length=2, choices=INTERPRETATION_CHOICES, blank=True
    )
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)
    attendance = models.CharField(
        _("taking part"), max_length=10, choices=Attendance.choices, default=Attendance.ONLINE
    )
    privacy_notice_version = models.CharField(_("privacy notice accepted"), max_length=20)
    consented_at = models.DateTimeField(_("consent given"))
    listed = models.BooleanField(_("may appear on the participant list"), default=False)
    # Read with the event (the seat-queue index below), never across all events alone.
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), default=False)
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    minutes_attended = models.PositiveIntegerField(_("minutes attended"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in on site"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    # When the personal link last went out: a repeated registration re-sends it
    # at most once per RESEND_INTERVAL, so the form cannot be used to flood an inbox.
    link_sent_at = models.DateTimeField(_("personal link sent"), null=True, blank=True)
    # Part of the signed personal link: raised when a cancelled registration is taken
    # up again, so the links mailed for the earlier registration stop working.
    link_version = models.PositiveIntegerField(_("personal link version"), default=0)

    # Never written to the audit log (core.services.audit_record).
    personal_fields = ("name", "email", "organisation", "accessibility_needs")

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        indexes = [
            # Serves the seat count (event, status, attendance) inside the lock and,
            # with created_at, the waiting-list order and a person's place in it.
            models.Index(
                fields=["event", "status", "attendance", "created_at"],
                name="registration_seat_queue",
            )
        ]
        constraints = [
            # Anonymised rows have an empty email and must not collide.
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~models.Q(email=""),
                name="registration_one_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name or _('anonymised')} – {self.event}"

    @property
    def is_active(self) -> bool:
        return self.status in (
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.WAITLISTED,
            RegistrationStatus.PENDING,
        )


class ReminderSent(models.Model):
    """One row per reminder delivered: the unique constraint makes a second send impossible."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="reminders"
    )
    minutes_before = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["registration", "minutes_before"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} −{self.minutes_before} min"


def material_upload_to(instance: Material, filename: str) -> str:
    return f"events/{instance.event_id}/{Path(filename).name}"


class Material(models.Model):
    """Documentation of an edition: slides, recording link, summary, minutes."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("kind"), max_length=12, choices=MaterialKind.choices)
    title = models.CharField(_("title"), max_length=250)
    summary = models.TextField(_("text"), blank=True)
    file = models.FileField(
        _("file"), upload_to=material_upload_to, storage=private_storage, blank=True
    )
    url = models.URLField(_("link"), blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("length (minutes)"), null=True, blank=True, help_text=_("For recordings.")
    )
    captions_language = models.CharField(
        _("captions"),
        max_length=2,
        choices=LANGUAGE_CHOICES,
        blank=True,
        help_text=_("The language of a recording's captions; empty: none."),
    )
    published = models.BooleanField(_("published"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "url": self.url}

    @property
    def is_media(self) -> bool:
        """A recording or slides: shown first, with their length and captions."""
        return self.kind in (MaterialKind.RECORDING, MaterialKind.SLIDES)
