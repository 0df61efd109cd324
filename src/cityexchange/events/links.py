"""Addresses the events app hands out: the personal registration link and event pages.

A leaf module (settings, signing and URL reversing only), so mails, services,
views and the API can all build the same links without importing each other.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

from cityexchange.events.models import Event, Registration

TOKEN_SALT = "cityexchange.events.registration"  # noqa: S105 - a namespace, not a secret


def registration_token(registration: Registration) -> str:
    """The personal link's secret: signed with SECRET_KEY, so nothing secret is stored.

    It names the registration and its link version; a cancelled registration taken
    up again gets a new version, so links mailed before no longer open it. Version 0
    is left out, so links sent before versions existed stay valid.
    """
    data: dict[str, int] = {"r": registration.pk}
    if registration.link_version:
        data["v"] = registration.link_version
    return signing.dumps(data, salt=TOKEN_SALT, compress=True)


def registration_key_from_token(token: str) -> tuple[int, int] | None:
    """The registration and link version a token was signed for; None for a bad token."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    pk, version = data.get("r"), data.get("v", 0)
    if not isinstance(pk, int) or not isinstance(version, int):
        return None
    return pk, version


def manage_url(registration: Registration) -> str:
    """The personal link; the mail and the answer to a registration share one signing."""
    key = (registration.pk, registration.link_version, registration.language)
    cached = getattr(registration, "_manage_url", None)
    if cached is not None and cached[0] == key:
        return str(cached[1])
    with translation.override(registration.language):
        path = reverse("events:manage", kwargs={"token": registration_token(registration)})
    url = f"{settings.SITE_URL}{path}"
    registration._manage_url = (key, url)  # type: ignore[attr-defined]  # kept on this instance only
    return url


def event_url(event: Event, language: str) -> str:
    with translation.override(language):
        path = reverse("events:detail", kwargs={"slug": event.slug})
    return f"{settings.SITE_URL}{path}"


def resource_url(slug: str, language: str) -> str:
    """A library page, for the documentation mail (the library names it by its slug)."""
    with translation.override(language):
        path = reverse("library:resource", kwargs={"slug": slug})
    return f"{settings.SITE_URL}{path}"
