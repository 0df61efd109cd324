"""Forms of the account pages: sign-up additions, organisations, invitations."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cityexchange.accounts.fields import TimezoneField

LANGUAGE_OPTIONS = [("de", "Deutsch"), ("en", "English"), ("es", "Español"), ("pt", "Português")]


class SignupForm(AllauthSignupForm):
    """allauth's sign-up (e-mail, password twice) plus name, language, time zone and consent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"] = forms.CharField(
            label=_("Full name"),
            max_length=200,
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "name"}),
        )
        self.fields["language"] = forms.ChoiceField(
            label=_("Language for mail"),
            choices=LANGUAGE_OPTIONS,
            initial=(get_language() or "en")[:2],
        )
        self.fields["timezone"] = TimezoneField(
            # On a form sent back with errors the person's own choice stays.
            suggest=not self.is_bound,
            initial=settings.CITYEXCHANGE_DEFAULT_VIEWER_TIMEZONE,
            help_text=_("Dates and times are shown in this zone."),
        )
        self.fields["privacy_consent"] = forms.BooleanField(
            label=format_html(
                '{} <a href="{}">{}</a>',
                _("I have read and agree to the"),
                reverse("core:privacy"),
                _("privacy notice"),
            ),
            error_messages={"required": _("Please agree to the privacy notice to sign up.")},
        )
        for name in ("email", "password1", "password2"):
            # allauth offers placeholders; cityexchange pages always show a visible label.
            self.fields[name].widget.attrs.pop("placeholder", None)

    @property
    def privacy_notice_version(self) -> str:
        return str(settings.CITYEXCHANGE_PRIVACY_NOTICE_VERSION)
