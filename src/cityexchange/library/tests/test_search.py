"""Search finds material across languages, explains why, and cannot be broken by input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cityexchange.library import search
from cityexchange.library.models import Resource
from cityexchange.library.selectors import search_resources
from cityexchange.library.services import resource_update, resource_withdraw
from cityexchange.library.tests.conftest import CORPUS, make_resource

pytestmark = pytest.mark.django_db


def slugs(result: object) -> list[str]:
    return [item.resource.slug for item in result.items]  # type: ignore[attr-defined]


def test_a_german_query_finds_english_water_management_and_says_why(corpus: dict) -> None:
    result = search_resources(query="Wassermanagement", language="en")
    assert slugs(result)[0] == "smart-water-tartu"
    reasons = result.items[0].matched
    assert "topic: water management (from 'Wassermanagement')".lower() in [
        r.lower() for r in reasons
    ], reasons


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


def test_stemming_joins_plural_and_singular(corpus: dict) -> None:
    result = search_resources(query="ransomware attack", language="en")
    assert slugs(result)[0] == "cyber-security-handbook"
    assert any(r.startswith("words:") for r in result.items[0].matched)


def test_the_snippet_marks_the_matching_words(corpus: dict) -> None:
    result = search_resources(query="phishing", language="en")
    assert "<mark>phishing</mark>" in result.items[0].snippet


def test_members_only_resources_stay_hidden_from_anonymous_and_outsiders_of_the_network(
    corpus: dict, member: object
) -> None:
    assert "members-heat-planning" not in slugs(
        search_resources(query="heat planning", language="en")
    )
    assert "members-heat-planning" in slugs(
        search_resources(query="heat planning", language="en", user=member)
    )


def test_a_withdrawn_resource_leaves_the_results_at_once(corpus: dict) -> None:
    resource_withdraw(resource=corpus["cyber-security-handbook"], actor=None)
    assert "cyber-security-handbook" not in slugs(search_resources(query="phishing", language="en"))


def test_an_edit_is_searchable_immediately(corpus: dict) -> None:
    resource_update(
        resource=corpus["cyber-security-handbook"],
        actor=None,
        summary={"en": "Backups against zeppelins."},
    )
    assert slugs(search_resources(query="zeppelin", language="en")) == ["cyber-security-handbook"]
    assert search_resources(query="phishing", language="en").count == 0


def test_drafts_are_not_found(corpus: dict) -> None:
    make_resource({**CORPUS[0], "slug": "draft-water"}, status="draft")
    assert "draft-water" not in slugs(search_resources(query="water", language="en"))


def test_filters_narrow_and_facets_count(corpus: dict) -> None:
    everything = search_resources(query="digital platform data", language="en")
    kinds = {f.value: f.count for f in everything.facets["kind"]}
    assert sum(kinds.values()) == everything.count
    narrowed = search_resources(
        query="digital platform data", language="en", filters={"kind": "tool"}
    )
    assert slugs(narrowed) == ["plataforma-dados-urbanos"]
    assert narrowed.facets["kind"][0].selected
    by_country = search_resources(query="participación", language="es", filters={"country": "pe"})
    assert slugs(by_country) == ["participacion-ciudadana"]
    by_year = search_resources(query="", language="en", filters={"year": "2024"})
    assert set(slugs(by_year)) == {"smart-water-tartu", "plataforma-dados-urbanos"}
    by_lang = search_resources(query="", language="de", filters={"lang": "pt"})
    assert slugs(by_lang) == ["plataforma-dados-urbanos"]
    by_topic = search_resources(query="", language="de", filters={"topic": "digital-twin"})
    assert slugs(by_topic) == ["digitale-zwillinge-kommunen"]


def test_facet_labels_are_in_the_viewers_language(corpus: dict) -> None:
    result = search_resources(query="", language="de", filters={"topic": "water-management"})
    labels = {f.value: f.label for f in result.facets["topic"]}
    assert labels["water-management"] == "Wassermanagement"
    assert result.facets["kind"][0].label


def test_pages_split_results_and_sorting_by_date_works(corpus: dict) -> None:
    first = search_resources(
        query="", language="en", page=1, page_size=2, filters={"sort": "newest"}
    )
    second = search_resources(query="", language="en", page=2, page_size=2)
    assert first.count == 5 and first.pages == 3 and first.has_next
    assert slugs(first) == ["smart-water-tartu", "plataforma-dados-urbanos"]
    assert not set(slugs(first)) & set(slugs(second))


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"water',
        "*",
        "water*",
        "OR",
        "water OR",
        "NEAR(",
        "NEAR(water management, 2)",
        "-water",
        "title:water",
        "'",
        "a'b",
        "^water",
        "(",
        ")",
        "&|!",
        ":*",
        "x" * 5000,
        "water " * 400,
        "\x00",
        "   ",
    ],
)
def test_query_syntax_in_user_input_is_harmless(corpus: dict, query: str) -> None:
    result = search_resources(query=query, language="en")
    assert result.count >= 0


def test_syntax_characters_around_words_still_find_them(corpus: dict) -> None:
    assert "smart-water-tartu" in slugs(search_resources(query='"water" -leak*', language="en"))


def test_a_query_of_only_stopwords_finds_nothing(corpus: dict) -> None:
    assert search_resources(query="the and of", language="en").count == 0


# The exact hits both engines must agree on; this file runs on SQLite and PostgreSQL.
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


def _plan_guard(counts: int = 1) -> int:
    """Statements PostgreSQL adds: the planner's estimate before each of ``counts``
    countings, asked for when the table has no statistics (as in a test database) and
    otherwise worked out from them; the planner settings travel with the statements
    that need them."""
    if connection.vendor != "postgresql" or search._table_statistics() is not None:
        return 0
    return counts


def test_search_costs_the_same_number_of_queries_at_two_corpus_sizes(
    corpus: dict, django_assert_num_queries: object
) -> None:
    # Counting with facets, one ranked page, the page's analysed columns with its
    # resources; a query whose words are never all found costs one more count.
    # The thesaurus (and on PostgreSQL the index statistics) are read once per process.
    search_resources(query="water", language="en")
    with django_assert_num_queries(3 + _plan_guard()):  # type: ignore[operator]
        small = search_resources(query="water data", language="en")
    with django_assert_num_queries(4 + _plan_guard(counts=2)):  # type: ignore[operator]
        search_resources(query="phishing zeppelin", language="en")
    for n in range(20):
        make_resource({**CORPUS[0], "slug": f"water-{n}"})
    with django_assert_num_queries(3 + _plan_guard()):  # type: ignore[operator]
        large = search_resources(query="water data", language="en")
    with django_assert_num_queries(4 + _plan_guard(counts=2)):  # type: ignore[operator]
        search_resources(query="phishing zeppelin", language="en")
    assert large.count > small.count


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


def test_facets_count_the_matches_per_value_and_a_filter_keeps_them_consistent(
    corpus: dict,
) -> None:
    result = search_resources(query="", language="en")
    years = {f.value: f.count for f in result.facets["year"]}
    assert years["2024"] == 2 and sum(years.values()) == result.count
    assert not result.facets_sampled
    narrowed = search_resources(query="", language="en", filters={"year": "2024"})
    assert narrowed.count == 2
    assert {f.value for f in narrowed.facets["year"]} == {"2024"}


def test_a_page_past_the_end_is_empty_but_keeps_the_count(corpus: dict) -> None:
    result = search_resources(query="", language="en", page=50)
    assert result.items == [] and result.count == 5


# --------------------------------------------------------------------------- broad queries
# Beyond ``search.CANDIDATES`` matches a search no longer looks at every match. The
# tests lower the limit (and the first tier) to 3 so that the small corpus is "broad".


def _water_in_the_body_only(n: int) -> None:
    """``n`` newer resources that name water only deep in their text."""
    for i in range(n):
        make_resource(
            {
                "slug": f"report-{i}",
                "kind": "study",
                "title": {"en": f"Annual report {i} of the district office"},
                "summary": {"en": "What the office did this year."},
                "body": "Among many other things the office repaired a water pipe.",
                "languages": ["en"],
                "countries": ["DE"],
                "published_on": dt.date(2025, 1, 1 + i),
                "topics": [],
            }
        )


@pytest.fixture(params=["sampled", "planned"])
def broad(corpus: dict, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> dict:
    """Broad either way PostgreSQL can tell: the sample of matches overflows, or (as
    with 100,000 resources) the planner expects many matches and none are counted."""
    if request.param == "planned":
        if connection.vendor != "postgresql":
            pytest.skip("only PostgreSQL asks the planner")
        monkeypatch.setattr(search.PostgresBackend, "_planned", lambda *_args: 1_000_000)
    _water_in_the_body_only(6)
    monkeypatch.setattr(search, "CANDIDATES", 3)
    monkeypatch.setattr(search, "FIRST_TIER", 3)
    return corpus


def test_a_broad_query_still_puts_the_title_match_first_and_says_ranking_is_approximate(
    broad: dict,
) -> None:
    result = search_resources(query="water", language="en")
    # The oldest match with "water" in its title and topics is not among the newest
    # few matches, but the first tier (title and topics) finds and ranks it.
    assert slugs(result)[0] == "smart-water-tartu"
    assert result.ranking_is_approximate
    assert result.facets_sampled
    # An estimate (SQLite always, PostgreSQL unless the sample reached the table's end)
    # or the exact number, never fewer than the matches beyond the candidates' cap.
    assert result.count > 3
    assert (
        not search_resources(query="water", language="en", filters={"sort": "newest"})
        .items[0]
        .resource.slug.startswith("smart")
    )


def test_the_cap_keeps_an_older_title_match_among_the_ranked_candidates(broad: dict) -> None:
    for i in range(5):
        make_resource(
            {
                "slug": f"water-topic-{i}",
                "kind": "tool",
                "title": {"en": f"Toolkit number {i}"},
                "summary": {"en": "A toolkit for utilities."},
                "body": "",
                "languages": ["en"],
                "published_on": dt.date(2025, 6, 1 + i),
                "topics": ["water"],
            }
        )
    result = search_resources(query="water", language="en", page_size=50)
    found = slugs(result)
    # The first tier: at most 3 head matches (title or topics) and, since that reached
    # the cap, at most 3 title matches (only Tartu): ranked, so with a score. The other
    # topic matches are beyond the cap and follow unranked, with the body-only matches.
    ranked = [i.resource.slug for i in result.items if i.score > 0]
    assert found[: len(ranked)] == ranked
    assert all(i.score == 0 for i in result.items[len(ranked) :])
    topics = {f"water-topic-{i}" for i in range(5)}
    assert "smart-water-tartu" in ranked and len(ranked) <= 3 + 3
    tier_topics = set(ranked) - {"smart-water-tartu"}
    assert len(tier_topics) >= 2 and tier_topics <= topics
    assert all(found.index(slug) >= len(ranked) for slug in topics - tier_topics)
    if connection.vendor == "sqlite":
        # SQLite takes the most recently added head matches; PostgreSQL the first
        # ones in storage order (ordering them would visit every match).
        assert tier_topics == {"water-topic-4", "water-topic-3", "water-topic-2"}


def _every_water_match() -> set[str]:
    """Every match of "water", found with a cap high enough to rank them all."""
    cap = search.CANDIDATES
    search.CANDIDATES = 10_000
    every = set(slugs(search_resources(query="water", language="en", page_size=50)))
    search.CANDIDATES = cap
    return every


def _every_page_of_water() -> list[str]:
    """The slugs of "water", page after page of two, until a page is empty."""
    seen: list[str] = []
    for page in range(1, 20):
        items = slugs(search_resources(query="water", language="en", page=page, page_size=2))
        if not items:
            break
        seen.extend(items)
    return seen


def test_paging_through_a_broad_query_shows_every_match_once(broad: dict) -> None:
    every = _every_water_match()
    seen = _every_page_of_water()
    assert len(seen) == len(set(seen))
    assert set(seen) == every and len(every) >= 8


def test_an_estimate_that_falls_short_does_not_hide_later_pages(
    broad: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = _every_water_match()
    # However few the estimate says (a bloated PostgreSQL table, clustered SQLite ids).
    monkeypatch.setattr(search, "_about", lambda n: 1)
    seen: list[str] = []
    page = 1
    while True:
        result = search_resources(query="water", language="en", page=page, page_size=2)
        if not result.items:
            break
        assert result.count >= len(seen) + len(result.items)
        # A full page leaves the next one open.
        assert result.pages > page or len(result.items) < 2
        seen.extend(slugs(result))
        page += 1
        assert page < 20
    assert set(seen) == every and len(seen) == len(every)


def test_facets_of_a_broad_query_can_come_from_the_first_tier_alone(
    broad: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite always counts over the newest matches")
    # The planner says broad and the first tier is large enough to count facets over.
    monkeypatch.setattr(search.PostgresBackend, "_planned", lambda *_args: 1_000_000)
    monkeypatch.setattr(search, "FACET_MIN", 1)
    every = _every_water_match()
    result = search_resources(query="water", language="en", page_size=2)
    assert result.facets_sampled and result.count_is_estimate
    tier = {f.value: f.count for f in result.facets["kind"]}
    # Counted over the title and topic matches only (no body-only study among them).
    assert tier and "study" not in tier
    seen = _every_page_of_water()
    assert len(seen) == len(set(seen)) and set(seen) == every


def _until_two_in_the_sample(fields: Callable[[int], dict]) -> list:
    """Resources like Tartu with ``fields(n)`` for n = 0, 1, ... until two of them fall
    in PostgreSQL's index sample (by id)."""
    made: list = []
    while sum(1 for r in made if r.pk % search.INDEX_SAMPLE == 0) < 2:
        made.append(make_resource({**CORPUS[0], **fields(len(made))}))
    return made


