"""Forms of the events pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cityexchange.core.models import LANGUAGE_CHOICES
from cityexchange.events.models import (
    INTERPRETATION_CHOICES,
    ORGANISATION_KIND_CHOICES,
    Attendance,
    Event,
    MaterialKind,
)

# Its own words: a bare "None" would be translated by Django's admin catalogue,
# which comes first and renders it as "-" in German.
NO_INTERPRETATION = _("No interpretation needed")
LISTED_LABEL = _("Show my name, organisation and country on the public participant list")


def _choices(form: forms.Form, name: str, choices: list[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - a programming error otherwise
    field.choices = choices


def _described(form: forms.Form) -> None:
    """Tie help texts and errors to their fields for screen readers."""
    for name, field in form.fields.items():
        ids = []
        if field.help_text:
            ids.append(f"id_{name}_helptext")
        if form.is_bound and name in form.errors:
            ids.append(f"id_{name}_error")
            field.widget.attrs["aria-invalid"] = "true"
        if ids:
            field.widget.attrs["aria-describedby"] = " ".join(ids)


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    organisation = forms.CharField(label=_("Organisation"), max_length=250, required=False)
    organisation_kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=[("", "—"), *ORGANISATION_KIND_CHOICES],
        required=False,
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    language = forms.ChoiceField(label=_("Language for mails"), choices=LANGUAGE_CHOICES)
    attendance = forms.ChoiceField(label=_("I take part"), choices=Attendance.choices)
    interpretation_language = forms.ChoiceField(
        label=_("Interpretation I need"),
        required=False,
        help_text=_("The event is held in English; interpretation is arranged for those who ask."),
    )
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example captions, sign language or step-free access."),
    )
    listed = forms.BooleanField(label=LISTED_LABEL, required=False)
    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree to the processing of my registration")
    )
    # Which notice the person saw: filled in by the page. Its errors are shown on the
    # consent checkbox above, the only place a person can do something about them.
    privacy_notice_version = forms.CharField(
        label=_("Version of the privacy notice"),
        widget=forms.HiddenInput,
        required=False,
        max_length=20,
    )

    def __init__(self, *args: Any, event: Event, notice_version: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notice_version = notice_version
        _choices(self, "country", [("", "—"), *list(countries)])
        modes = []
        if event.has_online:
            modes.append((Attendance.ONLINE, Attendance.ONLINE.label))
        if event.has_onsite:
            modes.append((Attendance.ONSITE, Attendance.ONSITE.label))
        _choices(self, "attendance", modes)
        if len(modes) == 1:
            self.fields["attendance"].widget = forms.HiddenInput()
            self.fields["attendance"].initial = modes[0][0]
        offered = [
            c for c in INTERPRETATION_CHOICES if c[0] in (event.interpretation_languages or [])
        ]
        if offered:
            _choices(self, "interpretation_language", [("", NO_INTERPRETATION), *offered])
        else:
            del self.fields["interpretation_language"]
        _described(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("privacy_notice_version") != self.notice_version:
            self.add_error("privacy_consent", stale_notice_message())
            # Shown again with the current version, so agreeing once more is enough.
            data = dict(self.data.items())
            data["privacy_notice_version"] = self.notice_version
            data.pop("privacy_consent", None)
            self.data = data
        return cleaned


def stale_notice_message() -> str:
    return str(
        _(
            "The privacy notice has changed since this page was opened (or the page was "
            "incomplete). Please read the current privacy notice and tick the box again."
        )
    )


class ManageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language for mails"), choices=LANGUAGE_CHOICES)
    interpretation_language = forms.ChoiceField(label=_("Interpretation I need"), required=False)
    accessibility_needs = forms.CharField(
        label=_("Accessibility needs"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    listed = forms.BooleanField(label=LISTED_LABEL, required=False)

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = [
            c for c in INTERPRETATION_CHOICES if c[0] in (event.interpretation_languages or [])
        ]
        _choices(self, "interpretation_language", [("", NO_INTERPRETATION), *offered])
        _described(self)


class ProgrammeFilterForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(
        self, *args: Any, topics: list[tuple[str, str]], years: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "topic", [("", _("All topics")), *topics])
        _choices(self, "year", [("", _("All years")), *[(y, str(y)) for y in years]])


class AttendanceImportForm(forms.Form):
    file = forms.FileField(
        label=_("Attendance report (CSV)"),
        help_text=_(
            "Exported from the video-conference tool: email with join and leave times or a duration."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _described(self)


class MessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _described(self)


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MaterialKind.choices)
    title = forms.CharField(label=_("Title"), max_length=250)
    file = forms.FileField(label=_("File"), required=False)
    url = forms.URLField(label=_("Link"), required=False)
    summary = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        help_text=_("For recordings."),
    )
    captions_language = forms.ChoiceField(
        label=_("Captions"),
        required=False,
        choices=[("", _("No captions")), *LANGUAGE_CHOICES],
        help_text=_("The language of a recording's captions."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _described(self)


class CapacityForm(forms.Form):
    capacity_online = forms.IntegerField(
        label=_("Online seats"), required=False, min_value=0, help_text=_("Empty: no limit.")
    )
    capacity_onsite = forms.IntegerField(
        label=_("Seats on site"), required=False, min_value=0, help_text=_("Empty: no limit.")
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not event.has_online:
            del self.fields["capacity_online"]
        if not event.has_onsite:
            del self.fields["capacity_onsite"]
        _described(self)
