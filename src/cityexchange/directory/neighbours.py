"""What the Finder and the offer pages show beside offers: events, library resources, peers.

Per thesaurus topic: the next upcoming events, the newest public library
resources and the municipalities that share the topic and chose to be shown
as peers. These lists change slowly, while every search needs several of them,
so they are built together into one in-process index:

- resources: one pass over the public library, newest first, that stops as
  soon as every topic has its five (with the synthetic 100,000 resources that
  is after about 2,500 rows, ~50 ms); a topic the pass did not fill is
  fetched on its own the first time it is asked for, and remembered;
- events: the upcoming events with their topics (one query and its prefetch);
- peers: the listed municipality profiles with their topics (likewise).

A search then costs no query here, only merging a few short lists. The lists
are kept with ``core.caching`` and rebuilt after the events, library, thesaurus
or directory services ``caching.bump`` their data.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone, translation

from cityexchange.core import caching
from cityexchange.core.i18n import LANGUAGES
from cityexchange.core.text import thesaurus

logger = logging.getLogger(__name__)

EVENTS_PER_TOPIC = 6  # more than shown: some may have started by the time they are read
RESOURCES_PER_TOPIC = 5
PEERS_PER_TOPIC = 5  # one more than shown, in case the asking municipality is among them
# The resource pass stops after this many (resource, topic) rows even if some topic
# is still short; those topics are then fetched one by one when first asked for.
RESOURCE_PASS_ROWS = 20_000
MAX_EVENTS = 300
MAX_PEERS = 5_000


@dataclass
class NeighbourIndex:
    built_on: dt.date
    events: dict[str, list[Any]]
    resources: dict[str, list[Any]]
    # Topics whose list is final: five found, or the pass saw the whole library.
    resources_complete: set[str]
    resources_exhausted: bool
    peers: dict[str, list[Any]]


def neighbour_index() -> NeighbourIndex:
    """The per-topic lists, rebuilt once after any of the data they show changes, and
    once a day, so that the event lists refill as their events begin."""
    depends_on = ("directory", "events", "library", "thesaurus")
    index = caching.cached("finder.neighbours", _build, depends_on=depends_on)
    if index.built_on != timezone.localdate():
        caching.bump("finder.neighbours")
        index = caching.cached("finder.neighbours", _build, depends_on=depends_on)
    return index


def _build() -> NeighbourIndex:
    resources, complete, exhausted = _resource_lists(len(thesaurus().labels))
    return NeighbourIndex(
        built_on=timezone.localdate(),
        events=_event_lists(),
        resources=resources,
        resources_complete=complete,
        resources_exhausted=exhausted,
        peers=_peer_lists(),
    )


def _visible_resources() -> Any:
    """Public, published resources, through the library's own selector (None without it)."""
    try:
        from cityexchange.library.selectors import visible_resources
    except ImportError:
        return None
    return visible_resources(user=AnonymousUser())


def _resource_lists(topic_count: int) -> tuple[dict[str, list[Any]], set[str], bool]:
    queryset = _visible_resources()
    if queryset is None:
        return {}, set(), True
    chosen: dict[str, list[int]] = defaultdict(list)
    full = 0
    rows = 0
    exhausted = True
    try:
        # Newest first, as the library's (status, visibility, -published_on) index
        # hands them out: no sort, no aggregate, and it stops early.
        pairs = (
            queryset.filter(topics__isnull=False)
            .order_by("-published_on", "pk")
            .values_list("pk", "topics__key")
        )
        for pk, key in pairs.iterator(chunk_size=2000):
            rows += 1
            picked = chosen[key]
            if len(picked) < RESOURCES_PER_TOPIC:
                picked.append(pk)
                if len(picked) == RESOURCES_PER_TOPIC:
                    full += 1
                    if full >= topic_count:
                        exhausted = False
                        break
            if rows >= RESOURCE_PASS_ROWS:
                exhausted = False
                break
        wanted = {pk for pks in chosen.values() for pk in pks}
        loaded = {r.pk: r for r in _resources_by_pk(queryset, wanted)}
    except Exception:  # a neighbour app's failure must not break the Finder
        logger.exception("building the per-topic resource lists failed")
        return {}, set(), True
    lists = {key: [loaded[pk] for pk in pks if pk in loaded] for key, pks in chosen.items()}
    complete = {key for key, items in lists.items() if len(items) >= RESOURCES_PER_TOPIC}
    return lists, complete, exhausted


def _resources_by_pk(queryset: Any, pks: set[int]) -> list[Any]:
    if not pks:
        return []
    return list(
        queryset.filter(pk__in=pks).only(
            "pk", "slug", "title", *[f"title_{language}" for language in LANGUAGES]
        )
    )