def test_the_head_matches_of_a_very_broad_query_come_from_the_sample_index(
    broad: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL samples the head index")
    monkeypatch.setattr(search, "FIRST_TIER", 2)
    # Topic-only head matches until FIRST_TIER of them fall in the sample (by id).
    made = _until_two_in_the_sample(
        lambda n: {
            "slug": f"toolkit-{n}",
            "title": {"en": f"Toolkit number {n}"},
            "topics": ["water"],
        }
    )
    sampled = {r.slug for r in made if r.pk % search.INDEX_SAMPLE == 0}
    statements: list[tuple[str, list]] = []
    backend = search.PostgresBackend()
    run = backend._run

    def recording(cursor: object, sql: str, params: list, **how: bool) -> None:
        statements.append((sql, params))
        run(cursor, sql, params, **how)

    monkeypatch.setattr(backend, "_run", recording)
    match = search.Match.every_word(search.analyse_query("water", search.thesaurus()))
    tier = backend._head(match, search.Filters(public_only=True, facets=()))
    in_tier = {rid for rid, _score, _tags in tier}
    tartu = Resource.objects.get(slug="smart-water-tartu").pk
    # The sample reached the cap: FIRST_TIER head matches from it (the toolkits or
    # a corpus resource that falls in it), then the title matches (only Tartu has
    # "water" in its title); no topic-only match from outside the sample.
    from_sample = {rid for rid in in_tier if rid % search.INDEX_SAMPLE == 0}
    assert len(from_sample - {tartu}) <= 2 <= len(from_sample)
    assert in_tier - from_sample <= {tartu} and tartu in in_tier
    assert not in_tier & {r.pk for r in made if r.slug not in sampled}
    # The planner reads the sample's own partial index (the predicate matches).
    ((sql, params),) = statements
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL enable_seqscan = off; EXPLAIN {sql}", params)
        cursor.nextset()
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "library_searchentry_head_sample_gin" in plan
    # Paging still shows every match once.
    seen = _every_page_of_water()
    assert len(seen) == len(set(seen)) and set(seen) == _every_water_match()


def test_the_other_matches_of_a_broad_query_come_from_the_sample_first(
    broad: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL samples the index of the whole text")
    monkeypatch.setattr(search.PostgresBackend, "_planned", lambda *_args: 1_000_000)
    # Body-only matches until two of them fall in the sample (by id).
    _until_two_in_the_sample(
        lambda n: {
            "slug": f"pipe-report-{n}",
            "title": {"en": f"Pipe report {n}"},
            "summary": {"en": "What the office repaired."},
            "body": "Among other things a water pipe.",
            "topics": [],
        }
    )
    result = search_resources(query="water", language="en", page_size=50)
    assert result.count_is_estimate and result.ranking_is_approximate
    unranked = [i.resource.pk for i in result.items if i.score == 0]
    sampled = [pk for pk in unranked if pk % search.INDEX_SAMPLE == 0]
    # The matches in the sample come first among the unranked ones.
    assert len(sampled) >= 2 and unranked[: len(sampled)] == sampled
    # Page after page of two, every match once.
    seen = _every_page_of_water()
    assert len(seen) == len(set(seen)) and set(seen) == _every_water_match()


@pytest.mark.parametrize("page", [1, 2])
def test_the_statistics_of_a_broad_query_bring_the_columns_of_its_page(
    broad: dict, monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL reads a page's columns with the first tier")
    monkeypatch.setattr(search.PostgresBackend, "_planned", lambda *_args: 1_000_000)
    match = search.Match.every_word(search.analyse_query("water", search.thesaurus()))
    filters = search.Filters(public_only=True, facets=())
    shown = ("id", "slug")

    def read(expect: bool) -> tuple[search.Page, list[str]]:
        backend = search.PostgresBackend()
        if expect:
            backend.expect_page(offset=page - 1, limit=1, newest=False, shown=shown)
        with CaptureQueriesContext(connection) as statements:
            backend.stats(match, filters)
            found = backend.page(
                match, filters, newest=False, offset=page - 1, limit=1, complete=False, shown=shown
            )
        # (A statement is prepared once per database session: not counted.)
        sql = [q["sql"] for q in statements.captured_queries]
        return found, [q for q in sql if not q.startswith("PREPARE")]

    told, told_statements = read(expect=True)
    untold, untold_statements = read(expect=False)
    # The same page, with the same columns, one statement fewer: page 1 is the first
    # tier's (Tartu alone has "water" in its head), page 2 the first of the others',
    # read with the sample of them that the tier's small size calls for.
    assert told == untold and told.hits
    assert told.hits[0].shown[1] and told.hits[0].title
    assert (told.hits[0].shown[1] == "smart-water-tartu") == (page == 1)
    assert len(told_statements) == len(untold_statements) - 1


def test_filters_and_visibility_hold_for_broad_queries(broad: dict, member: object) -> None:
    studies = search_resources(query="water", language="en", filters={"kind": "study"})
    assert studies.items and {i.resource.kind for i in studies.items} == {"study"}
    make_resource(
        {**CORPUS[0], "slug": "members-water", "visibility": "members", "topics": ["water"]}
    )
    assert "members-water" not in slugs(search_resources(query="water", language="en"))
    as_member = search_resources(query="water", language="en", user=member, page_size=50)
    assert "members-water" in slugs(as_member)


def test_the_api_says_when_count_facets_and_ranking_are_approximate(
    client: Client, broad: dict
) -> None:
    body = client.get("/api/v1/library/search", {"q": "water"}).json()
    assert body["facets_sampled"] is True
    assert body["ranking_is_approximate"] is True
    assert isinstance(body["count_is_estimate"], bool)
    assert body["count"] >= len(body["items"])
    assert body["items"][0]["slug"] == "smart-water-tartu"
    assert body["items"][0]["topics"] == ["sensors", "water-management"]
    narrow = client.get("/api/v1/library/search", {"q": "phishing"}).json()
    assert (narrow["facets_sampled"], narrow["ranking_is_approximate"]) == (False, False)
    assert narrow["count_is_estimate"] is False


def test_a_broad_query_costs_a_bounded_number_of_queries(
    broad: dict, django_assert_max_num_queries: object
) -> None:
    search_resources(query="water", language="en")
    # Counting (on PostgreSQL a sample, then an exact count when the sample reached the
    # table's last page), the first tier, possibly the rest, the page's columns with its
    # resources.
    exact_count = 1 if connection.vendor == "postgresql" else 0
    with django_assert_max_num_queries(4 + exact_count + _plan_guard()):  # type: ignore[operator]
        search_resources(query="water", language="en", page=2, page_size=2)


def test_the_search_page_says_when_the_count_and_facets_are_approximate(
    client: Client, broad: dict
) -> None:
    def page(query: str, lang: str) -> str:
        with translation.override(lang):
            address = reverse("library:search")
        return client.get(address, {"q": query}).content.decode()

    broad_en, broad_de = page("water", "en"), page("water", "de")
    result = search_resources(query="water", language="en")
    if result.count_is_estimate:
        # The estimate is written with the language's thousands separator.
        for lang, text, html in (
            ("en", "About {} results", broad_en),
            ("de", "Etwa {} Treffer", broad_de),
        ):
            with translation.override(lang):
                assert text.format(floatformat(result.count, "0g")) in html
    assert "come from a sample of them" in broad_en
    assert "Stichprobe" in broad_de
    narrow = page("phishing", "en")
    assert "1 result" in narrow and "About" not in narrow and "sample of them" not in narrow


def test_the_planner_settings_of_a_search_do_not_outlive_it(
    broad: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL search changes planner settings")

    def settings() -> list[str]:
        with connection.cursor() as cursor:
            values = []
            for name in ("enable_seqscan", "enable_indexscan", "jit"):
                cursor.execute(f"SHOW {name}")
                values.append(cursor.fetchone()[0])
            return values

    before = settings()
    inline = [slugs(search_resources(query=q, language="en", page_size=50)) for q in QUERIES]
    assert settings() == before
    # With server-side binding the settings cannot travel with a statement: the
    # search then runs in a transaction of its own, with the same answers.
    monkeypatch.setattr(
        search.PostgresBackend, "_settings_travel_with_statements", staticmethod(lambda: False)
    )
    assert [
        slugs(search_resources(query=q, language="en", page_size=50)) for q in QUERIES
    ] == inline
    assert settings() == before


QUERIES = ["water", "water leak", "Wassermanagement", "phishing zeppelin", ""]


def test_the_search_statements_are_prepared_once_per_database_session(
    broad: dict, monkeypatch: pytest.MonkeyPatch, settings: object
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL prepares statements")
    monkeypatch.setattr(search.PostgresBackend, "_planned", lambda *_args: 1_000_000)

    def answer() -> tuple[list[str], list[str]]:
        with CaptureQueriesContext(connection) as statements:
            found = slugs(search_resources(query="water", language="en", page_size=5))
        return found, [q["sql"] for q in statements.captured_queries]

    first, first_statements = answer()
    again, again_statements = answer()
    # Prepared the first time in this session (unless an earlier test did), then run.
    assert sum("PREPARE cx_search_" in sql for sql in again_statements) == 0
    assert any("EXECUTE cx_search_" in sql for sql in again_statements)
    # A session that has not prepared it (as a new one) prepares it again.
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    search._prepared_in.pop(connection.connection, None)
    renewed, renewed_statements = answer()
    # (The first tier's statement and that of the sample of the other matches.)
    prepared = [sql.split()[1] for sql in renewed_statements if sql.startswith("PREPARE")]
    executed = [sql for sql in renewed_statements if "EXECUTE cx_search_" in sql]
    assert prepared and len(set(prepared)) == len(prepared) == len(executed)
    # Off (a proxy sharing sessions): plain statements, the same answers.
    settings.SEARCH_PREPARED_STATEMENTS = False  # type: ignore[attr-defined]
    plain, plain_statements = answer()
    assert not any("cx_search_" in sql for sql in plain_statements)
    assert first == again == renewed == plain and first
