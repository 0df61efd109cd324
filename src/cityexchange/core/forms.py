"""Forms of the core app."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from cityexchange.accounts.fields import TimezoneField


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    language = forms.ChoiceField(
        label=_("Language for mail"),
        choices=[("de", "Deutsch"), ("en", "English"), ("es", "Español"), ("pt", "Português")],
    )
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
