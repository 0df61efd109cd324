"""Core data: users, organisations, people, the topic thesaurus, API tokens and the audit log.

Models stay slim: fields, constraints and small properties. Every write goes
through ``core.services``; every non-trivial read through ``core.selectors``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

LANGUAGE_CHOICES = [
    ("de", _("German")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Logs in by email; roles are groups (see ``core.roles``)."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=2, choices=LANGUAGE_CHOICES, default="en"
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Berlin")
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can sign in to the back office."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=django_timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    # Never written to the audit log (core.services.audit_record).
    personal_fields = ("email", "full_name", "password", "last_login")

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    REGION = "region", _("Region")
    MINISTRY = "ministry", _("Ministry or agency")
    NETWORK = "network", _("Network or programme")
    RESEARCH = "research", _("University or research centre")
    INTERNATIONAL = "international", _("International organisation")
    ASSOCIATION = "association", _("Association")
    COMPANY = "company", _("Company")


class ExperienceLevel(models.TextChoices):
    NEWCOMER = "newcomer", _("Newcomer")
    INTERMEDIATE = "intermediate", _("Intermediate")
    EXPERIENCED = "experienced", _("Experienced")


class Organisation(models.Model):
    slug = models.SlugField(_("short address"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=250)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    description = models.TextField(_("description"), blank=True)
    country = CountryField(_("country"), blank=True)
    population = models.PositiveIntegerField(
        _("population"), null=True, blank=True, help_text=_("Municipalities and regions only.")
    )
    experience = models.CharField(
        _("smart-city experience"),
        max_length=20,
        choices=ExperienceLevel.choices,
        blank=True,
    )
    website = models.URLField(_("website"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
    )
    member_countries = models.JSONField(
        _("member countries"),
        default=list,
        blank=True,
        help_text=_("ISO country codes of a network's member countries."),
    )
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "country"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(population__isnull=True) | models.Q(population__gt=0),
                name="organisation_population_positive",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.short_name})" if self.short_name else self.name


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    ADMIN = "admin", _("Administrator")


class Membership(models.Model):
    """A user's place in an organisation: what lets a town's team share its work."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"


class Person(models.Model):
    """Someone who speaks, organises or contributes; not necessarily a user."""

    name = models.CharField(_("name"), max_length=200)
    job_title = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    country = CountryField(_("country"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    public_profile = models.BooleanField(
        _("consents to a public profile"),
        default=False,
        help_text=_("Only people who agreed are shown by name on public pages."),
    )
    is_demo = models.BooleanField(_("demo content"), default=False)

    # Never written to the audit log (core.services.audit_record).
    personal_fields = ("name", "job_title")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Concept(models.Model):
    """A topic of the multilingual smart-city thesaurus."""

    key = models.SlugField(_("identifier"), max_length=80, unique=True)
    label = models.CharField(_("preferred label"), max_length=120)
    scope = models.CharField(_("scope note"), max_length=300, blank=True)
    broader = models.ForeignKey(
        "self",
        verbose_name=_("broader concept"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="narrower",
    )

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.label


class ConceptLabel(models.Model):
    """One way of naming a concept in one language: the preferred label or a synonym."""

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="labels")
    language = models.CharField(max_length=2, choices=LANGUAGE_CHOICES)
    text = models.CharField(max_length=160)
    preferred = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("topic label")
        verbose_name_plural = _("topic labels")
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "language", "text"], name="concept_label_unique"
            )
        ]
        indexes = [models.Index(fields=["language", "text"])]

    def __str__(self) -> str:
        return f"{self.text} [{self.language}]"


class ApiToken(models.Model):
    """A bearer token for API writes. Only its SHA-256 hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, help_text=_("Shown to recognise it."))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # A secret, like personal data never written to the audit log.
    personal_fields = ("key_hash",)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after. Written by services only."""

    created_at = models.DateTimeField(_("time"), default=django_timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=250)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"


class ScheduledRun(models.Model):
    """One period of one piece of periodic work, claimed by the scheduler that runs it.

    The unique constraint is what makes periodic work run once per period however many
    schedulers are running (two workers with their schedulers, the app server's in the
    embedded default, a spare during a deployment): the first insert wins, the others
    see the conflict and leave that period alone. Internal bookkeeping, not personal data.
    """

    task = models.CharField(max_length=200)
    period = models.DateTimeField(help_text="The start of the period this run belongs to.")
    claimed_at = models.DateTimeField(default=django_timezone.now)
    claimed_by = models.CharField(max_length=200, help_text="host:process of the scheduler.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "period"], name="scheduled_run_once")
        ]
        ordering = ["-period", "task"]

    def __str__(self) -> str:
        return f"{self.task} @ {self.period:%Y-%m-%d %H:%M} UTC"
