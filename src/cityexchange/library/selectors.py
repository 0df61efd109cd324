"""Every read of the library beyond ``.get()``: search, lists, related resources."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.core.cache import caches
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django_countries import countries as all_countries

from cityexchange.assessments.models import MAX_LEVEL
from cityexchange.core import caching
from cityexchange.core.models import LANGUAGE_CHOICES, Organisation, OrganisationKind, User
from cityexchange.core.text import LANGUAGES, ThesaurusIndex, fold, stem, thesaurus, words
from cityexchange.library import search
from cityexchange.library.analysis import Query, analyse_query, concept_token
from cityexchange.library.models import (
    Forwarding,
    Resource,
    ResourceKind,
    ResourceStatus,
    SearchEntry,
    Subscription,
    Visibility,
)
from cityexchange.library.rules import may_see_members_content

FACETS = ("kind", "topic", "lang", "country", "year")
# Whole answers are kept in each process's "answers" cache under the shared versions of
# "library" and "thesaurus": every service that writes a resource bumps "library",
# which retires them in every process. A repeated search then reads nothing from the
# database.
ANSWER_SECONDS = 3600
SORTS = ("relevance", "newest")
SNIPPET_WORDS = 30
# The fields of a resource that search results show (the API and the search page) or
# make their snippet from, and the analysed columns its reasons come from.
_SHOWN_FIELDS = ("slug", "kind", "title", "summary", "body", "languages", "published_on")
_ENTRY_FIELDS = ("title", "summary", "body", "concepts", "tags")
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
    # True when there are more than ``count`` matches (it is then search.COUNT_CAP,
    # shown as "500+"): the facets are counted, and the page ranked, over the first
    # that many the database finds.
    count_is_capped: bool = False

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
    if name == "topic":
        return index.label(value, language)
    if name in ("kind", "lang", "country"):
        return _fixed_label(name, value, get_language())
    return value


@lru_cache(maxsize=4096)
def _fixed_label(name: str, value: str, active_language: str | None) -> str:
    """Names that only change with a release: kinds, languages and countries, named in
    the active language (``active_language`` keys the memo)."""
    if name == "kind":
        return str(ResourceKind(value).label) if value in ResourceKind.values else value
    if name == "lang":
        return str(dict(LANGUAGE_CHOICES).get(value, value))
    return str(all_countries.name(value)) or value


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
    """(about ``limit`` words of ``text`` around its first matching word with the
    matches in <mark>, escaped; whether a word matched)."""
    parts = _WORD_OR_NOT.split(text)
    # parts alternate: separator, word, separator, word, ..., separator
    if len(parts) < 2:
        return html.escape(text[:240]), False
    words = parts[1::2]
    matching = {word for word in set(words) if _word_matches(word, tokens)}
    first = 1 + 2 * min(map(words.index, matching)) if matching else None
    start = 1 if first is None else 1 + 2 * max(0, (first - 1) // 2 - limit // 3)
    end = min(start + 2 * (limit - 1), len(parts) - 2)
    # The text before the first word and after the last belongs to the window when it
    # reaches that far (an opening quote, a closing full stop).
    start, end = (0 if start == 1 else start), (len(parts) - 1 if end == len(parts) - 2 else end)
    out = ["… "] if start > 0 else []
    # The text between marked words is escaped a run at a time, not piece by piece.
    plain_from = start
    for i in range(first or end + 1, end + 1, 2):
        if parts[i] in matching:
            out.append(html.escape("".join(parts[plain_from:i])))
            out.append(f"<mark>{html.escape(parts[i])}</mark>")
            plain_from = i + 1
    out.append(html.escape("".join(parts[plain_from : end + 1])))
    if end < len(parts) - 1:
        out.append(" …")
    return "".join(out), first is not None


def _snippet(resource: Resource, tokens: set[str]) -> SafeString:
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
        self, query: Query, language: str, *, any_word: bool, index: ThesaurusIndex
    ) -> None:
        originals = _original_words(query.raw)

        def typed(folded: str) -> str:
            return " ".join(originals.get(w, w) for w in folded.split())

        # (what a hit must have, what it then says), in the order of the query.
        self.words = [(w.tokens, typed(w.text)) for w in query.words]
        with override(language):
            self.concepts = [
                (
                    concept_token(match.concept),
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

    def __call__(self, entry: SearchEntry) -> list[str]:
        concept_tokens = set(entry.concepts.split())
        reasons = [reason for token, reason in self.concepts if token in concept_tokens]
        word_tokens = set(f"{entry.title} {entry.summary} {entry.body}".split())
        matched = [typed for tokens, typed in self.words if not tokens.isdisjoint(word_tokens)]
        if matched:
            reasons.append(self.words_found % {"words": ", ".join(matched)})
        if self.any_word:
            reasons.append(self.some_words)
        return reasons


def _facet_values(
    counted: dict[str, list[tuple[str, int]]],
    wanted: dict[str, str],
    language: str,
    index: ThesaurusIndex,
) -> dict[str, list[FacetValue]]:
    facets: dict[str, list[FacetValue]] = {}
    for name in FACETS:
        values = sorted(counted.get(name, []), key=lambda item: (-item[1], item[0]))
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


def _page_resources(ids: list[int]) -> dict[int, Resource]:
    """The resources of a page with the fields a result shows and their analysed columns."""
    return (
        Resource.objects.select_related("search_entry")
        .only(*_SHOWN_FIELDS, *(f"search_entry__{name}" for name in _ENTRY_FIELDS))
        .in_bulk(ids)
    )


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
    public_only = not may_see_members_content(user)
    # Kinds and countries are named in the active language, topics in ``language``.
    languages = (language, get_language())
    asked = (query, languages, tuple(sorted(wanted.items())), sort, page, page_size, public_only)
    key = "library-answer:{}:{}".format(
        caching.version("library", "thesaurus"),
        hashlib.sha256(repr(asked).encode()).hexdigest(),
    )
    answers = caches["answers"]
    answer: SearchResult | None = answers.get(key)
    if answer is None:
        answer = _search(query, language, wanted, sort, page, page_size, public_only=public_only)
        answers.set(key, answer, ANSWER_SECONDS)
    return answer


def _search(
    query: str,
    language: str,
    wanted: dict[str, str],
    sort: str,
    page: int,
    page_size: int,
    *,
    public_only: bool,
) -> SearchResult:
    index = thesaurus()
    analysed = analyse_query(query, index)
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
        result.facets = _facet_values({}, wanted, language, index)
        return result
    conditions = search.Filters(public_only=public_only, facets=tuple(wanted.items()))

    def find(match: search.Match | None) -> search.Found:
        return search.find(
            match,
            conditions,
            newest=result.sort == "newest",
            offset=(page - 1) * page_size,
            limit=page_size,
        )

    every_word = None if browse else search.Match(tuple(tuple(g) for g in analysed.groups))
    found = find(every_word)
    if found.count == 0 and every_word is not None and len(every_word.groups) > 1:
        found = find(search.Match((tuple(analysed.tokens),), every_group=False))
        result.any_word = found.count > 0
    result.count = found.count
    result.count_is_capped = found.capped
    result.facets = _facet_values(found.facets, wanted, language, index)
    resources = _page_resources([rid for rid, _score in found.page])
    reasons = _Reasons(analysed, language, any_word=result.any_word, index=index)
    tokens = set(analysed.tokens)
    for rid, score in found.page:
        resource = resources.get(rid)
        if resource is None:  # withdrawn since the page was read
            continue
        entry = resource.search_entry
        result.items.append(
            SearchItem(
                resource=resource,
                score=round(score, 4),
                snippet=_snippet(resource, tokens),
                matched=reasons(entry),
                topics=[tag[6:] for tag in entry.tags.split() if tag.startswith("topic:")],
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


def documentation_for_events(*, event_ids: list[int], user: Any) -> dict[int, list[Resource]]:
    """The library resources documenting each of these events that ``user`` may see (one query)."""
    found: dict[int, list[Resource]] = {}
    if not event_ids:
        return found
    for resource in (
        visible_resources(user=user)
        .filter(event_id__in=event_ids)
        .only("id", "slug", "kind", "title", *(f"title_{lang}" for lang in LANGUAGES), "event_id")
        .order_by("kind", "slug")
    ):
        found.setdefault(int(resource.event_id or 0), []).append(resource)
    return found


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
    """What staff forwarded to the user personally or to the municipalities they belong to."""
    if not user.is_authenticated:
        return Forwarding.objects.none()
    organisations = Organisation.objects.filter(memberships__user=user)
    return (
        Forwarding.objects.filter(Q(organisation__in=organisations) | Q(recipient=user))
        .select_related("resource", "organisation", "sent_by")
        .order_by("-created_at", "-id")
    )


# ------------------------------------------------------------ forwarding by need

FORWARDING_KINDS = (OrganisationKind.MUNICIPALITY, OrganisationKind.REGION)


@dataclass(frozen=True)
class Suggestion:
    """Someone a resource could be forwarded to, and why, in the active language."""

    pk: int
    name: str
    reasons: list[str]


def _labels(keys: set[str], labels: dict[str, str]) -> str:
    return ", ".join(sorted((labels[k] for k in keys if k in labels), key=str.casefold))


def _score(value: float) -> str:
    return formats.number_format(value, decimal_pos=0 if value == int(value) else 1)


def forwarding_organisations() -> QuerySet[Organisation]:
    """The municipalities and regions a resource can be forwarded to."""
    return Organisation.objects.filter(kind__in=FORWARDING_KINDS).order_by("name")


def forwarding_suggestions(*, resource: Resource, user: Any) -> list[Suggestion]:
    """Municipalities whose needs meet ``resource``'s topics, best first, each explained:
    topics in their Finder profile, topics their members subscribed to, and
    dimensions their latest self-assessment scored low whose activities share a topic.

    Self-assessment gaps are only read when ``user`` may list every municipality's
    assessments (network staff); members' subscriptions are named by topic, never
    by person. A fixed number of queries whatever the number of municipalities.
    """
    from cityexchange.assessments.selectors import weak_dimensions_by_organisation
    from cityexchange.directory.models import MunicipalityProfile

    wanted = {c.key: c.label for c in resource.topics.all()}
    if not wanted:
        return []
    keys = set(wanted)
    towns = {o.pk: o for o in forwarding_organisations()}
    reasons: dict[int, list[str]] = {}

    profile_topics: dict[int, set[str]] = {}
    for organisation_id, key in MunicipalityProfile.topics.through.objects.filter(
        concept__key__in=keys, municipalityprofile__organisation_id__in=towns
    ).values_list("municipalityprofile__organisation_id", "concept__key"):
        profile_topics.setdefault(organisation_id, set()).add(key)
    for organisation_id, found in profile_topics.items():
        reasons.setdefault(organisation_id, []).append(
            _("profile topics: %(topics)s") % {"topics": _labels(found, wanted)}
        )

    subscribed: dict[int, set[str]] = {}
    for organisation_id, key in Subscription.topics.through.objects.filter(
        concept__key__in=keys,
        subscription__is_active=True,
        subscription__user__is_active=True,
        subscription__user__memberships__organisation_id__in=towns,
    ).values_list("subscription__user__memberships__organisation_id", "concept__key"):
        subscribed.setdefault(organisation_id, set()).add(key)
    for organisation_id, found in subscribed.items():
        reasons.setdefault(organisation_id, []).append(
            _("a member subscribed to %(topics)s") % {"topics": _labels(found, wanted)}
        )

    for organisation_id, weak in weak_dimensions_by_organisation(user=user).items():
        if organisation_id not in towns:
            continue
        for dimension in weak:
            if dimension.topics & keys:
                reasons.setdefault(organisation_id, []).append(
                    _("self-assessment: %(dimension)s scored %(score)s of %(top)s")
                    % {
                        "dimension": dimension.name,
                        "score": _score(dimension.score),
                        "top": MAX_LEVEL,
                    }
                )

    suggestions = [
        Suggestion(pk=pk, name=towns[pk].name, reasons=found) for pk, found in reasons.items()
    ]
    suggestions.sort(key=lambda s: (-len(s.reasons), s.name.casefold()))
    return suggestions


def contactable_people() -> QuerySet[User]:
    """People staff may forward a resource to personally: active accounts that asked to
    hear from the library (an active digest subscription, whose page says that staff may
    also send them single resources). A public speaker profile is no such consent."""
    return User.objects.filter(is_active=True, library_subscription__is_active=True)


def people_suggestions(*, resource: Resource) -> list[Suggestion]:
    """Contactable people whose digest subscription shares a topic with ``resource``."""
    wanted = {c.key: c.label for c in resource.topics.all()}
    if not wanted:
        return []
    found: dict[int, set[str]] = {}
    for user_id, key in Subscription.topics.through.objects.filter(
        concept__key__in=wanted,
        subscription__is_active=True,
        subscription__user__in=contactable_people(),
    ).values_list("subscription__user_id", "concept__key"):
        found.setdefault(user_id, set()).add(key)
    names = {
        user.pk: user.get_full_name()
        for user in User.objects.filter(pk__in=found).only("pk", "full_name", "email")
    }
    suggestions = [
        Suggestion(
            pk=pk,
            name=names[pk],
            reasons=[_("subscribed to %(topics)s") % {"topics": _labels(keys, wanted)}],
        )
        for pk, keys in found.items()
    ]
    suggestions.sort(key=lambda s: s.name.casefold())
    return suggestions


def contactable_person(entry: str, *, among: QuerySet[User] | None = None) -> User | None:
    """The one contactable person with this e-mail address or exact full name."""
    entry = entry.strip()
    if not entry or "\x00" in entry:
        return None
    field = "email__iexact" if "@" in entry else "full_name__iexact"
    people = among if among is not None else contactable_people()
    matches = list(people.filter(**{field: entry})[:2])
    return matches[0] if len(matches) == 1 else None
