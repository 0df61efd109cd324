"""The challenge programme's data: rounds with their stages, sizes and rules, the
challenges cities hand in, interest from other cities, solution ideas, pilot
proposals with their consortium, the committee's evaluation and the pilots.

Models stay slim: every write goes through ``challenges.services``, every
non-trivial read through ``challenges.selectors``.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cityexchange.core.models import Concept, Organisation

MAX_AMOUNT = Decimal("999999999999.99")


class StageKind(models.TextChoices):
    """The stages a round can have, in their usual order."""

    INFORMATION = "information", _("Information event")
    CHALLENGES = "challenges", _("Call for challenges")
    INTEREST = "interest", _("Expression of interest")
    IDEAS = "ideas", _("Call for solution ideas")
    SELECTION = "selection", _("Selection of solutions")
    PILOT_PROPOSALS = "pilot_proposals", _("Pilot proposals")
    FULL_PROPOSALS = "full_proposals", _("Full proposals")
    EVALUATION = "evaluation", _("Evaluation")
    DECISION = "decision", _("Funding decision")
    PILOTS = "pilots", _("Pilots running")


class RuleKind(models.TextChoices):
    MIN_CITIES = "min_cities", _("Minimum number of cities")
    MIN_CITIES_FROM = "min_cities_from", _("Minimum number of cities from a country")
    MIN_CITIES_OUTSIDE = "min_cities_outside", _("Minimum number of cities from other countries")
    MIN_RESEARCH = "min_research", _("Minimum number of research or development organisations")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not the name of a time zone such as Europe/Tallinn."),
            params={"value": value},
        )


class Round(models.Model):
    """One round of a challenge programme, run by an organisation of the directory."""

    slug = models.SlugField(_("short address"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    organiser = models.ForeignKey(
        Organisation,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="challenge_rounds",
    )
    budget = models.DecimalField(
        _("budget"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MAX_AMOUNT)],
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    time_zone = models.CharField(
        _("organiser's time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_(
            "The zone in which the stages' days were announced, such as Europe/Tallinn. "
            "The timeline shows those days; everyone sees closing times in their own zone."
        ),
    )
    languages = models.JSONField(
        _("languages accepted"), default=list, blank=True, help_text=_("Codes such as en, de.")
    )
    topics = models.ManyToManyField(
        Concept, verbose_name=_("topic focus"), blank=True, related_name="challenge_rounds"
    )
    max_challenges_per_city = models.PositiveSmallIntegerField(
        _("challenges per city at most"), null=True, blank=True
    )
    max_interests_per_city = models.PositiveSmallIntegerField(
        _("expressions of interest per city at most"), null=True, blank=True
    )
    disagreement_margin = models.DecimalField(
        _("disagreement margin"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Flag a proposal when evaluators' totals differ by more than this."),
    )
    source_url = models.URLField(_("source"), blank=True)
    offer = models.ForeignKey(
        "directory.Offer",
        verbose_name=_("directory offer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="challenge_rounds",
        help_text=_("The round's entry in the directory of offers; it links to the round page."),
    )
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-created_at", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


class Stage(models.Model):
    """A stage of a round; it is open from ``opens_at`` until ``closes_at`` by itself."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(_("stage"), max_length=20, choices=StageKind.choices)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="challenge_stages",
    )

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["opens_at", "closes_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "kind"], name="challenge_stage_unique"),
            models.CheckConstraint(
                condition=models.Q(closes_at__gte=models.F("opens_at")),
                name="challenge_stage_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.get_kind_display()}"

    def is_open(self, now: dt.datetime | None = None) -> bool:
        moment = now or timezone.now()
        return bool(self.opens_at <= moment < self.closes_at)


class PilotSize(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="sizes")
    key = models.SlugField(_("identifier"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    duration_months = models.PositiveSmallIntegerField(
        _("duration in months"), validators=[MaxValueValidator(240)]
    )
    amount = models.DecimalField(
        _("amount per pilot"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MAX_AMOUNT)],
    )
    count = models.PositiveSmallIntegerField(_("number of pilots"))

    class Meta:
        verbose_name = _("pilot size")
        verbose_name_plural = _("pilot sizes")
        ordering = ["-amount", "key"]
        constraints = [
            models.UniqueConstraint(fields=["round", "key"], name="challenge_size_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ConsortiumRule(models.Model):
    """One rule a consortium must meet before its proposal can be submitted."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("rule"), max_length=20, choices=RuleKind.choices)
    count = models.PositiveSmallIntegerField(_("at least"), default=1)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("For rules about a country.")
    )

    class Meta:
        verbose_name = _("consortium rule")
        verbose_name_plural = _("consortium rules")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ≥ {self.count} {self.country}".strip()


class Criterion(models.Model):
    """An evaluation criterion of the round, scored from 0 to ``max_score``."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(_("identifier"), max_length=40)
    name = models.CharField(_("name"), max_length=150)
    max_score = models.PositiveSmallIntegerField(
        _("highest score"), default=5, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["round", "key"], name="challenge_criterion_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ChallengeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVISION = "revision", _("Revision requested")
    PUBLISHED = "published", _("Published")


# Statuses that count against a city's limit of challenges in a round.
COUNTED_STATUSES = (ChallengeStatus.SUBMITTED, ChallengeStatus.REVISION, ChallengeStatus.PUBLISHED)


class Challenge(models.Model):
    """A problem a city hands in: the structured form that replaces the Word file."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="challenges")
    city = models.ForeignKey(
        Organisation,
        verbose_name=_("city"),
        on_delete=models.PROTECT,
        related_name="challenges",
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"), max_length=6000)
    affected = models.TextField(_("who is affected"), max_length=3000, blank=True)
    current_situation = models.TextField(_("current situation"), max_length=4000, blank=True)
    data_available = models.TextField(
        _("data and infrastructure available"), max_length=4000, blank=True
    )
    tried = models.TextField(_("what has been tried"), max_length=4000, blank=True)
    desired_outcome = models.TextField(_("desired outcome"), max_length=4000, blank=True)
    constraints = models.TextField(_("constraints"), max_length=4000, blank=True)
    topics = models.ManyToManyField(
        Concept, verbose_name=_("topics"), blank=True, related_name="challenges"
    )
    population = models.PositiveIntegerField(
        _("city size (inhabitants)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100_000_000)],
    )
    language = models.CharField(_("language"), max_length=2, default="en")
    status = models.CharField(
        _("status"), max_length=12, choices=ChallengeStatus.choices, default=ChallengeStatus.DRAFT
    )
    revision_note = models.TextField(_("what to revise"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["-submitted_at", "-created_at", "pk"]
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in (ChallengeStatus.DRAFT, ChallengeStatus.REVISION)


def attachment_upload_to(instance: ChallengeAttachment, filename: str) -> str:
    return f"challenges/{instance.challenge_id}/{uuid.uuid4().hex}/{filename}"


class ChallengeAttachment(models.Model):
    """A PDF that comes with a challenge; served only through a view that checks permission."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=400)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Interest(models.Model):
    """Another city says it would work on this challenge too."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="interests")
    city = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="challenge_interests"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("expression of interest")
        verbose_name_plural = _("expressions of interest")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "city"], name="challenge_interest_unique")
        ]

    def __str__(self) -> str:
        return f"{self.city} → {self.challenge}"


class IdeaStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SolutionIdea(models.Model):
    """A team's science-based answer to one or more challenges of the round."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="ideas")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="solution_ideas"
    )
    challenges = models.ManyToManyField(Challenge, related_name="ideas", blank=True)
    title = models.CharField(_("title"), max_length=200)
    approach = models.TextField(_("approach"), max_length=6000)
    novelty = models.TextField(_("what is new"), max_length=4000, blank=True)
    team = models.TextField(_("team"), max_length=4000, blank=True)
    expected_results = models.TextField(_("expected results"), max_length=4000, blank=True)
    scalability = models.TextField(_("scalability"), max_length=4000, blank=True)
    summary = models.TextField(
        _("public summary"),
        max_length=1500,
        blank=True,
        help_text=_("Shown to everyone once the idea has been selected."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=IdeaStatus.choices, default=IdeaStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("solution idea")
        verbose_name_plural = _("solution ideas")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    FUNDED = "funded", _("Funded")
    NOT_FUNDED = "not_funded", _("Not funded")


class PilotProposal(models.Model):
    """A consortium's proposal to turn one idea into a pilot of one size."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="proposals")
    idea = models.ForeignKey(
        SolutionIdea, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    size = models.ForeignKey(
        PilotSize,
        verbose_name=_("pilot size"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    lead = models.ForeignKey(
        Organisation,
        verbose_name=_("lead organisation"),
        on_delete=models.PROTECT,
        related_name="led_proposals",
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=6000, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    consensus_score = models.DecimalField(
        _("consensus score"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    consensus_comment = models.TextField(_("consensus comment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pilot proposal")
        verbose_name_plural = _("pilot proposals")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("Lead organisation")
    RESEARCH = "research", _("Research or development partner")
    CITY = "city", _("City")
    PARTNER = "partner", _("Other partner")


class InvitationStatus(models.TextChoices):
    INVITED = "invited", pgettext_lazy("invitation", "Invited")
    ACCEPTED = "accepted", pgettext_lazy("invitation", "Accepted")
    DECLINED = "declined", pgettext_lazy("invitation", "Declined")


class ConsortiumMember(models.Model):
    proposal = models.ForeignKey(PilotProposal, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="consortium_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=PartnerRole.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.INVITED,
    )
    budget = models.DecimalField(
        _("budget share"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MAX_AMOUNT)],
    )
    commitment = models.TextField(_("letter of commitment"), max_length=3000, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consortium member")
        verbose_name_plural = _("consortium members")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "organisation"], name="challenge_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class Evaluator(models.Model):
    """A member of a round's evaluation committee, appointed by staff."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="evaluators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenge_evaluations"
    )
    appointed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluator")
        verbose_name_plural = _("evaluation committee")
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="challenge_evaluator_unique")
        ]

    def __str__(self) -> str:
        return str(self.user)


class Conflict(models.Model):
    """An evaluator's declared conflict of interest: they neither see nor score the proposal."""

    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="conflicts")
    proposal = models.ForeignKey(PilotProposal, on_delete=models.CASCADE, related_name="conflicts")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluator", "proposal"], name="challenge_conflict_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} ⟂ {self.proposal}"


class Score(models.Model):
    """One evaluator's score of one criterion of one proposal (never public)."""

    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="scores")
    proposal = models.ForeignKey(PilotProposal, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(100)])
    comment = models.TextField(_("comment"), max_length=4000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluator", "proposal", "criterion"], name="challenge_score_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class PilotStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class Pilot(models.Model):
    """A funded proposal carried out: its plan, milestones, reports and outcomes.

    The outcomes (results, lessons, figures) are entered by the consortium; once
    published they become a page of the library, linked both ways.
    """

    proposal = models.OneToOneField(PilotProposal, on_delete=models.PROTECT, related_name="pilot")
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    report_every_months = models.PositiveSmallIntegerField(
        _("a report every (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PilotStatus.choices, default=PilotStatus.RUNNING
    )
    outcomes = models.TextField(_("results"), blank=True)
    lessons = models.TextField(_("lessons learnt"), max_length=8000, blank=True)
    languages = models.JSONField(_("languages of the results"), default=list, blank=True)
    resource = models.ForeignKey(
        "library.Resource",
        verbose_name=_("library page"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="challenge_pilots",
    )
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="challenge_pilot_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def report_due_dates(self) -> list[dt.date]:
        """The days a periodic report is due: every ``report_every_months`` from the start
        until the end (or 10 years when no end is set)."""
        if not self.starts_on or not self.report_every_months:
            return []
        end = self.ends_on or add_months(self.starts_on, 120)
        dates = []
        k = 1
        while True:
            due = add_months(self.starts_on, k * self.report_every_months)
            if due > end:
                break
            dates.append(due)
            k += 1
        if self.ends_on and (not dates or dates[-1] < self.ends_on):
            dates.append(self.ends_on)
        return dates


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, on the last day of a shorter month."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Reached")
    DROPPED = "dropped", _("Dropped")


class Milestone(models.Model):
    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MilestoneStatus.choices,
        default=MilestoneStatus.PLANNED,
    )
    reached_on = models.DateField(_("reached on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == MilestoneStatus.PLANNED and self.due_on < today


def report_upload_to(instance: PilotReport, filename: str) -> str:
    return f"challenges/pilots/{instance.pilot_id}/{uuid.uuid4().hex}/{filename}"


class PilotReport(models.Model):
    """A periodic report of the consortium; seen by the consortium and staff only."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="reports")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("report"), max_length=20000)
    file = models.FileField(_("PDF"), upload_to=report_upload_to, max_length=400, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("handed in"), default=timezone.now)

    class Meta:
        verbose_name = _("pilot report")
        verbose_name_plural = _("pilot reports")
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return self.title


class PilotFigure(models.Model):
    """A figure of the pilot's results, as the consortium measured it."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="figures")
    label = models.CharField(_("what was measured"), max_length=200)
    value = models.DecimalField(
        _("value"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(-MAX_AMOUNT), MaxValueValidator(MAX_AMOUNT)],
    )
    unit = models.CharField(_("unit"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.label}: {self.value} {self.unit}".strip()


class ReminderSent(models.Model):
    """A deadline reminder already sent for a draft, so a reminder run twice sends once."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="+")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "challenge", "days_before"], name="challenge_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.challenge} −{self.days_before}d"


class ReminderLog(models.Model):
    """A reminder already sent (proposal drafts, evaluation, pilot reports), by a key that
    names what it was for, so a reminder run twice sends once."""

    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self) -> str:
        return self.key
