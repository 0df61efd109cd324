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
    """The next editions and the newest library entries, from the apps that are installed.

    Core does not depend on the module apps; it asks them when they are there.
    """
    highlights: dict[str, list[Any]] = {"upcoming": [], "newest": []}
    if apps.is_installed("cityexchange.events"):
        from cityexchange.events.selectors import upcoming_events

        highlights["upcoming"] = upcoming_events(limit=3)
    if apps.is_installed("cityexchange.library"):
        from cityexchange.library.selectors import newest_resources

        highlights["newest"] = newest_resources(user=user, limit=3)
    return highlights


def municipalities() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)


def organisations_for_user(user: Any) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user)
