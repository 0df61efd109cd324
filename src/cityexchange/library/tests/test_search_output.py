"""What a search shows: snippets, facet labels in the request's language, links, the schema."""

from __future__ import annotations

import html
import random
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cityexchange.core import caching
from cityexchange.core.models import ConceptLabel
from cityexchange.library import selectors
from cityexchange.library.selectors import _HEAD_CHARS, _highlight, _word_matches


def _plain_highlight(text: str, tokens: set[str], limit: int = 30) -> tuple[str, bool]:
    """The snippet by the obvious method, word by word over the whole text."""
    parts = selectors._WORD_OR_NOT.split(text)
    if len(parts) < 2:
        return html.escape(text[:240]), False
    first = next((i for i in range(1, len(parts), 2) if _word_matches(parts[i], tokens)), None)
    start = 1 if first is None else 1 + 2 * max(0, (first - 1) // 2 - limit // 3)
    end = min(start + 2 * (limit - 1), len(parts) - 2)
    out = []
    for i in range(start, end + 1):
        piece = html.escape(parts[i])
        if i % 2 and first is not None and _word_matches(parts[i], tokens):
            piece = f"<mark>{piece}</mark>"
        out.append(piece)
    prefix = "… " if start > 1 else ""
    suffix = " …" if end < len(parts) - 2 else ""
    return prefix + "".join(out) + suffix, first is not None


WORDS = ["water", "Waters", "sensor", "Straße", "daten", "agua", "and", "x", "área", "city_7"]
GAPS = [" ", "  ", ", ", "\n", " <b> ", ' & "', "—", "'", "_", "..."]


def _text(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(WORDS) + rng.choice(GAPS) for _ in range(size))


@pytest.mark.parametrize("seed", range(40))
def test_the_snippet_is_the_window_around_the_first_match_of_any_text(seed: int) -> None:
    rng = random.Random(seed)
    tokens = {"water", "sensor"} if seed % 4 else {"nothing"}
    # Short texts, texts about the size of the part read first, and long ones.
    size = rng.choice([0, 1, 5, 29, 30, 31, 60, _HEAD_CHARS // 8, _HEAD_CHARS // 6, 2000])
    filler = _text(rng, size).replace("water", "wet").replace("sensor", "sense")
    place = rng.randint(0, len(filler))
    text = filler[:place] + rng.choice(["", " water ", " Sensor, ", "<water>"]) + filler[place:]
    assert _highlight(text, tokens) == _plain_highlight(text, tokens)


@pytest.mark.parametrize("shift", [-400, -120, -60, -12, -6, -1, 0, 1, 6, 60])
def test_a_match_near_the_end_of_the_part_read_first_gives_the_whole_window(shift: int) -> None:
    filler = "lorem ipsum, dolor sit amet; "
    before = (filler * (_HEAD_CHARS // len(filler) + 1))[: _HEAD_CHARS + shift]
    text = before + " water " + filler * 200
    assert _highlight(text, {"water"}) == _plain_highlight(text, {"water"})
    snippet, found = _highlight(text, {"water"})
    assert found and snippet.count(" ") >= 29


def test_a_long_text_gives_the_same_snippet_whether_its_match_comes_early_or_late() -> None:
    tokens = {"water"}
    filler = "lorem ipsum <dolor> & sit amet " * 2000
    early, found_early = _highlight("Water " + filler, tokens)
    assert found_early and early.startswith("<mark>Water</mark> lorem ipsum &lt;dolor&gt;")
    late, found_late = _highlight(filler + " water.", tokens)
    assert found_late and late.startswith("… ") and late.endswith("<mark>water</mark>")
    assert _highlight(filler, tokens) == _plain_highlight(filler, tokens)
    assert _highlight(filler, tokens)[1] is False


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
