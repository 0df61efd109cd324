"""Forms of the assessment pages: one answer form per indicator, targets, roadmap changes."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from cityexchange.assessments.models import MAX_LEVEL, Indicator, RoadmapStatus

DONT_KNOW = "unknown"
CHOICES = [(str(v), str(v)) for v in range(MAX_LEVEL + 1)] + [(DONT_KNOW, _("Don't know"))]
MAX_EVIDENCE_LINKS = 10
KEEP_MINE = "mine"
KEEP_THEIRS = "theirs"


def choice_of(level: int | None, dont_know: bool) -> str:
    """The form's choice value for a stored level or "don't know"."""
    if dont_know:
        return DONT_KNOW
    return "" if level is None else str(level)


def fingerprint(choice: str, notes: str, evidence: str) -> str:
    """What the form showed, so a save can tell which indicators the user actually changed."""
    raw = "\x1f".join([choice or "", (notes or "").strip(), (evidence or "").strip()])
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


class AnswerForm(forms.Form):
    choice = forms.ChoiceField(label=_("Level"), choices=CHOICES, required=False)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = forms.CharField(
        label=_("Evidence links"),
        required=False,
        max_length=4000,
        help_text=_("Web addresses of documents that support the answer, one per line."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    original = forms.CharField(required=False, widget=forms.HiddenInput)
    # The stored answer's version when the page was loaded (0: none yet).
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    # Set when a teammate saved the same indicator meanwhile: the user must choose.
    conflict = forms.CharField(required=False, widget=forms.HiddenInput)
    resolve = forms.ChoiceField(
        label=_("Which answer do you want to keep?"),
        choices=[(KEEP_MINE, _("My answer")), (KEEP_THEIRS, _("The saved answer"))],
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        self.indicator = indicator
        kwargs["prefix"] = indicator.key
        super().__init__(*args, **kwargs)

    def full_clean(self) -> None:
        super().full_clean()
        # Tie each error message to its field for screen readers (ids from core/_field.html).
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                auto_id = self[name].auto_id
                described = [f"{auto_id}_error"]
                if self.fields[name].help_text:
                    described.append(f"{auto_id}_helptext")
                widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": " ".join(described)}
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.in_conflict and cleaned.get("resolve") not in (KEEP_MINE, KEEP_THEIRS):
            self.add_error("resolve", _("Choose which of the two answers to keep."))
        return cleaned

    @property
    def in_conflict(self) -> bool:
        return bool(self.data.get(self.add_prefix("conflict")))

    @property
    def keeps_theirs(self) -> bool:
        return self.in_conflict and self.data.get(self.add_prefix("resolve")) == KEEP_THEIRS

    @property
    def expected_version(self) -> int:
        """The version the user started from; a form without one started from nothing."""
        return (self.cleaned_data.get("version") or 0) if hasattr(self, "cleaned_data") else 0

    def clean_evidence(self) -> str:
        lines = [
            line.strip() for line in self.cleaned_data["evidence"].splitlines() if line.strip()
        ]
        if len(lines) > MAX_EVIDENCE_LINKS:
            raise ValidationError(
                _("Give at most %(count)d links.") % {"count": MAX_EVIDENCE_LINKS}
            )
        validate = URLValidator(schemes=["http", "https"])
        for line in lines:
            try:
                validate(line)
            except ValidationError as exc:
                raise ValidationError(
                    _("“%(line)s” is not a web address (it should start with https://).")
                    % {"line": line[:80]}
                ) from exc
        return "\n".join(lines)

    def current_fingerprint(self) -> str:
        return fingerprint(
            self.data.get(self.add_prefix("choice"), ""),
            self.data.get(self.add_prefix("notes"), ""),
            self.data.get(self.add_prefix("evidence"), ""),
        )

    @property
    def changed_by_user(self) -> bool:
        return self.current_fingerprint() != self.data.get(self.add_prefix("original"), "")

    @property
    def level(self) -> int | None:
        choice = self.cleaned_data.get("choice") or ""
        return int(choice) if choice.isdigit() else None

    @property
    def dont_know(self) -> bool:
        return self.cleaned_data.get("choice") == DONT_KNOW


def level_choices() -> list[tuple[int, str]]:
    return [(v, str(v)) for v in range(MAX_LEVEL + 1)]


class TargetsForm(forms.Form):
    """One target level (0–4) per dimension; fields are added per dimension key."""

    def __init__(self, *args: Any, dimensions: list[tuple[str, str, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, name, initial in dimensions:
            self.fields[key] = forms.TypedChoiceField(
                label=name, choices=level_choices(), coerce=int, initial=initial
            )


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label=_("Capacity in effort points per year"),
        min_value=1,
        max_value=60,
        help_text=_(
            "An activity costs 1 (weeks, existing staff), 2 (months, some budget) or "
            "3 points (a year or more, dedicated team). The default depends on the population."
        ),
    )


class RoadmapItemForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=RoadmapStatus.choices)
    year = forms.TypedChoiceField(
        label=_("Year"),
        choices=[("", _("later"))] + [(str(y), str(y)) for y in range(1, 5)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    assignee = forms.TypedChoiceField(
        label=_("Assigned to"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", _("nobody"))] + [(str(pk), name) for pk, name in members]
