"""Reads of the directory: offer lists with filters, pages, profiles, peers, staff figures."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import translation

from cityexchange.core.links import slug_paths
from cityexchange.core.models import Concept, Organisation, OrganisationKind
from cityexchange.directory.enums import OfferKind, OfferStatus
from cityexchange.directory.models import MunicipalityProfile, Offer, SavedResult, SearchGap

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


def own_profile(user: Any) -> MunicipalityProfile | None:
    """The Finder profile of the user's municipality (the first, if they belong to several)."""
    organisation = profiles_for_user(user).order_by("pk").first()
    if organisation is None:
        return None
    return MunicipalityProfile.objects.filter(organisation=organisation).first()


def membership_slugs_for_user(user: Any) -> list[str]:
    """Slugs of the offers the user's municipality takes part in, per its profile; one query."""
    if not getattr(user, "is_authenticated", False):
        return []
    organisation = profiles_for_user(user).order_by("pk").values("pk")[:1]
    return list(
        MunicipalityProfile.objects.filter(organisation__in=organisation, memberships__isnull=False)
        .order_by("memberships__slug")
        .values_list("memberships__slug", flat=True)
    )


def offer_slugs(slugs: list[str]) -> set[str]:
    """Which of ``slugs`` name an offer."""
    return set(Offer.objects.filter(slug__in=slugs).values_list("slug", flat=True))


def membership_choices(*, language: str, include: list[str] | None = None) -> list[tuple[str, str]]:
    """Networks a municipality can say it belongs to (plus ``include``), by name."""
    queryset = Offer.objects.filter(
        Q(kind=OfferKind.MEMBERSHIP_NETWORK, status=OfferStatus.ACTIVE) | Q(slug__in=include or [])
    ).only("slug", "name", f"name_{language}")
    choices = [(o.slug, getattr(o, f"name_{language}") or o.name) for o in queryset]
    return sorted(choices, key=lambda choice: choice[1].casefold())


def peer_profiles(*, limit: int) -> list[MunicipalityProfile]:
    """Profiles listed as peers with their organisation and topics (two queries)."""
    return list(
        MunicipalityProfile.objects.filter(listed_as_peer=True)
        .select_related("organisation")
        .prefetch_related(Prefetch("topics", queryset=Concept.objects.only("id", "key")))
        .order_by("organisation__name", "pk")[:limit]
    )


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


def format_overview_for(slug: str, user: Any) -> Any:
    """The editions and documentation of an events format, when the events app provides them."""
    if not slug:
        return None
    try:
        from cityexchange.events.selectors import format_overview
    except ImportError:
        return None
    return format_overview(slug=slug, user=user)


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


def saved_result_items(*, result: SavedResult, language: str) -> list[dict[str, Any]]:
    """A saved list as the results page and the API show it, in ``language``; offers
    removed from the catalogue since are left out."""
    from cityexchange.directory.finder import (
        band_label,
        fit_band,
        kind_label,
        reasons_text,
        split_reasons,
    )

    offers = {o.slug: o for o in Offer.objects.filter(slug__in=[i["slug"] for i in result.items])}
    with translation.override(language):
        offer_path = slug_paths("directory:offer_detail")
    shown = []
    for item in result.items:
        offer = offers.get(item["slug"])
        if offer is None:
            continue
        fits, notes = split_reasons(item["reasons"])
        band = item.get("fit") or fit_band(item["score"]) or "possible"
        shown.append(
            {
                "offer": {
                    "slug": offer.slug,
                    "name": getattr(offer, f"name_{language}") or offer.name,
                    "kind": offer.kind,
                    "kind_label": kind_label(offer.kind, language),
                    "url": offer_path(offer.slug),
                },
                "score": item["score"],
                "fit": band,
                "fit_label": _in_language(band_label, band, language),
                "reasons": reasons_text(fits, language),
                "notes": reasons_text(notes, language),
            }
        )
    return shown


def _in_language(function: Any, argument: str, language: str) -> str:
    with translation.override(language):
        return str(function(argument))
