"""Search across a town's shops: in any of the four languages, through the platform's
search, on the database's index (GIN on PostgreSQL, token rows on SQLite)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cityexchange.marketplace import exports, services
from cityexchange.marketplace.models import Product
from cityexchange.marketplace.tests.factories import (
    CategoryFactory,
    ProductFactory,
    ShopFactory,
    TownFactory,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/market"


@pytest.fixture
def breads(shop: Any, other_shop: Any) -> dict[str, Any]:
    return {
        "sweet": ProductFactory(
            shop=shop,
            name_en="Sweet bread",
            name_es="Pan dulce",
            name_pt="Pão doce",
            name_de="Süßes Brot",
        ),
        "rye": ProductFactory(
            shop=shop, name_en="Rye bread", name_es="Pan de centeno", name_pt="Pão de centeio"
        ),
        "caramel": ProductFactory(
            shop=other_shop,
            name_en="Milk caramel",
            name_es="Dulce de leche",
            name_pt="Doce de leite",
        ),
    }


def _api_names(client: Client, town: Any, q: str, lang: str = "en") -> set[str]:
    response = client.get(f"{BASE}/towns/{town.slug}/products", {"q": q}, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200, response.content
    return {item["name"] for item in response.json()["items"]}


def test_a_spanish_query_finds_the_product_with_every_word_on_a_portuguese_page(
    client: Client, town: Any, breads: dict[str, Any]
) -> None:
    page = client.get(f"/pt/market/{town.slug}/", {"q": "pan dulce"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Pão doce" in text
    # One word alone is not enough: every word of the query must match.
    assert "Pão de centeio" not in text and "Doce de leite" not in text


def test_a_portuguese_query_finds_the_same_product_through_the_api(
    client: Client, town: Any, breads: dict[str, Any]
) -> None:
    assert _api_names(client, town, "pão doce", lang="es") == {"Pan dulce"}
    # Without accents, as typed on a phone keyboard in a hurry.
    assert _api_names(client, town, "pao doce", lang="en") == {"Sweet bread"}


def test_word_forms_match_through_the_stem_not_the_letters(
    client: Client, town: Any, breads: dict[str, Any]
) -> None:
    # "panes" (plural) finds both breads; "doces" finds the sweets in Portuguese.
    assert _api_names(client, town, "panes") == {"Sweet bread", "Rye bread"}
    assert _api_names(client, town, "doces") == {"Sweet bread", "Milk caramel"}
    assert _api_names(client, town, "Brote") == {"Sweet bread"}


def test_the_shop_name_and_category_find_the_shops_products(
    client: Client, town: Any, shop: Any, other_shop: Any
) -> None:
    cakes = CategoryFactory(town=town, slug="cakes", name_en="Cakes", name_es="Pasteles")
    ProductFactory(shop=shop, name_en="Cheesecake", category=cakes)
    ProductFactory(shop=other_shop, name_en="Atlas")
    assert _api_names(client, town, "pasteles") == {"Cheesecake"}
    assert _api_names(client, town, shop.name) == {"Cheesecake"}


def test_only_available_products_of_approved_shops_of_this_town_are_found(
    client: Client, town: Any, shop: Any
) -> None:
    ProductFactory(shop=shop, name_en="Honey", is_available=False)
    ProductFactory(shop=ShopFactory(town=town, status="applied"), name_en="Honey jar")
    ProductFactory(shop=ShopFactory(town=TownFactory()), name_en="Honey cake")
    ProductFactory(shop=shop, name_en="Forest honey")
    assert _api_names(client, town, "honey") == {"Forest honey"}


def test_a_product_saved_by_the_retailer_is_found_under_its_new_name_only(
    client: Client, town: Any, shop: Any, retailer: Any
) -> None:
    product = services.product_save(
        shop=shop,
        actor=retailer,
        sku="M-1",
        name_en="Mug",
        name_es="Taza",
        price=Decimal("8"),
        is_available=True,
    )
    assert _api_names(client, town, "taza") == {"Mug"}
    services.product_save(shop=shop, actor=retailer, product=product, name_en="Cup", name_es="Vaso")
    assert _api_names(client, town, "vaso") == {"Cup"}
    assert _api_names(client, town, "taza") == set()


def test_imported_products_are_found(client: Client, town: Any, shop: Any) -> None:
    result = exports.products_import(
        shop=shop,
        data=b"sku,name_en,name_pt,price\nC-1,Candle,Vela,3.50\n",
        filename="p.csv",
        actor=None,
    )
    assert result.ok
    assert _api_names(client, town, "velas") == {"Candle"}


@pytest.mark.parametrize("q", ["de", "the", "%", "\x00pan", "a" * 100, "(pan | dulce) & !x"])
def test_odd_queries_answer_without_error(
    client: Client, town: Any, breads: dict[str, Any], q: str
) -> None:
    response = client.get(f"{BASE}/towns/{town.slug}/products", {"q": q})
    assert response.status_code in (200, 400, 422)
    page = client.get(f"/es/market/{town.slug}/", {"q": q})
    assert page.status_code in (200, 400)


def test_a_search_costs_the_same_queries_for_few_and_many_matches(
    client: Client, town: Any, shop: Any
) -> None:
    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(f"{BASE}/towns/{town.slug}/products", {"q": "honey"}).status_code == 200
            )
        return len(queries)

    ProductFactory(shop=shop, name_en="Honey 0")
    few = cost()
    for n in range(1, 15):
        ProductFactory(shop=ShopFactory(town=town), name_en=f"Honey {n}")
    assert cost() == few
    assert Product.objects.filter(shop__town=town).count() == 15
