"""Cross-lingual full-text search on the database's own engine.

Both engines are fed the same analysis, done here in Python with ``core.text``:

* every word is folded and stemmed with the Snowball rules of the language it is
  written in (titles and summaries in each of de/en/es/pt, the full text in the
  material's own languages);
* thesaurus concepts named anywhere in the text become special tokens such as
  ``c_water_management``, as do the resource's explicit topics.

A query is analysed word by word. Each content word may match through any of
its stems under the four languages' rules, or through the concept token of a
thesaurus label it is part of. All words must match (AND across words, OR
within a word's alternatives); when that finds nothing, any word may match and
the result says so. The engine ranks, counts and pages: SQLite FTS5 with
``bm25`` over the table ``library_fts``, PostgreSQL with ``ts_rank_cd`` over a
weighted ``tsvector`` (GIN index) built from the same tokens, both with
``ORDER BY ... LIMIT``. Because the engines only split on spaces and match
whole tokens, both return the same hits.

A search looks at no more than ``CANDIDATES`` matches in full. Beyond that a
query is broad: its count is estimated, its facets are counted over a sample,
and the first tier (at most FIRST_TIER resources whose head, i.e. title and
topics, has every word, and as many whose title has them) is ranked before the
other matches, which follow unranked: most recently added first on SQLite; on
PostgreSQL those of a fixed sample of one resource in INDEX_SAMPLE first (it has
partial indexes of its own, since a GIN index finds every match before the first
row), each group in the order the table stores them. See ``Stats`` and
``_SqlBackend.page``.

User input never reaches either engine's query syntax: only tokens made of
letters, digits and ``_`` are passed, quoted, inside a bound parameter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import math
import re
import time
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings as django_settings
from django.db import connection, transaction

from cityexchange.core.text import (
    ALL_STOPWORDS,
    LANGUAGES,
    ConceptMatch,
    ThesaurusIndex,
    content_words,
    stem,
    thesaurus,
    words,
)

MAX_QUERY_CHARS = 400
MAX_QUERY_WORDS = 24
# Very long extracted texts are cut so a single PDF cannot bloat the index.
MAX_BODY_WORDS = 20000
# How strongly each column counts, the same on both engines.
WEIGHTS = {"title": 3.0, "summary": 2.0, "body": 1.0, "concepts": 4.0}
# Facet counts are exact up to this many matches; beyond, they are counted over
# this many of them, newest resources first (the result says so), so counting
# facets costs the same however broad the query.
FACET_SAMPLE = 2000
FACET_NAMES = ("kind", "topic", "lang", "country", "year")
_TOKEN_OK = re.compile(r"^[a-z0-9_]+$")


def concept_token(key: str) -> str:
    return "c_" + re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")


def facet_token(name: str, value: str) -> str:
    """The index token of a facet value: ("topic", "water-management") -> f_topic_water_management."""
    return f"f_{name}_" + re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")


# Resources only members may see carry this token; anonymous searches exclude it.
MEMBERS_ONLY_TAG = "t_members"


# --------------------------------------------------------------------------- analysis


@lru_cache(maxsize=200_000)
def _chunk_words(chunk: str) -> tuple[str, ...]:
    """Folded words of one whitespace-separated chunk (texts repeat their chunks)."""
    return tuple(words(chunk))


def fast_words(text: str) -> list[str]:
    """``core.text.words(text)``, memoised per whitespace-separated chunk.

    Folding never joins or splits across whitespace, so this gives the same words.
    """
    result: list[str] = []
    for chunk in text.split():
        result.extend(_chunk_words(chunk))
    return result


@lru_cache(maxsize=300_000)
def _word_tokens(word: str, languages: tuple[str, ...]) -> tuple[str, ...]:
    """The distinct stems of ``word`` under ``languages``' rules; () for a stopword."""
    if word in ALL_STOPWORDS:
        return ()
    return tuple(dict.fromkeys(stem(word, language) for language in languages))


class ConceptFinder:
    """Every occurrence of a thesaurus label in a word list, for documents.

    ``ThesaurusIndex.find`` reports each concept once; a document needs each
    occurrence, so that naming a topic often weighs more. Uses the index's own
    tables (``starts`` bounds the runs worth trying at each position, compound
    parts are memoised per word by the index).
    """

    def __init__(self, index: ThesaurusIndex) -> None:
        self.index = index
        self._compounds: dict[str, tuple[str, ...]] = {}

    def compound_keys(self, token: str) -> tuple[str, ...]:
        keys = self._compounds.get(token)
        if keys is None:
            parts = dict.fromkeys(self.index._parts_in(token))  # noqa: SLF001 - shared memo
            keys = tuple(key for key, _label, _language in parts)
            if len(self._compounds) < 500_000:
                self._compounds[token] = keys
        return keys

    def find(self, tokens: Sequence[str], languages: Iterable[str]) -> list[str]:
        index = self.index
        found: list[str] = []
        for language in languages:
            stemmed = [stem(w, language) for w in tokens]
            for start, first in enumerate(stemmed):
                longest = index.starts.get((language, first), 0)
                if not longest:
                    continue
                for size in range(min(longest, len(stemmed) - start), 0, -1):
                    if size == 1 and tokens[start] in ALL_STOPWORDS:
                        continue
                    run = tuple(stemmed[start : start + size])
                    for key, _label in index.phrases.get((language, run), ()):
                        found.append(key)
        for token in tokens:
            found.extend(self.compound_keys(token))
        return found


_finder: ConceptFinder | None = None


def concept_finder(index: ThesaurusIndex | None = None) -> ConceptFinder:
    """The finder of the current thesaurus (pass ``index`` to skip looking it up)."""
    global _finder
    index = index or thesaurus()
    if _finder is None or _finder.index is not index:
        _finder = ConceptFinder(index)
    return _finder


@dataclass
class Document:
    """The analysed form of a resource: space-separated tokens per column, facet values."""

    resource_id: int
    title: str
    summary: str
    body: str
    concepts: str
    facets: list[tuple[str, str]]
    is_public: bool
    published_on: dt.date | None
    # Concept tokens of the explicit topics and of concepts named in a title: with
    # the title, the "head" of the resource (the first tier of candidates).
    topics: str = ""

    @property
    def tags(self) -> str:
        """Facet values as stored with the entry: ``kind:study topic:sensors ...``."""
        return " ".join(f"{name}:{value}" for name, value in self.facets)

    @property
    def tag_tokens(self) -> str:
        """Facet values and visibility as index tokens, for filters inside the text index."""
        tokens = [facet_token(name, value) for name, value in self.facets]
        if not self.is_public:
            tokens.append(MEMBERS_ONLY_TAG)
        return " ".join(tokens)


def _analyse(
    text: str, languages: Sequence[str], finder: ConceptFinder
) -> tuple[list[str], list[str]]:
    """(word tokens, concept keys) of ``text`` written in ``languages``."""
    tokens = fast_words(text)[:MAX_BODY_WORDS]
    langs = tuple(languages)
    out: list[str] = []
    for word in tokens:
        out.extend(_word_tokens(word, langs))
    return out, finder.find(tokens, langs)


def material_languages(languages: Sequence[str]) -> list[str]:
    valid = [lang for lang in languages if lang in LANGUAGES]
    return valid or ["en"]


