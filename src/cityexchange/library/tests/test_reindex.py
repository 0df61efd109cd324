"""``cityexchange reindex`` rebuilds the search index; ``migrate`` builds it when needed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from cityexchange.library import search
from cityexchange.library.selectors import search_resources
from cityexchange.library.tests.conftest import CORPUS, make_resource

QUERIES = ["Wassermanagement", "gemelos digitales", "participação cidadã", "phishing", ""]


def _answers() -> list[tuple[int, list[str]]]:
    return [
        (result.count, [item.resource.slug for item in result.items])
        for result in (search_resources(query=q, language="en", page_size=50) for q in QUERIES)
    ]


@pytest.mark.django_db
def test_reindex_rebuilds_the_same_index_and_shows_progress(corpus: dict) -> None:
    before = _answers()
    search.clear()
    assert search_resources(query="Wassermanagement", language="en").count == 0
    out, err = StringIO(), StringIO()
    call_command("reindex", stdout=out, stderr=err)
    assert f"Indexed {len(corpus)} resources" in out.getvalue()
    assert f"{len(corpus)}/{len(corpus)} (100%)" in err.getvalue()
    assert _answers() == before


@pytest.mark.django_db(transaction=True)
def test_migrate_moves_a_database_of_the_old_search_to_the_new_index(thesaurus: None) -> None:
    made = [make_resource(dict(spec)) for spec in CORPUS]
    # As the previous release left it: its index tables, and the new index gone.
    call_command("migrate", "library", "0006", verbosity=0)
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if connection.vendor == "sqlite":
        assert {"library_fts", "library_fts_head", "library_fts_title"} <= set(tables)
    call_command("migrate", verbosity=0)
    # No manual step: migrate filled the new index.
    result = search_resources(query="Wassermanagement", language="en")
    assert [item.resource.slug for item in result.items][0] == "smart-water-tartu"
    assert search_resources(query="", language="en").count == len(made) - 1  # one is members-only
