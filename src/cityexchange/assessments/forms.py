"""Forms of the assessment pages: one answer form per indicator, targets, roadmap changes."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cityexchange.assessments.models import MAX_LEVEL, Answer, Indicator, RoadmapStatus
from cityexchange.assessments.services import AnswerInput

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


class AnswerFormSet:
    """The answers of one dimension's page: an ``AnswerForm`` per indicator, and what
    happens to them around a save (which ones the user changed, which ones a teammate
    changed meanwhile, what the page starts from next).

    A save writes only the indicators the user changed, each against the version the
    page was loaded with (see ``services.answers_save``). Afterwards the page is shown
    again from what is stored, except where the save met a teammate's newer answer:
    there both are shown and the user chooses (``resolve``), so neither is lost.
    """

    def __init__(self, forms: list[AnswerForm], data: QueryDict | None = None) -> None:
        self.forms = forms
        # What the bound forms read; rewritten by ``rebase``.
        self.data = data if data is not None else QueryDict(mutable=True)

    @classmethod
    def bound(cls, data: QueryDict, *, indicators: list[Indicator]) -> AnswerFormSet:
        """The page as sent (or as kept while the user signed in again)."""
        # A copy: after a save, the page's hidden baseline is rewritten in it.
        data = data.copy()
        return cls([AnswerForm(data, indicator=i) for i in indicators], data)

    @classmethod
    def from_stored(
        cls, *, indicators: list[Indicator], stored: dict[int, Answer]
    ) -> AnswerFormSet:
        """Unbound forms showing the stored answers (the page as first loaded)."""
        forms = []
        for indicator in indicators:
            answer = stored.get(indicator.pk)
            values = _stored_values(answer)
            initial = {
                **values,
                "version": answer.version if answer else 0,
                "original": fingerprint(**values),
            }
            forms.append(AnswerForm(initial=initial, indicator=indicator))
        return cls(forms)

    def is_valid(self) -> bool:
        return all(form.is_valid() for form in self.forms)

    @property
    def has_errors(self) -> bool:
        return any(form.is_bound and form.errors for form in self.forms)

    @property
    def keeps_theirs(self) -> bool:
        return any(form.keeps_theirs for form in self.forms)

    def changes(self) -> list[AnswerInput]:
        """The answers the user changed on the page (valid ones), to save."""
        return [
            AnswerInput(
                indicator=form.indicator,
                level=form.level,
                dont_know=form.dont_know,
                notes=form.cleaned_data["notes"],
                evidence=form.cleaned_data["evidence"],
                expected_version=form.expected_version,
            )
            for form in self._changed()
        ]

    def _changed(self) -> list[AnswerForm]:
        return [f for f in self.forms if f.is_valid() and f.changed_by_user and not f.keeps_theirs]

    def rebase(self, *, stored: dict[int, Answer], conflicts: set[int]) -> None:
        """Make what is stored now the baseline for the page's next save.

        ``conflicts``: indicators (pks) the save did not write because a teammate's
        answer is newer; their forms keep the user's values and ask to choose. Forms
        that kept the teammate's answer show it.
        """
        changed = self._changed()
        for form in self.forms:
            answer = stored.get(form.indicator.pk)
            if form.indicator.pk in conflicts:
                self._set_baseline(form, answer, conflict=True)
            elif form in changed or form.keeps_theirs:
                if form.keeps_theirs and answer is not None:
                    for name, value in _stored_values(answer).items():
                        self.data[form.add_prefix(name)] = value
                self._set_baseline(form, answer, conflict=False)

    def _set_baseline(self, form: AnswerForm, answer: Answer | None, *, conflict: bool) -> None:
        self.data[form.add_prefix("original")] = fingerprint(**_stored_values(answer))
        self.data[form.add_prefix("version")] = str(answer.version if answer else 0)
        self.data.pop(form.add_prefix("resolve"), None)
        if conflict:
            self.data[form.add_prefix("conflict")] = "1"
        else:
            self.data.pop(form.add_prefix("conflict"), None)

    def conflicts(self, *, stored: dict[int, Answer], level_names: list[str]) -> dict[int, Any]:
        """Per indicator in conflict: the teammate's stored answer and this user's, side
        by side (indicator pk -> what the page shows)."""
        return {
            form.indicator.pk: _conflict_view(stored[form.indicator.pk], form, level_names)
            for form in self.forms
            if form.in_conflict and form.indicator.pk in stored
        }


def _stored_values(answer: Answer | None) -> dict[str, str]:
    if answer is None:
        return {"choice": "", "notes": "", "evidence": ""}
    return {
        "choice": choice_of(answer.level, answer.dont_know),
        "notes": answer.notes,
        "evidence": answer.evidence,
    }


def _describe(level: int | None, dont_know: bool, level_names: list[str]) -> str:
    if dont_know:
        return str(_("Don't know"))
    if level is None:
        return str(_("no level chosen"))
    name = level_names[level] if level < len(level_names) else ""
    return f"{level} · {name}" if name else str(level)


def _conflict_view(stored: Answer, form: AnswerForm, level_names: list[str]) -> dict[str, Any]:
    choice = form.data.get(form.add_prefix("choice"), "")
    evidence = form.data.get(form.add_prefix("evidence"), "")
    return {
        "by": stored.updated_by.get_full_name() if stored.updated_by else _("a team member"),
        "at": stored.updated_at,
        "theirs": {
            "level": _describe(stored.level, stored.dont_know, level_names),
            "notes": stored.notes,
            "evidence": stored.evidence_links,
        },
        "mine": {
            "level": _describe(
                int(choice) if choice.isdigit() else None, choice == DONT_KNOW, level_names
            ),
            "notes": form.data.get(form.add_prefix("notes"), "").strip(),
            "evidence": [line.strip() for line in evidence.splitlines() if line.strip()],
        },
    }


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
