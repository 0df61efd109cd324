"""cityexchange's hooks into django-allauth: who signs up, how limits count, how mail goes.

allauth runs the flows (sign-up, verification, password reset, two-factor, single
sign-on); these adapters decide the parts that are cityexchange's: the client address
a limit counts (the same as ``core.ratelimit``), what a sign-up records, and mail in
the recipient's language with links to ``SITE_URL``, sent after the transaction commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import translate_url
from django.utils import translation

from cityexchange.accounts import services
from cityexchange.core.mail import Message, send_after_commit
from cityexchange.core.models import User
from cityexchange.core.ratelimit import client_address

LANGUAGES = ("de", "en", "es", "pt")


@dataclass(frozen=True)
class SiteName:
    """What allauth's mail templates call ``current_site``: our name and address."""

    name: str
    domain: str


def site() -> SiteName:
    return SiteName(name="cityexchange", domain=urlsplit(settings.SITE_URL).netloc)


def recipient_language(email: str) -> str:
    """The language of the account with this address; else the language of the page."""
    language = User.objects.filter(email__iexact=email).values_list("language", flat=True).first()
    if language in LANGUAGES:
        return str(language)
    current = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return current if current in LANGUAGES else settings.LANGUAGE_CODE


def site_link(url: str, language: str) -> str:
    """``url`` (built from the request's host) on ``SITE_URL``, in the recipient's language."""
    parts = urlsplit(url)
    # translate_url resolves the path in the active language, the one it was built in.
    path = urlsplit(translate_url(parts.path, language)).path
    query = f"?{parts.query}" if parts.query else ""
    return f"{settings.SITE_URL}{path}{query}"


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        return client_address(request) or "0.0.0.0"  # noqa: S104 - a key, not a bind address

    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: BaseForm, commit: bool = True
    ) -> AbstractBaseUser:
        assert isinstance(user, User)  # noqa: S101 - AUTH_USER_MODEL
        super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        return services.user_signup(
            user=user,
            full_name=data.get("full_name", ""),
            language=data.get("language") or recipient_language(user.email),
            timezone_name=data.get("timezone") or settings.CITYEXCHANGE_DEFAULT_VIEWER_TIMEZONE,
            notice_version=str(settings.CITYEXCHANGE_PRIVACY_NOTICE_VERSION),
        )

    def pre_login(
        self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any
    ) -> HttpResponse | None:
        if isinstance(user, User) and user.is_active:
            services.email_address_trust_network_account(user=user)
        return super().pre_login(request, user, **kwargs)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # A mail about an account (a new address to verify) is in the account's language.
        user = context.get("user")
        language = (
            user.language
            if isinstance(user, User) and user.language in LANGUAGES
            else recipient_language(email)
        )
        ctx: dict[str, Any] = {
            "email": email,
            "current_site": site(),
            "site_name": "cityexchange",
            "site_url": settings.SITE_URL,
        }
        ctx.update(context)
        for key, value in list(ctx.items()):
            if key.endswith("_url") and isinstance(value, str) and value.startswith("http"):
                ctx[key] = site_link(value, language)
        with translation.override(language):
            rendered = self.render_mail(template_prefix, email, ctx)
            html = render_to_string(
                "accounts/email/message.html",
                {"subject": rendered.subject, "body": rendered.body, "language": language},
            )
        send_after_commit(
            Message(to=email, subject=str(rendered.subject), body=str(rendered.body), html=html)
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on: a new account still agrees to the privacy notice (the sign-up form)."""

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False
