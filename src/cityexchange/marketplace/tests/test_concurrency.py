"""Many residents at once for the last units, through a real server and real connections.

Runs on whichever database the suite uses: SQLite (a file; IMMEDIATE transactions)
or PostgreSQL (``select_for_update`` on the product rows).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from cityexchange.marketplace.models import Order, OrderLine, Product
from cityexchange.marketplace.tests.factories import ProductFactory, ShopFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

BUYERS = 16
STOCK = 5


def _buy(url: str, n: int, items: list[dict[str, int]]) -> int:
    body = {"items": items, "name": f"Buyer {n}", "email": f"buyer{n}@example.org"}
    return requests.post(url, json=body, timeout=120).status_code


def test_concurrent_checkouts_never_oversell_the_last_units(live_server: Any, town: Any) -> None:
    shop = ShopFactory(town=town, orders_per_slot=100)
    other = ShopFactory(town=town, orders_per_slot=100)
    scarce = ProductFactory(shop=shop, stock=STOCK)
    plenty = ProductFactory(shop=other, stock=1000)
    url = f"{live_server.url}/api/v1/market/towns/{town.slug}/orders"
    items = [{"product": scarce.pk, "quantity": 1}, {"product": plenty.pk, "quantity": 1}]
    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        codes = list(pool.map(lambda n: _buy(url, n, items), range(BUYERS)))
    assert sorted(codes) == [201] * STOCK + [409] * (BUYERS - STOCK), codes
    assert Product.objects.get(pk=scarce.pk).stock == 0
    sold = sum(OrderLine.objects.filter(product=scarce).values_list("quantity", flat=True))
    assert sold == STOCK
    # Nothing half-ordered: the buyers who lost got nothing from the other shop either.
    assert Product.objects.get(pk=plenty.pk).stock == 1000 - STOCK
    assert Order.objects.filter(shop=other).count() == STOCK


def test_cancellations_racing_checkouts_give_back_exactly_what_they_took(
    live_server: Any, town: Any
) -> None:
    from cityexchange.marketplace import services

    shop = ShopFactory(town=town, orders_per_slot=100)
    product = ProductFactory(shop=shop, stock=4)
    held = [
        services.checkout(
            town=town,
            items=[(product.pk, 2)],
            customer=services.Customer(name="Early", email=f"early{n}@example.org"),
            language="en",
        )[0]
        for n in range(2)
    ]
    url = f"{live_server.url}/api/v1/market/towns/{town.slug}/orders"

    def job(n: int) -> int:
        if n < 2:
            return requests.post(
                f"{live_server.url}/api/v1/market/orders/{held[n].token}/cancel", timeout=120
            ).status_code
        return _buy(url, n, [{"product": product.pk, "quantity": 1}])

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(job, range(10)))
    assert codes[:2] == [200, 200]
    won = codes[2:].count(201)
    assert won <= 4
    assert Product.objects.get(pk=product.pk).stock == 4 - won
