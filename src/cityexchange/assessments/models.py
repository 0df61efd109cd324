"""Assessment data: the versioned maturity model and a municipality's answers and roadmap.

A maturity model version is immutable once loaded: a new file version creates
new rows, and every assessment points to the version it was answered against,
so old results keep their meaning.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityexchange.core.models import Organisation

MAX_LEVEL = 4


class MaturityModel(models.Model):
    """One version of the maturity model: dimensions, indicators, level statements, activities."""

    version = models.CharField(_("version"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    content_hash = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("maturity model")
        verbose_name_plural = _("maturity models")
        ordering = ["-loaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class ScaleLevel(models.Model):
    """The name of one of the five levels (0 not started … 4 leading) in a model version."""

    maturity_model = models.ForeignKey(
        MaturityModel, on_delete=models.CASCADE, related_name="scale_levels"
    )
    value = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_LEVEL)])
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        verbose_name = _("level name")
        verbose_name_plural = _("level names")
        ordering = ["maturity_model", "value"]
        constraints = [
            models.UniqueConstraint(fields=["maturity_model", "value"], name="scale_level_unique")
        ]

    def __str__(self) -> str:
        return f"{self.value} {self.name}"


class Dimension(models.Model):
    maturity_model = models.ForeignKey(
        MaturityModel, on_delete=models.CASCADE, related_name="dimensions"
    )
    key = models.SlugField(_("key"), max_length=80)
    position = models.PositiveSmallIntegerField(pgettext_lazy("order in a list", "position"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["maturity_model", "position"]
        constraints = [
            models.UniqueConstraint(fields=["maturity_model", "key"], name="dimension_key_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """Something a municipality can do to raise one or more indicators."""

    class Effort(models.IntegerChoices):
        LOW = 1, _("low (weeks, existing staff)")
        MEDIUM = 2, _("medium (months, some budget)")
        HIGH = 3, _("high (a year or more, dedicated budget and team)")

    class Impact(models.IntegerChoices):
        LOW = 1, _("low")
        MEDIUM = 2, _("medium")
        HIGH = 3, _("high")

    maturity_model = models.ForeignKey(
        MaturityModel, on_delete=models.CASCADE, related_name="activities"
    )
    key = models.SlugField(_("key"), max_length=80)
    position = models.PositiveSmallIntegerField(pgettext_lazy("order in a list", "position"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    effort = models.PositiveSmallIntegerField(_("effort"), choices=Effort.choices)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    offer_kinds = models.JSONField(_("offer kinds"), default=list, blank=True)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents"
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["maturity_model", "position"]
        constraints = [
            models.UniqueConstraint(fields=["maturity_model", "key"], name="activity_key_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    maturity_model = models.ForeignKey(
        MaturityModel, on_delete=models.CASCADE, related_name="indicators"
    )
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    key = models.SlugField(_("key"), max_length=80)
    position = models.PositiveSmallIntegerField(pgettext_lazy("order in a list", "position"))
    name = models.CharField(_("name"), max_length=200)
    question = models.TextField(_("question"))
    activities = models.ManyToManyField(Activity, blank=True, related_name="indicators")
    # The keys of ``activities`` as the file lists them: from basic to advanced.
    # The roadmap takes as many of them, in this order, as the gap needs.
    activity_order = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["maturity_model", "dimension__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["maturity_model", "key"], name="indicator_key_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Level(models.Model):
    """What one level of one indicator looks like, and how to reach the next."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="levels")
    value = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_LEVEL)])
    statement = models.TextField(_("statement"))
    improve = models.TextField(_("how to do better"))

    class Meta:
        verbose_name = _("level statement")
        verbose_name_plural = _("level statements")
        ordering = ["indicator", "value"]
        constraints = [models.UniqueConstraint(fields=["indicator", "value"], name="level_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.key} {self.value}"


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Assessment(models.Model):
    """A municipality's self-assessment against one model version."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    maturity_model = models.ForeignKey(
        MaturityModel,
        verbose_name=_("model version"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Effort points the municipality can spend per year; empty = default by population.
    capacity = models.PositiveSmallIntegerField(
        _("capacity (effort points per year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    # Frozen at submission: what history and peer comparison read without recomputing.
    overall_score = models.FloatField(null=True, blank=True)
    dimension_scores = models.JSONField(default=dict, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "organisation"])]

    def __str__(self) -> str:
        return f"{self.organisation} #{self.pk}"

    @property
    def is_submitted(self) -> bool:
        return self.status == AssessmentStatus.SUBMITTED


class Answer(models.Model):
    """One indicator's answer; saved row by row so team members do not overwrite each other."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(
        _("level"), null=True, blank=True, validators=[MaxValueValidator(MAX_LEVEL)]
    )
    dont_know = models.BooleanField(_("don't know"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    evidence = models.TextField(_("evidence links"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by one on every change; a save names the version it started from,
    # so a teammate's newer answer is never overwritten unseen (0 = no answer yet).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="answer_unique"),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True) | models.Q(dont_know=False),
                name="answer_level_or_dont_know",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.indicator_id}"

    @property
    def evidence_links(self) -> list[str]:
        return [line.strip() for line in self.evidence.splitlines() if line.strip()]


class DimensionTarget(models.Model):
    """The level a municipality aims for in one dimension."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="targets")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(
        _("target level"), validators=[MaxValueValidator(MAX_LEVEL)]
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "dimension"], name="target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dimension.key} → {self.level}"


class RoadmapStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class RoadmapItem(models.Model):
    """One activity of an assessment's four-year roadmap."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="roadmap")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    # 1–4; empty when the stated capacity leaves no room within four years.
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=RoadmapStatus.choices, default=RoadmapStatus.PROPOSED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The explained priority of the last planning (see planning.py): the score and
    # its reasons, e.g. [{"kind": "unlocks", "count": 6}].
    priority = models.FloatField(_("priority"), default=0)
    reasons = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("roadmap activity")
        verbose_name_plural = _("roadmap activities")
        ordering = ["assessment", "year", "position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "activity"], name="roadmap_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.activity_id} ({self.year})"

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "status": self.status, "assignee": self.assignee_id}
