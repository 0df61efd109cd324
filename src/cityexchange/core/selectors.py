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


def municipalities() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