def analyse_document(
    *,
    resource_id: int,
    titles: dict[str, str],
    summaries: dict[str, str],
    body: str,
    languages: Sequence[str],
    topic_keys: Sequence[str],
    facets: dict[str, list[str]],
    is_public: bool,
    published_on: dt.date | None,
    finder: ConceptFinder | None = None,
) -> Document:
    """Analyse one resource. ``titles``/``summaries`` map a language to its translation."""
    finder = finder or concept_finder()
    concept_keys: list[str] = []
    head_keys: list[str] = list(topic_keys)
    columns: dict[str, list[str]] = {"title": [], "summary": [], "body": []}
    for column, texts in (("title", titles), ("summary", summaries)):
        for language, text in texts.items():
            if text:
                tokens, found = _analyse(text, [language], finder)
                columns[column].extend(tokens)
                concept_keys.extend(found)
                if column == "title":
                    head_keys.extend(found)
    if body:
        tokens, found = _analyse(body, material_languages(languages), finder)
        columns["body"] = tokens
        concept_keys.extend(found)
    # An explicit topic counts as much as being named in two places.
    concept_keys.extend(list(topic_keys) * 2)
    facet_values = list(
        dict.fromkeys(
            (name, "".join(str(value).split())[:120])
            for name, values in facets.items()
            for value in values
            if str(value).strip()
        )
    )
    return Document(
        resource_id=resource_id,
        title=" ".join(columns["title"]),
        summary=" ".join(columns["summary"]),
        body=" ".join(columns["body"]),
        concepts=" ".join(concept_token(key) for key in concept_keys),
        facets=facet_values,
        is_public=is_public,
        published_on=published_on,
        topics=" ".join(concept_token(key) for key in dict.fromkeys(head_keys)),
    )


# --------------------------------------------------------------------------- queries


@dataclass
class QueryWord:
    text: str  # the folded word as typed
    tokens: frozenset[str]  # its stems under every language's rules
    concepts: frozenset[str] = frozenset()  # tokens of thesaurus labels it is part of

    @property
    def alternatives(self) -> list[str]:
        """Every token through which this word may match, sorted."""
        return sorted(t for t in self.tokens | self.concepts if _TOKEN_OK.match(t))


@dataclass
class Query:
    raw: str
    words: list[QueryWord] = field(default_factory=list)
    concepts: list[ConceptMatch] = field(default_factory=list)

    @property
    def tokens(self) -> list[str]:
        result: set[str] = {concept_token(c.concept) for c in self.concepts}
        for word in self.words:
            result.update(word.tokens)
        return sorted(t for t in result if _TOKEN_OK.match(t))

    @property
    def groups(self) -> list[list[str]]:
        """One list of alternatives per word; a document must match one of each list.

        Lists that contain another list are dropped: they add nothing to an AND.
        """
        groups = [g for g in (w.alternatives for w in self.words) if g]
        unique = list(dict.fromkeys(tuple(g) for g in groups))
        kept = [g for g in unique if not any(o != g and set(o) <= set(g) for o in unique)]
        return [list(g) for g in kept]

    @property
    def is_empty(self) -> bool:
        return not self.tokens


_QUERY_CACHE_SIZE = 4096
_query_cache: dict[str, Query] = {}
_query_cache_index: ThesaurusIndex | None = None


def analyse_query(raw: str, index: ThesaurusIndex | None = None) -> Query:
    """Understand a query typed in any of the four languages; never raises.

    Analyses are kept per process for the current thesaurus (the same words are
    typed again and again); the returned ``Query`` is shared and must not be changed.
    """
    global _query_cache_index
    text = (raw or "")[:MAX_QUERY_CHARS]
    index = index or thesaurus()
    if index is not _query_cache_index:
        _query_cache.clear()
        _query_cache_index = index
    query = _query_cache.get(text)
    if query is None:
        query = _analyse_query(text, index)
        if len(_query_cache) >= _QUERY_CACHE_SIZE:
            _query_cache.pop(next(iter(_query_cache)), None)
        _query_cache[text] = query
    return query


def _analyse_query(text: str, index: ThesaurusIndex) -> Query:
    query = Query(raw=text)
    seen: set[str] = set()
    for word in content_words(text)[:MAX_QUERY_WORDS]:
        if word in seen:
            continue
        seen.add(word)
        query.words.append(QueryWord(word, frozenset(stem(word, lang) for lang in LANGUAGES)))
    if query.words:
        query.concepts = index.find(text)
        by_word: dict[str, set[str]] = {}
        for match in query.concepts:
            for part in match.matched_text.split():
                by_word.setdefault(part, set()).add(concept_token(match.concept))
        for item in query.words:
            item.concepts = frozenset(by_word.get(item.text, ()))
    return query


def _quoted(tokens: Iterable[str]) -> list[str]:
    return [t for t in tokens if _TOKEN_OK.match(t)]


# --------------------------------------------------------------------------- engines


@dataclass(frozen=True)
class Match:
    """What to look for: every group must match (``all_groups``) or any token may."""

    groups: tuple[tuple[str, ...], ...]
    all_groups: bool

    @classmethod
    def every_word(cls, query: Query) -> Match:
        return cls(tuple(tuple(_quoted(g)) for g in query.groups), True)

    @classmethod
    def any_word(cls, query: Query) -> Match:
        return cls((tuple(_quoted(query.tokens)),), False)

    @property
    def is_empty(self) -> bool:
        return not any(self.groups)


@dataclass(frozen=True)
class Filters:
    public_only: bool
    facets: tuple[tuple[str, str], ...]


@dataclass
class Stats:
    """How many resources match and their facet values.

    ``complete`` is true when every match was seen (at most ``CANDIDATES`` of
    them): count and facets are exact and the engine can rank all matches.
    Otherwise facets are counted over a sample (``facets_sampled``) and the count
    is estimated (``count_is_estimate``). SQLite samples the ``CANDIDATES`` most
    recently indexed matches and estimates from how densely they lie among the
    resource ids. PostgreSQL samples the first ``CANDIDATES`` in storage order and
    estimates by table page (exact when the sample reached the table's last page);
    for a query the planner expects to be very broad it takes the planner's
    estimate and samples the first tier (see ``PostgresBackend._broad_sample``).
    """

    count: int
    facets: dict[str, list[tuple[str, int]]]
    facets_sampled: bool = False
    count_is_estimate: bool = False

    @property
    def complete(self) -> bool:
        return not self.facets_sampled


@dataclass(frozen=True)
class PageHit:
    resource_id: int
    score: float
    title: str = ""
    summary: str = ""
    body: str = ""
    concepts: str = ""
    tags: str = ""
    # The columns of ``library_resource`` the page asked for (``shown``), as read.
    shown: tuple[Any, ...] = ()

    @property
    def topics(self) -> list[str]:
        """The explicit topics (concept keys) of the resource, from its facet tags."""
        return [t[6:] for t in self.tags.split() if t.startswith("topic:")]


@dataclass
class Page:
    hits: list[PageHit]
    # True when the matches were too many to rank them all: the first tier
    # (title or topic matches, ranked) comes first, then the others, unranked.
    ranking_is_approximate: bool = False


class Backend(Protocol):
    def write(self, documents: Sequence[Document], *, replace: bool = True) -> None: ...
    def remove(self, resource_ids: Sequence[int]) -> None: ...
    def clear(self) -> None: ...
    def optimise(self) -> None: ...
    def searching(self) -> AbstractContextManager[None]: ...
    def expect_page(
        self, *, offset: int, limit: int, newest: bool, shown: Sequence[str]
    ) -> None: ...
    def stats(self, match: Match | None, filters: Filters) -> Stats: ...
    def page(
        self,
        match: Match | None,
        filters: Filters,
        *,
        newest: bool,
        offset: int,
        limit: int,
        complete: bool,
        shown: Sequence[str] = (),
    ) -> Page: ...


# How many matches a search looks at in full: up to this many, count and facets
# are exact and all matches are ranked by the full bm25 / ts_rank_cd. Beyond it,
# the work no longer grows with the number of matches (see ``Stats`` and ``Page``).
CANDIDATES = 100
# Broad queries: at most this many resources whose head has every word, and as many
# whose title has them, are ranked first (the first tier; see ``_head``).
FIRST_TIER = 30
# PostgreSQL, broad queries: the first tier's head matches, and the other matches
# read for facets, come from one resource in this many (by id) when that sample holds
# enough of them. The modulus of the partial indexes of migration 0006: change both
# or neither.
INDEX_SAMPLE = 8
# PostgreSQL: beyond this many times CANDIDATES matches expected by the planner, a
# query is broad and its matches are not looked up in the full-text index at all
# for counting (see ``PostgresBackend._broad_sample``).
BROAD_PLAN = 5
# PostgreSQL, broad queries: facets are counted over the first tier alone when it
# holds at least this many resources.
FACET_MIN = 20

