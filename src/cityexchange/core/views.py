"""Pages of the core app: home, about pages, time zone, error pages.

Sign-in and the account pages are the accounts app's."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityexchange.core import selectors
from cityexchange.core.middleware import COOKIE, known_timezones
from cityexchange.core.ratelimit import Limit, too_many_page


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/home.html",
        {
            "stats": selectors.home_figures(),
            **selectors.home_highlights(user=request.user),
        },
    )


def favicon(request: HttpRequest) -> HttpResponse:
    """For clients that ask for /favicon.ico without reading the page's <link rel="icon">."""
    return HttpResponseRedirect(static("core/favicon.svg"))


def imprint(request: HttpRequest) -> HttpResponse:
    return render(request, "core/imprint.html")


def privacy(request: HttpRequest) -> HttpResponse:
    sections, figures = selectors.privacy_sections()
    return render(request, "core/privacy.html", {**figures, "sections": sections})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@require_POST
def set_timezone(request: HttpRequest) -> HttpResponse:
    """Remember the viewer's time zone in a cookie (a form, so no JavaScript is needed)."""
    name = request.POST.get("timezone", "")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if name in known_timezones():
        response.set_cookie(
            COOKIE,
            name,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.HTTPS,
            httponly=True,
        )
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(
        request,
        "core/error.html",
        {
            "status": 404,
            "title": _("Page not found"),
            "message": _("The page you asked for does not exist or is not visible to you."),
        },
        status=404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"detail": _("An unexpected error occurred; it has been logged.")}, status=500
        )
    return render(
        request,
        "core/error.html",
        {
            "status": 500,
            "title": _("Something went wrong"),
            "message": _(
                "An error on our side stopped this page. It has been logged; please try again later."
            ),
        },
        status=500,
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "status": 403,
            "title": _("Not allowed"),
            "message": _("You are not allowed to do this."),
        },
        status=403,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "status": 400,
            "title": _("Bad request"),
            "message": _("The request could not be understood."),
        },
        status=400,
    )


def ratelimited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """django-ratelimit's answer for a decorated view that is over its limit."""
    return too_many_page(request, Limit("default", "1/m"))
