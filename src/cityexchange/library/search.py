"""Cross-lingual full-text search on the database's own engine.

Both engines are fed the same analysis, done here in Python with ``core.text``:

* every word is folded and stemmed with the Snowball rules of the language it is
  written in (titles and summaries in each of de/en/es/pt, the full text in the
  material's own languages);
* thesaurus concepts named anywhere in the text become special tokens such as
  ``c_water_management``, as do the resource's explicit topics.

A query is analysed into the stems of its words under all four languages'
rules, plus the concept tokens it names. A document matches when it shares any
token with the query; the engine ranks: SQLite FTS5 with ``bm25`` over the
table ``library_fts``, PostgreSQL with ``ts_rank_cd`` over a weighted
``tsvector`` (GIN index) built from the same tokens. Because the engines only
split on spaces and match whole tokens, both return the same hits.

User input never reaches either engine's query syntax: only tokens made of
letters, digits and ``_`` are passed, quoted, as a bound parameter.
"""

from __future__ import annotations

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
_TOKEN_OK = re.compile(r"^[a-z0-9_]+$")


@lru_cache(maxsize=300_000)
def cached_stem(word: str, language: str) -> str:
    return stem(word, language)


def concept_token(key: str) -> str:
    return "c_" + re.sub(r"[^a-z0-9]+", "_", key.lower()).strip("_")


class _ConceptFinder:
    """``ThesaurusIndex.find`` for long texts: same matching rules, memoised per word."""

    def __init__(self, index: ThesaurusIndex) -> None:
        self.index = index
        self._compound: dict[str, list[str]] = {}

    def compound_hits(self, token: str) -> list[str]:
        hits = self._compound.get(token)
        if hits is None:
            hits = []
            if len(token) > 5:
                for part, entries in self.index.compound_parts.items():
                    if part != token and part in token:
                        hits.extend(key for key, _label, _lang in entries)
            self._compound[token] = hits
        return hits

    def find(self, tokens: Sequence[str], languages: Iterable[str]) -> list[str]:
        found: list[str] = []
        for language in languages:
            stemmed = [cached_stem(w, language) for w in tokens]
            for size in range(min(self.index.max_len, len(stemmed)), 0, -1):
                for start in range(len(stemmed) - size + 1):
                    if size == 1 and tokens[start] in ALL_STOPWORDS:
                        continue
                    run = tuple(stemmed[start : start + size])
                    for key, _label in self.index.phrases.get((language, run), ()):
                        found.append(key)
        for token in tokens:
            found.extend(self.compound_hits(token))
        return found


_finder: _ConceptFinder | None = None


def concept_finder() -> _ConceptFinder:
    global _finder
    index = thesaurus()
    if _finder is None or _finder.index is not index:
        _finder = _ConceptFinder(index)
    return _finder


# --------------------------------------------------------------------------- documents


@dataclass
class Document:
    """The analysed form of a resource: space-separated tokens per column."""

    resource_id: int
    title: str
    summary: str
    body: str
    concepts: str
    facets: str
    is_public: bool
    published_on: Any


def _analyse(text: str, languages: Sequence[str]) -> tuple[list[str], list[str]]:
    """(word tokens, concept keys) of ``text`` written in ``languages``."""
    tokens = words(text)[:MAX_BODY_WORDS]
    out: list[str] = []
    for word in tokens:
        if word in ALL_STOPWORDS:
            continue
        seen = set()
        for language in languages:
            token = cached_stem(word, language)
            if token not in seen:
                seen.add(token)
                out.append(token)
    return out, concept_finder().find(tokens, languages)


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
    published_on: Any,
) -> Document:
    """Analyse one resource. ``titles``/``summaries`` map a language to its translation."""
    concept_keys: list[str] = []
    columns: dict[str, list[str]] = {"title": [], "summary": [], "body": []}
    for column, texts in (("title", titles), ("summary", summaries)):
        for language, text in texts.items():
            if text:
                tokens, found = _analyse(text, [language])
                columns[column].extend(tokens)
                concept_keys.extend(found)
    if body:
        tokens, found = _analyse(body, material_languages(languages))
        columns["body"] = tokens
        concept_keys.extend(found)
    # An explicit topic counts as much as being named in two places.
    concept_keys.extend(list(topic_keys) * 2)
    facet_text = " ".join(f"{name}:{value}" for name, values in facets.items() for value in values)
    return Document(
        resource_id=resource_id,
        title=" ".join(columns["title"]),
        summary=" ".join(columns["summary"]),
        body=" ".join(columns["body"]),
        concepts=" ".join(concept_token(key) for key in concept_keys),
        facets=f" {facet_text} ",
        is_public=is_public,
        published_on=published_on,
    )


# --------------------------------------------------------------------------- queries


@dataclass
class QueryWord:
    text: str  # the folded word as typed
    tokens: frozenset[str]  # its stems under every language's rules


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
        query.words.append(
            QueryWord(word, frozenset(cached_stem(word, lang) for lang in LANGUAGES))
        )
    if query.words:
        query.concepts = thesaurus().find(text)
    return query


# --------------------------------------------------------------------------- engines


