"""``cityexchange reindex`` rebuilds the search index, shows its progress and leaves it ready."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from cityexchange.library import search
from cityexchange.library.selectors import search_resources

pytestmark = pytest.mark.django_db

QUERIES = ["Wassermanagement", "gemelos digitales", "participação cidadã", "phishing", ""]


def _answers() -> list[tuple[int, list[str]]]:
    return [
        (result.count, [item.resource.slug for item in result.items])
        for result in (search_resources(query=q, language="en", page_size=50) for q in QUERIES)
    ]


def _pending_gin_pages() -> int:
    """Pages in the pending lists of the search's GIN indexes (read from their metapages)."""
    total = 0
    with connection.cursor() as cursor:
        for index in ("vector", "head", "title"):
            cursor.execute(
                "SELECT n_pending_pages FROM gin_metapage_info(get_raw_page(%s, 0))",
                [f"library_searchentry_{index}_gin"],
            )
            total += int(cursor.fetchone()[0])
    return total


def _fts_segments(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(DISTINCT segid) FROM {table}_idx")  # noqa: S608
        return int(cursor.fetchone()[0])


def test_reindex_rebuilds_the_same_index_and_shows_progress(corpus: dict) -> None:
    before = _answers()
    search.backend().clear()
    assert search_resources(query="Wassermanagement", language="en").count == 0
    out, err = StringIO(), StringIO()
    call_command("reindex", stdout=out, stderr=err)
    assert f"Indexed {len(corpus)} resources" in out.getvalue()
    assert f"{len(corpus)}/{len(corpus)} (100%)" in err.getvalue()
    assert _answers() == before


def test_reindex_leaves_the_index_merged(corpus: dict) -> None:
    call_command("reindex", stdout=StringIO(), stderr=StringIO())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pageinspect'")
            if cursor.fetchone() is None:
                try:
                    cursor.execute("CREATE EXTENSION pageinspect")
                except Exception:  # noqa: BLE001 - not every role may create extensions
                    pytest.skip("pageinspect is needed to read a GIN metapage")
        # Nothing left for searches to read past the index proper.
        assert _pending_gin_pages() == 0
    else:
        # One segment per table: a query reads each word's entries once.
        for table in ("library_fts", "library_fts_head", "library_fts_title"):
            assert _fts_segments(table) == 1, table


def test_the_expected_number_of_matches_is_the_planners_estimate(corpus: dict) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL estimates the matches of broad queries")
    backend = search.PostgresBackend()
    index = search.thesaurus()
    queries = ["Wassermanagement", "water data", "gemelos digitales", "phishing zeppelin"]
    filters = [
        search.Filters(public_only=True, facets=()),
        search.Filters(public_only=False, facets=(("kind", "study"),)),
    ]
    # Before any ANALYZE of the test's rows there are no statistics: the planner is asked.
    assert search._table_statistics() is None
    call_command("reindex", stdout=StringIO(), stderr=StringIO())  # ends with ANALYZE
    statistics = search._table_statistics()
    assert statistics is not None and statistics.rows == len(corpus)
    for query in queries:
        analysed = search.analyse_query(query, index)
        for match in (search.Match.every_word(analysed), search.Match.any_word(analysed)):
            for chosen in filters:
                planner = backend.explained(match, chosen)
                assert statistics.expected(match, chosen) == planner, (query, chosen)