_ENTRY_COLUMNS = "resource_id, title, summary, body, concepts, tags, is_public, published_on"


def _entry_row(doc: Document, *, texts: bool = True) -> list[Any]:
    return [
        doc.resource_id,
        doc.title if texts else "",
        doc.summary if texts else "",
        doc.body if texts else "",
        doc.concepts if texts else "",
        doc.tags,
        doc.is_public,
        doc.published_on,
    ]


def _facet_rows(documents: Sequence[Document]) -> list[list[Any]]:
    return [[d.resource_id, name, value] for d in documents for name, value in d.facets]


def _filter_sql(filters: Filters) -> tuple[str, list[Any]]:
    """``AND ...`` conditions on the entry ``e`` for visibility and chosen facet values."""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.public_only:
        clauses.append("e.is_public")
    for name, value in filters.facets:
        clauses.append(
            "e.resource_id IN (SELECT resource_id FROM library_searchfacet "
            "WHERE name = %s AND value = %s)"
        )
        params.extend([name, value])
    return "".join(f" AND {c}" for c in clauses), params


_STATS_TAIL = (
    "SELECT '#', '', COUNT(*) FROM m "
    "UNION ALL "
    "SELECT f.name, f.value, COUNT(*) FROM library_searchfacet f "
    "JOIN (SELECT id FROM m ORDER BY id DESC LIMIT %s) s ON s.id = f.resource_id "
    "GROUP BY f.name, f.value"
)


def _stats_from_rows(rows: Iterable[Sequence[Any]]) -> Stats:
    count = 0
    facets: dict[str, list[tuple[str, int]]] = {name: [] for name in FACET_NAMES}
    for name, value, n in rows:
        if name == "#":
            count = int(n)
        elif name in facets:
            facets[name].append((str(value), int(n)))
    return Stats(count=count, facets=facets, facets_sampled=count > FACET_SAMPLE)


def count_facets(tag_lists: Iterable[str]) -> dict[str, list[tuple[str, int]]]:
    """Facet values and how often they occur, from entries' ``tags`` strings."""
    counter = Counter(" ".join(tag_lists).split())
    facets: dict[str, list[tuple[str, int]]] = {name: [] for name in FACET_NAMES}
    for tag, n in counter.items():
        name, _sep, value = tag.partition(":")
        if name in facets:
            facets[name].append((value, n))
    return facets


def _first_seen(
    rows: Iterable[tuple[int, float, str]],
) -> list[tuple[int, float, str]]:
    """``rows`` without the repeats of an id (a title match is usually a head match too)."""
    seen: dict[int, tuple[int, float, str]] = {}
    for row in rows:
        seen.setdefault(row[0], row)
    return list(seen.values())


def _beyond_tier(tier: int, *, offset: int, limit: int) -> tuple[int, int]:
    """``(start, wanted)``: where among the other matches a page of ``limit`` from
    ``offset`` begins, and how many of them it shows, after a first tier of ``tier``."""
    return max(0, offset - tier), limit - max(0, min(limit, tier - offset))


def _about(n: float) -> int:
    """``n`` to two significant digits: an estimate should not look exact."""
    if n < 100:
        return round(n)
    digits = len(str(int(n))) - 2
    return int(round(n, -digits))


def _estimated(rows: Sequence[Sequence[Any]], scale: float) -> Stats:
    """Statistics from the first CANDIDATES of ``rows`` (id, tags, ...), which cover
    ``1 / scale`` of the index: the count is scaled up, the facets are the sample's."""
    sample = rows[:CANDIDATES]
    return Stats(
        count=max(CANDIDATES + 1, _about(CANDIDATES * scale)),
        facets=count_facets(r[1] for r in sample),
        facets_sampled=True,
        count_is_estimate=True,
    )


_JOIN_SHOWN = "JOIN library_resource r ON r.id = e.resource_id "


def _shown(columns: Sequence[str]) -> str:
    """``, r."a", r."b"`` for the resource columns a page shows."""
    return "".join(f", r.{connection.ops.quote_name(c)}" for c in columns)


def _page_columns(shown: Sequence[str], ids: str) -> str:
    """PostgreSQL: ``id, title, summary, body, concepts, tags, *shown`` of the entries
    whose ids are the array ``ids`` (SQL)."""
    return (
        "SELECT e.resource_id, e.title, e.summary, e.body, e.concepts, "  # noqa: S608
        f"e.tags{_shown(shown)} FROM library_searchentry e {_JOIN_SHOWN if shown else ''}"
        f"WHERE e.resource_id = ANY({ids})"
    )


_ORDER_RELEVANCE = "score DESC, published_on DESC NULLS LAST, id DESC"
_ORDER_NEWEST = "published_on DESC NULLS LAST, score DESC, id DESC"


