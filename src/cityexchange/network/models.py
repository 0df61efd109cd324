"""The network's own operations: members, partnerships, bodies and meetings, budget.

Models stay slim: every write goes through ``network.services``, every read that
is more than a ``get`` through ``network.selectors``. Money is Decimal with a
currency, never a float.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

MAX_DIGITS = 14  # up to 999,999,999,999.99: far beyond any programme budget


class Currency(models.TextChoices):
    EUR = "EUR", _("euro")


class MemberRole(models.TextChoices):
    CORE_COUNTRY = "core_country", _("Core member country")
    HOST_COUNTRY = "host_country", _("Host country")
    MEMBER_CITY = "member_city", _("Member city")
    PARTNER_NETWORK = "partner_network", _("Partner network")
    MINISTRY = "ministry", _("Ministry")


class Membership(models.Model):
    """A member country or a member organisation of the network, with its dates and role."""

    country = CountryField(_("country"), blank=True)
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="network_memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)
    since = models.DateField(_("member since"), null=True, blank=True)
    until = models.DateField(_("member until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")
        ordering = ["role", "country", "organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(country="") & models.Q(organisation__isnull=False))
                | (~models.Q(country="") & models.Q(organisation__isnull=True)),
                name="network_membership_country_or_organisation",
            ),
            models.CheckConstraint(
                condition=models.Q(since__isnull=True)
                | models.Q(until__isnull=True)
                | models.Q(until__gte=models.F("since")),
                name="network_membership_dates_in_order",
            ),
            models.UniqueConstraint(
                fields=["country"], condition=~models.Q(country=""), name="network_member_country"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(organisation__isnull=False),
                name="network_member_organisation",
            ),
        ]

    def __str__(self) -> str:
        return (
            str(self.organisation)
            if self.organisation_id
            else str(getattr(self.country, "name", self.country))
        )


class PartnershipKind(models.TextChoices):
    CITY_TANDEM = "city_tandem", _("City–city tandem")
    BILATERAL = "bilateral", _("Ministry–ministry bilateral exchange")
    NETWORK_EXCHANGE = "network_exchange", _("Network–network exchange")
    CITY_NETWORK = "city_network", _("City–network")


class PartnershipStatus(models.TextChoices):
    """The pipeline, in order: a partnership moves forward or ends."""

    CONTACT = "contact", _("Contact")
    INITIATION = "initiation", _("Initiation")
    AGREED = "agreed", _("Agreed")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


STATUS_ORDER = [s.value for s in PartnershipStatus]


class Partnership(models.Model):
    """A partnership between two or more organisations (or a counterpart known by country)."""

    slug = models.SlugField(_("short address"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=250)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnershipKind.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=PartnershipStatus.choices,
        default=PartnershipStatus.CONTACT,
    )
    organisations = models.ManyToManyField(
        "core.Organisation", verbose_name=_("organisations"), related_name="network_partnerships"
    )
    counterpart_countries = models.JSONField(
        _("counterpart countries"),
        default=list,
        blank=True,
        help_text=_("ISO codes of counterparts whose organisation is not yet named."),
    )
    topics = models.ManyToManyField(
        "core.Concept", verbose_name=_("topics"), blank=True, related_name="network_partnerships"
    )
    funding_options = models.ManyToManyField(
        "directory.Offer",
        verbose_name=_("funding options considered"),
        blank=True,
        limit_choices_to={"kind": "funding"},
        related_name="network_partnerships",
    )
    notes = models.TextField(_("internal notes"), blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    public_description = models.TextField(_("public description"), blank=True, max_length=600)
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def counterpart_country_names(self) -> list[str]:
        from django_countries import countries

        return [str(countries.name(code)) or code for code in self.counterpart_countries]


class StatusChange(models.Model):
    """One step of a partnership through the pipeline; the date may be unknown for old ones."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(_("status"), max_length=12, choices=PartnershipStatus.choices)
    on = models.DateField(_("date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["partnership", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.partnership} → {self.get_status_display()}"


class ActivityKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    EVENT = "event", _("Event together")


class Activity(models.Model):
    """A logged contact within a partnership: meeting, call, visit, event together."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ActivityKind.choices)
    on = models.DateField(_("date"))
    participants = models.TextField(_("participants"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    personal_fields = ("participants",)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class NextStep(models.Model):
    """What happens next, who does it and by when; mailed to the owner when it falls due."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="next_steps"
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="next_steps"
    )
    description = models.CharField(_("next step"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="network_next_steps",
    )
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    # The due date the reminder was sent for: a re-planned step is reminded again.
    reminded_for = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("next step")
        verbose_name_plural = _("next steps")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["done_at", "due_on"])]

    def __str__(self) -> str:
        return self.description


