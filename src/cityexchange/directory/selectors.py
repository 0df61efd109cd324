"""Reads of the directory: offer lists with filters, pages, profiles, peers, staff figures."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from cityexchange.core.models import Concept, Organisation, OrganisationKind
from cityexchange.directory.enums import OfferStatus
from cityexchange.directory.models import MunicipalityProfile, Offer, SearchGap

logger = logging.getLogger(__name__)


def offers_for_topics(
    *, topics: list[str], kinds: list[str] | None = None, level: str | None = None, limit: int = 5
) -> list[Offer]:
    """Active offers on any of ``topics`` (concept keys), most shared topics first.

    Used by other apps (the library, the self-assessment's roadmap) to point at
    offers; one query, plus one for the organisers.
    """
    if not topics or limit <= 0:
        return []
    queryset = Offer.objects.filter(status=OfferStatus.ACTIVE, topics__key__in=topics)
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    offers: list[Offer] = list(
        queryset.annotate(shared=Count("topics", distinct=True))
        .prefetch_related("organisers")
        .order_by("-shared", "slug")
    )
    if level:
        # JSON "contains" differs between databases; the list is small, so filter here.
        offers = [o for o in offers if not o.audience_levels or level in o.audience_levels]
    return offers[:limit]


def offer_list(
    *,
    kind: str = "",
    topic: str = "",
    audience: str = "",
    language: str = "",
    format: str = "",
    cost: str = "",
    region: str = "",
    include_inactive: bool = False,
) -> QuerySet[Offer]:
    """Offers for the directory page and ``GET /offers``, filtered in the database."""
    queryset = Offer.objects.all()
    if not include_inactive:
        queryset = queryset.filter(status=OfferStatus.ACTIVE)
    if kind:
        queryset = queryset.filter(kind=kind)
    if topic:
        queryset = queryset.filter(topics__key=topic)
    if format:
        queryset = queryset.filter(format=format)
    if cost:
        queryset = queryset.filter(cost=cost)
    if region:
        queryset = queryset.filter(region=region)
    if audience:
        queryset = queryset.filter(_json_list_contains("audience_levels", audience))
    if language:
        queryset = queryset.filter(
            _json_list_contains("languages", language)
            | _json_list_contains("interpretation_languages", language)
        )
    return queryset.prefetch_related(
        Prefetch("organisers", queryset=Organisation.objects.order_by("name")),
        Prefetch("topics", queryset=Concept.objects.order_by("key")),
    ).order_by("name", "slug")


def _json_list_contains(field: str, value: str) -> Q:
    # Values are short codes without quotes, so matching the quoted JSON string
    # is exact and works on SQLite and PostgreSQL alike.
    return Q(**{f"{field}__icontains": f'"{value}"'})


def offer_for_page(slug: str) -> QuerySet[Offer]:
    return Offer.objects.filter(slug=slug).prefetch_related(
        Prefetch("organisers", queryset=Organisation.objects.order_by("name")),
        Prefetch("topics", queryset=Concept.objects.order_by("key")),
    )


def organisation_offers(organisation: Organisation) -> list[Offer]:
    return list(
        organisation.offers.filter(status=OfferStatus.ACTIVE)
        .prefetch_related("topics")
        .order_by("name")
    )


def profiles_for_user(user: Any) -> QuerySet[Organisation]:
    """Municipalities whose Finder profile ``user`` may edit (their own team's)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=OrganisationKind.MUNICIPALITY, memberships__user=user
    ).select_related("finder_profile")


def peers_for(
    *, topics: list[str], exclude_organisation: int | None = None, limit: int = 3
) -> list[dict[str, Any]]:
    """Municipalities that chose to be shown as peers and share topics; public facts only."""
    if not topics:
        return []
    queryset = (
        MunicipalityProfile.objects.filter(listed_as_peer=True, topics__key__in=topics)
        .annotate(shared=Count("topics", distinct=True))
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "topics",
                queryset=Concept.objects.filter(key__in=topics).order_by("key"),
                to_attr="shared_topics",
            )
        )
        .order_by("-shared", "organisation__name")
    )
    if exclude_organisation is not None:
        queryset = queryset.exclude(organisation_id=exclude_organisation)
    return [
        {
            "organisation": profile.organisation,
            "shared_topics": [t.key for t in profile.shared_topics],
        }
        for profile in queryset[:limit]
    ]


def upcoming_events_for(topics: list[str], limit: int = 3) -> list[Any]:
    """Upcoming events on these topics, when the events app provides them."""
    try:
        from cityexchange.events.selectors import upcoming_events
    except ImportError:
        return []
    try:
        return list(upcoming_events(topics=topics, limit=limit))
    except Exception:  # a neighbour app's failure must not break the Finder
        logger.exception("upcoming_events failed")
        return []


def resources_for(topics: list[str], limit: int = 5) -> list[Any]:
    """Library resources on these topics, when the library app provides them."""
    try:
        from cityexchange.library.selectors import resources_for_topics
    except ImportError:
        return []
    try:
        return list(resources_for_topics(topics=topics, limit=limit))
    except Exception:  # a neighbour app's failure must not break the Finder
        logger.exception("resources_for_topics failed")
        return []


def search_gaps(*, limit: int = 200) -> list[SearchGap]:
    return list(SearchGap.objects.order_by("-month", "-count", "concepts")[:limit])


def stale_offers() -> list[Offer]:
    """Offers whose facts nobody has checked for a year, for the staff page."""
    from django.utils import timezone

    from cityexchange.directory.models import STALE_AFTER

    cutoff = timezone.localdate() - STALE_AFTER
    return list(
        Offer.objects.filter(Q(reviewed_on__isnull=True) | Q(reviewed_on__lt=cutoff))
        .exclude(status=OfferStatus.ENDED)
        .order_by("reviewed_on", "slug")
    )
