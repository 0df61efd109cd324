"""Full-text search of the library on the database's own engine.

The analysis (``library.analysis``) turns a resource into space-separated tokens per
column and a query into groups of alternative tokens; this module indexes the first
and finds the second:

* PostgreSQL: ``SearchEntry.vector``, a weighted ``tsvector`` with a GIN index,
  matched with ``SearchQuery(..., search_type="raw")`` and ranked by ``SearchRank``
  (``ts_rank_cd``) with the column weights;
* SQLite: the FTS5 table ``library_fts`` (migration 0007), matched with one
  ``MATCH`` and ranked by ``bm25`` with the same weights.

Visibility and facet filters go through the ORM on both. A search looks at no more
than ``COUNT_CAP`` matches: one statement reads up to COUNT_CAP + 1 of them with their
facet values (``SearchEntry.tags``) and scores, and the count, facet counts and page
are taken from those rows. A broader query is shown as "500+", and its facets are
counted and its page ranked over the first 500 of its matches the database finds (in
the order it stores them). User input never reaches either engine's query syntax:
only tokens of ``[a-z0-9]`` are passed, inside a bound parameter.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.exceptions import FullResultSet
from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL

from cityexchange.core import caching
from cityexchange.library.analysis import Document
from cityexchange.library.models import SearchEntry, SearchFacet

# A search looks at no more than this many matches: counts, facets and ranks them.
COUNT_CAP = 500
_EPOCH = dt.date(1, 1, 1)
FACET_NAMES = ("kind", "topic", "lang", "country", "year")
# How strongly each column counts, the same on both engines.
WEIGHTS = {"body": 1.0, "summary": 2.0, "title": 3.0, "concepts": 4.0}
# PostgreSQL keeps a weight letter per position: D, C, B, A in ``WEIGHTS``' order.
_LETTERS = dict(zip(WEIGHTS, "DCBA", strict=True))
_VECTOR = (
    SearchVector("title", weight=_LETTERS["title"], config="simple")
    + SearchVector("summary", weight=_LETTERS["summary"], config="simple")
    + SearchVector("concepts", weight=_LETTERS["concepts"], config="simple")
    + SearchVector("body", weight=_LETTERS["body"], config="simple")
)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


# --------------------------------------------------------------------------- writing


def write(documents: Sequence[Document]) -> None:
    """Put ``documents`` in the index, replacing their resources' earlier entries."""
    if not documents:
        return
    ids = [d.resource_id for d in documents]
    remove(ids)
    SearchEntry.objects.bulk_create(
        [
            SearchEntry(
                resource_id=d.resource_id,
                title=d.title,
                summary=d.summary,
                body=d.body,
                concepts=d.concepts,
                tags=d.tags,
                is_public=d.is_public,
                published_on=d.published_on,
            )
            for d in documents
        ],
        batch_size=500,
    )
    SearchFacet.objects.bulk_create(
        [
            SearchFacet(resource_id=d.resource_id, name=name, value=value)
            for d in documents
            for name, value in d.facets
        ],
        batch_size=2000,
    )
    caching.bump("library")
    if _postgres():
        SearchEntry.objects.filter(resource_id__in=ids).update(vector=_VECTOR)
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO library_fts (rowid, title, summary, body, concepts) "
            "VALUES (%s, %s, %s, %s, %s)",
            [(d.resource_id, d.title, d.summary, d.body, d.concepts) for d in documents],
        )


def remove(resource_ids: Sequence[int]) -> None:
    """Take the resources out of the index (nothing happens for those not in it)."""
    ids = list(resource_ids)
    caching.bump("library")
    SearchFacet.objects.filter(resource_id__in=ids).delete()
    SearchEntry.objects.filter(resource_id__in=ids).delete()
    if not _postgres() and ids:
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM library_fts WHERE rowid IN ({marks})", ids)  # noqa: S608 - placeholders only


def clear() -> None:
    """Empty the index (before a rebuild)."""
    caching.bump("library")
    SearchFacet.objects.all().delete()
    SearchEntry.objects.all().delete()
    if not _postgres():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM library_fts")


# --------------------------------------------------------------------------- searching


@dataclass(frozen=True)
class Filters:
    """Who is searching (members-only resources or not) and the facet values chosen."""

    public_only: bool
    facets: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Match:
    """Groups of alternative tokens: a resource must have one token of each group
    (``every_group``) or any token of any group."""

    groups: tuple[tuple[str, ...], ...]
    every_group: bool = True


@dataclass
class Found:
    """What a search found: the number of matches (at most COUNT_CAP: ``capped`` says
    there are more), facet values with their counts, and one page of (id, score)."""

    count: int
    capped: bool = False
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    page: list[tuple[int, float]] = field(default_factory=list)


def _postgres_query(match: Match) -> SearchQuery:
    """``(a | b) & (c | d)`` as tsquery syntax (tokens are letters and digits only)."""
    groups = ["(" + " | ".join(group) + ")" for group in match.groups]
    return SearchQuery(
        (" & " if match.every_group else " | ").join(groups),
        config="simple",
        search_type="raw",
    )


