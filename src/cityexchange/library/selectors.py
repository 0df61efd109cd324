"""Every read of the library beyond ``.get()``: search, lists, related resources."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_countries import countries as all_countries

from cityexchange.core.models import LANGUAGE_CHOICES, Concept, Organisation
from cityexchange.core.text import LANGUAGES, ThesaurusIndex, fold, stem, thesaurus, words
from cityexchange.library import search
from cityexchange.library.models import (
    Forwarding,
    Resource,
    ResourceKind,
    ResourceStatus,
    Visibility,
)
from cityexchange.library.rules import may_see_members_content

FACETS = ("kind", "topic", "lang", "country", "year")
SORTS = ("relevance", "newest")
SNIPPET_WORDS = 30
_WORD_OR_NOT = re.compile(r"([^\W_]+)", re.UNICODE)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchItem:
    resource: Resource
    score: float
    snippet: SafeString
    matched: list[str]
    topics: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    query: str
    items: list[SearchItem]
    count: int
    page: int
    page_size: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = "relevance"
    # True when no resource had every word and any word was enough.
    any_word: bool = False
    # True when there were too many matches to count facets exactly: they are
    # counted over a sample of them (the most recently added).
    facets_sampled: bool = False
    # True when ``count`` is an estimate (broad queries on SQLite).
    count_is_estimate: bool = False
    # True when the matches were too many to rank all: those whose title or
    # topics match come first, ranked; the others follow, newest first.
    ranking_is_approximate: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def clean_filters(filters: dict[str, Any] | None) -> dict[str, str]:
    """Keep only known, well-formed filter values (anything else is ignored, not an error)."""
    result: dict[str, str] = {}
    for name in FACETS:
        value = (filters or {}).get(name)
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        if value is None:
            continue
        value = str(value).strip()[:80]
        if value and re.fullmatch(r"[A-Za-z0-9_-]+", value):
            result[name] = value.upper() if name == "country" else value
    return result


def _facet_label(name: str, value: str, language: str, index: ThesaurusIndex) -> str:
    if name == "kind":
        return str(ResourceKind(value).label) if value in ResourceKind.values else value
    if name == "topic":
        return index.label(value, language)
    if name == "lang":
        return str(dict(LANGUAGE_CHOICES).get(value, value))
    if name == "country":
        return str(all_countries.name(value)) or value
    return value


def _original_words(raw: str) -> dict[str, str]:
    """Folded word -> the word as the user typed it."""
    return {fold(w): w for w in _WORD_OR_NOT.findall(raw)}


@lru_cache(maxsize=100_000)
def _word_stems(word: str) -> frozenset[str]:
    """Every stem of ``word`` (as written) under the four languages' rules."""
    return frozenset(stem(folded, lang) for folded in words(word) for lang in LANGUAGES)


def _word_matches(word: str, tokens: set[str]) -> bool:
    return not _word_stems(word).isdisjoint(tokens)


