"""The marketplace's busiest pages fit a phone (390 px): nothing scrolls sideways.

The cart and a shop's product list are tables on a wide screen and one card per row
on a phone; the resident's and the retailer's pages are checked with axe, and
screenshots are kept for people to look at.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cityexchange.core.tests.browser import axe_violations, describe_violations, follow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _no_ratelimit(settings: Any, tmp_path: Any) -> None:
    settings.RATELIMIT_ENABLE = False
    settings.MEDIA_ROOT = tmp_path / "media"


def _fits_and_is_accessible(page: Any, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    violations = axe_violations(page)
    screenshot(page, f"marketplace-phone-{name}")
    assert width <= PHONE["width"], f"{name}: the page is {width} px wide"
    assert violations == [], f"{name}: " + describe_violations(violations)


def test_cart_checkout_product_and_shop_pages_fit_a_phone(browser: Any, live_server: Any) -> None:
    from cityexchange.core.tests.factories import UserFactory
    from cityexchange.marketplace import services
    from cityexchange.marketplace.tests.factories import ProductFactory, ShopFactory, TownFactory

    base = live_server.url
    town = TownFactory(slug="san-aurelio", name="San Aurelio", name_es="San Aurelio")
    bakery = ShopFactory(town=town, slug="panaderia", name="Panadería La Esperanza del Barrio")
    books = ShopFactory(town=town, slug="libros", name="Librería Internacional de Viaje")
    baker = UserFactory(email="baker@example.org")
    bakery.staff.add(baker)
    bread = ProductFactory(
        shop=bakery,
        name_es="Pan dulce de piloncillo con canela, receta de la abuela",
        price="1234.50",
        stock=50,
    )
    atlas = ProductFactory(shop=books, name_es="Atlas ilustrado de las rutas", stock=3)
    for colour, alt in (((200, 120, 40), "El mostrador"), ((40, 90, 160), "La fachada azul")):
        picture = io.BytesIO()
        Image.new("RGB", (1600, 1200), colour).save(picture, format="JPEG")
        services.shop_photo_add(
            shop=bakery,
            actor=baker,
            upload=SimpleUploadedFile("p.jpg", picture.getvalue()),
            alt=alt,
        )

    resident = browser.new_context(viewport=PHONE).new_page()
    resident.goto(f"{base}/es/market/{town.slug}/{bakery.slug}/{bread.pk}/")
    _fits_and_is_accessible(resident, "product-es")
    resident.fill("#id_quantity", "120")
    follow(resident.get_by_role("button", name="Añadir al carrito"))
    resident.goto(f"{base}/es/market/{town.slug}/{books.slug}/{atlas.pk}/")
    follow(resident.get_by_role("button", name="Añadir al carrito"))
    _fits_and_is_accessible(resident, "cart-es")
    # Each line is a card: its quantity field and button are inside the screen.
    for control in (
        resident.locator(f"#qty-{bread.pk}"),
        resident.locator(f"tr:has(#qty-{bread.pk}) button"),
    ):
        box = control.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    # The table still reads as a table: each line is a row named by its product.
    assert resident.get_by_role("rowheader", name=str(bread.name_es)).count() == 1
    resident.fill(f"#qty-{bread.pk}", "2")
    follow(resident.locator(f"tr:has(#qty-{bread.pk}) button"))
    assert resident.locator(f"#qty-{bread.pk}").input_value() == "2"
    follow(resident.get_by_role("link", name="Ir a pagar"))
    _fits_and_is_accessible(resident, "checkout-es")
    resident.goto(f"{base}/es/market/{town.slug}/{bakery.slug}/")
    # The photos arrive from the app (uploads are private) at the size their space has.
    photo = resident.get_by_role("img", name="La fachada azul")
    photo.scroll_into_view_if_needed()
    resident.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photo.element_handle()
    )
    _fits_and_is_accessible(resident, "shop-es")

    retailer = browser.new_context(viewport=PHONE).new_page()
    retailer.goto(f"{base}/pt/login/?next=/pt/market/manage/{bakery.pk}/")
    retailer.fill("#id_login", baker.email)
    retailer.fill("#id_password", "correct horse battery")
    retailer.press("#id_password", "Enter")
    retailer.wait_for_url(f"{base}/pt/market/manage/{bakery.pk}/")
    _fits_and_is_accessible(retailer, "manage-pt")
    retailer.goto(f"{base}/pt/market/manage/{bakery.pk}/products/")
    _fits_and_is_accessible(retailer, "products-pt")
    retailer.goto(f"{base}/pt/market/manage/{bakery.pk}/settings/")
    _fits_and_is_accessible(retailer, "settings-pt")