def _fts5_query(match: Match) -> str:
    """``("a" OR "b") AND ("c" OR "d")`` as FTS5 syntax."""
    groups = ["(" + " OR ".join(f'"{token}"' for token in group) + ")" for group in match.groups]
    return (" AND " if match.every_group else " OR ").join(groups)


def visible_entries(filters: Filters) -> QuerySet[SearchEntry]:
    """The index entries a searcher may see, with the chosen facet values."""
    entries = SearchEntry.objects.all()
    if filters.public_only:
        entries = entries.filter(is_public=True)
    for name, value in filters.facets:
        chosen = SearchFacet.objects.filter(name=name, value=value).values("resource_id")
        entries = entries.filter(resource_id__in=chosen)
    return entries


def _matching(entries: QuerySet[SearchEntry], match: Match | None) -> QuerySet[SearchEntry]:
    if match is None:
        return entries
    if _postgres():
        return entries.filter(vector=_postgres_query(match))
    found = RawSQL("SELECT rowid FROM library_fts WHERE library_fts MATCH %s", [_fts5_query(match)])
    return entries.filter(resource_id__in=found)


def _score(match: Match) -> SearchRank:
    """PostgreSQL's relevance of an entry to ``match``, with the column weights."""
    return SearchRank(
        F("vector"),
        _postgres_query(match),
        # ts_rank_cd takes the weights of D, C, B, A, each at most 1.
        weights=[weight / max(WEIGHTS.values()) for weight in WEIGHTS.values()],
        # Divided by 1 + log(length): a long text does not win by length alone.
        normalization=1,
        cover_density=True,
    )


_Row = tuple[int, str, float, "dt.date | None"]


def _candidates(entries: QuerySet[SearchEntry], match: Match | None, *, newest: bool) -> list[_Row]:
    """(id, tags, score, published_on) of up to COUNT_CAP + 1 matches of ``match`` among ``entries``:
    the newest with ``newest`` (or without a match), else the first the database finds,
    each scored (0 when newest first)."""
    if match is None or newest:
        newest_first = _matching(entries, match).order_by(
            F("published_on").desc(nulls_last=True), "-pk"
        )
        rows = newest_first.values_list("pk", "tags", "published_on")[: COUNT_CAP + 1]
        return [(rid, tags, 0.0, day) for rid, tags, day in rows]
    if _postgres():
        scored = _matching(entries, match).annotate(score=_score(match))
        ranked = scored.values_list("pk", "tags", "score", "published_on")[: COUNT_CAP + 1]
        return [(rid, tags, float(score), day) for rid, tags, score, day in ranked]
    # The ORM's own WHERE of ``entries`` on the joined entry: as ``IN (subquery)`` SQLite
    # would first list every visible entry (12 of 19 ms at 10,000 resources).
    try:
        visible, params = entries.query.get_compiler(connection=connection).compile(
            entries.query.where
        )
    except FullResultSet:  # no condition: every entry
        visible, params = "1", []
    weights = [WEIGHTS[column] for column in ("title", "summary", "body", "concepts")]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT library_searchentry.resource_id, tags, -bm25(library_fts, %s, %s, %s, %s), "  # noqa: S608 - the ORM's own SQL
            "published_on FROM library_fts "
            "JOIN library_searchentry ON library_searchentry.resource_id = library_fts.rowid "
            f"WHERE library_fts MATCH %s AND ({visible}) LIMIT %s",
            [*weights, _fts5_query(match), *params, COUNT_CAP + 1],
        )
        # Django's SQLite connection turns the date column into dates.
        return [(int(rid), tags, float(score), day) for rid, tags, score, day in cursor.fetchall()]


def find(match: Match | None, filters: Filters, *, newest: bool, offset: int, limit: int) -> Found:
    """Count, facet and page the matches of ``match`` (every visible entry when None),
    best first, or newest first with ``newest``. One query.

    A search looks at no more than COUNT_CAP matches: beyond that many, the first
    COUNT_CAP the database finds (the newest when newest first) are counted for facets
    and ranked, so that the work of a search stops growing with the number of its
    matches (``Found.capped`` says so). One statement reads them with their facet
    values and scores; counting, facet counting and ordering up to COUNT_CAP rows is
    then cheaper in Python than two more statements that find the same rows again.
    """
    rows = _candidates(visible_entries(filters), match, newest=newest)
    found = Found(count=min(len(rows), COUNT_CAP), capped=len(rows) > COUNT_CAP)
    rows = rows[:COUNT_CAP]
    found.facets = {name: [] for name in FACET_NAMES}
    # Tags are "name:value" (see ``Document.tags``): counted whole, split once each.
    for tag, n in Counter(" ".join(row[1] for row in rows).split()).items():
        name, _colon, value = tag.partition(":")
        if name in found.facets:
            found.facets[name].append((value, n))
    if not (match is None or newest):
        # Best first, then newest first (undated last), then the higher id.
        rows.sort(
            key=lambda row: (-row[2], row[3] is None, -(row[3] or _EPOCH).toordinal(), -row[0])
        )
    found.page = [(rid, score) for rid, _tags, score, _day in rows[offset : offset + limit]]
    return found