class _SqlBackend:
    """What both engines share: facet rows, browsing without words, exact pages.

    One instance serves one search: what its statistics read (the first tier, the
    first of the other matches) is kept for the page that follows.
    """

    def __init__(self) -> None:
        self._memo: dict[tuple[Any, ...], Any] = {}
        # The page that will be asked for after the statistics (see ``expect_page``).
        self._expected: tuple[int, int, tuple[str, ...]] | None = None

    def expect_page(self, *, offset: int, limit: int, newest: bool, shown: Sequence[str]) -> None:
        """Say which page will be asked for: an engine may then read its columns with
        the statistics (PostgreSQL does, with the first tier of a broad query)."""
        self._expected = None if newest else (offset, limit, tuple(shown))

    def searching(self) -> AbstractContextManager[None]:
        """Wrap the statements of one search (engine-specific planner settings)."""
        return nullcontext()

    def _run(self, cursor: Any, sql: str, params: Sequence[Any]) -> None:
        """Execute a statement that reads the whole text's full-text index."""
        cursor.execute(sql, params)

    def _matches(
        self, match: Match | None, filters: Filters, *, ranked: bool
    ) -> tuple[str, list[Any]]:
        """SQL selecting ``id, score, published_on`` of every visible match."""
        raise NotImplementedError

    def _sample(self, match: Match, filters: Filters) -> Stats:
        raise NotImplementedError

    def _head(self, match: Match, filters: Filters) -> list[tuple[int, float, str]]:
        """``(id, score, tags)`` of the first tier, scored over the head (title, topics).

        At most FIRST_TIER resources whose head has every word (the most recently
        added on SQLite, the first in storage order on PostgreSQL) and, when there are
        more of them, FIRST_TIER whose title has them: a resource whose title has every
        word is ranked unless more than FIRST_TIER other titles have them too. Each
        resource once: a head match keeps the score of its head.
        """
        raise NotImplementedError

    def _other_matches(
        self, match: Match, filters: Filters, *, exclude: Sequence[int], offset: int, limit: int
    ) -> list[int]:
        """Ids of the matches not in ``exclude``, in the engine's cheapest stable order.

        SQLite: most recently added first (FTS5 walks its index backwards). PostgreSQL:
        those in the sample of one resource in INDEX_SAMPLE first, then the others,
        each in the order of the table, which is the order of a bitmap scan: ordering
        them otherwise would read every match's row.
        """
        raise NotImplementedError

    def _remember_others(
        self, match: Match, filters: Filters, ids: Sequence[int], *, every: bool
    ) -> None:
        """Keep the first other matches read for counting (at most CANDIDATES + 1), in
        the order of ``_other_matches``, for the page; ``every``: there are no others."""
        self._memo[("others", match, filters)] = (list(ids[:CANDIDATES]), every)

    def _first_tier(self, match: Match, filters: Filters) -> list[tuple[int, float, str]]:
        key = ("head", match, filters)
        if key not in self._memo:
            self._memo[key] = self._head(match, filters)
        return self._memo[key]

    def _tiered(
        self, match: Match, filters: Filters, *, offset: int, limit: int
    ) -> list[tuple[int, float]]:
        """The first tier ranked, then the other matches (see ``_other_matches``)."""
        ranked = sorted(
            ((rid, score) for rid, score, _tags in self._first_tier(match, filters)),
            key=lambda hit: (-hit[1], -hit[0]),
        )
        hits = ranked[offset : offset + limit]
        if len(hits) >= limit:
            return hits
        ranked_ids = {rid for rid, _score in ranked}
        start, wanted = _beyond_tier(len(ranked), offset=offset, limit=limit)
        # The other matches the statistics already read, when they reach this far.
        others, every = self._memo.get(("others", match, filters), ([], False))
        rest = [rid for rid in others if rid not in ranked_ids]
        if every or start + wanted <= len(rest):
            following = rest[start : start + wanted]
        else:
            following = self._other_matches(
                match, filters, exclude=sorted(ranked_ids), offset=start, limit=wanted
            )
        return hits + [(rid, 0.0) for rid in following]

    def _newest(
        self, match: Match, filters: Filters, *, offset: int, limit: int
    ) -> list[tuple[int, float]]:
        raise NotImplementedError

    def _columns(
        self, resource_ids: Sequence[int], shown: Sequence[str] = ()
    ) -> dict[int, tuple[Any, ...]]:
        """(title, summary, body, concepts, tags, *shown) of the given entries; ``shown``
        are columns of ``library_resource`` (model attribute names, never user input)."""
        raise NotImplementedError

    def _read_columns(
        self, match: Match | None, filters: Filters, shown: Sequence[str]
    ) -> dict[int, tuple[Any, ...]]:
        """The page columns (see ``_columns``) read with the statistics, by id."""
        return self._memo.setdefault(("columns", match, filters, tuple(shown)), {})

    def _write_facets(self, cursor: Any, documents: Sequence[Document]) -> None:
        rows = _facet_rows(documents)
        if rows:
            cursor.executemany(
                "INSERT INTO library_searchfacet (resource_id, name, value) VALUES (%s, %s, %s)",
                rows,
            )

    def stats(self, match: Match | None, filters: Filters) -> Stats:
        """Number of matches and facet counts, in one statement, without ranking."""
        if match is not None:
            return self._sample(match, filters)
        sql, params = self._matches(None, filters, ranked=False)
        with connection.cursor() as cursor:
            self._run(
                cursor,
                f"WITH m AS MATERIALIZED ({sql}) {_STATS_TAIL}",  # noqa: S608
                [*params, FACET_SAMPLE],
            )
            return _stats_from_rows(cursor.fetchall())

    def page(
        self,
        match: Match | None,
        filters: Filters,
        *,
        newest: bool,
        offset: int,
        limit: int,
        complete: bool = True,
        shown: Sequence[str] = (),
    ) -> Page:
        """One page of matches, best (or newest) first, with their analysed columns and
        the columns ``shown`` of their resources (read in the same statement).

        With all matches at hand (``complete``) they are ranked exactly; with more,
        the resources whose title or topics match are ranked (first tier) and the
        others follow unranked, so the cost stays bounded however broad the query.
        """
        approximate = False
        if complete or match is None:
            scored = self._exact(match, filters, newest=newest, offset=offset, limit=limit)
        elif newest:
            scored = self._newest(match, filters, offset=offset, limit=limit)
        else:
            scored = self._tiered(match, filters, offset=offset, limit=limit)
            approximate = True
        # Columns read with the statistics, then those of the others.
        read = self._read_columns(match, filters, shown)
        columns = {rid: read[rid] for rid, _score in scored if rid in read}
        missing = [rid for rid, _score in scored if rid not in read]
        if missing:
            columns.update(self._columns(missing, shown))
        width = 5  # title, summary, body, concepts, tags
        hits = [
            PageHit(rid, score, *columns[rid][:width], shown=columns[rid][width:])  # type: ignore[misc]
            for rid, score in scored
            if rid in columns
        ]
        return Page(hits=hits, ranking_is_approximate=approximate)

    def _exact(
        self, match: Match | None, filters: Filters, *, newest: bool, offset: int, limit: int
    ) -> list[tuple[int, float]]:
        sql, params = self._matches(match, filters, ranked=True)
        order = _ORDER_NEWEST if newest else _ORDER_RELEVANCE
        with connection.cursor() as cursor:
            self._run(
                cursor,
                f"SELECT id, score FROM ({sql}) x ORDER BY {order} LIMIT %s OFFSET %s",  # noqa: S608
                [*params, limit, offset],
            )
            return [(int(r[0]), float(r[1] or 0.0)) for r in cursor.fetchall()]

    def remove_facets(self, cursor: Any, resource_ids: Sequence[int]) -> None:
        for start in range(0, len(resource_ids), 500):
            chunk = list(resource_ids[start : start + 500])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"DELETE FROM library_searchfacet WHERE resource_id IN ({marks})",  # noqa: S608
                chunk,
            )


