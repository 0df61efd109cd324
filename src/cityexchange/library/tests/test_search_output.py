"""What a search shows: snippets, facet labels in the request's language, links, the schema."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cityexchange.core import caching
from cityexchange.core.models import ConceptLabel
from cityexchange.library import selectors
from cityexchange.library.tests.conftest import make_resource

FILLER = "lorem ipsum, <dolor> & sit amet; "


def _snippet_of(slug: str, query: str) -> str:
    result = selectors.search_resources(query=query, language="en", page_size=50)
    return next(str(item.snippet) for item in result.items if item.resource.slug == slug)


def _words(snippet: str) -> list[str]:
    return re.findall(r"[^\W_]+", html.unescape(re.sub("</?mark>", "", snippet)))


@pytest.mark.django_db
@pytest.mark.parametrize("before", [0, 3, 9, 10, 40, 400, 3000])
def test_the_snippet_is_thirty_words_around_the_first_match_of_the_text(
    thesaurus: None, before: int
) -> None:
    # The summary does not match: the snippet comes from the text, wherever the
    # match sits in it, with the words around it and ellipses where text is cut.
    body = " ".join(f"w{i}" for i in range(before)) + " Floodgate sensors. " + FILLER * 50
    make_resource(
        {"slug": "long-text", "kind": "good_practice", "languages": ["en"]},
        title={"en": "Notes"},
        summary={"en": "A note."},
        body=body,
    )
    snippet = _snippet_of("long-text", "floodgate")
    words = _words(snippet)
    assert "<mark>Floodgate</mark> sensors." in snippet
    assert len(words) == 30
    assert snippet.startswith("… ") is (before > 10)
    assert snippet.endswith(" …")
    assert "&lt;dolor&gt; &amp;" in snippet and "<dolor>" not in snippet
    # Up to ten words before the match, the rest after it.
    assert words.index("Floodgate") == min(before, 10)


@pytest.mark.django_db
def test_the_summary_gives_the_snippet_when_it_matches_else_the_text(thesaurus: None) -> None:
    make_resource(
        {"slug": "in-summary", "kind": "good_practice", "languages": ["en"]},
        title={"en": "One"},
        summary={"en": "Floodgates along the river."},
        body="The floodgate manual." + FILLER * 20,
    )
    make_resource(
        {"slug": "in-text", "kind": "good_practice", "languages": ["en"]},
        title={"en": "Two"},
        summary={"en": "Nothing of the kind."},
        body="Inspection of every floodgate.",
    )
    assert _snippet_of("in-summary", "floodgate") == "<mark>Floodgates</mark> along the river."
    assert _snippet_of("in-text", "floodgate") == "Inspection of every <mark>floodgate</mark>."


def _labels(client: Client, language: str, **params: Any) -> dict[tuple[str, str], str]:
    response = client.get("/api/v1/library/search", params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    facets = response.json()["facets"]
    return {(name, v["value"]): v["label"] for name, values in facets.items() for v in values}


@pytest.mark.django_db
def test_facet_labels_follow_the_language_of_each_request(client: Client, corpus: dict) -> None:
    german = _labels(client, "de", q="water")
    spanish = _labels(client, "es", q="water")
    again = _labels(client, "de", q="water")
    assert german == again
    assert german[("topic", "water-management")] == "Wassermanagement"
    assert spanish[("topic", "water-management")] == "Gestión del agua"
    assert german[("country", "EE")] == "Estland"
    assert spanish[("country", "EE")] == "Estonia"
    assert german.keys() == spanish.keys()
    assert german[("lang", "de")] == "Deutsch" and spanish[("lang", "de")] == "Alemán"
    assert german[("kind", "good_practice")] == "Gutes Praxisbeispiel"
    assert spanish[("kind", "good_practice")] == "Buena práctica"


@pytest.mark.django_db
def test_a_reloaded_thesaurus_shows_its_new_labels_at_once(client: Client, corpus: dict) -> None:
    assert _labels(client, "de", q="water")[("topic", "water-management")] == "Wassermanagement"
    ConceptLabel.objects.filter(
        concept__key="water-management", language="de", preferred=True
    ).update(text="Wasserwirtschaft und Wassermanagement")
    caching.bump("thesaurus")
    labels = _labels(client, "de", q="water")
    assert labels[("topic", "water-management")] == "Wasserwirtschaft und Wassermanagement"


@pytest.mark.django_db
def test_labels_worked_out_in_one_active_language_are_not_shown_in_another(corpus: dict) -> None:
    # Kinds and countries are named in the active language, topics in ``language``:
    # a search run under another active language must not leave its names behind.
    with translation.override("es"):
        selectors.search_resources(query="water", language="de")
    with translation.override("de"):
        result = selectors.search_resources(query="water", language="de")
    kinds = {f.value: f.label for f in result.facets["kind"]}
    assert kinds["good_practice"] == "Gutes Praxisbeispiel"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "pt"])
def test_each_item_links_its_own_page_in_the_language_of_the_request(
    client: Client, corpus: dict, language: str
) -> None:
    response = client.get(
        "/api/v1/library/search", {"q": "water platform"}, HTTP_ACCEPT_LANGUAGE=language
    )
    items = response.json()["items"]
    assert len(items) > 1
    with translation.override(language):
        expected = {
            item["slug"]: "http://testserver" + corpus[item["slug"]].get_absolute_url()
            for item in items
        }
    assert {item["slug"]: item["url"] for item in items} == expected
    assert all(f"/{language}/" in url for url in expected.values())


@pytest.mark.django_db
def test_the_search_page_reads_nothing_more_per_item_it_shows(client: Client, corpus: dict) -> None:
    # Results carry only the columns they show: a column left unread and then shown
    # would cost one more query per item.
    def queries_and_items(query: str) -> tuple[int, int]:
        client.get("/en/library/search/", {"q": query})  # sessions, thesaurus: once
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/en/library/search/", {"q": query})
        assert response.status_code == 200
        return len(queries), response.content.count(b'<li class="card">')

    one = queries_and_items("phishing")
    several = queries_and_items("water")
    assert one[1] == 1 and several[1] > 2
    assert one[0] == several[0]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "water"},
        {"q": "Wassermanagement", "page_size": 2, "page": 2},
        {"q": "phishing zeppelin"},
        {"q": "", "kind": "study"},
        {"q": "nothingmatchesthis"},
    ],
)
def test_every_search_answer_is_what_the_published_schema_says(
    client: Client, corpus: dict, params: dict[str, Any]
) -> None:
    from cityexchange.library.api import SearchOut

    response = client.get("/api/v1/library/search", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    # Exactly the documented fields, with the documented types (no coercion).
    checked = SearchOut.model_validate(body, strict=True).model_dump(mode="json")
    assert checked == body
    spec = client.get("/api/v1/openapi.json").json()
    answer = spec["paths"]["/api/v1/library/search"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/SearchOut")


def test_the_resources_of_a_page_are_what_the_database_holds(corpus: dict) -> None:
    from cityexchange.library.models import Resource

    # Every resource an anonymous visitor may see.
    result = selectors.search_resources(query="", language="en", page_size=50)
    assert len(result.items) == result.count >= 4
    with CaptureQueriesContext(connection) as reads:
        for item in result.items:
            shown = item.resource
            stored = Resource.objects.get(pk=shown.pk)
            for lang in ("de", "en", "es", "pt"):
                with translation.override(lang):
                    assert (shown.title, shown.summary) == (stored.title, stored.summary)
            assert (shown.slug, shown.kind, shown.body) == (stored.slug, stored.kind, stored.body)
            # Converted as the ORM converts them: a list and a date, not their text.
            assert shown.languages == stored.languages and isinstance(shown.languages, list)
            assert shown.published_on == stored.published_on
            assert shown.get_absolute_url() == stored.get_absolute_url()
            assert not shown._state.adding
    # Reading the shown fields never went back to the database (one read per stored).
    assert len(reads) == len(result.items)
