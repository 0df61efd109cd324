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
    from cityexchange.core.i18n import LANGUAGES

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


def _shown(index: NeighbourIndex, kind: str, topic: str, language: str) -> list[dict[str, Any]]:
    with translation.override(language):
        if kind == "events":
            return [serialise(e, language) for e in index.events.get(topic, [])]
        if kind == "resources":
            return [serialise(r, language) for r in _resources_of(index, topic)]
        label = thesaurus().label(topic, language)
        return [
            {
                "name": organisation.name,
                "country": organisation.country.code or None,
                "organisation_id": organisation.pk,
                "shared_topics": [label],
                "url": reverse("directory:organisation_detail", kwargs={"slug": organisation.slug}),
            }
            for organisation in index.peers.get(topic, [])
        ]


def _merge(lists: list[list[dict[str, Any]]], limit: int) -> list[dict[str, Any]]:
    """Take from each topic's list in turn, without duplicates."""
    merged: list[dict[str, Any]] = []
    seen: set[Any] = set()
    for position in range(max((len(items) for items in lists), default=0)):
        for items in lists:
            if position < len(items):
                item = items[position]
                marker = item.get("slug") or item.get("url") or item.get("title")
                if marker not in seen:
                    seen.add(marker)
                    merged.append(item)
    return merged[:limit]


def _still_to_come(items: list[dict[str, Any]], now: dt.datetime) -> list[dict[str, Any]]:
    # The lists live for minutes: an event that has begun since is left out.
    return [
        item
        for item in items
        if not item.get("starts_at") or dt.datetime.fromisoformat(item["starts_at"]) > now
    ]


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
    """Events and resources on ``topics``, peers sharing ``named``; merged topic by topic."""
    index = neighbour_index()
    topics = topics[:4]
    now = timezone.now()
    found_events = _merge(
        [_still_to_come(_shown(index, "events", t, language), now) for t in topics], events
    )
    found_resources = _merge([_shown(index, "resources", t, language) for t in topics], resources)
    by_url: dict[str, dict[str, Any]] = {}
    for topic in named[:4]:
        for peer in _shown(index, "peers", topic, language):
            if peer["organisation_id"] == exclude_organisation:
                continue
            entry = by_url.setdefault(peer["url"], {**peer, "shared_topics": []})
            entry["shared_topics"] = [*entry["shared_topics"], *peer["shared_topics"]]
    ranked = sorted(by_url.values(), key=lambda p: (-len(p["shared_topics"]), p["name"]))
    return (
        found_events,
        found_resources,
        [{k: v for k, v in p.items() if k != "organisation_id"} for p in ranked[:peers]],
    )
