"""Forms of the account pages: sign-up additions, organisations, invitations."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.socialaccount.forms import SignupForm as AllauthSocialSignupForm
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cityexchange.accounts.fields import TimezoneField
from cityexchange.core.models import MembershipRole, OrganisationKind

LANGUAGE_OPTIONS = [("de", "Deutsch"), ("en", "English"), ("es", "Español"), ("pt", "Português")]


def _add_profile_fields(form: forms.Form) -> None:
    """Name, language, time zone and the privacy consent, which every sign-up asks for."""
    form.fields["full_name"] = forms.CharField(
        label=_("Full name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    form.fields["language"] = forms.ChoiceField(
        label=_("Language for mail"),
        choices=LANGUAGE_OPTIONS,
        initial=(get_language() or "en")[:2],
    )
    form.fields["timezone"] = TimezoneField(
        # On a form sent back with errors the person's own choice stays.
        suggest=not form.is_bound,
        initial=settings.CITYEXCHANGE_DEFAULT_VIEWER_TIMEZONE,
        help_text=_("Dates and times are shown in this zone."),
    )
    form.fields["privacy_consent"] = forms.BooleanField(
        label=format_html(
            '{} <a href="{}">{}</a>',
            _("I have read and agree to the"),
            reverse("core:privacy"),
            _("privacy notice"),
        ),
        error_messages={"required": _("Please agree to the privacy notice to sign up.")},
    )
    for field in form.fields.values():
        # allauth offers placeholders; cityexchange pages always show a visible label.
        field.widget.attrs.pop("placeholder", None)


class SignupForm(AllauthSignupForm):
    """allauth's sign-up (e-mail, password twice) plus name, language, time zone, consent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _add_profile_fields(self)


class SocialSignupForm(AllauthSocialSignupForm):
    """The sign-up after single sign-on: the provider vouches for the address; the person
    still chooses language and time zone and agrees to the privacy notice."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _add_profile_fields(self)


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the organisation (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OrganisationProposalForm(forms.Form):
    name = forms.CharField(label=_("Name of the organisation"), max_length=250)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    # A callable: the country names are listed in the language of the page.
    country = forms.ChoiceField(label=_("Country"), choices=lambda: list(countries))
    message = forms.CharField(
        label=_("Message to the network team (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of your colleague"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language for mail"), choices=LANGUAGE_OPTIONS)
    timezone = TimezoneField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An account may hold a zone that is not on the short list: it stays offered.
        self.fields["timezone"] = TimezoneField(current=str(self.initial.get("timezone", "")))


class EraseForm(forms.Form):
    confirm_email = forms.EmailField(
        label=_("Type your email address to confirm"),
        help_text=_("Your account and personal data are deleted for good. This cannot be undone."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_confirm_email(self) -> str:
        value = str(self.cleaned_data["confirm_email"]).strip().lower()
        if value != self.user.email.lower():
            raise forms.ValidationError(_("This is not the email address of your account."))
        return value
