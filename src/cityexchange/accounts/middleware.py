"""Staff and administrators use two-factor sign-in before any other page opens.

They can see personal data (registrations, members, audit log) in the back office and
on staff pages; a password alone is not enough for that. Until their account has an
authenticator app set up, every page but the account, two-factor and public
information pages sends them to set one up; the API answers 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# Pages a staff member without two-factor may still open (URL names).
OPEN_NAMES = {
    "core:home",
    "core:imprint",
    "core:privacy",
    "core:accessibility",
    "core:set_timezone",
    "core:logout",
    "core:login",
    "set_language",
}
OPEN_PREFIXES = ("account_", "mfa_", "usersessions_")


def requires_two_factor(user: Any) -> bool:
    """True for a signed-in staff member or administrator without an authenticator app."""
    if not settings.CITYEXCHANGE_STAFF_MFA or not user.is_authenticated:
        return False
    if not (user.is_staff or user.is_superuser):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.view_name in OPEN_NAMES:
            return None
        if match.url_name and match.url_name.startswith(OPEN_PREFIXES):
            return None
        if request.path.startswith(("/static/", "/media/", "/favicon")):
            return None
        if not requires_two_factor(request.user):
            return None
        message = _(
            "Staff accounts can see personal data, so they sign in with a second factor. "
            "Please set up an authenticator app first."
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        messages.warning(request, message)
        return redirect("mfa_activate_totp")
