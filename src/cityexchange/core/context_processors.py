"""What every page needs: navigation, language links that keep the page, the brand."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# (URL name, label). A module's entry appears once its URL exists.
NAVIGATION = [
    ("directory:finder", _("Finder")),
    ("directory:offer_list", _("Directory")),
    ("events:programme", _("Events")),
    ("library:home", _("Library")),
    ("assessments:start", _("Self-assessment")),
    ("challenges:home", _("Challenges")),
    ("consultations:home", _("Consultations")),
    ("marketplace:home", _("Marketplace")),
    ("network:home", _("Network")),
]

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English", "es": "Español", "pt": "Português"}


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    items = []
    for name, label in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "current": request.path.startswith(url)})
    return items


def site(request: HttpRequest) -> dict[str, Any]:
    current = get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    languages = [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "url": translate_url(path, code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]
    return {
        "site_name": "cityexchange",
        "nav_items": navigation(request),
        "language_links": languages,
        "LANGUAGE_CODE": current,
    }