def _resources_of(index: NeighbourIndex, topic: str) -> list[Any]:
    """A topic's resources; one the pass left short is fetched once and remembered."""
    if index.resources_exhausted or topic in index.resources_complete:
        return index.resources.get(topic, [])
    queryset = _visible_resources()
    items: list[Any] = []
    if queryset is not None:
        try:
            pks = list(
                queryset.filter(topics__key=topic)
                .order_by("-published_on", "pk")
                .values_list("pk", flat=True)[:RESOURCES_PER_TOPIC]
            )
            by_pk = {r.pk: r for r in _resources_by_pk(queryset, set(pks))}
            items = [by_pk[pk] for pk in pks if pk in by_pk]
        except Exception:  # a neighbour app's failure must not break the Finder
            logger.exception("resources for topic %s failed", topic)
    # Two requests may both fetch it; either answer is right.
    index.resources[topic] = items
    index.resources_complete.add(topic)
    return items


def _event_lists() -> dict[str, list[Any]]:
    from cityexchange.directory.selectors import upcoming_events_for

    lists: dict[str, list[Any]] = defaultdict(list)
    for event in upcoming_events_for([], MAX_EVENTS):
        topics = getattr(event, "topics", None)
        if topics is None:
            continue
        for topic in topics.all():
            if len(lists[topic.key]) < EVENTS_PER_TOPIC:
                lists[topic.key].append(event)
    return dict(lists)


def _peer_lists() -> dict[str, list[Any]]:
    from cityexchange.directory.selectors import peer_profiles

    lists: dict[str, list[Any]] = defaultdict(list)
    for profile in peer_profiles(limit=MAX_PEERS):
        for topic in profile.topics.all():
            if len(lists[topic.key]) < PEERS_PER_TOPIC:
                lists[topic.key].append(profile.organisation)
    return dict(lists)


# --------------------------------------------------------------------------- shown


def serialise(obj: Any, language: str) -> dict[str, Any]:
    """A neighbour app's event or resource as a small public dict."""
    data: dict[str, Any] = {
        "slug": str(getattr(obj, "slug", "") or ""),
        "title": str(getattr(obj, "title", "") or obj),
        "url": "",
    }
    starts_at = getattr(obj, "starts_at", None)
    if starts_at is not None:
        data["starts_at"] = starts_at.isoformat()
    get_url = getattr(obj, "get_absolute_url", None)
    if callable(get_url):
        try:
            data["url"] = str(get_url())
        except Exception:  # a page the neighbour app has not wired yet
            data["url"] = ""
    return data


def _merge(lists: list[list[Any]], limit: int) -> list[Any]:
    """Take from each topic's list in turn, without duplicates."""
    merged: list[Any] = []
    seen: set[int] = set()
    for position in range(max((len(items) for items in lists), default=0)):
        for items in lists:
            if position < len(items) and items[position].pk not in seen:
                seen.add(items[position].pk)
                merged.append(items[position])
    return merged[:limit]


def _still_to_come(event: Any, now: dt.datetime) -> bool:
    starts_at = getattr(event, "starts_at", None)
    return starts_at is None or starts_at > now


def neighbours_for(
    topics: list[str],
    named: list[str],
    language: str,
    *,
    exclude_organisation: int | None = None,
    events: int = 3,
    resources: int = 5,
    peers: int = 3,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Events and resources on ``topics``, peers sharing ``named``; merged topic by topic.

    Merged as rows first, so only what is shown is worded and linked.
    """
    index = neighbour_index()
    topics = topics[:4]
    now = timezone.now()
    # The lists live for up to a day: an event that has begun since is left out.
    event_lists = [[e for e in index.events.get(t, []) if _still_to_come(e, now)] for t in topics]
    resource_lists = [_resources_of(index, t) for t in topics]
    shared: dict[int, list[str]] = {}
    organisations: dict[int, Any] = {}
    for topic in named[:4]:
        for organisation in index.peers.get(topic, []):
            if organisation.pk != exclude_organisation:
                organisations[organisation.pk] = organisation
                shared.setdefault(organisation.pk, []).append(topic)
    ranked = sorted(organisations.values(), key=lambda o: (-len(shared[o.pk]), o.name))[:peers]
    with translation.override(language):
        labels = thesaurus()
        return (
            [serialise(e, language) for e in _merge(event_lists, events)],
            [serialise(r, language) for r in _merge(resource_lists, resources)],
            [
                {
                    "name": organisation.name,
                    "country": organisation.country.code or None,
                    "shared_topics": [labels.label(t, language) for t in shared[organisation.pk]],
                    "url": reverse(
                        "directory:organisation_detail", kwargs={"slug": organisation.slug}
                    ),
                }
                for organisation in ranked
            ],
        )