class SqliteBackend(_SqlBackend):
    """SQLite FTS5: ``library_fts`` (every column, bm25), ``library_fts_head`` and
    ``library_fts_title``.

    All are FTS5 tables with rowid = resource id. ``library_fts_head`` holds the
    head of each resource (title words, topic concepts), ``library_fts_title`` its
    title words alone: the first tier of candidates for broad queries (a column
    filter on the head would read the positions of every head match). All carry
    the facet and visibility tokens in a ``tags`` column, so filters never need a
    join per match. The analysed text lives in ``library_fts`` only;
    ``library_searchentry`` holds the facet values, visibility and date.
    """

    @staticmethod
    def expression(match: Match) -> str:
        """An FTS5 query of quoted tokens: ``("a" OR "b") AND ("c" OR "d")``."""
        groups = ["(" + " OR ".join(f'"{t}"' for t in g) + ")" for g in match.groups if g]
        return (" AND " if match.all_groups else " OR ").join(groups)

    @classmethod
    def filtered(cls, match: Match, filters: Filters) -> str:
        """The match with the filters as index tokens: ``(...) AND "f_kind_study" NOT ...``."""
        query = f"({cls.expression(match)})"
        for name, value in filters.facets:
            query += f' AND "{facet_token(name, value)}"'
        if filters.public_only:
            query += f' NOT "{MEMBERS_ONLY_TAG}"'
        return query

    def _matches(
        self, match: Match | None, filters: Filters, *, ranked: bool
    ) -> tuple[str, list[Any]]:
        if match is None:
            where, params = _filter_sql(filters)
            return (
                "SELECT e.resource_id AS id, 0.0 AS score, e.published_on AS published_on "  # noqa: S608
                f"FROM library_searchentry e WHERE 1 = 1{where}",
                params,
            )
        w = WEIGHTS
        rank = (
            f"-bm25(library_fts, {w['title']}, {w['summary']}, {w['body']}, {w['concepts']}, 0.0)"
            if ranked
            else "0.0"
        )
        return (
            f"SELECT e.resource_id AS id, {rank} AS score, e.published_on AS published_on "  # noqa: S608
            "FROM library_fts JOIN library_searchentry e ON e.resource_id = library_fts.rowid "
            "WHERE library_fts MATCH %s",
            [self.filtered(match, filters)],
        )

    def _sample(self, match: Match, filters: Filters) -> Stats:
        # The most recently indexed matches walk the index backwards and stop early:
        # a bounded cost however many resources match.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.id, e.tags, "
                "(SELECT MIN(resource_id) FROM library_searchentry), "
                "(SELECT MAX(resource_id) FROM library_searchentry) "
                "FROM (SELECT rowid AS id FROM library_fts WHERE library_fts MATCH %s "
                "ORDER BY rowid DESC LIMIT %s) s "
                "JOIN library_searchentry e ON e.resource_id = s.id ORDER BY s.id DESC",
                [self.filtered(match, filters), CANDIDATES + 1],
            )
            rows = cursor.fetchall()
        self._remember_others(
            match, filters, [int(r[0]) for r in rows], every=len(rows) <= CANDIDATES
        )
        if len(rows) <= CANDIDATES:
            return Stats(count=len(rows), facets=count_facets(r[1] for r in rows))
        lowest, highest = int(rows[0][2]), int(rows[0][3])
        # The sample covers ids [last, highest]; matches are assumed as dense below it.
        covered = highest - int(rows[CANDIDATES - 1][0]) + 1
        return _estimated(rows, (highest - lowest + 1) / max(1, covered))

    def _head(self, match: Match, filters: Filters) -> list[tuple[int, float, str]]:
        w = WEIGHTS
        # bm25 is computed only for the rows the LIMIT keeps (the newest first, read
        # from the end of the index).
        ranked = (
            "SELECT rowid, -bm25({table}, {weights}) FROM {table} "
            "WHERE {table} MATCH %s ORDER BY rowid DESC LIMIT %s"
        )
        query = self.filtered(match, filters)
        with connection.cursor() as cursor:
            cursor.execute(
                ranked.format(
                    table="library_fts_head", weights=f"{w['title']}, {w['concepts']}, 0.0"
                ),
                [query, FIRST_TIER],
            )
            rows = cursor.fetchall()
            if len(rows) >= FIRST_TIER:
                cursor.execute(
                    ranked.format(table="library_fts_title", weights=f"{w['title']}, 0.0"),
                    [query, FIRST_TIER],
                )
                rows += cursor.fetchall()
        return _first_seen((int(rid), float(score or 0.0), "") for rid, score in rows)

    def _other_matches(
        self, match: Match, filters: Filters, *, exclude: Sequence[int], offset: int, limit: int
    ) -> list[int]:
        # "+rowid": tested per match; as an index constraint SQLite would run the
        # full-text query once per excluded id instead.
        marks = ", ".join(["%s"] * len(exclude))
        unranked = f"AND +rowid NOT IN ({marks}) " if exclude else ""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM library_fts WHERE library_fts MATCH %s "  # noqa: S608
                f"{unranked}ORDER BY rowid DESC LIMIT %s OFFSET %s",
                [self.filtered(match, filters), *exclude, limit, offset],
            )
            return [int(r[0]) for r in cursor.fetchall()]

    def _newest(
        self, match: Match, filters: Filters, *, offset: int, limit: int
    ) -> list[tuple[int, float]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT e.resource_id FROM library_searchentry e WHERE e.resource_id IN "
                "(SELECT rowid FROM library_fts WHERE library_fts MATCH %s) "
                "ORDER BY e.published_on DESC NULLS LAST, e.resource_id DESC LIMIT %s OFFSET %s",
                [self.filtered(match, filters), limit, offset],
            )
            return [(int(r[0]), 0.0) for r in cursor.fetchall()]

    def _columns(
        self, resource_ids: Sequence[int], shown: Sequence[str] = ()
    ) -> dict[int, tuple[Any, ...]]:
        marks = ", ".join(["%s"] * len(resource_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT f.rowid, f.title, f.summary, f.body, f.concepts, e.tags{_shown(shown)} "  # noqa: S608
                "FROM library_fts f JOIN library_searchentry e ON e.resource_id = f.rowid "
                f"{_JOIN_SHOWN if shown else ''}WHERE f.rowid IN ({marks})",
                list(resource_ids),
            )
            return {int(r[0]): tuple(r[1:]) for r in cursor.fetchall()}

    def write(self, documents: Sequence[Document], *, replace: bool = True) -> None:
        """Insert ``documents`` (batched); ``replace=False`` when they are surely not there."""
        if not documents:
            return
        if replace:
            self.remove([d.resource_id for d in documents])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO library_searchentry ({_ENTRY_COLUMNS}) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [_entry_row(d, texts=False) for d in documents],
            )
            cursor.executemany(
                "INSERT INTO library_fts (rowid, title, summary, body, concepts, tags) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    [d.resource_id, d.title, d.summary, d.body, d.concepts, d.tag_tokens]
                    for d in documents
                ],
            )
            cursor.executemany(
                "INSERT INTO library_fts_head (rowid, title, topics, tags) VALUES (%s, %s, %s, %s)",
                [[d.resource_id, d.title, d.topics, d.tag_tokens] for d in documents],
            )
            cursor.executemany(
                "INSERT INTO library_fts_title (rowid, title, tags) VALUES (%s, %s, %s)",
                [[d.resource_id, d.title, d.tag_tokens] for d in documents],
            )
            self._write_facets(cursor, documents)

    def remove(self, resource_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            self.remove_facets(cursor, resource_ids)
            for start in range(0, len(resource_ids), 500):
                chunk = list(resource_ids[start : start + 500])
                marks = ", ".join(["%s"] * len(chunk))
                for table in ("library_fts", "library_fts_head", "library_fts_title"):
                    cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", chunk)  # noqa: S608
                cursor.execute(
                    f"DELETE FROM library_searchentry WHERE resource_id IN ({marks})",  # noqa: S608
                    chunk,
                )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM library_searchfacet")
            cursor.execute("DELETE FROM library_fts")
            cursor.execute("DELETE FROM library_fts_head")
            cursor.execute("DELETE FROM library_fts_title")
            cursor.execute("DELETE FROM library_searchentry")

    def optimise(self) -> None:
        """Merge each full-text table into one segment, after writing many entries.

        Written in batches, an FTS5 table holds many segments, and a query reads the
        entries of each of its words in every segment: merged, the first search
        after a rebuild of 100,000 resources costs about a third less.
        """
        with connection.cursor() as cursor:
            for table in ("library_fts", "library_fts_head", "library_fts_title"):
                cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")  # noqa: S608


# The statements each PostgreSQL session (a driver connection) has prepared.
_prepared_in: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"(?<!%)%s")

# How long a process keeps the statistics of the PostgreSQL index (see ``_planned``).
STATISTICS_SECONDS = 60.0
# What PostgreSQL assumes of a lexeme when it has no better figure (DEFAULT_TS_MATCH_SEL).
_DEFAULT_LEXEME_SHARE = 0.005


@dataclass(frozen=True)
class TableStatistics:
    """What ``ANALYZE`` found in ``library_searchentry``: rows, share of public ones, and
    the share of entries holding each common lexeme of ``vector``."""

    rows: float
    public: float
    shares: dict[str, float]
    # Lexemes not among the common ones: half the rarest common one's share, as the
    # planner assumes (ts_selfuncs.c).
    rare: float

    def share(self, token: str) -> float:
        return self.shares.get(token, self.rare)

    def expected(self, match: Match, filters: Filters) -> int:
        """Matches of ``match`` with ``filters``, words assumed independent (as the
        planner does): a word's alternatives combine like OR, words and facets like
        AND (like OR for any-word queries)."""
        words = [1.0 - math.prod(1.0 - self.share(t) for t in group) for group in match.groups]
        words = [share for share in words if share > 0.0]
        if not words:
            return 0
        found = math.prod(words) if match.all_groups else 1.0 - math.prod(1.0 - w for w in words)
        found *= math.prod(self.share(facet_token(name, value)) for name, value in filters.facets)
        if filters.public_only:
            found *= self.public
        return max(1, round(min(1.0, found) * self.rows))


_statistics_cache: dict[str, tuple[float, TableStatistics | None]] = {}


