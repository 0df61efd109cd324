"""Forms of the directory: they parse and check input, nothing more."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cityexchange.core.i18n import current_language
from cityexchange.core.models import LANGUAGE_CHOICES
from cityexchange.directory import selectors
from cityexchange.directory.enums import (
    Budget,
    Cost,
    Format,
    Goal,
    Level,
    OfferKind,
    Region,
    StaffTime,
)
from cityexchange.directory.finder import FinderQuery
from cityexchange.directory.models import MunicipalityProfile, Offer
from cityexchange.directory.widgets import TopicPicker, topic_choices


def _country_choices() -> list[tuple[str, str]]:
    return [("", _("— not stated —")), *[(code, name) for code, name in countries]]


def _topic_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return topic_choices(current_language())


def _set_choices(form: forms.Form, name: str, choices: Any) -> None:
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    field.choices = choices


def _optional(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("— any —")), *choices]


class FinderForm(forms.Form):
    """The Finder's questions; grouped into steps by the template."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    population = forms.IntegerField(
        label=_("Population"), required=False, min_value=1, max_value=50_000_000
    )
    experience = forms.ChoiceField(
        label=_("Smart-city experience"),
        choices=Level.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages your team works in"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("Your challenges and needs"),
        help_text=_(
            "In your own words and language, e.g. “a small town, flooding and heat, "
            "we want to learn from other cities”."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    goals = forms.MultipleChoiceField(
        label=_("What you want to achieve"),
        choices=Goal.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics (optional)"),
        required=False,
        help_text=_("Grouped by broader topic: open a group and tick what concerns you."),
        widget=TopicPicker,
    )
    staff_time = forms.ChoiceField(
        label=_("Staff time you can give"),
        choices=StaffTime.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    budget = forms.ChoiceField(
        label=_("Budget"), choices=Budget.choices, required=False, widget=forms.RadioSelect
    )
    memberships = forms.MultipleChoiceField(
        label=_("Networks you already belong to"),
        help_text=_(
            "They are shown lower, as news to you they are not, and offers reserved for "
            "their members are included."
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, profile: MunicipalityProfile | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "country", _country_choices())
        _set_choices(self, "topics", _topic_choices())
        own = [o.slug for o in profile.memberships.all()] if profile is not None else []
        _set_choices(
            self,
            "memberships",
            selectors.membership_choices(language=current_language(), include=own),
        )

    def to_query(self) -> FinderQuery:
        data = self.cleaned_data
        return FinderQuery(
            description=data["description"].strip(),
            country=data.get("country") or "",
            population=data.get("population"),
            experience=data.get("experience") or "",
            languages=tuple(data.get("languages") or ()),
            goals=tuple(data.get("goals") or ()),
            topics=tuple(data.get("topics") or ()),
            staff_time=data.get("staff_time") or "",
            budget=data.get("budget") or "",
            memberships=tuple(data.get("memberships") or ()),
        )

    @staticmethod
    def initial_from_profile(profile: MunicipalityProfile) -> dict[str, Any]:
        return {
            "country": str(profile.country or ""),
            "population": profile.population,
            "experience": profile.experience,
            "languages": profile.languages,
            "description": profile.challenges,
            "goals": profile.goals,
            "topics": [t.key for t in profile.topics.all()],
            "staff_time": profile.staff_time,
            "budget": profile.budget,
            "memberships": [o.slug for o in profile.memberships.all()],
        }


class OfferFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    audience = forms.ChoiceField(label=_("Experience level"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    format = forms.ChoiceField(label=_("Format"), required=False)
    cost = forms.ChoiceField(label=_("Cost"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "kind", _optional(OfferKind.choices))
        _set_choices(self, "topic", _optional(_topic_choices()))
        _set_choices(self, "audience", _optional(Level.choices))
        _set_choices(self, "language", _optional(LANGUAGE_CHOICES))
        _set_choices(self, "format", _optional(Format.choices))
        _set_choices(self, "cost", _optional(Cost.choices))
        _set_choices(self, "region", _optional(Region.choices))


class ProfileForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    population = forms.IntegerField(
        label=_("Population"), required=False, min_value=1, max_value=50_000_000
    )
    experience = forms.ChoiceField(
        label=_("Smart-city experience"),
        choices=[("", _("— not stated —")), *Level.choices],
        required=False,
    )
    challenges = forms.CharField(
        label=_("Challenges and needs"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    topics = forms.MultipleChoiceField(label=_("Topics"), required=False, widget=TopicPicker)
    goals = forms.MultipleChoiceField(
        label=_("Goals"),
        choices=Goal.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    staff_time = forms.ChoiceField(
        label=_("Staff time"),
        choices=[("", _("— not stated —")), *StaffTime.choices],
        required=False,
    )
    budget = forms.ChoiceField(
        label=_("Budget"), choices=[("", _("— not stated —")), *Budget.choices], required=False
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    memberships: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Networks and programmes you already take part in"),
        queryset=Offer.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    listed_as_peer = forms.BooleanField(
        label=_("Show us as a peer to towns with similar topics"),
        help_text=_("Only your municipality's name, country and the shared topics are shown."),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "country", _country_choices())
        _set_choices(self, "topics", _topic_choices())
        memberships = self.fields["memberships"]
        if isinstance(memberships, forms.ModelMultipleChoiceField):
            memberships.queryset = Offer.objects.order_by("name")

    @staticmethod
    def initial_for(profile: MunicipalityProfile | None, organisation: Any) -> dict[str, Any]:
        if profile is None:
            return {
                "country": str(organisation.country or ""),
                "population": organisation.population,
                "experience": organisation.experience,
                "listed_as_peer": True,
            }
        return {
            "country": str(profile.country or ""),
            "population": profile.population,
            "experience": profile.experience,
            "challenges": profile.challenges,
            "topics": [t.key for t in profile.topics.all()],
            "goals": profile.goals,
            "staff_time": profile.staff_time,
            "budget": profile.budget,
            "languages": profile.languages,
            "memberships": list(profile.memberships.all()),
            "listed_as_peer": profile.listed_as_peer,
        }
