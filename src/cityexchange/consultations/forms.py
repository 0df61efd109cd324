"""Forms of the consultations pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cityexchange.consultations.importing import MAX_SOURCE_BYTES
from cityexchange.consultations.models import COMMENT_MAX_LENGTH, QUOTE_MAX_LENGTH, Tag
from cityexchange.core.models import LANGUAGE_CHOICES, OrganisationKind

TEXT_HELP = _(
    "Plain text. You may use *emphasis*, **strong**, lists (- item) and > quotes. "
    "At most 5,000 characters."
)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=TEXT_HELP,
        error_messages={"required": _("Please write your comment.")},
    )
    language = forms.ChoiceField(label=_("Language of your comment"), choices=LANGUAGE_CHOICES)
    quote = forms.CharField(
        label=_("Passage you comment on (optional)"),
        max_length=QUOTE_MAX_LENGTH,
        required=False,
        help_text=_("Copy the words from the paragraph that your comment is about."),
    )

    def __init__(self, *args: Any, with_quote: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_quote:
            del self.fields["quote"]


class EditForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=TEXT_HELP,
        error_messages={"required": _("Please write your comment.")},
    )


class FlagForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should a moderator look at this comment?"), max_length=500, required=False
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the comment's author)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResponseForm(forms.Form):
    tag = forms.ChoiceField(label=_("How was the comment considered?"), choices=Tag.choices)
    text = forms.CharField(
        label=_("Response"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReportForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary of the response (optional)"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ImportForm(forms.Form):
    markdown = forms.CharField(
        label=_("Document as Markdown"),
        required=False,
        max_length=MAX_SOURCE_BYTES,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Headings (# …) become sections, other blocks numbered paragraphs."),
    )
    file = forms.FileField(
        label=_("or a file (Markdown .md or Word .docx)"),
        required=False,
    )
    note = forms.CharField(label=_("What changed (optional)"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if not data.get("markdown") and upload is None:
            raise forms.ValidationError(_("Paste the text or choose a file."))
        if upload is not None and upload.size > MAX_SOURCE_BYTES:
            self.add_error("file", _("The file is too large."))
        return data


def _optional(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *[(str(k), str(v)) for k, v in choices]]


class OverviewFilterForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False, choices=[])
    country = forms.ChoiceField(label=_("Country"), required=False, choices=[])
    kind = forms.ChoiceField(label=_("Kind of organisation"), required=False, choices=[])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (
            ("language", LANGUAGE_CHOICES),
            ("country", list(countries)),
            ("kind", OrganisationKind.choices),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = _optional(choices)