@dataclass(frozen=True)
class Hit:
    resource_id: int
    score: float
    facets: str
    published_on: Any


class Backend(Protocol):
    def write(self, documents: Sequence[Document]) -> None: ...
    def remove(self, resource_ids: Sequence[int]) -> None: ...
    def clear(self) -> None: ...
    def match(
        self, tokens: Sequence[str] | None, *, public_only: bool, facet_filters: Sequence[str]
    ) -> list[Hit]: ...


def _where(public_only: bool, facet_filters: Sequence[str]) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if public_only:
        clauses.append("e.is_public")
    for facet in facet_filters:
        clauses.append("e.facets LIKE %s")
        params.append(f"% {facet} %")
    return "".join(f" AND {c}" for c in clauses), params


_ENTRY_COLUMNS = "resource_id, title, summary, body, concepts, facets, is_public, published_on"


def _entry_row(doc: Document) -> list[Any]:
    return [
        doc.resource_id,
        doc.title,
        doc.summary,
        doc.body,
        doc.concepts,
        doc.facets,
        doc.is_public,
        doc.published_on,
    ]


class SqliteBackend:
    """SQLite FTS5: the table ``library_fts`` (rowid = resource id) ranked by bm25."""

    def write(self, documents: Sequence[Document]) -> None:
        if not documents:
            return
        ids = [d.resource_id for d in documents]
        self.remove(ids)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO library_searchentry ({_ENTRY_COLUMNS}) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [_entry_row(d) for d in documents],
            )
            cursor.executemany(
                "INSERT INTO library_fts (rowid, title, summary, body, concepts) "
                "VALUES (%s, %s, %s, %s, %s)",
                [[d.resource_id, d.title, d.summary, d.body, d.concepts] for d in documents],
            )

    def remove(self, resource_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
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
            cursor.execute("DELETE FROM library_fts")
            cursor.execute("DELETE FROM library_searchentry")

    def match(
        self, tokens: Sequence[str] | None, *, public_only: bool, facet_filters: Sequence[str]
    ) -> list[Hit]:
        where, params = _where(public_only, facet_filters)
        if tokens is None:
            sql = (
                "SELECT e.resource_id, 0.0, e.facets, e.published_on "  # noqa: S608
                f"FROM library_searchentry e WHERE 1=1{where}"
            )
        else:
            expression = " OR ".join(f'"{t}"' for t in tokens if _TOKEN_OK.match(t))
            if not expression:
                return []
            w = WEIGHTS
            sql = (
                "SELECT e.resource_id, "  # noqa: S608
                f"-bm25(library_fts, {w['title']}, {w['summary']}, {w['body']}, {w['concepts']}), "
                "e.facets, e.published_on FROM library_fts "
                "JOIN library_searchentry e ON e.resource_id = library_fts.rowid "
                f"WHERE library_fts MATCH %s{where}"
            )
            params = [expression, *params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [Hit(int(r[0]), float(r[1]), r[2], r[3]) for r in cursor.fetchall()]


class PostgresBackend:
    """PostgreSQL: a weighted ``tsvector`` column with a GIN index, ranked by ts_rank_cd."""

    # ts_rank_cd takes weights in the order D, C, B, A.
    _LETTERS = {"body": "D", "summary": "C", "title": "B", "concepts": "A"}
    _RANK_WEIGHTS = "{%s,%s,%s,%s}" % (  # noqa: UP031 - a Postgres array literal
        WEIGHTS["body"] / 4,
        WEIGHTS["summary"] / 4,
        WEIGHTS["title"] / 4,
        WEIGHTS["concepts"] / 4,
    )

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

    def write(self, documents: Sequence[Document]) -> None:
        if not documents:
            return
        self.remove([d.resource_id for d in documents])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO library_searchentry ({_ENTRY_COLUMNS}, vector) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::tsvector)",
                [[*_entry_row(d), self.vector_literal(d)] for d in documents],
            )

    def remove(self, resource_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM library_searchentry WHERE resource_id = ANY(%s)", [list(resource_ids)]
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM library_searchentry")

    def match(
        self, tokens: Sequence[str] | None, *, public_only: bool, facet_filters: Sequence[str]
    ) -> list[Hit]:
        where, params = _where(public_only, facet_filters)
        if tokens is None:
            sql = (
                "SELECT e.resource_id, 0.0, e.facets, e.published_on "  # noqa: S608
                f"FROM library_searchentry e WHERE TRUE{where}"
            )
        else:
            expression = " | ".join(f"'{t}'" for t in tokens if _TOKEN_OK.match(t))
            if not expression:
                return []
            sql = (
                "SELECT e.resource_id, ts_rank_cd(%s::float4[], e.vector, q, 1), "  # noqa: S608
                "e.facets, e.published_on "
                "FROM library_searchentry e, CAST(%s AS tsquery) q "
                f"WHERE e.vector @@ q{where}"
            )
            params = [self._RANK_WEIGHTS, expression, *params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [Hit(int(r[0]), float(r[1]), r[2], r[3]) for r in cursor.fetchall()]


def backend() -> Backend:
    """The engine of the database in use."""
    if connection.vendor == "postgresql":
        return PostgresBackend()
    return SqliteBackend()