def _table_statistics() -> TableStatistics | None:
    """This database's TableStatistics, read at most once every STATISTICS_SECONDS;
    None when the table was never analysed."""
    name = str(connection.settings_dict.get("NAME"))
    now = time.monotonic()
    cached = _statistics_cache.get(name)
    if cached is not None and now - cached[0] < STATISTICS_SECONDS:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, v.most_common_elems::text::text[], v.most_common_elem_freqs, "
            "p.most_common_vals::text::text[], p.most_common_freqs "
            "FROM pg_class c "
            "LEFT JOIN pg_stats v ON v.schemaname = current_schema() "
            "AND v.tablename = 'library_searchentry' AND v.attname = 'vector' "
            "LEFT JOIN pg_stats p ON p.schemaname = current_schema() "
            "AND p.tablename = 'library_searchentry' AND p.attname = 'is_public' "
            "WHERE c.oid = 'library_searchentry'::regclass"
        )
        row = cursor.fetchone()
    statistics = None
    if row is not None and row[0] > 0 and row[1] and row[2]:
        rows, lexemes, shares, flags, flag_shares = row
        common = dict(zip(lexemes, shares[: len(lexemes)], strict=True))
        rarest = shares[len(lexemes)] if len(shares) > len(lexemes) else min(common.values())
        public = dict(zip(flags or [], flag_shares or [], strict=True))
        statistics = TableStatistics(
            rows=float(rows),
            # Listed as "t" and "f"; with one value only, every row has it.
            public=float(public.get("t", 0.0 if public.get("f") else 1.0)),
            shares=common,
            rare=min(_DEFAULT_LEXEME_SHARE, rarest / 2),
        )
    _statistics_cache[name] = (now, statistics)
    return statistics


def forget_statistics() -> None:
    """Read the statistics again at the next search (after ``ANALYZE``; tests)."""
    _statistics_cache.clear()


