"""Every read of the library beyond ``.get()``: search, lists, related resources."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection, models
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
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
# The columns of a resource that search results show (the API and the search page)
# or make their snippet from: the others are left unread.
_SHOWN_FIELDS = ("slug", "kind", "title", "summary", "body", "languages", "published_on")
_WORD_OR_NOT = re.compile(r"([^\W_]+)", re.UNICODE)
# Snippets are first looked for in about the opening _HEAD_CHARS characters of a long
# text, cut between two words.
_HEAD_CHARS = 2_000
_NOT_WORD = re.compile(r"[\W_]", re.UNICODE)


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


# Facet labels repeat on every request and cost a lookup each (country names, enum
# labels, thesaurus labels). They are kept per thesaurus index: a reloaded thesaurus
# is a new index object, which starts a new, empty cache. The pair is swapped as
# one value so that a thread still holding the old index never fills the new cache.
_LABEL_CACHE_SIZE = 20_000
# (facet, value, language, active language) -> label
_Labels = dict[tuple[str, str, str, str], str]
_label_cache: tuple[ThesaurusIndex | None, _Labels] = (None, {})


def _labels_for(index: ThesaurusIndex) -> _Labels:
    global _label_cache
    cached_index, labels = _label_cache
    if cached_index is not index or len(labels) >= _LABEL_CACHE_SIZE:
        labels = {}
        _label_cache = (index, labels)
    return labels


def _cached_facet_label(
    name: str,
    value: str,
    language: str,
    index: ThesaurusIndex,
    labels: _Labels,
    active: str,
) -> str:
    # Topic labels follow ``language``; kind, language and country names are
    # translated in the ``active`` language: both are part of the key.
    key = (name, value, language, active)
    label = labels.get(key)
    if label is None:
        label = labels[key] = _facet_label(name, value, language, index)
    return label


def _original_words(raw: str) -> dict[str, str]:
    """Folded word -> the word as the user typed it."""
    return {fold(w): w for w in _WORD_OR_NOT.findall(raw)}


@lru_cache(maxsize=100_000)
def _word_stems(word: str) -> frozenset[str]:
    """Every stem of ``word`` (as written) under the four languages' rules."""
    return frozenset(stem(folded, lang) for folded in words(word) for lang in LANGUAGES)


def _word_matches(word: str, tokens: set[str]) -> bool:
    return not _word_stems(word).isdisjoint(tokens)


class _MatchingWords:
    """Which words of the texts shown for one search match its tokens: each distinct
    word is tested once per search, not once per text it appears in."""

    def __init__(self, tokens: set[str]) -> None:
        self.tokens = tokens
        self.matching: set[str] = set()
        self.seen: set[str] = set()

    def among(self, words: set[str]) -> set[str]:
        for word in words - self.seen:
            if _word_matches(word, self.tokens):
                self.matching.add(word)
        self.seen |= words
        return words & self.matching


def _highlight(
    text: str, tokens: set[str] | _MatchingWords, *, limit: int = SNIPPET_WORDS
) -> tuple[str, bool]:
    """A window of ``text`` around its first matching word, matches in <mark>; escaped.

    A long text is first tried on its opening part alone: when the window fits in
    it, the rest is never read, so a long text whose match comes early costs no
    more than a short one.
    """
    if not isinstance(tokens, _MatchingWords):
        tokens = _MatchingWords(tokens)
    cut = _NOT_WORD.search(text, _HEAD_CHARS, 2 * _HEAD_CHARS)
    if cut is not None:
        snippet, found, at_end = _window(text[: cut.start()], tokens, limit)
        if found and not at_end:
            return snippet, found
    snippet, found, _at_end = _window(text, tokens, limit)
    return snippet, found


