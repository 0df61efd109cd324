"""The API under /api/v1/challenges: rounds, the public catalogue and owners' writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cityexchange.challenges import services
from cityexchange.challenges.models import Challenge, ChallengeStatus, Interest, StageKind
from cityexchange.challenges.tests.conftest import close_stage
from cityexchange.core.services import api_token_create

pytestmark = pytest.mark.django_db

API = "/api/v1/challenges"


def _bearer(user: Any) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_rounds_are_listed_and_a_round_shows_stages_sizes_budget_and_rules(round_: Any) -> None:
    client = Client()
    listing = client.get(f"{API}/rounds").json()
    assert listing["count"] == 1 and listing["items"][0]["slug"] == round_.slug
    detail = client.get(f"{API}/rounds/{round_.slug}").json()
    assert {s["kind"] for s in detail["stages"]} >= {"challenges", "interest", "evaluation"}
    assert all(s["state"] == "current" for s in detail["stages"])
    assert [(s["key"], s["duration_months"], s["count"]) for s in detail["sizes"]] == [
        ("large", 36, 2),
        ("mid-sized", 24, 1),
    ]
    assert detail["budget"] == "4240000.00" and detail["currency"] == "EUR"
    assert [r["kind"] for r in detail["consortium_rules"]] == [
        "min_cities",
        "min_cities_from",
        "min_cities_outside",
        "min_research",
    ]
    assert detail["consortium_rules"][1]["text"] == "At least 1 city from Estonia"
    assert client.get(f"{API}/rounds/unknown").status_code == 404


def test_only_published_challenges_are_listed_with_filters(
    published: Challenge, draft: Any, round_: Any, topic: Any, owner: Any, municipality: Any
) -> None:
    from cityexchange.challenges.tests.conftest import challenge_data

    services.challenge_create(
        round=round_, city=municipality, user=owner, data=challenge_data(title="Hidden draft")
    )
    client = Client()
    body = client.get(API).json()
    assert body["count"] == 1 and body["items"][0]["title"] == published.title
    assert body["items"][0]["topics"] == [topic.key] and body["items"][0]["country"] == "DE"
    assert (
        client.get(API, {"round": round_.slug, "topic": topic.key, "country": "de"}).json()["count"]
        == 1
    )
    assert client.get(API, {"country": "EE"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [("round", "nope", "test-round"), ("topic", "nope", "flooding"), ("country", "XX", "DE")],
)
def test_unknown_filter_values_are_a_422_naming_the_allowed_ones(
    published: Challenge, name: str, value: str, named: str
) -> None:
    response = Client().get(API, {name: value})
    assert response.status_code == 422
    assert named in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 200), ("staff", 200), ("outsider", 404), (None, 404)]
)
def test_a_draft_through_the_api_is_for_its_city_and_staff(
    draft: Challenge, who: str | None, status: int, request: Any
) -> None:
    headers = _bearer(request.getfixturevalue(who)) if who else {}
    assert Client().get(f"{API}/{draft.pk}", **headers).status_code == status


def test_an_owner_creates_and_hands_in_a_challenge_with_a_token(
    round_: Any, owner: Any, municipality: Any, topic: Any
) -> None:
    headers = _bearer(owner)
    client = Client()
    payload = {
        "round": round_.slug,
        "city": municipality.slug,
        "title": "Noise",
        "problem": "Night noise",
        "topics": [topic.key],
    }
    response = client.post(API, payload, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["status"] == "draft"
    assert client.post(f"{API}/{pk}/submit", **headers).json()["status"] == "submitted"
    assert client.post(f"{API}/{pk}/submit", **headers).status_code == 409


def test_writes_need_sign_in_and_ownership(
    draft: Challenge, round_: Any, outsider: Any, municipality: Any, staff: Any
) -> None:
    client = Client()
    payload = {"round": round_.slug, "city": municipality.slug, "title": "x", "problem": "y"}
    assert client.post(API, payload, content_type="application/json").status_code == 401
    response = client.post(API, payload, content_type="application/json", **_bearer(outsider))
    assert response.status_code == 403
    assert client.post(f"{API}/{draft.pk}/submit", **_bearer(outsider)).status_code == 404
    assert client.post(f"{API}/{draft.pk}/submit", **_bearer(staff)).status_code == 403
    assert Challenge.objects.get(pk=draft.pk).status == ChallengeStatus.DRAFT


def test_bad_input_is_a_422_never_a_500(round_: Any, owner: Any, municipality: Any) -> None:
    headers = _bearer(owner)
    client = Client()
    for payload in (
        {
            "round": round_.slug,
            "city": municipality.slug,
            "title": "x",
            "problem": "y",
            "population": 10**30,
        },
        {
            "round": round_.slug,
            "city": municipality.slug,
            "title": "x",
            "problem": "y",
            "population": -1,
        },
        {"round": round_.slug, "city": municipality.slug, "title": 5, "problem": ["y"]},
        {
            "round": round_.slug,
            "city": municipality.slug,
            "title": "x",
            "problem": "y",
            "topics": ["nope"],
        },
        {
            "round": round_.slug,
            "city": municipality.slug,
            "title": "x",
            "problem": "y",
            "language": "xx",
        },
    ):
        response = client.post(API, payload, content_type="application/json", **headers)
        assert response.status_code == 422, (payload, response.content)
    # A language the platform knows but the round does not accept: refused by the round.
    payload = {
        "round": round_.slug,
        "city": municipality.slug,
        "title": "x",
        "problem": "y",
        "language": "de",
    }
    response = client.post(API, payload, content_type="application/json", **headers)
    assert response.status_code == 409 and "en" in response.json()["detail"]
    assert not Challenge.objects.exists()


def test_a_late_submission_through_the_api_is_a_409_and_changes_nothing(
    draft: Challenge, owner: Any
) -> None:
    close_stage(draft.round, StageKind.CHALLENGES)
    response = Client().post(
        f"{API}/{draft.pk}/submit", HTTP_ACCEPT_LANGUAGE="de", **_bearer(owner)
    )
    assert response.status_code == 409
    assert (
        "deadline" in response.json()["detail"].lower()
        or "frist" in response.json()["detail"].lower()
    )
    assert Challenge.objects.get(pk=draft.pk).status == ChallengeStatus.DRAFT


def test_interest_through_the_api_and_who_sees_it(
    published: Challenge, tartu: Any, ee_member: Any, owner: Any, outsider: Any
) -> None:
    client = Client()
    response = client.post(
        f"{API}/{published.pk}/interest",
        {"city": tartu.slug},
        content_type="application/json",
        **_bearer(ee_member),
    )
    assert response.status_code == 201
    assert Interest.objects.filter(city=tartu).exists()
    again = client.post(
        f"{API}/{published.pk}/interest",
        {"city": tartu.slug},
        content_type="application/json",
        **_bearer(ee_member),
    )
    assert again.status_code == 409
    assert (
        client.get(f"{API}/{published.pk}/interests", **_bearer(owner)).json()[0]["city"]
        == tartu.slug
    )
    assert client.get(f"{API}/{published.pk}/interests", **_bearer(outsider)).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("ee_member", 200), ("staff", 200), ("outsider", 404), ("evaluator", 404)],
)
def test_a_draft_proposal_through_the_api_is_for_its_consortium_and_staff(
    proposal: Any, who: str, status: int, request: Any
) -> None:
    response = Client().get(
        f"{API}/proposals/{proposal.pk}", **_bearer(request.getfixturevalue(who))
    )
    assert response.status_code == status
    if status == 200:
        assert all(rule["met"] for rule in response.json()["rules"])


def test_public_ideas_and_pilots_are_listed(db: Any) -> None:
    client = Client()
    assert client.get(f"{API}/ideas").json() == {"items": [], "count": 0}
    assert client.get(f"{API}/pilots").json() == {"items": [], "count": 0}


def test_the_openapi_document_describes_the_challenge_operations(db: Any) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/challenges/rounds/{slug}" in paths
    assert "/api/v1/challenges/{challenge_id}" in paths