class Body(models.Model):
    """A body that meets, for example the steering group."""

    slug = models.SlugField(_("short address"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    cadence = models.CharField(_("rhythm"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    held_on = models.DateField(_("date"))
    network_on_agenda = models.BooleanField(
        _("network on the agenda"), null=True, blank=True, help_text=_("Empty: not known.")
    )
    decisions = models.TextField(_("decisions"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["body", "held_on"]
        constraints = [
            models.UniqueConstraint(fields=["body", "held_on"], name="network_meeting_once_a_day"),
            models.UniqueConstraint(
                fields=["body", "number"],
                condition=models.Q(number__isnull=False),
                name="network_meeting_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.held_on.isoformat()}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("agenda item"), max_length=300)
    concerns_network = models.BooleanField(_("concerns the network"), default=False)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "id"]

    def __str__(self) -> str:
        return self.title


class ActionItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    description = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="network_action_items",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description


class BudgetLine(models.Model):
    """A line of the budget (chapter and title), e.g. dialogue and networking on smart cities."""

    chapter = models.CharField(_("chapter"), max_length=20)
    title_code = models.CharField(_("title"), max_length=20)
    name = models.CharField(_("name"), max_length=250)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["chapter", "title_code"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "title_code"], name="network_budget_line")
        ]

    def __str__(self) -> str:
        return f"{self.chapter} / {self.title_code} {self.name}"

    @property
    def code(self) -> str:
        return f"{self.chapter} / {self.title_code}"


def _positive(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(amount__gt=0), name=f"{prefix}_positive")


class Allocation(models.Model):
    """What a line holds for a year: the line as a whole (no programme) or one programme."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="allocations")
    year = models.PositiveSmallIntegerField(_("year"))
    programme = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    amount = models.DecimalField(_("amount"), max_digits=MAX_DIGITS, decimal_places=2)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["line", "year", "programme"]
        constraints = [
            _positive("network_allocation"),
            models.UniqueConstraint(
                fields=["line", "year", "programme"],
                condition=models.Q(programme__isnull=False),
                name="network_allocation_programme_once",
            ),
            models.UniqueConstraint(
                fields=["line", "year"],
                condition=models.Q(programme__isnull=True),
                name="network_allocation_line_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line.code} {self.year}: {self.amount} {self.currency}"


class Commitment(models.Model):
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="commitments")
    year = models.PositiveSmallIntegerField(_("year"))
    programme = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    committed_on = models.DateField(_("date"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=MAX_DIGITS, decimal_places=2)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["line", "year", "committed_on"]
        constraints = [_positive("network_commitment")]

    def __str__(self) -> str:
        return f"{self.line.code} {self.year}: {self.amount} {self.currency}"


class Payment(models.Model):
    """Money paid out of a line for a programme.

    ``paid_on`` may be empty when a source reports only a year's total (the seed's
    2023 figures): such a payment counts for its year but not for the monthly pace.
    """

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="payments")
    year = models.PositiveSmallIntegerField(_("year"))
    programme = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    paid_on = models.DateField(_("date"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=MAX_DIGITS, decimal_places=2)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["line", "year", "paid_on", "id"]
        constraints = [_positive("network_payment")]
        indexes = [models.Index(fields=["year", "line"])]

    def __str__(self) -> str:
        return f"{self.line.code} {self.year}: {self.amount} {self.currency}"


class FigureKind(models.TextChoices):
    PARTICIPANTS = "participants", _("Participants per edition")
    INTERNATIONAL_SHARE = "international_share", _("Share of international contributions")
    UTILISATION = "utilisation", _("Utilisation of the budget line")
    LINE_CHANGE = "line_change", _("Change of the budget line on the previous year")


class Qualifier(models.TextChoices):
    EXACT = "exact", _("exactly")
    RANGE = "range", _("range")
    MORE_THAN = "more_than", _("more than")


class ReportedFigure(models.Model):
    """A figure a source reports only in aggregate, kept with its source and period.

    Shown as reported, beside what the data computes, never mixed into it.
    """

    key = models.SlugField(_("key"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=FigureKind.choices)
    format = models.ForeignKey(
        "events.Format",
        verbose_name=_("format"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="network_figures",
    )
    line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("budget line"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="figures",
    )
    qualifier = models.CharField(
        _("qualifier"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT
    )
    value = models.DecimalField(_("value"), max_digits=8, decimal_places=1, null=True, blank=True)
    value_max = models.DecimalField(
        _("upper value"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    unit = models.CharField(
        _("unit"), max_length=10, choices=[("persons", _("persons")), ("percent", "%")]
    )
    countries = models.JSONField(_("countries"), default=list, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    period_note = models.CharField(_("period"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("reported figure")
        verbose_name_plural = _("reported figures")
        ordering = ["kind", "format", "key"]

    def __str__(self) -> str:
        return self.key
