"""API of the network app: public members and partnerships, staff-only operations."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

BASE = "/api/v1/network"


def test_members_are_public_iso_codes(network_data: Any, client: Client) -> None:
    body = client.get(f"{BASE}/members").json()
    assert sorted(body["countries"]) == ["BR", "DE", "IN", "MX", "PE"]
    assert body["organisations"][0]["slug"] == "bmwsb"


def test_public_partnerships_are_a_page(network_data: Any, client: Client) -> None:
    body = client.get(f"{BASE}/partnerships/public").json()
    assert body["count"] == 5
    assert "notes" not in body["items"][0]


@pytest.mark.parametrize("path", ["/partnerships", "/meetings", "/budget"])
def test_staff_endpoints_are_hidden_from_others(
    network_data: Any, client: Client, outsider: Any, path: str
) -> None:
    assert client.get(f"{BASE}{path}").status_code == 401
    client.force_login(outsider)
    assert client.get(f"{BASE}{path}").status_code == 404


def test_staff_read_partnerships_meetings_and_budget_with_a_token(
    network_data: Any, client: Client, staff_token: str
) -> None:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {staff_token}"}
    assert client.get(f"{BASE}/partnerships", **headers).json()["count"] == 5
    assert client.get(f"{BASE}/partnerships?status=contact", **headers).json()["count"] == 2
    meetings = client.get(f"{BASE}/meetings", **headers).json()
    assert meetings["count"] == 7 and meetings["items"][0]["held_on"] == "2022-08-30"
    budget = client.get(f"{BASE}/budget?year_from=2023&year_to=2023", **headers).json()
    row = budget["items"][0]
    assert row["paid"] == "1123000.00" and row["reported_utilisation"] == "85.0"


def test_unknown_filters_and_years_are_422(
    network_data: Any, client: Client, staff_token: str
) -> None:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {staff_token}", "HTTP_ACCEPT_LANGUAGE": "en"}
    response = client.get(f"{BASE}/partnerships?status=dreaming", **headers)
    assert response.status_code == 422
    assert "contact" in response.json()["detail"]
    # An empty value is not a choice either (leave the parameter out for "any").
    assert client.get(f"{BASE}/partnerships?status=", **headers).status_code == 422
    assert client.get(f"{BASE}/partnerships?kind=", **headers).status_code == 422
    assert client.get(f"{BASE}/budget?year_from=99999999999999999999", **headers).status_code == 422
    assert client.get(f"{BASE}/budget?year_from=1989", **headers).status_code == 422
    # The years from one to the other, in either order.
    assert client.get(f"{BASE}/budget?year_from=2024&year_to=2023", **headers).json()["count"] == 2


def test_staff_see_a_partnerships_topics_and_funding_and_a_meetings_action_items(
    network_data: Any, client: Client, staff: Any, staff_token: str
) -> None:
    import datetime as dt

    from cityexchange.core.models import Concept
    from cityexchange.directory.models import Offer
    from cityexchange.network import services
    from cityexchange.network.models import ActionItem, Meeting, Partnership

    fund = Offer.objects.create(
        slug="a-fund", kind="funding", name_en="Fund", format="online", effort="low"
    )
    heat = Concept.objects.create(key="a-heat", label="Heat")
    services.partnership_set_topics(
        actor=staff,
        partnership=Partnership.objects.get(slug="iscn-oasc"),
        topics=[heat],
        funding_options=[fund],
    )
    meeting = Meeting.objects.order_by("held_on").first()
    assert meeting is not None
    ActionItem.objects.create(
        meeting=meeting, description="Send minutes", due_on=dt.date(2022, 9, 9)
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {staff_token}"}
    items = client.get(f"{BASE}/partnerships", **headers).json()["items"]
    oasc = next(p for p in items if p["slug"] == "iscn-oasc")
    assert oasc["topics"] == ["a-heat"] and oasc["funding_options"] == ["a-fund"]
    first = client.get(f"{BASE}/meetings", **headers).json()["items"][0]
    assert first["action_items"] == [
        {"description": "Send minutes", "due_on": "2022-09-09", "done": False}
    ]
