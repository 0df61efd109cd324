"""Forms of the library pages: they parse input; services do the work."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cityexchange.core.i18n import current_language
from cityexchange.core.models import Concept, Organisation, OrganisationKind, User
from cityexchange.directory.widgets import TopicPicker, topic_choices
from cityexchange.library.models import DigestFrequency, ResourceKind
from cityexchange.library.selectors import contactable_person


class SubscriptionForm(forms.Form):
    # The directory's grouped topic picker: broader concepts as groups, a filter box
    # with JavaScript and a summary of what is chosen, instead of a Ctrl-click list.
    topics = forms.MultipleChoiceField(label=_("Topics"), required=False, widget=TopicPicker)
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of resources"),
        choices=ResourceKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    frequency = forms.ChoiceField(
        label=_("How often"), choices=DigestFrequency.choices, initial=DigestFrequency.WEEKLY
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["topics"]).choices = topic_choices(
            current_language()
        )

    def clean_topics(self) -> list[Concept]:
        return list(Concept.objects.filter(key__in=self.cleaned_data.get("topics") or []))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("topics") and not data.get("kinds"):
            raise forms.ValidationError(_("Choose at least one topic or one kind."))
        return data


# The largest key a database row can have: larger numbers overflow SQLite's integers.
_LARGEST_KEY = 2**63 - 1


class KeysField(forms.ModelMultipleChoiceField):
    """Model choices by key that refuse numbers beyond any key before asking the database."""

    def clean(self, value: Any) -> Any:
        for item in value or []:
            text = str(item).strip()
            if text.isdigit() and int(text) > _LARGEST_KEY:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text[:20]},
                )
        return super().clean(value)


class ForwardForm(forms.Form):
    """Municipalities (suggested ones first, with why) and people to forward a resource to.

    ``suggestions`` and ``people`` come from ``selectors.forwarding_suggestions`` and
    ``selectors.people_suggestions``; other contactable people are named by e-mail
    address or full name, one a line, and resolved here.
    """

    organisations = KeysField(
        label=_("Municipalities"),
        queryset=Organisation.objects.filter(
            kind__in=[OrganisationKind.MUNICIPALITY, OrganisationKind.REGION]
        ).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    experts = KeysField(
        label=_("Suggested people"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    people = forms.CharField(
        label=_("Other people"),
        help_text=_(
            "E-mail address or full name, one per line. Only people who subscribed to a "
            "library digest or agreed to a public profile can be chosen."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    note = forms.CharField(
        label=_("Note to the recipients"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        suggestions: Sequence[Any] = (),
        people: Sequence[Any] = (),
        contactable: QuerySet[User] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions = {s.pk: s for s in suggestions}
        self.people_suggestions = {s.pk: s for s in people}
        self.contactable = contactable if contactable is not None else User.objects.none()
        experts = cast(KeysField, self.fields["experts"])
        experts.queryset = self.contactable.filter(pk__in=list(self.people_suggestions))

    def _rows(self, name: str, reasons: dict[int, Any], suggested: bool) -> list[Any]:
        return [
            (choice, reasons[int(choice.data["value"].value)].reasons if suggested else [])
            for choice in self[name]
            if (int(choice.data["value"].value) in reasons) == suggested
        ]

    def suggested_rows(self) -> list[Any]:
        """Suggested municipalities (checkbox, reasons), in the suggestions' order."""
        rows = self._rows("organisations", self.suggestions, True)
        order = list(self.suggestions)
        return sorted(rows, key=lambda row: order.index(int(row[0].data["value"].value)))

    def other_rows(self) -> list[Any]:
        return self._rows("organisations", self.suggestions, False)

    def people_rows(self) -> list[Any]:
        return self._rows("experts", self.people_suggestions, True)

    def clean_people(self) -> list[User]:
        found: list[User] = []
        unknown: list[str] = []
        for line in self.cleaned_data.get("people", "").splitlines():
            entry = line.strip()
            if not entry:
                continue
            person = contactable_person(entry, among=self.contactable)
            if person is None:
                unknown.append(entry)
            else:
                found.append(person)
        if unknown:
            raise forms.ValidationError(
                _("Nobody who may be contacted matches: %(entries)s")
                % {"entries": "; ".join(unknown)}
            )
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (
            data.get("organisations") or data.get("experts") or data.get("people")
        ):
            raise forms.ValidationError(_("Choose at least one municipality or person."))
        return data

    def recipients(self) -> list[User]:
        return list(dict.fromkeys([*self.cleaned_data["experts"], *self.cleaned_data["people"]]))


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
