"""Consultations: a draft document commented paragraph by paragraph until a deadline.

A consultation publishes versions of its document; each version holds sections and
numbered paragraphs. A paragraph that survives into a new version keeps the same
``key`` and takes its comments along (see ``services.version_publish``). Models stay
slim: every write goes through ``consultations.services``, reads through ``selectors``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cityexchange.core.models import LANGUAGE_CHOICES

# Longest comment, in characters: a page of text. Longer input is a form error.
COMMENT_MAX_LENGTH = 5000
QUOTE_MAX_LENGTH = 500


class Phase(models.TextChoices):
    ANNOUNCED = "announced", _("Announced")
    OPEN = "open", _("Open for comments")
    CLOSED = "closed", _("Closed")
    RESPONDED = "responded", _("Response published")


class Audience(models.TextChoices):
    SIGNED_IN = "signed_in", _("Anyone signed in")
    MEMBERS = "members", _("Members of the chosen organisations")


class Moderation(models.TextChoices):
    POST = "post", _("Published at once, moderated afterwards")
    PRE = "pre", _("Published after a moderator's approval")


class Consultation(models.Model):
    slug = models.SlugField(_("short address"), max_length=100, unique=True)
    organiser = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    title = models.CharField(_("title"), max_length=250)
    introduction = models.TextField(_("introduction"), blank=True)
    topics = models.ManyToManyField(
        "core.Concept", verbose_name=_("topics"), blank=True, related_name="consultations"
    )
    document_languages = models.JSONField(
        _("languages of the document"),
        default=list,
        blank=True,
        help_text=_("Language codes (de, en, es, pt) the document is written in."),
    )
    announced_at = models.DateTimeField(_("announced"))
    opens_at = models.DateTimeField(_("open for comments from"))
    closes_at = models.DateTimeField(_("comment deadline"))
    response_published_at = models.DateTimeField(_("response published"), null=True, blank=True)
    response_summary = models.TextField(_("summary of the response"), blank=True)
    audience = models.CharField(
        _("who may comment"), max_length=12, choices=Audience.choices, default=Audience.SIGNED_IN
    )
    member_organisations = models.ManyToManyField(
        "core.Organisation",
        verbose_name=_("organisations whose members take part"),
        blank=True,
        related_name="+",
        help_text=_(
            "Only for consultations among members: the consultation is then invisible to others."
        ),
    )
    moderation = models.CharField(
        _("moderation"), max_length=4, choices=Moderation.choices, default=Moderation.POST
    )
    names_public = models.BooleanField(_("commenters' names are public"), default=True)
    is_published = models.BooleanField(_("published"), default=False)
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opens_at", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_at__gte=models.F("announced_at"))
                & models.Q(closes_at__gt=models.F("opens_at")),
                name="consultation_phases_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultations:detail", kwargs={"slug": self.slug})

    def phase_at(self, moment: dt.datetime) -> str:
        if self.response_published_at is not None:
            return Phase.RESPONDED
        if moment < self.opens_at:
            return Phase.ANNOUNCED
        if moment < self.closes_at:
            return Phase.OPEN
        return Phase.CLOSED

    @property
    def phase(self) -> str:
        return self.phase_at(timezone.now())

    def get_phase_display(self) -> str:
        return str(Phase(self.phase).label)

    @property
    def is_open(self) -> bool:
        return self.phase == Phase.OPEN


class SourceFormat(models.TextChoices):
    MARKDOWN = "markdown", _("Markdown")
    DOCX = "docx", _("Word document (DOCX)")


class DocumentVersion(models.Model):
    """One version of the consultation's document; a draft until staff publish it."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    source_format = models.CharField(
        _("imported from"), max_length=10, choices=SourceFormat.choices
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["consultation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "number"], name="consultation_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation} v{self.number}"


class Section(models.Model):
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField()
    heading = models.CharField(_("heading"), max_length=300)
    level = models.PositiveSmallIntegerField(default=1)
    # The same key in every version where the heading survives.
    key = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="section_position_unique")
        ]

    def __str__(self) -> str:
        return self.heading


class Paragraph(models.Model):
    version = models.ForeignKey(
        DocumentVersion, on_delete=models.CASCADE, related_name="paragraphs"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="paragraphs")
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("text"))
    # The same key in every version where the paragraph survives (text kept or edited).
    key = models.CharField(max_length=40)
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="paragraph_number_unique")
        ]
        indexes = [models.Index(fields=["key"])]

    def __str__(self) -> str:
        return f"§{self.number}"


class Target(models.TextChoices):
    PARAGRAPH = "paragraph", _("Paragraph")
    SECTION = "section", _("Section")
    DOCUMENT = "document", _("Whole text")


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    PUBLISHED = "published", _("Published")
    HIDDEN = "hidden", _("Hidden by a moderator")
    WITHDRAWN = "withdrawn", _("Withdrawn by its author")


class Comment(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="comments"
    )
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="comments")
    target = models.CharField(_("on"), max_length=10, choices=Target.choices)
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    paragraph = models.ForeignKey(
        Paragraph, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    quote = models.CharField(_("quoted passage"), max_length=QUOTE_MAX_LENGTH, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    text = models.TextField(_("comment"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_comments",
    )
    # Who the author spoke for when writing: kept for the overview's filters.
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    country = models.CharField(_("country"), max_length=2, blank=True)
    organisation_kind = models.CharField(_("kind of organisation"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CommentStatus.choices, default=CommentStatus.PUBLISHED
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)

    personal_fields = ("text", "quote")

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["consultation", "status"]),
            models.Index(fields=["paragraph", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Support(models.Model):
    """One person's support of a comment; at most one per person and comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultation_supports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="support_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Flag(models.Model):
    """Someone asks moderators to look at a comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultation_flags"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    personal_fields = ("reason",)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="flag_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Tag(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTLY = "partly", _("Partly accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    DUPLICATE = "duplicate", _("Duplicate")


class Response(models.Model):
    """How staff considered one comment: a tag and a short answer."""

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="response")
    tag = models.CharField(_("consideration"), max_length=14, choices=Tag.choices)
    text = models.TextField(_("response"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.tag}"


class ReminderSent(models.Model):
    """A participant was reminded of a consultation's deadline: sent once, never twice."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "user"], name="consultation_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
