"""Forms of the network app: they check types; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cityexchange.core.models import Concept, Organisation, User
from cityexchange.core.roles import Role
from cityexchange.directory.models import Offer
from cityexchange.network.models import (
    ActivityKind,
    Body,
    BudgetLine,
    PartnershipKind,
    PartnershipStatus,
)

DATE = forms.DateInput(attrs={"type": "date"})
LARGEST_ID = 2**63 - 1  # beyond it SQLite cannot even compare, and no row has such an id


class IdsField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows that refuses ids out of any database's range as invalid.

    Django's own field passes them to the database, where SQLite raises an overflow.
    """

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else []:
            try:
                out_of_range = not 0 < int(str(pk)) <= LARGEST_ID
            except ValueError:
                continue  # Django's own check names it as an invalid value
            if out_of_range:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:40]},
                )
        return super().clean(value)


def _country_choices() -> list[tuple[str, str]]:
    # Called per form, so the names are in the viewer's language.
    return [(str(code), str(name)) for code, name in countries]


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("de", "Deutsch"), ("en", "English"), ("es", "Español"), ("pt", "Português")],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(
                _("The end of the period is before its start: dates must be in order.")
            )
        return data


class PartnershipForm(forms.Form):
    slug = forms.SlugField(label=_("Short address"), max_length=80)
    title = forms.CharField(label=_("Title"), max_length=250)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnershipKind.choices)
    organisations = IdsField(
        label=_("Organisations"), queryset=Organisation.objects.order_by("name"), required=False
    )
    counterpart_countries = forms.MultipleChoiceField(
        label=_("Counterpart countries (organisation not yet named)"),
        choices=_country_choices,
        required=False,
    )
    topics = IdsField(label=_("Topics"), queryset=Concept.objects.order_by("key"), required=False)
    funding_options = IdsField(
        label=_("Funding options considered"),
        queryset=Offer.objects.filter(kind="funding").order_by("name"),
        required=False,
    )
    started_on = forms.DateField(label=_("First contact"), widget=DATE, required=False)


class TopicsForm(forms.Form):
    """What a partnership works on and the funding it considers, on the partnership page."""

    topics = IdsField(label=_("Topics"), queryset=Concept.objects.order_by("key"), required=False)
    funding_options = IdsField(
        label=_("Funding options considered"),
        queryset=Offer.objects.filter(kind="funding").order_by("name"),
        required=False,
    )


class MoveForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=PartnershipStatus.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)
    participants = forms.CharField(
        label=_("Participants"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    step_owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Owner of the next step (empty: you)"),
        queryset=User.objects.filter(groups__name=Role.NETWORK_STAFF, is_active=True).order_by(
            "full_name"
        ),
        required=False,
    )
    step_due = forms.DateField(label=_("Next step due"), widget=DATE, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("step") and not data.get("step_due"):
            self.add_error("step_due", _("Give the day the next step is due."))
        return data


class PublishForm(forms.Form):
    is_public = forms.BooleanField(label=_("Show on the public partnerships page"), required=False)
    public_description = forms.CharField(
        label=_("Public description"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class MeetingForm(forms.Form):
    body: forms.ModelChoiceField[Body] = forms.ModelChoiceField(
        label=_("Body"), queryset=Body.objects.all()
    )
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=100000, required=False)
    network_on_agenda = forms.NullBooleanField(
        label=_("Network on the agenda"),
        widget=forms.Select(
            choices=[("unknown", _("not known")), ("true", _("yes")), ("false", _("no"))]
        ),
        required=False,
    )
    agenda = forms.CharField(
        label=_("Agenda items (one per line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    decisions = forms.CharField(
        label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    action = forms.CharField(label=_("Action item"), max_length=300, required=False)
    action_due = forms.DateField(label=_("Action item due"), widget=DATE, required=False)
    action_owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Owner of the action item (empty: you)"),
        queryset=User.objects.filter(groups__name=Role.NETWORK_STAFF, is_active=True).order_by(
            "full_name"
        ),
        required=False,
    )


class PaymentForm(forms.Form):
    line: forms.ModelChoiceField[BudgetLine] = forms.ModelChoiceField(
        label=_("Budget line"), queryset=BudgetLine.objects.all()
    )
    year = forms.IntegerField(
        label=_("Year"), min_value=1990, max_value=2100, initial=lambda: timezone.localdate().year
    )
    paid_on = forms.DateField(label=_("Date of payment"), widget=DATE, required=False)
    programme: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Programme"), queryset=Organisation.objects.filter(kind="network"), required=False
    )
    amount = forms.CharField(label=_("Amount (EUR)"), max_length=30)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class CommitmentForm(forms.Form):
    line: forms.ModelChoiceField[BudgetLine] = forms.ModelChoiceField(
        label=_("Budget line"), queryset=BudgetLine.objects.all()
    )
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    committed_on = forms.DateField(label=_("Date of commitment"), widget=DATE, required=False)
    programme: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Programme"), queryset=Organisation.objects.filter(kind="network"), required=False
    )
    amount = forms.CharField(label=_("Amount (EUR)"), max_length=30)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class AllocationForm(forms.Form):
    line: forms.ModelChoiceField[BudgetLine] = forms.ModelChoiceField(
        label=_("Budget line"), queryset=BudgetLine.objects.all()
    )
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    programme: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Programme (empty: the whole line)"),
        queryset=Organisation.objects.filter(kind="network"),
        required=False,
    )
    amount = forms.CharField(label=_("Amount (EUR)"), max_length=30)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
