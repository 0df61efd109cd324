"""The directory's data: offers, municipality profiles, saved Finder results, search gaps.

Slim models: fields, constraints and small properties. Writes live in
``services.py``, reads in ``selectors.py``, the ranking in ``finder.py``.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from cityexchange.directory.enums import (
    Budget,
    Cost,
    Effort,
    Eligibility,
    Format,
    Level,
    OfferKind,
    OfferStatus,
    Region,
    SearchOutcome,
    StaffTime,
)

# An offer whose facts were last checked longer ago than this is flagged to staff.
STALE_AFTER = dt.timedelta(days=365)


class Offer(models.Model):
    """One international offer for municipalities: a network, format, training, call..."""

    slug = models.SlugField(_("short address"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OfferKind.choices)
    name = models.CharField(_("name"), max_length=250)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    organisers = models.ManyToManyField(
        "core.Organisation", verbose_name=_("organisers"), related_name="offers", blank=True
    )
    audience_levels = models.JSONField(_("experience levels it suits"), default=list, blank=True)
    audience_roles = models.JSONField(_("roles it addresses"), default=list, blank=True)
    eligibility = models.CharField(
        _("who may take part"), max_length=30, choices=Eligibility.choices, default="open"
    )
    eligible_countries = models.JSONField(
        _("eligible countries"),
        default=list,
        blank=True,
        help_text=_("ISO country codes, when only some countries may take part."),
    )
    region = models.CharField(
        _("geography"), max_length=20, choices=Region.choices, default=Region.GLOBAL
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    interpretation_languages = models.JSONField(
        _("interpretation on demand"), default=list, blank=True
    )
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    cost = models.CharField(_("cost"), max_length=10, choices=Cost.choices, default=Cost.FREE)
    effort = models.CharField(_("effort"), max_length=10, choices=Effort.choices)
    time_commitment = models.CharField(_("time commitment"), max_length=250, blank=True)
    duration_minutes = models.PositiveIntegerField(_("minutes per session"), null=True, blank=True)
    recurrence = models.CharField(_("recurrence"), max_length=250, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    goals = models.JSONField(_("goals it serves"), default=list, blank=True)
    topics = models.ManyToManyField(
        "core.Concept", verbose_name=_("topics"), related_name="offers", blank=True
    )
    url = models.URLField(_("web address"), max_length=500, blank=True)
    contact = models.CharField(_("contact"), max_length=250, blank=True)
    events_format = models.SlugField(
        _("event format"),
        max_length=80,
        blank=True,
        help_text=_("The events app's format this offer is, if any."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.ACTIVE
    )
    reviewed_on = models.DateField(_("facts last checked on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "kind"]),
            # The Finder checks the newest change on every search (finder._fingerprint).
            models.Index(fields=["updated_at"], name="directory_offer_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="offer_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:offer_detail", kwargs={"slug": self.slug})

    @property
    def is_stale(self) -> bool:
        """True when nobody has checked the facts for a year: staff should review it."""
        if self.reviewed_on is None:
            return True
        return timezone.localdate() - self.reviewed_on > STALE_AFTER


class MunicipalityProfile(models.Model):
    """What a municipality tells the Finder about itself; seen only by its team and staff."""

    organisation = models.OneToOneField(
        "core.Organisation",
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="finder_profile",
    )
    country = CountryField(_("country"), blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    experience = models.CharField(
        _("smart-city experience"), max_length=20, choices=Level.choices, blank=True
    )
    challenges = models.TextField(
        _("challenges and needs"),
        blank=True,
        help_text=_("In your own words: what do you want to solve or learn?"),
    )
    topics = models.ManyToManyField(
        "core.Concept", verbose_name=_("topics"), related_name="+", blank=True
    )
    goals = models.JSONField(_("goals"), default=list, blank=True)
    staff_time = models.CharField(
        _("staff time"), max_length=10, choices=StaffTime.choices, blank=True
    )
    budget = models.CharField(_("budget"), max_length=10, choices=Budget.choices, blank=True)
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    memberships = models.ManyToManyField(
        Offer, verbose_name=_("current memberships"), related_name="+", blank=True
    )
    listed_as_peer = models.BooleanField(
        _("show us as a peer"),
        default=True,
        help_text=_(
            "Other towns with similar topics see your municipality's name, country and the "
            "shared topics, nothing else."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("municipality profile")
        verbose_name_plural = _("municipality profiles")

    def __str__(self) -> str:
        return str(self.organisation)


def _result_token() -> str:
    return secrets.token_urlsafe(16)


class SavedResult(models.Model):
    """A Finder result list kept under an unguessable token, to share by link."""

    token = models.CharField(max_length=32, unique=True, default=_result_token, editable=False)
    # The structured request (country, experience, goals, topics...) and the
    # ranked slugs with scores and reason codes; reasons are worded at display
    # time, in the reader's language.
    request = models.JSONField(default=dict)
    items = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved Finder result")
        verbose_name_plural = _("saved Finder results")

    def __str__(self) -> str:
        return f"{self.token[:6]}… ({self.created_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("directory:finder_result", kwargs={"token": self.token})


class SearchGap(models.Model):
    """How often, per month, searches on some topics found nothing or little.

    Aggregated counts only: the concept keys recognised in the text, the
    outcome, the country and a coarse length band of the description. Never
    the text itself, nor a hash of it (short texts are easy to guess from a hash).
    """

    month = models.DateField(_("month"))
    concepts = models.CharField(_("recognised topics"), max_length=400, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=SearchOutcome.choices)
    country = models.CharField(_("country"), max_length=2, blank=True)
    length_band = models.CharField(_("description length"), max_length=10)
    count = models.PositiveIntegerField(_("searches"), default=0)
    last_seen = models.DateField(_("last seen"))

    class Meta:
        verbose_name = _("search gap")
        verbose_name_plural = _("search gaps")
        ordering = ["-month", "-count"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "concepts", "outcome", "country", "length_band"],
                name="search_gap_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.concepts or '—'} ({self.outcome}): {self.count}"
