"""The marketplace API: public reads, ordering, the personal link, shop-side updates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cityexchange.core.services import api_token_create
from cityexchange.marketplace import services
from cityexchange.marketplace.models import Order, Product, ShopStatus
from cityexchange.marketplace.tests.factories import (
    CategoryFactory,
    ProductFactory,
    ShopFactory,
    TownFactory,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/market"


def _order_body(*items: tuple[int, int], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "items": [{"product": p, "quantity": q} for p, q in items],
        "name": "Ana",
        "email": "ana@example.org",
        "phone": "+49 1",
        "fulfilment": "pickup",
    }
    body.update(overrides)
    return body


def _post(client: Client, url: str, body: Any, **headers: Any) -> Any:
    return client.post(url, body, content_type="application/json", **headers)


def test_towns_list_slug_name_and_currency(client: Client) -> None:
    TownFactory(slug="aa", name="Alpha", name_en="Alpha", currency="MXN")
    response = client.get(f"{BASE}/towns")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["items"][0] | {"url": ""} == {
        "slug": "aa",
        "name": "Alpha",
        "currency": "MXN",
        "timezone": "Europe/Berlin",
        "url": "",
    }


def test_shops_lists_only_approved_shops_of_the_town(client: Client, town: Any, shop: Any) -> None:
    ShopFactory(town=town, status=ShopStatus.APPLIED)
    ShopFactory()
    body = client.get(f"{BASE}/towns/{town.slug}/shops").json()
    assert [s["slug"] for s in body["items"]] == [shop.slug]
    assert body["items"][0]["open_now"] is True
    assert client.get(f"{BASE}/towns/nowhere/shops").status_code == 404


def test_products_are_paged_searchable_and_filtered(
    client: Client, town: Any, shop: Any, other_shop: Any
) -> None:
    bread = CategoryFactory(town=town, slug="bread")
    ProductFactory(
        shop=shop, name_en="Rye bread", name_es="Pan de centeno", category=bread, stock=3
    )
    ProductFactory(shop=other_shop, name_en="Atlas", stock=None)
    ProductFactory(shop=shop, name_en="Hidden", is_available=False)
    body = client.get(f"{BASE}/towns/{town.slug}/products").json()
    assert body["count"] == 2
    item = next(i for i in body["items"] if i["name"] == "Rye bread")
    assert item["shop"] == shop.slug and item["stock"] == 3 and item["price"] == "4.50"
    assert {
        i["name"]
        for i in client.get(f"{BASE}/towns/{town.slug}/products?q=centeno").json()["items"]
    } == {"Rye bread"}
    assert client.get(f"{BASE}/towns/{town.slug}/products?category=bread").json()["count"] == 1
    assert (
        client.get(f"{BASE}/towns/{town.slug}/products?shop={other_shop.slug}").json()["count"] == 1
    )
    wrong = client.get(f"{BASE}/towns/{town.slug}/products?category=nonsense")
    assert wrong.status_code == 404 and "bread" in wrong.json()["detail"]
    assert client.get(f"{BASE}/towns/{town.slug}/products?shop=nonsense").status_code == 404


def test_the_product_list_costs_the_same_queries_for_few_and_many(
    client: Client, town: Any, shop: Any, django_assert_max_num_queries: Any
) -> None:
    ProductFactory.create_batch(3, shop=shop)
    with django_assert_max_num_queries(4):
        client.get(f"{BASE}/towns/{town.slug}/products")
    ProductFactory.create_batch(30, shop=ShopFactory(town=town))
    with django_assert_max_num_queries(4):
        assert client.get(f"{BASE}/towns/{town.slug}/products").json()["count"] == 33


def test_every_page_of_the_listing_holds_its_share_and_a_kept_page_costs_two_queries(
    client: Client,
    town: Any,
    shop: Any,
    other_shop: Any,
    retailer: Any,
    town_staff: Any,
    django_assert_num_queries: Any,
) -> None:
    for n in range(23):
        ProductFactory(shop=shop if n % 2 else other_shop, name_en=f"Loaf {n:02d}")
    url = f"{BASE}/towns/{town.slug}/products?page_size=5"
    assert client.get(f"{url}&page=1").json()["count"] == 23  # the listing is kept now
    names: list[str] = []
    for page in range(1, 6):
        # The town, then the page's products: neither the count nor the page's depth
        # reads the listing again.
        with django_assert_num_queries(2):
            body = client.get(f"{url}&page={page}").json()
        assert body["count"] == 23
        names += [item["name"] for item in body["items"]]
    assert names == [f"Loaf {n:02d}" for n in range(23)]
    assert client.get(f"{url}&page=6").json() == {"items": [], "count": 23}

    # What the retailer and the town change through the app shows at once.
    hidden = Product.objects.get(name_en="Loaf 01")
    services.product_save(shop=shop, actor=retailer, product=hidden, is_available=False)
    body = client.get(f"{url}&page=1").json()
    assert body["count"] == 22 and "Loaf 01" not in [i["name"] for i in body["items"]]
    services.shop_decline(shop=shop, actor=town_staff, reason="Closed for good")
    body = client.get(f"{url}&page=1").json()
    assert body["count"] == 12 and {i["shop"] for i in body["items"]} == {"books"}
    services.product_save(shop=other_shop, actor=None, sku="NEW", name="Aaa cake", price=1)
    assert client.get(f"{url}&page=1").json()["items"][0]["name"] == "Aaa cake"


def test_an_order_of_two_shops_answers_201_with_two_personal_links(
    client: Client, town: Any, shop: Any, other_shop: Any
) -> None:
    a = ProductFactory(shop=shop, stock=2)
    b = ProductFactory(shop=other_shop, stock=2)
    response = _post(client, f"{BASE}/towns/{town.slug}/orders", _order_body((a.pk, 1), (b.pk, 2)))
    assert response.status_code == 201, response.content
    orders = response.json()["orders"]
    assert len(orders) == 2
    for order in orders:
        assert order["status"] == "new" and order["pickup_at"]
        status = client.get(order["status_url"])
        assert status.status_code == 200
    token = Order.objects.get(shop=other_shop).token
    assert client.get(f"{BASE}/orders/{token}").json()["lines"][0]["quantity"] == 2
    assert Product.objects.get(pk=b.pk).stock == 0


def test_an_order_for_more_than_is_left_is_409_naming_the_product_and_nothing_is_ordered(
    client: Client, town: Any, shop: Any
) -> None:
    a = ProductFactory(shop=shop, stock=5)
    b = ProductFactory(shop=shop, stock=1, name_en="Last loaf")
    response = _post(client, f"{BASE}/towns/{town.slug}/orders", _order_body((a.pk, 1), (b.pk, 2)))
    assert response.status_code == 409
    assert response.json()["products"] == [{"id": b.pk, "name": "Last loaf", "stock": 1}]
    assert "Last loaf" in response.json()["detail"]
    assert Order.objects.count() == 0
    assert Product.objects.get(pk=a.pk).stock == 5


@pytest.mark.parametrize(
    "items",
    [
        [{"product": 1, "quantity": -2}],
        [{"product": 1, "quantity": 0}],
        [{"product": 1, "quantity": "lots"}],
        [{"product": 1, "quantity": 10**12}],
        [{"product": 10**30, "quantity": 1}],
        [],
    ],
)
def test_absurd_order_items_are_422(client: Client, town: Any, items: Any) -> None:
    body = _order_body()
    body["items"] = items
    response = _post(client, f"{BASE}/towns/{town.slug}/orders", body)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_a_pickup_slot_outside_opening_hours_is_409_and_nothing_is_ordered(
    client: Client, town: Any
) -> None:
    shop = ShopFactory(town=town, always_open=False)
    product = ProductFactory(shop=shop)
    body = _order_body((product.pk, 1), pickup_slot="2031-01-01T03:00:00+00:00")
    response = _post(client, f"{BASE}/towns/{town.slug}/orders", body)
    assert response.status_code == 409
    assert response.json()["products"] == [] and "pickup" in response.json()["detail"]
    assert Order.objects.count() == 0


def test_a_resident_cancels_by_the_personal_link_only_while_new(
    client: Client, town: Any, shop: Any, retailer: Any
) -> None:
    product = ProductFactory(shop=shop, stock=2)
    response = _post(client, f"{BASE}/towns/{town.slug}/orders", _order_body((product.pk, 2)))
    token = Order.objects.get().token
    assert client.post(f"{BASE}/orders/{token}/cancel").json()["status"] == "cancelled"
    Order.objects.filter(token=token).update(status="accepted")
    assert client.post(f"{BASE}/orders/{token}/cancel").status_code == 409
    assert Product.objects.get(pk=product.pk).stock == 2
    assert client.get(f"{BASE}/orders/not-a-token").status_code == 404
    assert response.status_code == 201


@pytest.fixture
def placed(town: Any, shop: Any) -> Order:
    from cityexchange.marketplace import services

    product = ProductFactory(shop=shop, stock=4)
    (order,) = services.checkout(
        town=town,
        items=[(product.pk, 2)],
        customer=services.Customer(name="Ana", email="ana@example.org"),
        language="en",
    )
    return order


def _update(
    client: Client, order: Order, status: str, token: str | None = None, **extra: Any
) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return _post(
        client,
        f"{BASE}/shops/{order.shop_id}/orders/{order.number}",
        {"status": status, **extra},
        **headers,
    )


def test_shop_staff_move_an_order_with_a_token(
    client: Client, placed: Order, retailer: Any
) -> None:
    _token, raw = api_token_create(user=retailer, name="till")
    assert _update(client, placed, "accepted", raw).json()["status"] == "accepted"
    assert _update(client, placed, "collected", raw).status_code == 409
    listed = client.get(
        f"{BASE}/shops/{placed.shop_id}/orders?status=accepted", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert listed.json()["count"] == 1


def test_declining_by_api_needs_a_reason(client: Client, placed: Order, retailer: Any) -> None:
    client.force_login(retailer)
    assert _update(client, placed, "declined").status_code == 409
    assert _update(client, placed, "declined", reason="closed").json()["decline_reason"] == "closed"


@pytest.mark.parametrize("who", ["other_retailer", "town_staff", "stranger"])
def test_other_shops_town_staff_and_outsiders_cannot_see_or_change_a_shops_orders(
    client: Client, placed: Order, who: str, request: Any
) -> None:
    user = request.getfixturevalue(who)
    _token, raw = api_token_create(user=user, name="x")
    assert _update(client, placed, "accepted", raw).status_code == 404
    listed = client.get(f"{BASE}/shops/{placed.shop_id}/orders", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert listed.status_code == 404
    placed.refresh_from_db()
    assert placed.status == "new"


def test_anonymous_shop_side_calls_are_401(client: Client, placed: Order) -> None:
    assert _update(client, placed, "accepted").status_code == 401


def test_prices_are_decimals_in_the_answer(client: Client, town: Any, shop: Any) -> None:
    ProductFactory(shop=shop, price=Decimal("0.10"))
    assert client.get(f"{BASE}/towns/{town.slug}/products").json()["items"][0]["price"] == "0.10"


def test_one_address_cannot_reserve_stock_with_endless_orders(
    client: Client, town: Any, shop: Any, settings: Any, frozen_rate_window: None
) -> None:
    settings.RATELIMIT_ENABLE = True
    product = ProductFactory(shop=shop, stock=100)
    url = f"{BASE}/towns/{town.slug}/orders"
    codes = [_post(client, url, _order_body((product.pk, 1))).status_code for _ in range(11)]
    assert codes == [201] * 10 + [429]
    assert Order.objects.count() == 10