class PostgresBackend(_SqlBackend):
    """PostgreSQL: weighted ``tsvector`` columns with GIN indexes, ranked by ts_rank_cd.

    ``vector`` holds every column and is stored out of line (TOAST), so the table
    a search scans stays narrow; ``head`` (title words, topic concepts) stays in
    the row and is the first tier of candidates for broad queries. Both carry the
    facet tokens, so a chosen facet is one more ``&`` in the tsquery.
    """

    # The rows of the partial "sample" indexes (migration 0006), as their predicate says.
    _SAMPLED = f"e.resource_id %% {INDEX_SAMPLE:d} = 0"
    # ts_rank_cd takes weights in the order D, C, B, A.
    _LETTERS = {"body": "D", "summary": "C", "title": "B", "concepts": "A"}
    _RANK_WEIGHTS = "{%s,%s,%s,%s}" % (  # noqa: UP031 - a Postgres array literal
        WEIGHTS["body"] / 4,
        WEIGHTS["summary"] / 4,
        WEIGHTS["title"] / 4,
        WEIGHTS["concepts"] / 4,
    )

    @staticmethod
    def expression(match: Match) -> str:
        """A tsquery of quoted lexemes: ``('a' | 'b') & ('c' | 'd')``.

        Cast with ``::tsquery`` rather than ``to_tsquery('simple', ...)``: the
        parser of the latter would split ``c_water_management`` at the underscores.
        """
        groups = ["(" + " | ".join(f"'{t}'" for t in g) + ")" for g in match.groups if g]
        return (" & " if match.all_groups else " | ").join(groups)

    @classmethod
    def in_text(cls, match: Match, filters: Filters) -> tuple[str, list[Any]]:
        """The condition (on ``e``) and its parameter: ``match`` in the whole text, with
        the filters, among the entries the searcher may see."""
        visible = " AND e.is_public" if filters.public_only else ""
        return f"e.vector @@ CAST(%s AS tsquery){visible}", [cls.filtered(match, filters)]

    @classmethod
    def filtered(cls, match: Match, filters: Filters) -> str:
        query = f"({cls.expression(match)})"
        for name, value in filters.facets:
            query += f" & '{facet_token(name, value)}'"
        return query

    @classmethod
    def _literal(cls, columns: Iterable[tuple[str, str]], tags: str) -> str:
        positions: dict[str, list[str]] = {}
        position = 0
        for text, letter in columns:
            for token in text.split():
                position = min(position + 1, 16383)
                slots = positions.setdefault(token, [])
                if len(slots) < 255:
                    slots.append(f"{position}{letter}")
        parts = [
            f"'{token}':{','.join(slots)}"
            for token, slots in positions.items()
            if _TOKEN_OK.match(token)
        ]
        parts += [f"'{t}'" for t in tags.split() if _TOKEN_OK.match(t) and t not in positions]
        return " ".join(parts)

    @classmethod
    def vector_literal(cls, doc: Document) -> str:
        return cls._literal(
            (
                (getattr(doc, column), cls._LETTERS[column])
                for column in ("title", "summary", "concepts", "body")
            ),
            doc.tag_tokens,
        )

    @classmethod
    def head_literal(cls, doc: Document) -> str:
        return cls._literal(
            ((doc.title, cls._LETTERS["title"]), (doc.topics, cls._LETTERS["concepts"])),
            doc.tag_tokens,
        )

    def _matches(
        self, match: Match | None, filters: Filters, *, ranked: bool
    ) -> tuple[str, list[Any]]:
        if match is None:
            where, params = _filter_sql(filters)
            return (
                "SELECT e.resource_id AS id, 0.0::float4 AS score, e.published_on AS published_on "  # noqa: S608
                f"FROM library_searchentry e WHERE TRUE{where}",
                params,
            )
        rank = "ts_rank_cd(%s::float4[], e.vector, q, 1)" if ranked else "0.0::float4"
        rank_params = [self._RANK_WEIGHTS] if ranked else []
        visible = " AND e.is_public" if filters.public_only else ""
        return (
            f"SELECT e.resource_id AS id, {rank} AS score, e.published_on AS published_on "  # noqa: S608
            "FROM library_searchentry e, CAST(%s AS tsquery) q, CAST(%s AS tsquery) fq "
            f"WHERE e.vector @@ fq{visible}",
            [*rank_params, self.expression(match), self.filtered(match, filters)],
        )

    def _sample(self, match: Match, filters: Filters) -> Stats:
        planned = self._planned(match, filters)
        if planned <= BROAD_PLAN * CANDIDATES:
            return self._counted_sample(match, filters)
        return self._broad_sample(match, filters, planned)

    def _planned(self, match: Match, filters: Filters) -> int:
        """The expected number of matches, as the planner would estimate it.

        Worked out here from the statistics ``ANALYZE`` keeps of the ``vector`` column
        (the share of entries holding each common lexeme), read at most once every
        STATISTICS_SECONDS per process: no statement per search, where finding even a
        few matches of a broad query means decoding the whole posting list of its
        commonest word. Without statistics (a table never analysed), the planner is
        asked (``EXPLAIN``), which reads no posting list either.
        """
        statistics = _table_statistics()
        if statistics is not None:
            return statistics.expected(match, filters)
        return self.explained(match, filters)

    def explained(self, match: Match, filters: Filters) -> int:
        """The planner's own estimate of the number of matches (``EXPLAIN``)."""
        where, params = self.in_text(match, filters)
        with connection.cursor() as cursor:
            cursor.execute(
                f"EXPLAIN (FORMAT JSON) SELECT 1 FROM library_searchentry e WHERE {where}",  # noqa: S608
                params,
            )
            (plan,) = cursor.fetchone()
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])

    def _broad_sample(self, match: Match, filters: Filters, planned: int) -> Stats:
        """Statistics of a query the planner expects to match many resources.

        The count is the planner's estimate; facets are counted over the first tier
        (which the page ranks first) and, when that holds fewer than FACET_MIN
        resources, over the first other matches too (which the page lists after it),
        read from the sample of one resource in INDEX_SAMPLE: then, when the sample
        holds fewer matches than that read takes, INDEX_SAMPLE times their number is
        the count. The full-text index of the whole text is read only when the sample
        holds almost none (the estimate was far too high): for a common word that
        means decoding a posting list with an entry for every match.
        """
        head = self._first_tier(match, filters)
        sample = {rid: tags for rid, _score, tags in head}
        if len(sample) < FACET_MIN:
            first = self._first_others(match, filters, sampled=True)
            if len(first) <= CANDIDATES // INDEX_SAMPLE:
                # So few in the sample that the estimate was far too high: the matches
                # are few, and reading them all costs little.
                every = self._first_others(match, filters, sampled=False)
                if len(every) <= CANDIDATES:
                    self._remember_others(match, filters, [r for r, _t in every], every=True)
                    return Stats(count=len(every), facets=count_facets(t for _r, t in every))
            # The first of the others in their order (see ``_other_matches``); never
            # all of them, since the sample leaves most matches out.
            self._remember_others(match, filters, [rid for rid, _tags in first], every=False)
            sample.update(first[:CANDIDATES])
            if len(first) <= CANDIDATES:
                # Every match in the sample: a better estimate than the planner's.
                planned = len(first) * INDEX_SAMPLE
        return Stats(
            count=max(CANDIDATES + 1, len(sample), _about(planned)),
            facets=count_facets(sample.values()),
            facets_sampled=True,
            count_is_estimate=True,
        )

    def _first_others(
        self, match: Match, filters: Filters, *, sampled: bool
    ) -> list[tuple[int, str]]:
        """``(id, tags)`` of the first CANDIDATES + 1 matches in the table's order (the
        scan stops there), among the sample of one resource in INDEX_SAMPLE or all.

        When the expected page goes beyond the first tier, the sample's statement
        also reads the columns of the others it shows (see ``_head``).
        """
        where, params = self.in_text(match, filters)
        where += f" AND {self._SAMPLED}" if sampled else ""
        first = f"SELECT e.resource_id, e.tags FROM library_searchentry e WHERE {where} LIMIT %s"  # noqa: S608
        params = [*params, CANDIDATES + 1]
        tier = [rid for rid, _score, _tags in self._first_tier(match, filters)]
        expected = self._expected if sampled else None
        start = wanted = 0
        if expected is not None:
            start, wanted = _beyond_tier(len(tier), offset=expected[0], limit=expected[1])
        if expected is None or wanted <= 0:
            sql = f"WITH o AS MATERIALIZED ({first}) SELECT resource_id, tags FROM o"  # noqa: S608
        else:
            # Then (UNION ALL keeps the order of ``o``) the columns of the others the
            # page shows: the first after the tier's, from ``start``, in that order.
            blanks = ", NULL" * (6 + len(expected[2]))
            sql = (
                f"WITH o AS MATERIALIZED ({first}), "  # noqa: S608
                "shown AS (SELECT resource_id FROM o WHERE resource_id <> ALL(%s) "
                "LIMIT %s OFFSET %s) "
                f"SELECT resource_id, tags{blanks} FROM o UNION ALL SELECT NULL, NULL, c.* "
                f"FROM ({_page_columns(expected[2], 'ARRAY(SELECT resource_id FROM shown)')}) c"
            )
            params += [tier, wanted, start]
        with connection.cursor() as cursor:
            self._run(cursor, sql, params, prepared=True)
            rows = cursor.fetchall()
        if expected is not None and wanted > 0:
            read = self._read_columns(match, filters, expected[2])
            read.update({int(r[2]): tuple(r[3:]) for r in rows if r[2] is not None})
        return [(int(r[0]), str(r[1])) for r in rows if r[0] is not None]

    def _counted_sample(self, match: Match, filters: Filters) -> Stats:
        # The first matches in storage order: the GIN index gives every match without
        # reading a vector (no recheck for plain & and | queries) and the heap scan
        # stops after CANDIDATES + 1 rows. Counting every match would visit a heap
        # page per match, the cost this avoids.
        where, params = self.in_text(match, filters)
        with connection.cursor() as cursor:
            self._run(
                cursor,
                "SELECT e.resource_id, e.tags, (e.ctid::text::point)[0], "  # noqa: S608
                "pg_relation_size('library_searchentry') / current_setting('block_size')::int "
                f"FROM library_searchentry e WHERE {where} LIMIT %s",
                [*params, CANDIDATES + 1],
            )
            rows = cursor.fetchall()
            if len(rows) <= CANDIDATES:
                return Stats(count=len(rows), facets=count_facets(r[1] for r in rows))
            # The sample covers the table's pages up to its last row's page; matches are
            # assumed as dense in the rest.
            pages, covered = int(rows[0][3]), int(rows[CANDIDATES - 1][2]) + 1
            if covered < pages:
                return _estimated(rows, max(1, pages) / max(1, covered))
            # The sample reached the table's last page, so it visited about every page
            # that holds a match: counting them exactly costs no more than the sample
            # did, and an estimate from a single page would undercount (and hide pages).
            self._run(cursor, f"SELECT COUNT(*) FROM library_searchentry e WHERE {where}", params)  # noqa: S608
            (count,) = cursor.fetchone()
        return Stats(
            count=int(count),
            facets=count_facets(r[1] for r in rows[:CANDIDATES]),
            facets_sampled=True,
        )

    # The planner does not know that testing ``@@`` on a row reads its vector out of
    # line: for a broad query it would rather scan the table or walk the primary key,
    # reading thousands of vectors. Statements that read ``vector`` run with these.
    _PLANNER_OFF = (
        "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; SET LOCAL jit = off"
    )
    _PLANNER_RESET = "RESET enable_seqscan; RESET enable_indexscan; RESET jit"

    @staticmethod
    def _settings_travel_with_statements() -> bool:
        """True with client-side parameter binding (Django's default for psycopg):
        then the settings and a statement can be sent as one query string."""
        return not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")

    def _run(self, cursor: Any, sql: str, params: Sequence[Any], *, prepared: bool = False) -> None:
        """Execute ``sql`` on the GIN indexes (bitmap scans), settings scoped to it.

        Sent with the settings in one query string, which PostgreSQL runs as one
        transaction: no round trips for BEGIN, SET and COMMIT. The RESETs undo the
        settings when the search runs inside a transaction of its caller.

        ``prepared``: as a statement prepared once per database session (``PREPARE``),
        run with its generic plan: planning the first tier's statement, with its
        scans of five indexes, costs about as much as running it. The settings
        still come with each run, so a plan made again (after ``ANALYZE``, say) is
        made with them. Not with ``settings.SEARCH_PREPARED_STATEMENTS`` off (a proxy
        that shares database sessions between clients would lose them).
        """
        if not self._settings_travel_with_statements():
            cursor.execute(sql, params)  # inside ``searching``'s transaction
            return
        settings, reset = self._PLANNER_OFF, self._PLANNER_RESET
        if prepared and django_settings.SEARCH_PREPARED_STATEMENTS:
            name = self._prepare(cursor, sql)
            sql = f"EXECUTE {name}({', '.join(['%s'] * len(params))})"
            settings += "; SET LOCAL plan_cache_mode = force_generic_plan"
            reset += "; RESET plan_cache_mode"
        cursor.execute(f"{settings}; {sql}; {reset}", params)
        for _setting in range(settings.count(";") + 1):
            cursor.nextset()

    @staticmethod
    def _prepare(cursor: Any, sql: str) -> str:
        """The name of ``sql`` (``%s`` placeholders) prepared in this database session,
        preparing it the first time."""
        name = "cx_search_" + hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()
        session = connection.connection
        names = _prepared_in.get(session)
        if names is None:
            names = _prepared_in[session] = set()
        if name not in names:
            numbers = itertools.count(1)
            text = _PLACEHOLDER.sub(lambda _m: f"${next(numbers)}", sql).replace("%%", "%")
            # No parameters: the text is sent as it is.
            cursor.execute(f"PREPARE {name} AS {text}")
            names.add(name)
        return name

    @contextmanager
    def searching(self) -> Iterator[None]:
        """With server-side binding, one transaction with the planner settings.

        (Otherwise every statement that reads ``vector`` carries them: see ``_run``.)
        """
        if self._settings_travel_with_statements():
            yield
            return
        nested = connection.in_atomic_block
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(self._PLANNER_OFF)
            yield
            if nested:
                with connection.cursor() as cursor:
                    cursor.execute(self._PLANNER_RESET)

    def _head(self, match: Match, filters: Filters) -> list[tuple[int, float, str]]:
        visible = " AND e.is_public" if filters.public_only else ""
        facets = self._facet_query(filters)
        # One statement, three scans, each of the first matches in storage order
        # (ordering them by id would visit every match):
        # s: the head matches among the fixed sample of one resource in INDEX_SAMPLE
        #    (its own partial index: a GIN index finds every match of its query before
        #    the first row is read, so the whole head index would cost INDEX_SAMPLE
        #    times as much for a broad query);
        # f: only when the sample holds fewer than FIRST_TIER, the head matches of all;
        # t: only when s or f reached FIRST_TIER, titles through their own expression
        #    index (title lexemes carry weight B in ``head``).
        # One-time filters skip the scans that are not needed. ts_rank, not
        # ts_rank_cd: the head is a few words, and cover density costs several times
        # more per row.
        ranked = (
            "SELECT e.resource_id, ts_rank(%s::float4[], e.head, CAST(%s AS tsquery), 1) "  # noqa: S608
            f"AS score, e.tags FROM library_searchentry e WHERE {{where}}{visible}"
        )
        in_head = "e.head @@ CAST(%s AS tsquery)"
        titles = "ts_filter(e.head, '{b}') @@ CAST(%s AS tsquery)"
        if facets:
            titles += " AND e.head @@ CAST(%s AS tsquery)"
        sampled = ranked.format(where=f"{in_head} AND {self._SAMPLED}")
        every = ranked.format(where=f"{in_head} AND (SELECT COUNT(*) FROM s) < %s")  # noqa: S608
        cut = "((SELECT COUNT(*) FROM s) >= %s OR (SELECT COUNT(*) FROM f) >= %s)"
        tiers = (
            f"WITH s AS MATERIALIZED ({sampled} LIMIT %s), "  # noqa: S608
            f"f AS MATERIALIZED ({every} LIMIT %s), "
            f"t AS MATERIALIZED ({ranked.format(where=titles)} AND {cut} LIMIT %s), "
            "u AS (SELECT * FROM s UNION ALL SELECT * FROM f UNION ALL SELECT * FROM t)"
        )
        rank = [self._RANK_WEIGHTS, self.expression(match)]
        query = self.filtered(match, filters)
        params: list[Any] = [
            *[*rank, query, FIRST_TIER],
            *[*rank, query, FIRST_TIER, FIRST_TIER],
            *[*rank, self.expression(match), *([facets] if facets else [])],
            *[FIRST_TIER, FIRST_TIER, FIRST_TIER],
        ]
        expected = self._expected
        if expected is None:
            sql = f"{tiers} SELECT resource_id, score, tags FROM u"  # noqa: S608
        else:
            # With the columns of the page's resources, ranked as ``_tiered`` ranks
            # them (a resource found twice has the same score twice).
            offset, limit, shown = expected
            sql = (
                f"{tiers}, top AS (SELECT resource_id FROM u GROUP BY resource_id, score "  # noqa: S608
                "ORDER BY score DESC, resource_id DESC LIMIT %s OFFSET %s) "
                "SELECT u.resource_id, u.score, u.tags, c.* FROM u LEFT JOIN "
                f"({_page_columns(shown, 'ARRAY(SELECT resource_id FROM top)')}) c "
                "ON c.resource_id = u.resource_id"
            )
            params += [limit, offset]
        with connection.cursor() as cursor:
            self._run(cursor, sql, params, prepared=True)
            rows = cursor.fetchall()
        if expected is not None:
            read = self._read_columns(match, filters, expected[2])
            read.update({int(r[3]): tuple(r[4:]) for r in rows if r[3] is not None})
        # (bigint, real and text arrive as int, float and str: no conversion needed.)
        return _first_seen((r[0], r[1], r[2]) for r in rows)

    @staticmethod
    def _facet_query(filters: Filters) -> str:
        """The chosen facet values as a tsquery, "" when none is chosen."""
        return " & ".join(f"'{facet_token(name, value)}'" for name, value in filters.facets)

    def _other_matches(
        self, match: Match, filters: Filters, *, exclude: Sequence[int], offset: int, limit: int
    ) -> list[int]:
        # Those in the sample first (what ``_broad_sample`` reads), then the others,
        # each in the table's order. The second scan only runs for pages beyond the
        # sample's matches.
        where, params = self.in_text(match, filters)
        others = (
            "SELECT e.resource_id FROM library_searchentry e "  # noqa: S608
            f"WHERE {where} AND e.resource_id <> ALL(%s) AND {{sample}}"
        )
        with connection.cursor() as cursor:
            self._run(
                cursor,
                f"{others.format(sample=self._SAMPLED)} UNION ALL "
                f"{others.format(sample='NOT ' + self._SAMPLED)} LIMIT %s OFFSET %s",
                [*params, list(exclude), *params, list(exclude), limit, offset],
            )
            return [int(r[0]) for r in cursor.fetchall()]

    def _newest(
        self, match: Match, filters: Filters, *, offset: int, limit: int
    ) -> list[tuple[int, float]]:
        where, params = self.in_text(match, filters)
        with connection.cursor() as cursor:
            self._run(
                cursor,
                f"SELECT e.resource_id FROM library_searchentry e WHERE {where} "  # noqa: S608
                "ORDER BY e.published_on DESC NULLS LAST, e.resource_id DESC LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            return [(int(r[0]), 0.0) for r in cursor.fetchall()]

    def _columns(
        self, resource_ids: Sequence[int], shown: Sequence[str] = ()
    ) -> dict[int, tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(_page_columns(shown, "%s"), [list(resource_ids)])
            return {int(r[0]): tuple(r[1:]) for r in cursor.fetchall()}

    def write(self, documents: Sequence[Document], *, replace: bool = True) -> None:
        """Insert ``documents`` (batched); ``replace=False`` when they are surely not there."""
        if not documents:
            return
        if replace:
            self.remove([d.resource_id for d in documents])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO library_searchentry ({_ENTRY_COLUMNS}, vector, head) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::tsvector, %s::tsvector)",
                [[*_entry_row(d), self.vector_literal(d), self.head_literal(d)] for d in documents],
            )
            self._write_facets(cursor, documents)

    def remove(self, resource_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            ids = list(resource_ids)
            cursor.execute("DELETE FROM library_searchfacet WHERE resource_id = ANY(%s)", [ids])
            cursor.execute("DELETE FROM library_searchentry WHERE resource_id = ANY(%s)", [ids])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM library_searchfacet")
            cursor.execute("DELETE FROM library_searchentry")

    def optimise(self) -> None:
        """Move the GIN indexes' pending entries into the index proper and refresh the
        planner's statistics, after writing many entries.

        GIN collects new entries in a pending list that every search reads in full
        until (auto)vacuum merges it; and broad queries are recognised by the
        planner's estimate, which needs statistics of the new entries.
        """
        with connection.cursor() as cursor:
            for index in (
                "library_searchentry_vector_gin",
                "library_searchentry_head_gin",
                "library_searchentry_title_gin",
                "library_searchentry_head_sample_gin",
                "library_searchentry_vector_sample_gin",
            ):
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
            cursor.execute("ANALYZE library_searchentry")
        forget_statistics()


def backend() -> Backend:
    """The engine of the database in use."""
    if connection.vendor == "postgresql":
        return PostgresBackend()
    return SqliteBackend()
