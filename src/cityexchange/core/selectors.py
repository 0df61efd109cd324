"""Reads of the core app that are more than a plain get."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import QuerySet

from cityexchange.core.models import Concept, Organisation, OrganisationKind


def home_figures() -> dict[str, Any]:
    """A few figures for the home page, in a constant number of queries."""
    return {
        "organisations": Organisation.objects.filter(is_demo=False).count(),
        "topics": Concept.objects.count(),
        "countries": len(
            set(Organisation.objects.exclude(country="").values_list("country", flat=True))
        ),
        "has_events": apps.is_installed("cityexchange.events"),
    }


def home_highlights(*, user: Any) -> dict[str, list[Any]]:
    """What the installed apps show on the home page (the next editions, the newest
    library entries...).

    Core knows no module app: each may offer ``home_highlights(user)`` on its
    AppConfig, returning lists by the name the home page shows them under.
    """
    highlights: dict[str, list[Any]] = {"upcoming": [], "newest": []}
    for config in apps.get_app_configs():
        contribute = getattr(config, "home_highlights", None)
        if contribute is not None:
            highlights.update(contribute(user))
    return highlights


def privacy_sections() -> tuple[list[str], dict[str, Any]]:
    """The privacy notice's sections, one template per app that keeps personal data,
    in the order the apps are installed, and the figures they name.

    Core knows no module app: each names its part as ``privacy_template`` on its
    AppConfig, written beside the data it describes, and may offer the values the
    part shows (a retention period, a group size) through ``privacy_context()``.
    """
    templates: list[str] = []
    context: dict[str, Any] = {}
    for config in apps.get_app_configs():
        if template := getattr(config, "privacy_template", ""):
            templates.append(template)
            context.update(getattr(config, "privacy_context", dict)())
    return templates, context


def municipalities() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
