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


def municipalities() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)


def organisations_for_user(user: Any) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user)
