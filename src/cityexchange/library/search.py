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
``ORDER BY ... LIMIT``. Facets are ``GROUP BY`` over ``library_searchfacet``
joined to the matching ids. Because the engines only split on spaces and match
whole tokens, both return the same hits.

User input never reaches either engine's query syntax: only tokens made of
letters, digits and ``_`` are passed, quoted, inside a bound parameter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from django.db import connection

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
    columns: dict[str, list[str]] = {"title": [], "summary": [], "body": []}
    for column, texts in (("title", titles), ("summary", summaries)):
        for language, text in texts.items():
            if text:
                tokens, found = _analyse(text, [language], finder)
                columns[column].extend(tokens)
                concept_keys.extend(found)
    if body:
        tokens, found = _analyse(body, material_languages(languages), finder)
        columns["body"] = tokens
        concept_keys.extend(found)
    # An explicit topic counts as much as being named in two places.
    concept_keys.extend(list(topic_keys) * 2)
    facet_values = list(
        dict.fromkeys(
            (name, str(value)[:120]) for name, values in facets.items() for value in values
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


def analyse_query(raw: str) -> Query:
    """Understand a query typed in any of the four languages; never raises."""
    text = (raw or "")[:MAX_QUERY_CHARS]
    query = Query(raw=text)
    seen: set[str] = set()
    for word in content_words(text)[:MAX_QUERY_WORDS]:
        if word in seen:
            continue
        seen.add(word)
        query.words.append(QueryWord(word, frozenset(stem(word, lang) for lang in LANGUAGES)))
    if query.words:
        query.concepts = thesaurus().find(text)
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
    count: int
    facets: dict[str, list[tuple[str, int]]]
    facets_sampled: bool = False


@dataclass(frozen=True)
class PageHit:
    resource_id: int
    score: float
    title: str
    summary: str
    body: str
    concepts: str


class Backend(Protocol):
    def write(self, documents: Sequence[Document], *, replace: bool = True) -> None: ...
    def remove(self, resource_ids: Sequence[int]) -> None: ...
    def clear(self) -> None: ...
    def stats(self, match: Match | None, filters: Filters) -> Stats: ...
    def page(
        self, match: Match | None, filters: Filters, *, newest: bool, offset: int, limit: int
    ) -> list[PageHit]: ...


_ENTRY_COLUMNS = "resource_id, title, summary, body, concepts, is_public, published_on"


def _entry_row(doc: Document) -> list[Any]:
    return [
        doc.resource_id,
        doc.title,
        doc.summary,
        doc.body,
        doc.concepts,
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


_ORDER_RELEVANCE = "score DESC, published_on DESC NULLS LAST, id DESC"
_ORDER_NEWEST = "published_on DESC NULLS LAST, score DESC, id DESC"


class _SqlBackend:
    """The parts both engines share: facet rows, statistics and pages over ``_matches``."""

    def _matches(
        self, match: Match | None, filters: Filters, *, ranked: bool
    ) -> tuple[str, list[Any]]:
        """SQL selecting ``id, score, published_on`` of every visible match."""
        raise NotImplementedError

    def _write_facets(self, cursor: Any, documents: Sequence[Document]) -> None:
        rows = _facet_rows(documents)
        if rows:
            cursor.executemany(
                "INSERT INTO library_searchfacet (resource_id, name, value) VALUES (%s, %s, %s)",
                rows,
            )

    def stats(self, match: Match | None, filters: Filters) -> Stats:
        """Number of matches and facet counts, in one statement, without ranking."""
        sql, params = self._matches(match, filters, ranked=False)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH m AS MATERIALIZED ({sql}) {_STATS_TAIL}",  # noqa: S608
                [*params, FACET_SAMPLE],
            )
            return _stats_from_rows(cursor.fetchall())

    def page(
        self, match: Match | None, filters: Filters, *, newest: bool, offset: int, limit: int
    ) -> list[PageHit]:
        """One page of matches, best (or newest) first, with their analysed columns."""
        sql, params = self._matches(match, filters, ranked=True)
        order = _ORDER_NEWEST if newest else _ORDER_RELEVANCE
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.id, p.score, e.title, e.summary, e.body, e.concepts "  # noqa: S608
                f"FROM (SELECT id, score, published_on FROM ({sql}) x ORDER BY {order} "
                "LIMIT %s OFFSET %s) p "
                "JOIN library_searchentry e ON e.resource_id = p.id "
                f"ORDER BY {order.replace('published_on', 'p.published_on')}",
                [*params, limit, offset],
            )
            return [
                PageHit(int(r[0]), float(r[1] or 0.0), r[2], r[3], r[4], r[5])
                for r in cursor.fetchall()
            ]

    def remove_facets(self, cursor: Any, resource_ids: Sequence[int]) -> None:
        for start in range(0, len(resource_ids), 500):
            chunk = list(resource_ids[start : start + 500])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"DELETE FROM library_searchfacet WHERE resource_id IN ({marks})",  # noqa: S608
                chunk,
            )