def _window(text: str, tokens: _MatchingWords, limit: int) -> tuple[str, bool, bool]:
    """(the snippet, whether a word matched, whether the window reaches the last word)."""
    parts = _WORD_OR_NOT.split(text)
    # parts alternate: separator, word, separator, word, ..., separator
    if len(parts) < 2:
        return html.escape(text[:240]), False, True
    words = parts[1::2]
    # Each distinct word is tested once; its first place is then found by list.index,
    # both much cheaper than testing the words one by one in Python.
    matching = tokens.among(set(words))
    first = 1 + 2 * min(map(words.index, matching)) if matching else None
    start = 1 if first is None else 1 + 2 * max(0, (first - 1) // 2 - limit // 3)
    end = min(start + 2 * (limit - 1), len(parts) - 2)
    out = ["… "] if start > 1 else []
    # The text between marked words is escaped a run at a time, not piece by piece.
    plain_from = start
    if first is not None:
        for i in range(first, end + 1, 2):
            if parts[i] in matching:
                out.append(html.escape("".join(parts[plain_from:i])))
                out.append(f"<mark>{html.escape(parts[i])}</mark>")
                plain_from = i + 1
    out.append(html.escape("".join(parts[plain_from : end + 1])))
    at_end = end == len(parts) - 2
    if not at_end:
        out.append(" …")
    return "".join(out), first is not None, at_end


def _snippet(resource: Resource, tokens: set[str] | _MatchingWords) -> SafeString:
    summary = resource.summary or ""
    text, found = _highlight(summary, tokens)
    if not found and resource.body:
        body_text, body_found = _highlight(resource.body, tokens)
        if body_found:
            text = body_text
    return mark_safe(text)  # noqa: S308 - every piece was escaped in _highlight


class _Reasons:
    """Why each hit of one query matched, in ``language``.

    What depends only on the query (the translated sentences, the topics it names
    and how they were typed) is worked out once; each hit only adds which of them
    it has.
    """

    def __init__(
        self, query: search.Query, language: str, *, any_word: bool, index: ThesaurusIndex
    ) -> None:
        originals = _original_words(query.raw)

        def typed(folded: str) -> str:
            return " ".join(originals.get(w, w) for w in folded.split())

        # (what a hit must have, what it then says), in the order of the query.
        self.words = [(w.tokens, typed(w.text)) for w in query.words]
        with override(language):
            self.concepts = [
                (
                    search.concept_token(match.concept),
                    _("topic: %(topic)s (from '%(text)s')")
                    % {
                        "topic": index.label(match.concept, language),
                        "text": typed(match.matched_text),
                    },
                )
                for match in query.concepts
            ]
            self.words_found = _("words: %(words)s")
            self.some_words = _("not every word was found; this matches some of them")
        self.any_word = any_word

    def __call__(self, hit: search.PageHit) -> list[str]:
        concept_tokens = set(hit.concepts.split())
        reasons = [reason for token, reason in self.concepts if token in concept_tokens]
        word_tokens = set(f"{hit.title} {hit.summary} {hit.body}".split())
        matched = [typed for tokens, typed in self.words if not tokens.isdisjoint(word_tokens)]
        if matched:
            reasons.append(self.words_found % {"words": ", ".join(matched)})
        if self.any_word:
            reasons.append(self.some_words)
        return reasons


def _facet_values(
    stats: search.Stats, wanted: dict[str, str], language: str, index: ThesaurusIndex
) -> dict[str, list[FacetValue]]:
    labels = _labels_for(index)
    active = get_language() or ""
    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        values = sorted(stats.facets.get(name, []), key=lambda item: (-item[1], item[0]))
        values = values[: 12 if name == "topic" else 30]
        if name == "year":
            values.sort(key=lambda item: item[0], reverse=True)
        facets[name] = [
            FacetValue(
                value,
                _cached_facet_label(name, value, language, index, labels, active),
                count,
                wanted.get(name) == value,
            )
            for value, count in values
        ]
    return facets


@lru_cache(maxsize=1)
def _shown_columns() -> tuple[str, ...]:
    """The columns of ``library_resource`` behind _SHOWN_FIELDS (with each language's
    column of a translated field), as ``.only(*_SHOWN_FIELDS)`` would read them."""
    wanted = set(_SHOWN_FIELDS)
    return tuple(
        f.attname
        for f in Resource._meta.concrete_fields
        if f.primary_key
        or f.name in wanted
        or getattr(getattr(f, "translated_field", None), "name", None) in wanted
    )


@lru_cache(maxsize=4)
def _shown_converters(vendor: str) -> list[tuple[int, Any, list[Any]]]:
    """(position, column, converters) of the _shown_columns() the ORM converts when it
    reads them from this kind of database (JSON, and dates on SQLite)."""
    converters = []
    for i, name in enumerate(_shown_columns()):
        f = Resource._meta.get_field(name)
        assert isinstance(f, models.Field)  # noqa: S101 - concrete columns only
        column = f.get_col(Resource._meta.db_table)
        steps = connection.ops.get_db_converters(column) + f.get_db_converters(connection)
        if steps:
            converters.append((i, column, steps))
    return converters


def _shown_resources(hits: list[search.PageHit]) -> dict[int, Resource]:
    """The resources of ``hits``, built from the columns the page read with them (one
    statement for the page instead of two), converted as the ORM converts them."""
    names = _shown_columns()
    converters = _shown_converters(connection.vendor)
    resources: dict[int, Resource] = {}
    for hit in hits:
        values = list(hit.shown)
        for i, column, steps in converters:
            for convert in steps:
                values[i] = convert(values[i], column, connection)
        resources[hit.resource_id] = Resource.from_db(connection.alias, names, values)
    return resources


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
    engine.expect_page(
        offset=(page - 1) * page_size,
        limit=page_size,
        newest=result.sort == "newest",
        shown=_shown_columns(),
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
                shown=_shown_columns(),
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
    by_pk = _shown_resources(page_hits)
    reasons = _Reasons(analysed, language, any_word=any_word, index=index)
    tokens = _MatchingWords(set(analysed.tokens))
    for hit in page_hits:
        resource = by_pk.get(hit.resource_id)
        if resource is None:
            continue
        result.items.append(
            SearchItem(
                resource=resource,
                score=round(hit.score, 4),
                snippet=_snippet(resource, tokens),
                matched=reasons(hit),
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
