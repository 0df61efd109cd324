"""The knowledge library: resources, their attachments, the search index and subscriptions.

Models stay slim; every write goes through ``library.services`` and every read
beyond ``.get()`` through ``library.selectors``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cityexchange.core.models import LANGUAGE_CHOICES


class ResourceKind(models.TextChoices):
    EVENT_DOCUMENTATION = "event_documentation", _("Event documentation")
    STUDY = "study", _("Study or report")
    GOOD_PRACTICE = "good_practice", _("Good practice")
    GUIDELINE = "guideline", _("Guideline")
    TOOL = "tool", _("Tool")
    DATASET = "dataset", _("Dataset")
    PRESENTATION = "presentation", _("Presentation")
    RECORDING = "recording", _("Recording")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members only")


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PopulationClass(models.TextChoices):
    SMALL = "small", _("Small town (under 20,000)")
    MEDIUM = "medium", _("Medium-sized town (20,000–100,000)")
    LARGE = "large", _("Large city (100,000–1 million)")
    METROPOLIS = "metropolis", _("Metropolis (over 1 million)")


class Resource(models.Model):
    """One piece of knowledge: documentation, a study, a good practice, a tool..."""

    slug = models.SlugField(_("short address"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=ResourceKind.choices)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(
        _("full text"),
        blank=True,
        help_text=_("Text of the material in its own language; used for search."),
    )
    languages = models.JSONField(
        _("languages of the material"),
        default=list,
        blank=True,
        help_text=_("Language codes (de, en, es, pt) the material itself is written in."),
    )
    authors = models.JSONField(_("authors"), default=list, blank=True)
    organisations = models.ManyToManyField(
        "core.Organisation", verbose_name=_("organisations"), blank=True, related_name="resources"
    )
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    topics = models.ManyToManyField(
        "core.Concept", verbose_name=_("topics"), blank=True, related_name="resources"
    )
    countries = models.JSONField(_("countries"), default=list, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    population_class = models.CharField(
        _("city size"), max_length=12, choices=PopulationClass.choices, blank=True
    )
    licence = models.CharField(_("licence"), max_length=120, blank=True)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    offers = models.ManyToManyField(
        "directory.Offer", verbose_name=_("related offers"), blank=True, related_name="resources"
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ResourceStatus.choices, default=ResourceStatus.DRAFT
    )
    view_count = models.PositiveIntegerField(_("views"), default=0)
    # When an edition's documentation was last published into it: the next digest
    # carries it to the subscribers of its topics again (a new resource counts by
    # its creation time).
    announced_at = models.DateTimeField(_("announced to subscribers"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-published_on", "slug"]
        indexes = [
            models.Index(fields=["status", "visibility", "-published_on"]),
            models.Index(fields=["status", "-view_count"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("library:resource", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC and self.status == ResourceStatus.PUBLISHED


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    return f"library/{instance.resource_id}/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    """A file of a resource; served only through a view that checks permission."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=250)
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=400)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    extracted_text = models.TextField(_("extracted text"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class SearchEntry(models.Model):
    """The analysed form of one published resource, as fed to the database's text index.

    Token columns hold space-separated, already folded and stemmed tokens (see
    ``library.analysis``). PostgreSQL indexes them in ``vector`` (weighted, GIN);
    SQLite in the FTS5 table ``library_fts`` of migration 0007, which reads them from
    here (external content) and is kept in step by triggers. ``tags`` holds the facet
    values (``kind:study topic:sensors``) that a search result shows.
    """

    resource = models.OneToOneField(
        Resource, primary_key=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    # The narrow columns first: on SQLite a row is read up to the last column needed.
    is_public = models.BooleanField(default=True)
    published_on = models.DateField(null=True, blank=True)
    tags = models.TextField(blank=True)
    title = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    concepts = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # PostgreSQL only (stays empty on SQLite).
    vector = SearchVectorField(null=True, blank=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        # Created on PostgreSQL only (migration 0007).
        indexes = [GinIndex(fields=["vector"], name="library_searchentry_vector")]

    def __str__(self) -> str:
        return f"search entry {self.resource_id}"


class SearchFacet(models.Model):
    """One facet value of an indexed resource, e.g. ("kind", "study") or ("topic", "sensors").

    Filters and facet counts go through the ORM over this table.
    """

    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=16)
    value = models.CharField(max_length=120)

    class Meta:
        verbose_name = _("search facet")
        verbose_name_plural = _("search facets")
        indexes = [
            models.Index(fields=["resource", "name", "value"], name="library_facet_by_resource"),
            models.Index(fields=["name", "value", "resource"], name="library_facet_by_value"),
        ]

    def __str__(self) -> str:
        return f"{self.name}:{self.value}"


class DigestFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class Subscription(models.Model):
    """A member's wish to hear about new resources and events on some topics and kinds."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_subscription"
    )
    topics = models.ManyToManyField("core.Concept", verbose_name=_("topics"), blank=True)
    kinds = models.JSONField(_("kinds"), default=list, blank=True)
    frequency = models.CharField(
        _("frequency"),
        max_length=10,
        choices=DigestFrequency.choices,
        default=DigestFrequency.WEEKLY,
    )
    language = models.CharField(
        _("language of the digest"), max_length=2, choices=LANGUAGE_CHOICES, default="en"
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_sent_at = models.DateTimeField(_("last digest sent"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.user} ({self.frequency})"


class Forwarding(models.Model):
    """Staff sent a resource to a municipality, or to one person, with a note: knowledge
    targeted by need. Exactly one of ``organisation`` and ``recipient`` is set."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="forwardings")
    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="library_forwardings",
    )
    # A person chosen by staff (an expert who may be contacted); their erasure removes it.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="library_forwardings_received",
    )
    note = models.TextField(_("note"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("forwarding")
        verbose_name_plural = _("forwardings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "organisation"], name="library_forwarding_unique"
            ),
            models.UniqueConstraint(
                fields=["resource", "recipient"], name="library_forwarding_recipient_unique"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(organisation__isnull=False, recipient__isnull=True)
                    | models.Q(organisation__isnull=True, recipient__isnull=False)
                ),
                name="library_forwarding_one_addressee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} → {self.organisation or self.recipient}"
