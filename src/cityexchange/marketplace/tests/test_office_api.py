"""The town office's API: shops to decide, deciding them, the town's figures.

Only the town's own staff, by API token or session; everyone else gets a 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from cityexchange.core.services import api_token_create
from cityexchange.core.tests.factories import UserFactory
from cityexchange.marketplace import services
from cityexchange.marketplace.models import Order, Shop, ShopStatus
from cityexchange.marketplace.tests.factories import (
    CategoryFactory,
    ProductFactory,
    ShopFactory,
    TownFactory,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/market"


def _bearer(user: Any) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="office")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def applied(town: Any) -> Any:
    return ShopFactory(
        town=town, slug="dulces", name="Dulces Rosa", status=ShopStatus.APPLIED, language="es"
    )


def test_town_staff_list_the_shops_waiting_for_a_decision(
    client: Client, town: Any, town_staff: Any, shop: Any, applied: Any
) -> None:
    ProductFactory(shop=shop)
    headers = _bearer(town_staff)
    waiting = client.get(f"{BASE}/towns/{town.slug}/office/shops?status=applied", **headers)
    assert waiting.status_code == 200
    assert [s["slug"] for s in waiting.json()["items"]] == ["dulces"]
    assert waiting.json()["items"][0]["contact_email"] == applied.contact_email
    every = client.get(f"{BASE}/towns/{town.slug}/office/shops", **headers).json()
    assert {s["slug"]: s["products"] for s in every["items"]} == {"bakery": 1, "dulces": 0}


def test_town_staff_approve_and_the_shop_is_told_in_its_language(
    client: Client,
    town: Any,
    town_staff: Any,
    applied: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    headers = _bearer(town_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{BASE}/towns/{town.slug}/office/shops/{applied.pk}/decision",
            {"decision": "approve"},
            content_type="application/json",
            **headers,
        )
    assert response.status_code == 200
    assert response.json()["status"] == "approved" and response.json()["decided_at"]
    assert Shop.objects.get(pk=applied.pk).status == ShopStatus.APPROVED
    assert [m.to for m in mail.outbox] == [[applied.contact_email]]
    # In Spanish, the shop's language, whatever the office's.
    assert mail.outbox[0].extra_headers.get("Content-Language", "es") == "es"


def test_a_decline_needs_a_reason_and_changes_nothing_without_one(
    client: Client, town: Any, town_staff: Any, applied: Any
) -> None:
    url = f"{BASE}/towns/{town.slug}/office/shops/{applied.pk}/decision"
    headers = _bearer(town_staff)
    refused = client.post(
        url, {"decision": "decline", "reason": "  "}, content_type="application/json", **headers
    )
    assert refused.status_code == 400 and refused.json()["field"] == "reason"
    assert Shop.objects.get(pk=applied.pk).status == ShopStatus.APPLIED
    declined = client.post(
        url,
        {"decision": "decline", "reason": "Falta el registro"},
        content_type="application/json",
        **headers,
    )
    assert declined.status_code == 200
    assert declined.json()["decline_reason"] == "Falta el registro"
    assert Shop.objects.get(pk=applied.pk).status == ShopStatus.DECLINED


@pytest.mark.parametrize("who", ["anonymous", "stranger", "retailer", "other_town_staff"])
def test_nobody_but_the_towns_staff_sees_or_decides_anything(
    client: Client, town: Any, applied: Any, retailer: Any, stranger: Any, who: Any
) -> None:
    other_staff = UserFactory()
    TownFactory().staff.add(other_staff)
    user = {"stranger": stranger, "retailer": retailer, "other_town_staff": other_staff}.get(who)
    headers = _bearer(user) if user else {}
    urls = [f"{BASE}/towns/{town.slug}/office/shops", f"{BASE}/towns/{town.slug}/office/report"]
    for url in urls:
        assert client.get(url, **headers).status_code == (404 if user else 401)
    decided = client.post(
        f"{BASE}/towns/{town.slug}/office/shops/{applied.pk}/decision",
        {"decision": "approve"},
        content_type="application/json",
        **headers,
    )
    assert decided.status_code == (404 if user else 401)
    assert Shop.objects.get(pk=applied.pk).status == ShopStatus.APPLIED


def test_a_shop_of_another_town_cannot_be_decided_through_this_one(
    client: Client, town: Any, town_staff: Any
) -> None:
    elsewhere = ShopFactory(status=ShopStatus.APPLIED)
    response = client.post(
        f"{BASE}/towns/{town.slug}/office/shops/{elsewhere.pk}/decision",
        {"decision": "approve"},
        content_type="application/json",
        **_bearer(town_staff),
    )
    assert response.status_code == 404
    assert Shop.objects.get(pk=elsewhere.pk).status == ShopStatus.APPLIED


def test_the_report_counts_shops_orders_and_products_per_category(
    client: Client, town: Any, town_staff: Any, shop: Any, applied: Any
) -> None:
    bread = CategoryFactory(town=town, slug="bread", name_en="Bread")
    loaf = ProductFactory(shop=shop, category=bread, price=Decimal("3.00"), stock=5)
    ProductFactory(shop=applied, category=bread)  # not counted: the shop is not approved
    services.checkout(
        town=town,
        items=[(loaf.pk, 2)],
        customer=services.Customer(name="Ana", email="ana@example.org", fulfilment="pickup"),
        language="es",
        pickup_slots={},
        user=None,
    )
    body = client.get(f"{BASE}/towns/{town.slug}/office/report", **_bearer(town_staff)).json()
    assert (body["active_shops"], body["waiting_shops"], body["declined_shops"]) == (1, 1, 0)
    assert body["orders_by_status"]["new"] == Order.objects.count() == 1
    assert body["weeks"][0]["orders"] == 1 and body["weeks"][0]["revenue"] == "6.00"
    assert body["categories"] == [{"slug": "bread", "name": "Bread", "products": 1}]
    assert body["currency"] == town.currency


@pytest.mark.parametrize(
    "path",
    [
        "/office/shops?status=nonsense",
        "/office/shops?page=0",
        "/office/shops/99999999999999/decision",
        "/office/shops/0/decision",
    ],
)
def test_bad_input_is_a_4xx(client: Client, town: Any, town_staff: Any, path: str) -> None:
    headers = _bearer(town_staff)
    url = f"{BASE}/towns/{town.slug}{path}"
    if path.endswith("decision"):
        response = client.post(
            url, {"decision": "approve"}, content_type="application/json", **headers
        )
    else:
        response = client.get(url, **headers)
    assert 400 <= response.status_code < 500
    assert client.post(
        f"{BASE}/towns/{town.slug}/office/shops/1/decision",
        {"decision": "maybe"},
        content_type="application/json",
        **headers,
    ).status_code in (400, 422)
