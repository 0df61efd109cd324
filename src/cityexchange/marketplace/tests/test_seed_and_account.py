"""Demo data, the back office and the "My cityexchange" section."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cityexchange.core.tests.factories import OrganisationFactory, UserFactory
from cityexchange.marketplace import seeding
from cityexchange.marketplace.models import Product, Shop, Town

pytestmark = pytest.mark.django_db


def test_demo_seed_makes_two_towns_in_different_currencies_marked_demo_and_runs_twice() -> None:
    assert seeding.seed(demo=False) == [
        "marketplace: nothing to load (each town configures its own)"
    ]
    assert not Town.objects.exists()
    seeding.seed(demo=True)
    seeding.seed(demo=True)
    towns = Town.objects.all()
    assert sorted(t.currency for t in towns) == ["EUR", "MXN"]
    assert all(t.is_demo and t.organisation.kind == "municipality" for t in towns)
    assert Shop.objects.filter(is_demo=True, status="approved").count() == 4
    assert Product.objects.filter(is_demo=False).count() == 0
    assert Product.objects.get(sku="P-1").name_es == "Taza de barro"


def test_the_demo_town_page_shows_prices_in_pesos(client: Client) -> None:
    seeding.seed(demo=True)
    page = client.get("/es/market/demo-san-aurelio/?q=taza").content.decode()
    assert "Taza de barro" in page and "180,00" in page


def test_the_back_office_refuses_a_low_contrast_colour(client: Client) -> None:
    admin = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    organisation = OrganisationFactory()
    response = client.post(
        "/en/admin/marketplace/town/add/",
        {
            "organisation": organisation.pk,
            "slug": "pale",
            "name_en": "Pale",
            "colour": "#eeeeee",
            "currency": "EUR",
            "timezone": "Europe/Berlin",
            "delivery_postcodes": "[]",
            "is_active": "on",
            "categories-TOTAL_FORMS": "0",
            "categories-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "4.5:1" in response.content.decode()
    assert not Town.objects.exists()


def test_my_cityexchange_lists_the_accounts_orders_and_shops(
    client: Client, town: Any, shop: Any, retailer: Any
) -> None:
    from cityexchange.marketplace.account import account_sections

    (section,) = account_sections(retailer)
    assert section.extra["shops"] == [shop]
    assert section.items == []


def test_my_cityexchange_page_and_data_export_show_the_marketplace(
    client: Client, town: Any, shop: Any, retailer: Any
) -> None:
    import json

    from cityexchange.marketplace import services
    from cityexchange.marketplace.tests.factories import ProductFactory

    product = ProductFactory(shop=shop, stock=3)
    (order,) = services.checkout(
        town=town,
        items=[(product.pk, 1)],
        customer=services.Customer(name="Baker", email=retailer.email),
        language="en",
        user=retailer,
    )
    client.force_login(retailer)
    page = client.get("/en/account/").content.decode()
    assert order.number in page and shop.name in page
    exported = json.loads(client.get("/en/account/export.json").content)
    assert [o["number"] for o in exported["marketplace"]] == [order.number]
