"""Every write of the directory: typed, keyword-only, atomic and audited.

The Finder itself only reads; what it writes is a saved result list (when a
user asks for one) and an anonymous, aggregated count of searches that found
nothing or little.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cityexchange.core import caching
from cityexchange.core.models import Concept, Organisation
from cityexchange.core.services import audit_record, snapshot
from cityexchange.directory.enums import SearchOutcome
from cityexchange.directory.models import MunicipalityProfile, Offer, SavedResult, SearchGap


def directory_changed() -> None:
    """Tell every process that offers or municipality profiles changed: the Finder's
    offer profiles and its per-topic peer lists are rebuilt on their next use.

    Every write below calls it; so does the back office, and anything that writes
    offers or profiles in bulk (the seeding, the benchmark's synthetic offers).
    """
    caching.bump("directory")


def offer_mark_reviewed(*, offer: Offer, actor: Any, on: dt.date | None = None) -> Offer:
    """Record that staff have checked the offer's facts today (clears the stale flag)."""
    with transaction.atomic():
        locked = Offer.objects.select_for_update().get(pk=offer.pk)
        before = snapshot(locked, ["reviewed_on"])
        locked.reviewed_on = on or timezone.localdate()
        locked.save(update_fields=["reviewed_on", "updated_at"])
        audit_record(
            actor=actor,
            action="offer.review",
            obj=locked,
            before=before,
            after=snapshot(locked, ["reviewed_on"]),
        )
        directory_changed()
    return locked


PROFILE_FIELDS = [
    "country",
    "population",
    "experience",
    "challenges",
    "goals",
    "staff_time",
    "budget",
    "languages",
    "listed_as_peer",
]


def profile_save(
    *,
    organisation: Organisation,
    actor: Any,
    values: dict[str, Any],
    topics: list[Concept] | None = None,
    memberships: list[Offer] | None = None,
) -> MunicipalityProfile:
    """Create or update a municipality's Finder profile (one per municipality)."""
    with transaction.atomic():
        # Lock the municipality row so two team members saving at once do not
        # both create a profile or overwrite each other half-way.
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        profile = MunicipalityProfile.objects.filter(organisation=organisation).first()
        created = profile is None
        if profile is None:
            profile = MunicipalityProfile(organisation=organisation)
        before = None if created else snapshot(profile, PROFILE_FIELDS)
        for name in PROFILE_FIELDS:
            if name in values:
                setattr(profile, name, values[name])
        profile.save()
        if topics is not None:
            profile.topics.set(topics)
        if memberships is not None:
            profile.memberships.set(memberships)
        after = snapshot(profile, PROFILE_FIELDS)
        after["topics"] = sorted(profile.topics.values_list("key", flat=True))
        audit_record(
            actor=actor,
            action="municipality_profile.create" if created else "municipality_profile.update",
            obj=profile,
            before=before,
            after=after,
        )
        directory_changed()
    return profile


def saved_result_create(
    *, request: dict[str, Any], items: list[dict[str, Any]], actor: Any = None
) -> SavedResult:
    """Keep a Finder result list (``finder_run``'s items) under an unguessable token so
    it can be shared by link.

    The free-text description is not kept: the list shows what was found and
    the structured wishes, so a shared link does not pass on what a town wrote.
    Reasons are kept as codes and worded when the list is shown, in the reader's
    language.
    """
    stored_request = {k: v for k, v in request.items() if k != "description"}
    stored_items = [
        {
            "slug": item["offer"]["slug"],
            "kind": item["offer"]["kind"],
            "score": item["score"],
            "fit": item["fit"],
            "reasons": item["reason_codes"],
        }
        for item in items
    ]
    with transaction.atomic():
        result = SavedResult.objects.create(
            request=stored_request,
            items=stored_items,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="finder_result.create",
            obj=result,
            after={"items": [item["slug"] for item in stored_items]},
        )
    return result


def _length_band(length: int) -> str:
    if length < 40:
        return "short"
    if length < 200:
        return "medium"
    return "long"


def search_gap_record(
    *, concepts: list[str], outcome: SearchOutcome, country: str, description_length: int
) -> None:
    """Count one search that found nothing or little, anonymously and aggregated by month.

    Not audited: it holds no personal data and no actor, only a counter.
    """
    today = timezone.localdate()
    key = {
        "month": today.replace(day=1),
        "concepts": " ".join(sorted(set(concepts)))[:400],
        "outcome": outcome,
        "country": (country or "").upper()[:2],
        "length_band": _length_band(description_length),
    }
    with transaction.atomic():
        gap, created = SearchGap.objects.get_or_create(
            **key, defaults={"count": 1, "last_seen": today}
        )
        if not created:
            SearchGap.objects.filter(pk=gap.pk).update(count=F("count") + 1, last_seen=today)


# ---------------------------------------------------------------- personal data


def personal_data_of(*, user: Any) -> dict[str, Any]:
    """The directory's part of a person's data export: the Finder results they saved."""
    return {
        "saved_finder_results": [
            {"token": token, "request": request, "items": items, "at": at.isoformat()}
            for token, request, items, at in SavedResult.objects.filter(
                created_by=user
            ).values_list("token", "request", "items", "created_at")
        ]
    }


def personal_data_erase(*, user: Any) -> None:
    """Erasure: saved results hold what the person described about their town and
    their wishes; they go, and with them the links to them."""
    SavedResult.objects.filter(created_by=user).delete()
