"""Search finds material across languages, explains why, counts, pages and cannot be broken
by input. This file runs on SQLite and on PostgreSQL: both engines give the same answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cityexchange.library import search
from cityexchange.library.models import Resource
from cityexchange.library.selectors import SearchResult, search_resources
from cityexchange.library.services import index_rebuild, resource_update, resource_withdraw
from cityexchange.library.tests.conftest import CORPUS, make_resource

pytestmark = pytest.mark.django_db


def slugs(result: SearchResult) -> list[str]:
    return [item.resource.slug for item in result.items]


def test_a_german_query_finds_english_water_management_and_says_why(corpus: dict) -> None:
    result = search_resources(query="Wassermanagement", language="en")
    assert slugs(result)[0] == "smart-water-tartu"
    assert "topic: Water management (from 'Wassermanagement')" in result.items[0].matched


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("gestión del agua", "smart-water-tartu"),
        ("gestão da água", "smart-water-tartu"),
        ("digital twins", "digitale-zwillinge-kommunen"),
        ("gemelos digitales", "digitale-zwillinge-kommunen"),
        ("Bürgerbeteiligung", "participacion-ciudadana"),
        ("citizen participation", "participacion-ciudadana"),
        ("ciberseguridad municipal", "cyber-security-handbook"),
        ("Cybersicherheit", "cyber-security-handbook"),
        ("urban data platforms", "plataforma-dados-urbanos"),
    ],
)
def test_a_query_in_any_language_finds_material_in_another(
    corpus: dict, query: str, expected: str
) -> None:
    assert expected in slugs(search_resources(query=query, language="en"))[:3]


def test_stemming_joins_plural_and_singular_and_names_the_words(corpus: dict) -> None:
    result = search_resources(query="ransomware attack", language="en")
    assert slugs(result) == ["cyber-security-handbook"]
    assert result.items[0].matched == [
        "topic: Cybersecurity (from 'ransomware')",
        "words: ransomware, attack",
    ]


def test_the_reasons_are_in_the_language_asked_for(corpus: dict) -> None:
    result = search_resources(query="Wassermanagement", language="de")
    assert "Thema: Wassermanagement (aus „Wassermanagement“)" in result.items[0].matched


def test_the_snippet_marks_the_matching_words_and_escapes_the_rest(corpus: dict) -> None:
    make_resource(
        {
            **CORPUS[4],
            "slug": "escaped",
            "summary": {"en": "Beware of <b>Phishing</b> & other attacks"},
        }
    )
    result = search_resources(query="phishing", language="en")
    snippets = {item.resource.slug: str(item.snippet) for item in result.items}
    assert "<mark>phishing</mark>" in snippets["cyber-security-handbook"]
    assert snippets["escaped"] == (
        "Beware of &lt;b&gt;<mark>Phishing</mark>&lt;/b&gt; &amp; other attacks"
    )


def test_each_item_lists_the_resources_own_topics(corpus: dict) -> None:
    result = search_resources(query="Wassermanagement", language="en")
    assert result.items[0].topics == ["sensors", "water-management"]


@pytest.mark.parametrize(
    ("who", "sees_members_only"), [(None, False), ("member", True), ("staff", True)]
)
def test_members_only_resources_are_found_by_members_and_staff_only(
    corpus: dict, request: pytest.FixtureRequest, who: str | None, sees_members_only: bool
) -> None:
    user = request.getfixturevalue(who) if who else None
    for query in ("heat planning", ""):
        found = slugs(search_resources(query=query, language="en", user=user, page_size=50))
        assert ("members-heat-planning" in found) is sees_members_only
    counted = search_resources(query="", language="en", user=user)
    assert counted.count == (6 if sees_members_only else 5)


def test_drafts_are_found_by_nobody_not_even_staff(corpus: dict, staff: Any) -> None:
    make_resource({**CORPUS[0], "slug": "draft-water"}, status="draft")
    for user in (None, staff):
        assert "draft-water" not in slugs(search_resources(query="water", language="en", user=user))


def test_a_withdrawn_resource_leaves_the_results_at_once(corpus: dict) -> None:
    # Searched once before: a repeated search is answered from what was kept.
    assert search_resources(query="phishing", language="en").count == 1
    resource_withdraw(resource=corpus["cyber-security-handbook"], actor=None)
    assert search_resources(query="phishing", language="en").count == 0


def test_an_edit_is_searchable_immediately(corpus: dict) -> None:
    assert search_resources(query="zeppelin", language="en").count == 0
    assert search_resources(query="phishing", language="en").count == 1
    resource_update(
        resource=corpus["cyber-security-handbook"],
        actor=None,
        summary={"en": "Backups against zeppelins."},
    )
    assert slugs(search_resources(query="zeppelin", language="en")) == ["cyber-security-handbook"]
    assert search_resources(query="phishing", language="en").count == 0


def test_filters_narrow_and_facets_count(corpus: dict) -> None:
    everything = search_resources(query="digital platform data", language="en")
    kinds = {f.value: f.count for f in everything.facets["kind"]}
    assert sum(kinds.values()) == everything.count == len(everything.items) == 4
    narrowed = search_resources(
        query="digital platform data", language="en", filters={"kind": "tool"}
    )
    assert slugs(narrowed) == ["plataforma-dados-urbanos"]
    assert [(f.value, f.count, f.selected) for f in narrowed.facets["kind"]] == [("tool", 1, True)]
    by_country = search_resources(query="participación", language="es", filters={"country": "pe"})
    assert slugs(by_country) == ["participacion-ciudadana"]
    by_year = search_resources(query="", language="en", filters={"year": "2024"})
    assert set(slugs(by_year)) == {"smart-water-tartu", "plataforma-dados-urbanos"}
    by_lang = search_resources(query="", language="de", filters={"lang": "pt"})
    assert slugs(by_lang) == ["plataforma-dados-urbanos"]
    by_topic = search_resources(query="", language="de", filters={"topic": "digital-twin"})
    assert slugs(by_topic) == ["digitale-zwillinge-kommunen"]
    two = search_resources(query="", language="en", filters={"kind": "guideline", "country": "DE"})
    assert slugs(two) == ["cyber-security-handbook"]


def test_facet_labels_are_in_the_viewers_language(corpus: dict) -> None:
    result = search_resources(query="", language="de", filters={"topic": "water-management"})
    labels = {f.value: f.label for f in result.facets["topic"]}
    assert labels["water-management"] == "Wassermanagement"
    with translation.override("de"):
        german = search_resources(query="water", language="de")
    assert {f.value: f.label for f in german.facets["kind"]}["good_practice"] == (
        "Gutes Praxisbeispiel"
    )


def test_facets_count_every_match_per_value(corpus: dict) -> None:
    result = search_resources(query="", language="en")
    years = {f.value: f.count for f in result.facets["year"]}
    assert years == {"2024": 2, "2023": 2, "2022": 1}
    assert list(years) == ["2024", "2023", "2022"]  # years newest first
    assert not result.count_is_capped
    narrowed = search_resources(query="", language="en", filters={"year": "2024"})
    assert narrowed.count == 2
    assert {f.value for f in narrowed.facets["year"]} == {"2024"}


def test_pages_split_results_and_sorting_by_date_works(corpus: dict) -> None:
    first = search_resources(
        query="", language="en", page=1, page_size=2, filters={"sort": "newest"}
    )
    second = search_resources(query="", language="en", page=2, page_size=2)
    assert first.count == 5 and first.pages == 3 and first.has_next
    assert slugs(first) == ["smart-water-tartu", "plataforma-dados-urbanos"]
    assert slugs(second) == ["digitale-zwillinge-kommunen", "cyber-security-handbook"]


def test_paging_through_ranked_results_shows_every_match_once_in_rank_order(
    corpus: dict,
) -> None:
    for n in range(7):
        make_resource({**CORPUS[0], "slug": f"water-{n}", "title": {"en": f"Water note {n}"}})
    whole = search_resources(query="water", language="en", page_size=50)
    paged: list[str] = []
    for page in range(1, 10):
        result = search_resources(query="water", language="en", page=page, page_size=3)
        assert result.count == whole.count
        assert result.has_next == (page * 3 < whole.count)
        paged.extend(slugs(result))
    assert paged == slugs(whole) and len(paged) == whole.count >= 9
    scores = [item.score for item in whole.items]
    assert scores == sorted(scores, reverse=True)


def test_a_page_past_the_end_is_empty_but_keeps_the_count(corpus: dict) -> None:
    result = search_resources(query="", language="en", page=50)
    assert result.items == [] and result.count == 5


def test_a_better_match_ranks_first(corpus: dict) -> None:
    # Tartu has "water" in its title, summary, body and topics; the others in the body.
    assert slugs(search_resources(query="water", language="en"))[0] == "smart-water-tartu"


# The exact hits both engines must agree on.
SAME_HITS = {
    # "Wasser" inside the compound also names the broader topic water ("água", "Hochwasser").
    "Wassermanagement": {
        "smart-water-tartu",
        "plataforma-dados-urbanos",
        "digitale-zwillinge-kommunen",
    },
    "sensors": {"smart-water-tartu", "digitale-zwillinge-kommunen"},
    # Every word must match: the Spanish guide says "plataformas", whose stem is not
    # "plattform" in any language and no thesaurus label joins them, so only the twins match.
    "digitale Plattform": {"digitale-zwillinge-kommunen"},
    "small towns": {"cyber-security-handbook", "digitale-zwillinge-kommunen"},
}


@pytest.mark.parametrize(("query", "expected"), list(SAME_HITS.items()))
def test_both_engines_return_the_same_hits(corpus: dict, query: str, expected: set) -> None:
    found = set(slugs(search_resources(query=query, language="en", page_size=50)))
    assert found == expected, f"{connection.vendor}: {query!r} -> {sorted(found)}"


def test_every_word_must_match_when_some_resource_has_them_all(corpus: dict) -> None:
    # "water" alone finds the digital twins too (through "Hochwasser"), "leak" only Tartu.
    assert "digitale-zwillinge-kommunen" in slugs(search_resources(query="water", language="en"))
    result = search_resources(query="water leak", language="en")
    assert slugs(result) == ["smart-water-tartu"]
    assert not result.any_word
    assert not any("not every word" in r for r in result.items[0].matched)


def test_when_no_resource_has_every_word_any_word_is_enough_and_it_says_so(corpus: dict) -> None:
    result = search_resources(query="phishing zeppelin", language="en")
    assert result.any_word
    assert slugs(result) == ["cyber-security-handbook"]
    assert "not every word was found; this matches some of them" in result.items[0].matched
    german = search_resources(query="phishing zeppelin", language="de")
    assert any(r.startswith("nicht jedes Wort") for r in german.items[0].matched)


def test_a_query_of_only_stopwords_finds_nothing(corpus: dict) -> None:
    assert search_resources(query="the and of", language="en").count == 0


def test_search_costs_the_same_number_of_queries_at_two_corpus_sizes(
    corpus: dict, django_assert_num_queries: Any
) -> None:
    # The matches with their facet values and scores, the page's resources; a query whose words are
    # never all found counts once more (and finds nothing: no more queries).
    search_resources(query="water", language="en")  # the thesaurus, once per process
    with django_assert_num_queries(2):
        small = search_resources(query="water data", language="en")
    with django_assert_num_queries(3):
        search_resources(query="phishing zeppelin", language="en")
    with django_assert_num_queries(2):
        search_resources(query="", language="en", filters={"kind": "study"})
    for n in range(30):
        make_resource({**CORPUS[0], "slug": f"water-{n}"})
    with django_assert_num_queries(2):
        large = search_resources(query="water data", language="en")
    with django_assert_num_queries(3):
        search_resources(query="phishing zeppelin", language="en")
    with django_assert_num_queries(2):
        search_resources(query="", language="en", filters={"kind": "good_practice"})
    assert large.count == small.count + 30


# --------------------------------------------------------------------------- broad queries


def _many_water_resources(n: int) -> None:
    """``n`` published resources that name water, written as a bulk import would."""
    Resource.objects.bulk_create(
        Resource(
            slug=f"pipe-{i}",
            kind="study",
            title=f"Pipe report {i}",
            title_en=f"Pipe report {i}",
            summary="The office repaired a water pipe.",
            summary_en="The office repaired a water pipe.",
            languages=["en"],
            published_on=dt.date(2020, 1, 1) + dt.timedelta(days=i),
            status="published",
        )
        for i in range(n)
    )
    index_rebuild()


def test_a_broad_query_is_counted_up_to_the_cap_and_shown_as_more(
    client: Client, corpus: dict
) -> None:
    _many_water_resources(search.COUNT_CAP + 1)
    result = search_resources(query="water", language="en")
    assert result.count == search.COUNT_CAP and result.count_is_capped
    # Facets are counted over as many matches as were counted.
    assert sum(f.count for f in result.facets["kind"]) == search.COUNT_CAP
    # Ranked among the first COUNT_CAP matches found; the others are not shown.
    scores = [item.score for item in result.items]
    assert len(scores) == 10 and scores == sorted(scores, reverse=True)
    last = search_resources(query="water", language="en", page=result.pages)
    assert (
        last.items
        and not search_resources(query="water", language="en", page=result.pages + 1).items
    )
    assert result.pages == search.COUNT_CAP // 10
    cap = f"{search.COUNT_CAP:,}"
    for language, shown in (("en", f"{cap}+ results"), ("de", f"{cap.replace(',', '.')}+ Treffer")):
        with translation.override(language):
            address = reverse("library:search")
        page = client.get(address, {"q": "water"}).content.decode()
        assert shown in page, language
    answer = client.get("/api/v1/library/search", {"q": "water"}).json()
    assert answer["count"] == search.COUNT_CAP
    assert answer["count_is_estimate"] and answer["facets_sampled"]
    assert answer["ranking_is_approximate"]
    narrow = client.get("/api/v1/library/search", {"q": "phishing"}).json()
    assert narrow["count"] == 1
    assert not (
        narrow["count_is_estimate"] or narrow["facets_sampled"] or narrow["ranking_is_approximate"]
    )


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"', set()),
        ('"leak', {"smart-water-tartu"}),
        ("*", set()),
        ("leak*", {"smart-water-tartu"}),
        ("OR", set()),
        ("NEAR(", set()),
        ("NEAR(leak)", {"smart-water-tartu"}),
        ("-leak", {"smart-water-tartu"}),
        ("body:leak", {"smart-water-tartu"}),
        ("'", set()),
        ("leak'", {"smart-water-tartu"}),
        ("^leak", {"smart-water-tartu"}),
        ("(", set()),
        ("&|!", set()),
        (":*", set()),
        ("leak & !water | <->", {"smart-water-tartu"}),
        ("x" * 5000, set()),
        ("leak " * 400, {"smart-water-tartu"}),
    ],
)
def test_query_syntax_in_user_input_is_read_as_plain_words(
    corpus: dict, query: str, found: set[str]
) -> None:
    assert set(slugs(search_resources(query=query, language="en"))) == found


def test_the_api_without_a_search_term_lists_the_library_newest_first(
    client: Client, corpus: dict
) -> None:
    response = client.get("/api/v1/library/search", {"q": "  "})
    assert response.status_code == 200
    answer = response.json()
    public = Resource.objects.filter(status="published", visibility="public")
    assert answer["count"] == public.count()
    shown = [item["slug"] for item in answer["items"]]
    newest = list(
        public.order_by(F("published_on").desc(nulls_last=True), "-pk").values_list(
            "slug", flat=True
        )[: len(shown)]
    )
    assert shown == newest


@pytest.mark.parametrize("q", ['"', "NEAR(", "a OR", "-", ":", "'", "*", "leak & !"])
def test_the_api_answers_search_syntax_normally(client: Client, corpus: dict, q: str) -> None:
    response = client.get("/api/v1/library/search", {"q": q})
    assert response.status_code == 200
    assert response.json()["count"] in (0, 1)


@pytest.mark.parametrize("params", [{"q": "water\x00"}, {"q": "\x00"}, {"q": "x", "topic": "\x00"}])
def test_nul_bytes_are_refused_with_a_4xx(client: Client, corpus: dict, params: dict) -> None:
    api = client.get("/api/v1/library/search", params)
    assert 400 <= api.status_code < 500 and api.json()["detail"]
    page = client.get(reverse("library:search"), params)
    assert page.status_code == 400


def test_an_over_long_query_is_refused_with_422(client: Client) -> None:
    response = client.get("/api/v1/library/search", {"q": "water " * 400})
    assert response.status_code == 422
    assert response.json()["detail"]


def test_a_repeated_search_shows_what_changed_since_and_each_audience_its_own(
    corpus: dict, member: Any
) -> None:
    # The same search twice in a row is answered from memory; a change in between, or
    # another audience, must still get a fresh answer.
    heat = corpus["members-heat-planning"]
    assert "members-heat-planning" not in slugs(search_resources(query="heat", language="en"))
    assert "members-heat-planning" in slugs(
        search_resources(query="heat", language="en", user=member)
    )
    resource_update(resource=heat, actor=None, visibility="public")
    assert "members-heat-planning" in slugs(search_resources(query="heat", language="en"))
    resource_update(resource=heat, actor=None, title={"en": "Heat planning, second edition"})
    titles = [item.resource.title for item in search_resources(query="heat", language="en").items]
    assert "Heat planning, second edition" in titles
    resource_withdraw(resource=heat, actor=None)
    assert "members-heat-planning" not in slugs(
        search_resources(query="heat", language="en", user=member)
    )
