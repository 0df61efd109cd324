"""Forms of the library pages: they parse input; services do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityexchange.core.models import Concept, Organisation, OrganisationKind
from cityexchange.library.models import DigestFrequency, ResourceKind


class SubscriptionForm(forms.Form):
    topics: forms.ModelMultipleChoiceField[Concept] = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Concept.objects.order_by("label"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of resources"),
        choices=ResourceKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    frequency = forms.ChoiceField(
        label=_("How often"), choices=DigestFrequency.choices, initial=DigestFrequency.WEEKLY
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("topics") and not data.get("kinds"):
            raise forms.ValidationError(_("Choose at least one topic or one kind."))
        return data


class ForwardForm(forms.Form):
    organisations: forms.ModelMultipleChoiceField[Organisation] = forms.ModelMultipleChoiceField(
        label=_("Municipalities"),
        queryset=Organisation.objects.filter(
            kind__in=[OrganisationKind.MUNICIPALITY, OrganisationKind.REGION]
        ).order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    note = forms.CharField(
        label=_("Note to the recipients"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "Columns: slug, kind, title_en, title_de, title_es, title_pt, summary_en, "
            "languages, published_on, authors, topics, countries, licence, source_url."
        ),
    )


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    file = forms.FileField(label=_("File"))