def _highlight(text: str, tokens: set[str], *, limit: int = SNIPPET_WORDS) -> tuple[str, bool]:
    """A window of ``text`` around its first matching word, matches in <mark>; escaped.

    Words are tested only up to the first match and inside the window, so a long
    text costs no more than a short one.
    """
    parts = _WORD_OR_NOT.split(text)
    # parts alternate: separator, word, separator, word, ..., separator
    if len(parts) < 2:
        return html.escape(text[:240]), False
    first = next((i for i in range(1, len(parts), 2) if _word_matches(parts[i], tokens)), None)
    start = 1 if first is None else 1 + 2 * max(0, (first - 1) // 2 - limit // 3)
    end = min(start + 2 * (limit - 1), len(parts) - 2)
    out: list[str] = []
    for i in range(start, end + 1):
        piece = html.escape(parts[i])
        if i % 2 and (i == first or (first is not None and _word_matches(parts[i], tokens))):
            piece = f"<mark>{piece}</mark>"
        out.append(piece)
    prefix = "… " if start > 1 else ""
    suffix = " …" if end < len(parts) - 2 else ""
    return prefix + "".join(out) + suffix, first is not None


def _snippet(resource: Resource, tokens: set[str]) -> SafeString:
    summary = resource.summary or ""
    text, found = _highlight(summary, tokens)
    if not found and resource.body:
        body_text, body_found = _highlight(resource.body, tokens)
        if body_found:
            text = body_text
    return mark_safe(text)  # noqa: S308 - every piece was escaped in _highlight


def _reasons(
    query: search.Query,
    hit: search.PageHit,
    language: str,
    originals: dict[str, str],
    *,
    any_word: bool,
    index: ThesaurusIndex,
) -> list[str]:
    reasons: list[str] = []
    concept_tokens = set(hit.concepts.split())
    with override(language):
        for match in query.concepts:
            if search.concept_token(match.concept) in concept_tokens:
                typed = " ".join(originals.get(w, w) for w in match.matched_text.split())
                reasons.append(
                    _("topic: %(topic)s (from '%(text)s')")
                    % {"topic": index.label(match.concept, language), "text": typed}
                )
        word_tokens = set(hit.title.split()) | set(hit.summary.split()) | set(hit.body.split())
        matched = [originals.get(w.text, w.text) for w in query.words if w.tokens & word_tokens]
        if matched:
            reasons.append(_("words: %(words)s") % {"words": ", ".join(matched)})
        if any_word:
            reasons.append(_("not every word was found; this matches some of them"))
    return reasons


def _facet_values(
    stats: search.Stats, wanted: dict[str, str], language: str, index: ThesaurusIndex
) -> dict[str, list[FacetValue]]:
    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        values = sorted(stats.facets.get(name, []), key=lambda item: (-item[1], item[0]))
        values = values[: 12 if name == "topic" else 30]
        if name == "year":
            values.sort(key=lambda item: item[0], reverse=True)
        facets[name] = [
            FacetValue(
                value, _facet_label(name, value, language, index), count, wanted.get(name) == value
            )
            for value, count in values
        ]
    return facets


def _count(
    engine: search.Backend, analysed: search.Query, conditions: search.Filters, *, browse: bool
) -> tuple[search.Stats, search.Match | None, bool]:
    """Statistics of every word matching, or of any word when none has them all."""
    if browse:
        return engine.stats(None, conditions), None, False
    match = search.Match.every_word(analysed)
    stats = engine.stats(match, conditions)
    fallback = search.Match.any_word(analysed)
    if stats.count == 0 and len(match.groups) > 1 and not fallback.is_empty:
        return engine.stats(fallback, conditions), fallback, True
    return stats, match, False


def search_resources(
    *,
    query: str,
    language: str,
    filters: dict[str, Any] | None = None,
    page: int = 1,
    page_size: int = 10,
    user: Any = None,
) -> SearchResult:
    """Search published resources the user may see, ranked, faceted and explained.

    Every word of the query must match (through any of its stems or thesaurus
    concepts); when no resource has them all, resources with any of them are
    shown and ``matched`` says so. An empty query lists everything that matches
    the filters, newest first. The sort order is taken from ``filters["sort"]``
    ("relevance" or "newest"). Ranking, paging and facet counts happen in the
    database: a constant number of queries whatever the size of the library.
    """
    language = language if language in LANGUAGES else "en"
    wanted = clean_filters(filters)
    sort = str((filters or {}).get("sort") or "relevance")
    sort = sort if sort in SORTS else "relevance"
    page = max(1, int(page))
    page_size = max(1, min(int(page_size), 100))
    index = thesaurus()
    analysed = search.analyse_query(query, index)
    browse = not (query or "").strip()
    result = SearchResult(
        query=analysed.raw,
        items=[],
        count=0,
        page=page,
        page_size=page_size,
        filters=wanted,
        sort="newest" if browse else sort,
    )
    if not browse and analysed.is_empty:
        return result
    engine = search.backend()
    conditions = search.Filters(
        public_only=not may_see_members_content(user),
        facets=tuple((name, value) for name, value in wanted.items()),
    )
    with engine.searching():
        stats, match, any_word = _count(engine, analysed, conditions, browse=browse)
        found = None
        # An estimate may fall short of the real number: the page is asked for anyway,
        # so paging on never stops before the matches do.
        if stats.count_is_estimate or stats.count > (page - 1) * page_size:
            found = engine.page(
                match,
                conditions,
                newest=result.sort == "newest",
                offset=(page - 1) * page_size,
                limit=page_size,
                complete=stats.complete,
            )
    result.count = stats.count
    result.any_word = any_word
    result.facets_sampled = stats.facets_sampled
    result.count_is_estimate = stats.count_is_estimate
    result.facets = _facet_values(stats, wanted, language, index)
    if found is None or not found.hits:
        return result
    result.ranking_is_approximate = found.ranking_is_approximate
    page_hits = found.hits
    if stats.count_is_estimate:
        # Never announce fewer matches than were shown, and leave a next page open
        # after a full one.
        shown = (page - 1) * page_size + len(page_hits)
        result.count = max(result.count, shown + (1 if len(page_hits) == page_size else 0))
    ids = [h.resource_id for h in page_hits]
    resources = {r.pk: r for r in Resource.objects.filter(pk__in=ids)}
    originals = _original_words(analysed.raw)
    tokens = set(analysed.tokens)
    for hit in page_hits:
        resource = resources.get(hit.resource_id)
        if resource is None:
            continue
        result.items.append(
            SearchItem(
                resource=resource,
                score=round(hit.score, 4),
                snippet=_snippet(resource, tokens),
                matched=_reasons(
                    analysed, hit, language, originals, any_word=any_word, index=index
                ),
                topics=hit.topics,
            )
        )
    return result


def visible_resources(*, user: Any) -> QuerySet[Resource]:
    queryset = Resource.objects.filter(status=ResourceStatus.PUBLISHED)
    if not may_see_members_content(user):
        queryset = queryset.filter(visibility=Visibility.PUBLIC)
    return queryset


def newest_resources(*, user: Any, limit: int = 6) -> list[Resource]:
    return list(
        visible_resources(user=user)
        .prefetch_related("topics")
        .order_by("-published_on", "-pk")[:limit]
    )


def most_viewed_resources(*, user: Any, limit: int = 6) -> list[Resource]:
    return list(
        visible_resources(user=user)
        .filter(view_count__gt=0)
        .prefetch_related("topics")
        .order_by("-view_count", "-published_on")[:limit]
    )


def resource_for_page(queryset: QuerySet[Resource] | None = None) -> QuerySet[Resource]:
    """The queryset a resource page needs, with everything it shows fetched up front."""
    return (
        (queryset or Resource.objects.all())
        .select_related("event")
        .prefetch_related(
            "topics",
            "organisations",
            "offers",
            Prefetch("attachments"),
        )
    )


def resources_for_topics(*, topics: list[str], limit: int = 5) -> list[Resource]:
    """Public resources sharing the most of ``topics`` (concept keys), newest first."""
    if not topics:
        return []
    return list(
        Resource.objects.filter(
            status=ResourceStatus.PUBLISHED, visibility=Visibility.PUBLIC, topics__key__in=topics
        )
        .annotate(shared=Count("topics", filter=Q(topics__key__in=topics), distinct=True))
        .order_by("-shared", "-published_on", "pk")[:limit]
    )


def related_resources(*, resource: Resource, user: Any, limit: int = 4) -> list[Resource]:
    keys = [t.key for t in resource.topics.all()]
    if not keys:
        return []
    return list(
        visible_resources(user=user)
        .filter(topics__key__in=keys)
        .exclude(pk=resource.pk)
        .annotate(shared=Count("topics", filter=Q(topics__key__in=keys), distinct=True))
        .order_by("-shared", "-published_on", "pk")[:limit]
    )


def forwardings_for_user(*, user: Any) -> QuerySet[Forwarding]:
    """What staff forwarded to the municipalities the user belongs to."""
    if not user.is_authenticated:
        return Forwarding.objects.none()
    organisations = Organisation.objects.filter(memberships__user=user)
    return (
        Forwarding.objects.filter(organisation__in=organisations)
        .select_related("resource", "organisation", "sent_by")
        .order_by("-created_at", "-id")
    )


def topics_in_use() -> QuerySet[Concept]:
    return Concept.objects.filter(resources__status=ResourceStatus.PUBLISHED).distinct()