class SqliteBackend(_SqlBackend):
    """SQLite FTS5: the table ``library_fts`` (rowid = resource id) ranked by bm25."""

    @staticmethod
    def expression(match: Match) -> str:
        """An FTS5 query of quoted tokens: ``("a" OR "b") AND ("c" OR "d")``."""
        groups = ["(" + " OR ".join(f'"{t}"' for t in g) + ")" for g in match.groups if g]
        return (" AND " if match.all_groups else " OR ").join(groups)

    def _matches(
        self, match: Match | None, filters: Filters, *, ranked: bool
    ) -> tuple[str, list[Any]]:
        where, params = _filter_sql(filters)
        if match is None:
            return (
                "SELECT e.resource_id AS id, 0.0 AS score, e.published_on AS published_on "  # noqa: S608
                f"FROM library_searchentry e WHERE 1 = 1{where}",
                params,
            )
        w = WEIGHTS
        rank = (
            f"-bm25(library_fts, {w['title']}, {w['summary']}, {w['body']}, {w['concepts']})"
            if ranked
            else "0.0"
        )
        return (
            f"SELECT e.resource_id AS id, {rank} AS score, e.published_on AS published_on "  # noqa: S608
            "FROM library_fts JOIN library_searchentry e ON e.resource_id = library_fts.rowid "
            f"WHERE library_fts MATCH %s{where}",
            [self.expression(match), *params],
        )

    def write(self, documents: Sequence[Document], *, replace: bool = True) -> None:
        """Insert ``documents`` (batched); ``replace=False`` when they are surely not there."""
        if not documents:
            return
        if replace:
            self.remove([d.resource_id for d in documents])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO library_searchentry ({_ENTRY_COLUMNS}) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [_entry_row(d) for d in documents],
            )
            cursor.executemany(
                "INSERT INTO library_fts (rowid, title, summary, body, concepts) "
                "VALUES (%s, %s, %s, %s, %s)",
                [[d.resource_id, d.title, d.summary, d.body, d.concepts] for d in documents],
            )
            self._write_facets(cursor, documents)

    def remove(self, resource_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            self.remove_facets(cursor, resource_ids)
            for start in range(0, len(resource_ids), 500):
                chunk = list(resource_ids[start : start + 500])
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM library_fts WHERE rowid IN ({marks})", chunk)  # noqa: S608
                cursor.execute(
                    f"DELETE FROM library_searchentry WHERE resource_id IN ({marks})",  # noqa: S608
                    chunk,
                )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM library_searchfacet")
            cursor.execute("DELETE FROM library_fts")
            cursor.execute("DELETE FROM library_searchentry")


class PostgresBackend(_SqlBackend):
    """PostgreSQL: a weighted ``tsvector`` column with a GIN index, ranked by ts_rank_cd."""

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
    def vector_literal(cls, doc: Document) -> str:
        positions: dict[str, list[str]] = {}
        position = 0
        for column in ("title", "summary", "concepts", "body"):
            letter = cls._LETTERS[column]
            for token in getattr(doc, column).split():
                position = min(position + 1, 16383)
                slots = positions.setdefault(token, [])
                if len(slots) < 255:
                    slots.append(f"{position}{letter}")
        return " ".join(
            f"'{token}':{','.join(slots)}"
            for token, slots in positions.items()
            if _TOKEN_OK.match(token)
        )

    def _matches(
        self, match: Match | None, filters: Filters, *, ranked: bool
    ) -> tuple[str, list[Any]]:
        where, params = _filter_sql(filters)
        if match is None:
            return (
                "SELECT e.resource_id AS id, 0.0::float4 AS score, e.published_on AS published_on "  # noqa: S608
                f"FROM library_searchentry e WHERE TRUE{where}",
                params,
            )
        rank = "ts_rank_cd(%s::float4[], e.vector, q, 1)" if ranked else "0.0::float4"
        rank_params = [self._RANK_WEIGHTS] if ranked else []
        return (
            f"SELECT e.resource_id AS id, {rank} AS score, e.published_on AS published_on "  # noqa: S608
            "FROM library_searchentry e, CAST(%s AS tsquery) q "
            f"WHERE e.vector @@ q{where}",
            [*rank_params, self.expression(match), *params],
        )

    def write(self, documents: Sequence[Document], *, replace: bool = True) -> None:
        """Insert ``documents`` (batched); ``replace=False`` when they are surely not there."""
        if not documents:
            return
        if replace:
            self.remove([d.resource_id for d in documents])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO library_searchentry ({_ENTRY_COLUMNS}, vector) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s::tsvector)",
                [[*_entry_row(d), self.vector_literal(d)] for d in documents],
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


def backend() -> Backend:
    """The engine of the database in use."""
    if connection.vendor == "postgresql":
        return PostgresBackend()
    return SqliteBackend()
