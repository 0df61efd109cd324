"""The directory's API: offers, the Finder contract, saved lists, errors and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from cityexchange.directory.models import Offer, SavedResult

pytestmark = pytest.mark.django_db


def post(client: Client, body: dict[str, Any], **headers: str) -> Any:
    return client.post("/api/v1/finder", body, content_type="application/json", **headers)


def test_the_finder_answers_with_ranked_explained_offers(client: Client, catalogue: None) -> None:
    response = post(
        client,
        {
            "description": "Hochwasser und Hitze, wir wollen von anderen Städten lernen",
            "country": "DE",
            "population": 60000,
            "experience": "newcomer",
            "languages": ["de", "en"],
            "goals": ["learn_examples"],
            "topics": [],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"items", "count", "events", "resources", "peers"}
    assert body["count"] == len(body["items"]) > 0
    first = body["items"][0]
    assert first["offer"] == {
        "slug": "test-mixer",
        "name": "Global exchange",
        "kind": "exchange_format",
        "url": "/en/offers/test-mixer/",
    }
    assert first["score"] > body["items"][-1]["score"]
    assert "open to newcomers" in first["reasons"]


def test_only_the_description_is_required(client: Client, catalogue: None) -> None:
    assert post(client, {"description": "digital twins"}).status_code == 200
    response = post(client, {"country": "DE"})
    assert response.status_code == 422
    assert "description" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "x", "goals": ["world_domination"]}, "goals"),
        ({"description": "x", "experience": "guru"}, "experience"),
        ({"description": "x", "country": "ZZ"}, "country"),
        ({"description": "x", "languages": ["fr"]}, "languages"),
        ({"description": "x", "population": -5}, "population"),
        ({"description": "   "}, "description"),
    ],
)
def test_bad_input_is_refused_with_a_readable_detail(
    client: Client, catalogue: None, body: dict[str, Any], field: str
) -> None:
    response = post(client, body)
    assert response.status_code == 422
    assert field in response.json()["detail"]


def test_the_reasons_follow_accept_language_or_the_language_field(
    client: Client, catalogue: None
) -> None:
    body = {"description": "Hochwasser", "experience": "newcomer"}
    german = post(client, body, HTTP_ACCEPT_LANGUAGE="de").json()["items"][0]
    assert "offen für Einsteiger" in german["reasons"]
    assert german["offer"]["name"] == "Globaler Austausch"
    spanish = post(client, {**body, "language": "es"}, HTTP_ACCEPT_LANGUAGE="de").json()
    assert "abierto a principiantes" in spanish["items"][0]["reasons"]


@override_settings(RATELIMIT_ENABLE=True)
@pytest.mark.usefixtures("frozen_rate_window")
def test_the_finder_is_rate_limited(client: Client, catalogue: None) -> None:
    from django.core.cache import cache

    cache.clear()
    # The limit counts per minute window; 70 requests overflow 30 per window even
    # when a window boundary falls in between.
    codes = []
    for _ in range(70):
        response = post(client, {"description": "heat"})
        codes.append(response.status_code)
        if response.status_code == 429:
            assert "wait" in response.json()["detail"]
            break
    assert codes[0] == 200
    assert codes[-1] == 429
    cache.clear()


def test_a_saved_list_can_be_opened_by_its_link(client: Client, catalogue: None) -> None:
    response = client.post(
        "/api/v1/finder/results",
        {"description": "Beratung zu digitalen Zwillingen", "country": "MX"},
        content_type="application/json",
    )
    assert response.status_code == 201
    saved = response.json()
    assert len(saved["id"]) >= 20
    assert saved["url"].endswith(f"/finder/results/{saved['id']}/")
    result = SavedResult.objects.get(token=saved["id"])
    assert "description" not in result.request
    opened = client.get(f"/api/v1/finder/results/{saved['id']}", HTTP_ACCEPT_LANGUAGE="de")
    assert opened.status_code == 200
    assert [i["offer"]["slug"] for i in opened.json()["items"]] == [
        i["offer"]["slug"] for i in saved["items"]
    ]
    assert client.get("/api/v1/finder/results/guessed-id").status_code == 404


def test_offers_are_listed_and_filtered(client: Client, catalogue: None) -> None:
    everything = client.get("/api/v1/offers").json()
    # The consultation's deadline has passed but it is still an active entry.
    assert everything["count"] == 7
    only_tools = client.get("/api/v1/offers?kind=tool").json()
    assert [o["slug"] for o in only_tools["items"]] == ["test-retail-app"]
    spanish = client.get("/api/v1/offers?language=es").json()
    assert "test-mixer" in {o["slug"] for o in spanish["items"]}  # interpretation counts
    assert "test-challenge" not in {o["slug"] for o in spanish["items"]}
    newcomers = client.get("/api/v1/offers?audience=newcomer&topic=flooding").json()
    assert [o["slug"] for o in newcomers["items"]] == ["test-mixer"]
    assert client.get("/api/v1/offers?kind=party").status_code == 422


def test_an_offer_has_its_own_address_and_unknown_ones_are_404(
    client: Client, catalogue: None
) -> None:
    offer = client.get("/api/v1/offers/test-consultation").json()
    assert offer["deadline"] == "2024-11-17"
    assert offer["organisers"] == [{"slug": "test-un", "name": "Test UN body"}]
    missing = client.get("/api/v1/offers/nothing-here")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found."}


def _more_offers(count: int) -> None:
    from cityexchange.core.models import Concept

    template = Offer.objects.get(slug="test-mixer")
    topics = list(Concept.objects.filter(key__in=["flooding", "heatwaves"]))
    for n in range(count):
        offer = Offer.objects.create(
            slug=f"extra-{n}",
            kind="training",
            name=f"Extra training {n}",
            name_en=f"Extra training {n}",
            summary="Flooding and heat for towns",
            summary_en="Flooding and heat for towns",
            format="online",
            effort="low",
            languages=["en"],
            goals=["train_staff"],
        )
        offer.topics.set(topics)
        offer.organisers.set(template.organisers.all())


@pytest.mark.parametrize("extra", [0, 30])
def test_query_counts_stay_constant_as_offers_grow(
    client: Client, catalogue: None, django_assert_max_num_queries: Any, extra: int
) -> None:
    _more_offers(extra)
    # Warm the Finder's profiles once; later requests must not depend on the size.
    post(client, {"description": "flooding"})
    with django_assert_max_num_queries(8):
        assert post(client, {"description": "flooding and heat"}).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/offers").status_code == 200


@pytest.mark.parametrize(
    ("query", "bad", "allowed"),
    [
        ("kind=webinar", "webinar", "membership_network"),
        ("format=onlin", "onlin", "online, hybrid, on_site"),
        ("audience=guru", "guru", "newcomer, intermediate, experienced"),
        ("cost=cheap", "cheap", "free, fee, funded"),
        ("region=mars", "mars", "global, europe"),
        ("language=fr", "fr", "de, en, es, pt"),
    ],
)
def test_an_unknown_filter_value_is_refused_naming_the_allowed_ones(
    client: Client, catalogue: None, query: str, bad: str, allowed: str
) -> None:
    response = client.get(f"/api/v1/offers?{query}")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert f"“{bad}”" in detail
    assert allowed in detail


def test_an_unknown_topic_is_refused_with_a_hint_not_an_empty_list(
    client: Client, catalogue: None
) -> None:
    assert client.get("/api/v1/offers?topic=flooding").json()["count"] == 1
    typo = client.get("/api/v1/offers?topic=floding")
    assert typo.status_code == 422
    assert "“floding”" in typo.json()["detail"]
    assert "flooding" in typo.json()["detail"]
    assert "/api/v1/topics" in typo.json()["detail"]
    # A label instead of the key points at the key, in the user's language.
    label = client.get("/api/v1/offers?topic=Hochwasser", HTTP_ACCEPT_LANGUAGE="de")
    assert label.status_code == 422
    assert "unbekanntes Thema „Hochwasser“; meinten Sie flooding" in label.json()["detail"]
    nonsense = client.get("/api/v1/offers?topic=zzzzzz")
    assert nonsense.status_code == 422
    assert "zzzzzz" in nonsense.json()["detail"]


def test_memberships_are_taken_from_the_request_or_the_users_profile(
    client: Client, catalogue: None, network_membership: Offer, member: Any
) -> None:
    from cityexchange.directory.models import MunicipalityProfile

    body = {"description": "Beratung zu digitalen Zwillingen", "country": "FR"}
    anonymous = [i["offer"]["slug"] for i in post(client, body).json()["items"]]
    assert "test-members-advice" not in anonymous
    # A membership named in the request (the network's own offer) opens its offers.
    named = post(client, {**body, "memberships": ["test-network-membership"]}).json()["items"]
    assert "test-members-advice" in [i["offer"]["slug"] for i in named]
    unknown = post(client, {**body, "memberships": ["no-such-network"]})
    assert unknown.status_code == 422
    assert "no-such-network" in unknown.json()["detail"]
    # Signed in, the municipality's saved memberships apply when the request names none.
    organisation = member.memberships.get().organisation
    profile = MunicipalityProfile.objects.create(organisation=organisation, country="FR")
    profile.memberships.set(Offer.objects.filter(slug="test-network-membership"))
    client.force_login(member)
    from_profile = [i["offer"]["slug"] for i in post(client, body).json()["items"]]
    assert "test-members-advice" in from_profile
    explicit_none = post(client, {**body, "memberships": []}).json()["items"]
    assert "test-members-advice" not in [i["offer"]["slug"] for i in explicit_none]
