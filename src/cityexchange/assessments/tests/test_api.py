"""The self-assessment API: model in four languages, ownership of every endpoint, bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cityexchange.assessments.models import Answer, Assessment
from cityexchange.assessments.services import assessment_submit
from cityexchange.core.services import api_token_create

from .conftest import answer_all

BASE = "/api/v1/assessments"


def _client(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _endpoints(assessment: Any) -> list[tuple[str, str, dict[str, Any] | None]]:
    pk = assessment.pk
    return [
        ("get", f"{BASE}/{pk}", None),
        ("get", f"{BASE}/{pk}/results", None),
        ("get", f"{BASE}/{pk}/roadmap", None),
        ("put", f"{BASE}/{pk}/answers/budget", {"level": 2, "version": 0}),
        ("post", f"{BASE}/{pk}/submit", None),
    ]


def _call(client: Client, method: str, url: str, body: dict[str, Any] | None) -> Any:
    if method == "get":
        return client.get(url)
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json"
    )


def test_the_model_is_public_and_follows_accept_language(maturity_model: Any) -> None:
    response = Client().get(f"{BASE}/model", HTTP_ACCEPT_LANGUAGE="de")
    body = response.json()
    assert response.status_code == 200
    assert body["version"] == "test.1" and body["language"] == "de"
    assert body["dimensions"][0]["name"] == "Strategy and governance (de)"
    assert (
        body["dimensions"][0]["indicators"][0]["levels"][4]["statement"]
        == "smart-city-strategy level 4 (de)"
    )
    assert body["levels"][0] == "Not started (de)"
    english = Client().get(f"{BASE}/model", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["dimensions"][0]["name"] == "Strategy and governance"
    platform = next(a for a in english["activities"] if a["key"] == "build-platform")
    assert platform["prerequisites"] == ["adopt-strategy"] and platform["effort"] == 3


def test_without_a_model_the_api_says_so(db: Any) -> None:
    response = Client().get(f"{BASE}/model")
    assert response.status_code == 404 and "not been loaded" in response.json()["detail"]


def test_a_member_starts_an_assessment_with_a_token(
    maturity_model: Any, member: Any, municipality: Any
) -> None:
    _token, raw = api_token_create(user=member, name="script")
    response = Client().post(
        BASE,
        data={"organisation": municipality.slug},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 201, response.content
    assert response.json()["organisation"] == municipality.slug
    assert Assessment.objects.get().created_by == member


def test_starting_needs_sign_in_and_membership(
    maturity_model: Any, outsider: Any, municipality: Any
) -> None:
    anonymous = Client().post(
        BASE, data={"organisation": municipality.slug}, content_type="application/json"
    )
    assert anonymous.status_code == 401
    response = _client(outsider).post(
        BASE, data={"organisation": municipality.slug}, content_type="application/json"
    )
    assert response.status_code == 403 and "your own municipality" in response.json()["detail"]
    unknown = _client(outsider).post(
        BASE, data={"organisation": "atlantis"}, content_type="application/json"
    )
    assert unknown.status_code == 404
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize("index", range(3))
def test_reads_are_for_the_team_and_staff_only(
    assessment: Any, owner: Any, member: Any, outsider: Any, staff: Any, index: int
) -> None:
    method, url, body = _endpoints(assessment)[index]
    assert _call(_client(owner), method, url, body).status_code == 200
    assert _call(_client(member), method, url, body).status_code == 200
    assert _call(_client(staff), method, url, body).status_code == 200
    outsider_response = _call(_client(outsider), method, url, body)
    assert outsider_response.status_code == 404 and outsider_response.json() == {
        "detail": "Not found."
    }
    assert _call(_client(None), method, url, body).status_code == 401


@pytest.mark.parametrize("index", [3, 4])
def test_writes_are_for_the_team_only(
    assessment: Any, member: Any, outsider: Any, staff: Any, index: int
) -> None:
    method, url, body = _endpoints(assessment)[index]
    assert _call(_client(outsider), method, url, body).status_code == 404
    assert _call(_client(staff), method, url, body).status_code == 403
    assert _call(_client(None), method, url, body).status_code == 401
    assert not Answer.objects.exists()
    assert _call(_client(member), method, url, body).status_code == 200


def test_answers_are_saved_one_indicator_at_a_time(
    assessment: Any, owner: Any, member: Any
) -> None:
    _call(
        _client(owner),
        "put",
        f"{BASE}/{assessment.pk}/answers/budget",
        {"level": 3, "notes": "Own line", "version": 0},
    )
    response = _call(
        _client(member),
        "put",
        f"{BASE}/{assessment.pk}/answers/open-data",
        {"dont_know": True, "evidence": ["https://example.org/data"], "version": 0},
    )
    body = response.json()
    assert body.pop("updated_at")
    assert body == {
        "indicator": "open-data",
        "level": None,
        "dont_know": True,
        "notes": "",
        "evidence": ["https://example.org/data"],
        "version": 1,
    }
    detail = _call(_client(member), "get", f"{BASE}/{assessment.pk}", None).json()
    assert {a["indicator"]: a["level"] for a in detail["answers"]} == {
        "budget": 3,
        "open-data": None,
    }


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"level": 5, "version": 0}, 422),
        ({"level": -1, "version": 0}, 422),
        ({"level": 2, "dont_know": True, "version": 0}, 400),
        ({"level": 2, "evidence": ["javascript:alert(1)"], "version": 0}, 400),
        ({"level": "high", "version": 0}, 422),
        ({"level": 2}, 422),  # without the version it started from
        ({"level": 2, "version": -1}, 422),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(
    assessment: Any, owner: Any, body: dict[str, Any], status: int
) -> None:
    response = _call(_client(owner), "put", f"{BASE}/{assessment.pk}/answers/budget", body)
    assert response.status_code == status
    assert response.json()["detail"]
    assert not Answer.objects.exists()


def test_an_unknown_indicator_is_a_404(assessment: Any, owner: Any) -> None:
    response = _call(
        _client(owner),
        "put",
        f"{BASE}/{assessment.pk}/answers/flying-cars",
        {"level": 1, "version": 0},
    )
    assert response.status_code == 404


def test_a_submitted_assessment_refuses_answers_and_a_second_submit(
    assessment: Any, owner: Any
) -> None:
    answer_all(assessment, owner, {"budget": 1})
    assessment_submit(assessment=assessment, user=owner)
    client = _client(owner)
    put = _call(client, "put", f"{BASE}/{assessment.pk}/answers/budget", {"level": 4, "version": 1})
    assert put.status_code == 409
    assert _call(client, "post", f"{BASE}/{assessment.pk}/submit", None).status_code == 409
    assert Answer.objects.get().level == 1


def test_results_and_roadmap_as_json(assessment: Any, owner: Any) -> None:
    answer_all(assessment, owner, {"smart-city-strategy": 3, "digital-lead": None})
    client = _client(owner)
    _call(client, "post", f"{BASE}/{assessment.pk}/submit", None)
    results = client.get(f"{BASE}/{assessment.pk}/results").json()
    governance = results["dimensions"][0]
    assert governance["score"] == 1.0 and governance["not_known"] == 2 and governance["uncertain"]
    assert results["peers"][0] == {
        "group": "size",
        "municipalities": 1,
        "shown": False,
        "withheld": "too_few",
        "means": {},
    }
    roadmap = client.get(f"{BASE}/{assessment.pk}/roadmap").json()
    assert roadmap["capacity"] == 4 and roadmap["planned"] == len(roadmap["items"]) > 0
    assert roadmap["items"][0]["year"] == 1


def test_two_clients_changing_the_same_answer_the_later_gets_409_and_nothing_is_lost(
    assessment: Any, owner: Any, member: Any
) -> None:
    url = f"{BASE}/{assessment.pk}/answers/budget"
    first = _call(_client(owner), "put", url, {"level": 1, "notes": "Draft", "version": 0})
    assert first.json()["version"] == 1
    # Both read version 1; the owner saves first, the member's change comes second.
    owners = _call(_client(owner), "put", url, {"level": 3, "notes": "Council", "version": 1})
    assert owners.status_code == 200 and owners.json()["version"] == 2
    members = _call(_client(member), "put", url, {"level": 0, "version": 1})
    assert members.status_code == 409
    detail = members.json()["detail"]
    assert owner.get_full_name() in detail and "version 2" in detail
    stored = Answer.objects.get()
    assert (stored.level, stored.notes, stored.version) == (3, "Council", 2)
    # Having read the new version, the member may replace it on purpose.
    again = _call(_client(member), "put", url, {"level": 0, "version": 2})
    assert again.status_code == 200 and again.json()["version"] == 3
    assert Answer.objects.get().level == 0


def test_resending_the_same_answer_from_an_old_version_is_no_conflict(
    assessment: Any, owner: Any, member: Any
) -> None:
    url = f"{BASE}/{assessment.pk}/answers/budget"
    _call(_client(owner), "put", url, {"level": 2, "version": 0})
    same = _call(_client(member), "put", url, {"level": 2, "version": 0})
    assert same.status_code == 200 and same.json()["version"] == 1
