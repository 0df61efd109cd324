"""Forms of the challenge programme's pages: they parse and validate, services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cityexchange.challenges.models import MAX_AMOUNT, Criterion
from cityexchange.challenges.services import ChallengeInput
from cityexchange.core.i18n import LANGUAGES
from cityexchange.core.models import Concept, Organisation

LANGUAGE_NAMES = {"de": _("German"), "en": _("English"), "es": _("Spanish"), "pt": _("Portuguese")}


class ChallengeForm(forms.Form):
    city: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("City")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(
        label=_("The problem"),
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is the problem your city faces?"),
    )
    affected = forms.CharField(
        label=_("Who is affected"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    current_situation = forms.CharField(
        label=_("Current situation"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    data_available = forms.CharField(
        label=_("Data and infrastructure available"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    tried = forms.CharField(
        label=_("What has been tried"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    desired_outcome = forms.CharField(
        label=_("Desired outcome"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    constraints = forms.CharField(
        label=_("Constraints"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    topics: forms.ModelMultipleChoiceField[Concept] = forms.ModelMultipleChoiceField(
        queryset=Concept.objects.order_by("label"),
        to_field_name="key",
        label=_("Topics"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    population = forms.IntegerField(
        label=_("City size (inhabitants)"), required=False, min_value=1, max_value=100_000_000
    )
    language = forms.ChoiceField(label=_("Language of the text"))

    def __init__(
        self, *args: Any, cities: list[Organisation], languages: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["city"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = Organisation.objects.filter(pk__in=[c.pk for c in cities]).order_by("name")
        field.to_field_name = "slug"
        if len(cities) == 1:
            field.initial = cities[0].slug
        codes = languages or list(LANGUAGES)
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)  # noqa: S101 - declared above
        language.choices = [(code, LANGUAGE_NAMES.get(code, code)) for code in codes]
        language.initial = codes[0]

    def to_input(self) -> ChallengeInput:
        data = self.cleaned_data
        return ChallengeInput(
            title=data["title"],
            problem=data["problem"],
            affected=data["affected"],
            current_situation=data["current_situation"],
            data_available=data["data_available"],
            tried=data["tried"],
            desired_outcome=data["desired_outcome"],
            constraints=data["constraints"],
            population=data["population"],
            language=data["language"],
            topics=list(data["topics"]),
        )


class CatalogueFilter(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(
        self, *args: Any, topics: list[Concept], countries: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        topic = self.fields["topic"]
        country = self.fields["country"]
        assert isinstance(topic, forms.ChoiceField) and isinstance(country, forms.ChoiceField)  # noqa: S101
        topic.choices = [("", _("All topics")), *[(c.key, c.label) for c in topics]]
        country.choices = [("", _("All countries")), *countries]


class ProposalForm(forms.Form):
    lead: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), to_field_name="slug", label=_("Lead organisation")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=6000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    size = forms.ChoiceField(label=_("Pilot size"))
    idea = forms.ChoiceField(label=_("Solution idea"), required=False)

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation],
        sizes: list[Any],
        ideas: list[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        lead = self.fields["lead"]
        assert isinstance(lead, forms.ModelChoiceField)  # noqa: S101
        lead.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations]).order_by(
            "name"
        )
        if len(organisations) == 1:
            lead.initial = organisations[0].slug
        size = self.fields["size"]
        idea = self.fields["idea"]
        assert isinstance(size, forms.ChoiceField) and isinstance(idea, forms.ChoiceField)  # noqa: S101
        size.choices = [(str(s.pk), s.name) for s in sizes]
        idea.choices = [("", _("None yet")), *[(str(i.pk), i.title) for i in ideas]]


def _partner_label(obj: Organisation) -> str:
    return f"{obj.name} ({getattr(obj.country, 'code', '') or '–'}, {obj.get_kind_display()})"


class InviteForm(forms.Form):
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        label=_("Organisation to invite"),
    )
    budget = forms.DecimalField(
        label=_("Budget share"),
        min_value=Decimal(0),
        max_value=MAX_AMOUNT,
        decimal_places=2,
        max_digits=14,
        initial=0,
    )

    def __init__(self, *args: Any, candidates: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in candidates]).order_by(
            "country", "name"
        )
        field.label_from_instance = _partner_label  # type: ignore[method-assign]  # Django's way to label choices


class BudgetForm(forms.Form):
    budget = forms.DecimalField(
        label=_("Budget share"),
        min_value=Decimal(0),
        max_value=MAX_AMOUNT,
        decimal_places=2,
        max_digits=14,
    )


class AnswerForm(forms.Form):
    commitment = forms.CharField(
        label=_("Letter of commitment"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What your organisation commits to in this pilot."),
    )


class ConflictForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)


class ScoreForm(forms.Form):
    """One field pair per criterion: ``score_<id>`` and ``comment_<id>``."""

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=criterion.name, min_value=0, max_value=criterion.max_score
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": criterion.name},
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def pairs(self) -> list[tuple[Any, Any]]:
        return [(self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]


class ConsensusForm(forms.Form):
    score = forms.DecimalField(
        label=_("Consensus score"),
        min_value=Decimal(0),
        max_value=Decimal(10000),
        decimal_places=2,
        max_digits=7,
    )
    comment = forms.CharField(
        label=_("Consensus comment"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RevisionForm(forms.Form):
    note = forms.CharField(
        label=_("What should be revised"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )


class IdeaForm(forms.Form):
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), to_field_name="slug", label=_("Your organisation")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    challenges = forms.MultipleChoiceField(
        label=_("Challenges the idea addresses"), widget=forms.CheckboxSelectMultiple
    )
    approach = forms.CharField(
        label=_("Approach"), max_length=6000, widget=forms.Textarea(attrs={"rows": 5})
    )
    novelty = forms.CharField(
        label=_("What is new"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    team = forms.CharField(
        label=_("Team"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    expected_results = forms.CharField(
        label=_("Expected results"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    scalability = forms.CharField(
        label=_("Scalability"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    summary = forms.CharField(
        label=_("Public summary"),
        max_length=1500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to everyone once the idea has been selected."),
    )

    def __init__(
        self, *args: Any, organisations: list[Organisation], challenges: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations]).order_by(
            "name"
        )
        if len(organisations) == 1:
            field.initial = organisations[0].slug
        chosen = self.fields["challenges"]
        assert isinstance(chosen, forms.MultipleChoiceField)  # noqa: S101
        chosen.choices = [(str(c.pk), f"{c.title} – {c.city.name}") for c in challenges]


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title of the file"), max_length=200, required=False)
    file = forms.FileField(
        label=_("PDF file"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"})
    )


# ---------------------------------------------------------------- pilots


class DateInput(forms.DateInput):
    """A browser date picker; it reads and writes ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class PilotPlanForm(forms.Form):
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput)
    report_every_months = forms.IntegerField(
        label=_("A report every … months"), required=False, min_value=1, max_value=36
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput)


class PilotReportForm(forms.Form):
    title = forms.CharField(label=_("Title of the report"), max_length=200)
    text = forms.CharField(
        label=_("Report"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    file = forms.FileField(
        label=_("PDF file (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )


class OutcomesForm(forms.Form):
    results = forms.CharField(
        label=_("Results"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the pilot achieved, as the consortium measured it."),
    )
    lessons = forms.CharField(
        label=_("Lessons learnt"),
        max_length=8000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages the results are written in"),
        choices=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        widget=forms.CheckboxSelectMultiple,
    )


class FigureForm(forms.Form):
    label = forms.CharField(label=_("What was measured"), max_length=200)
    value = forms.DecimalField(
        label=_("Value"),
        min_value=-MAX_AMOUNT,
        max_value=MAX_AMOUNT,
        decimal_places=2,
        max_digits=16,
    )
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
