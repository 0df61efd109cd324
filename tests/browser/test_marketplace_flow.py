"""The marketplace end to end in a real browser at phone width (390 px), in es and pt:
a retailer applies, the town approves, the retailer imports products from CSV, a
resident orders from two shops, one shop declines, the other hands the order over,
and the stock is right at the end. Every page on the way is checked with axe.
"""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.core.tests.browser import axe_violations, describe_violations, follow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
CSV = (
    "sku,name_es,name_pt,name_en,price,tax_rate,stock\n"
    "M-1,Mermelada,Geleia,Jam,3.50,7,4\n"
    "M-2,Miel,Mel,Honey,6.00,7,2\n"
)


@pytest.fixture(autouse=True)
def _no_ratelimit(settings: Any) -> None:
    settings.RATELIMIT_ENABLE = False


def _accessible(page: Any, name: str) -> None:
    violations = axe_violations(page)
    screenshot(page, f"marketplace-{name}")
    assert violations == [], f"{name}: " + describe_violations(violations)


def _sign_in(page: Any, base: str, language: str, user: Any, target: str) -> None:
    page.goto(f"{base}/{language}/login/?next={target}")
    page.fill("#id_login", user.email)
    page.fill("#id_password", "correct horse battery")
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}{target}")


def test_apply_approve_import_order_decline_and_collect_at_phone_width(
    browser: Any, live_server: Any
) -> None:
    from cityexchange.core.tests.factories import UserFactory
    from cityexchange.marketplace.models import Order, Product, Shop
    from cityexchange.marketplace.tests.factories import (
        CategoryFactory,
        ProductFactory,
        ShopFactory,
        TownFactory,
    )

    base = live_server.url
    town = TownFactory(
        slug="san-aurelio", name="San Aurelio", name_es="San Aurelio", currency="MXN"
    )
    CategoryFactory(town=town, slug="food", name_es="Alimentos", name_pt="Alimentos")
    office = UserFactory(email="office@example.org", language="pt")
    town.staff.add(office)
    retailer = UserFactory(email="seller@example.org", language="es")
    bakery = ShopFactory(town=town, slug="panaderia", name="Panadería")
    baker = UserFactory(email="baker@example.org")
    bakery.staff.add(baker)
    bread = ProductFactory(shop=bakery, name_es="Pan", name_pt="Pão", stock=5)

    def phone() -> Any:
        return browser.new_context(viewport=PHONE).new_page()

    # A retailer applies (es).
    seller = phone()
    _sign_in(seller, base, "es", retailer, f"/es/market/{town.slug}/apply/")
    _accessible(seller, "apply-es")
    seller.fill("#id_name", "Dulces Rosa")
    seller.fill("#id_address", "Calle 5")
    seller.fill("#id_contact_email", "rosa@example.org")
    seller.get_by_label("Alimentos").check()
    seller.get_by_role("button", name="Enviar la solicitud").click()
    seller.wait_for_url(f"{base}/es/market/my-shops/")
    _accessible(seller, "dashboard-es")

    # The town approves (pt).
    staff = phone()
    _sign_in(staff, base, "pt", office, f"/pt/market/{town.slug}/town-office/")
    _accessible(staff, "town-office-pt")
    staff.get_by_role("button", name="Aprovar Dulces Rosa").click()
    staff.wait_for_url(f"{base}/pt/market/{town.slug}/town-office/")
    shop = Shop.objects.get(name="Dulces Rosa")
    assert shop.status == "approved"

    # The retailer imports products from CSV (es).
    seller.goto(f"{base}/es/market/manage/{shop.pk}/import/")
    _accessible(seller, "import-es")
    seller.set_input_files(
        "#id_file", files=[{"name": "p.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    seller.get_by_role("button", name="Importar", exact=True).click()
    seller.wait_for_url(f"{base}/es/market/manage/{shop.pk}/products/")
    _accessible(seller, "products-es")
    jam = Product.objects.get(shop=shop, sku="M-1")
    # ... and opens every day, so residents can choose a pickup time.
    seller.goto(f"{base}/es/market/manage/{shop.pk}/settings/")
    for day in range(7):
        seller.fill(f"#id_opens_{day}", "00:00")
        seller.fill(f"#id_closes_{day}", "23:59")
    follow(seller.get_by_role("button", name="Guardar el horario"))
    seller.wait_for_load_state()
    _accessible(seller, "settings-es")
    assert shop.opening_hours.count() == 7

    # A resident orders from both shops without an account (pt, then es).
    resident = phone()
    resident.goto(f"{base}/pt/market/{town.slug}/?q=Geleia")
    _accessible(resident, "town-search-pt")
    follow(resident.get_by_role("link", name="Geleia"))
    _accessible(resident, "product-pt")
    resident.fill("#id_quantity", "2")
    follow(resident.get_by_role("button", name="Adicionar ao carrinho"))
    resident.goto(f"{base}/es/market/{town.slug}/panaderia/{bread.pk}/")
    _accessible(resident, "product-es")
    follow(resident.get_by_role("button", name="Añadir al carrito"))
    _accessible(resident, "cart-es")
    follow(resident.get_by_role("link", name="Ir a pagar"))
    _accessible(resident, "checkout-es")
    resident.fill("#id_name", "Ana")
    resident.fill("#id_email", "ana@example.org")
    resident.get_by_role("button", name="Hacer el pedido").click()
    resident.wait_for_url(f"{base}/es/market/{town.slug}/ordered/")
    _accessible(resident, "placed-es")
    assert Order.objects.count() == 2

    # The bakery declines with a reason; the new shop accepts, readies and hands over.
    bakery_order = Order.objects.get(shop=bakery)
    baker_page = phone()
    _sign_in(baker_page, base, "pt", baker, f"/pt/market/manage/{bakery.pk}/")
    _accessible(baker_page, "manage-pt")
    baker_page.fill(f"#reason-{bakery_order.pk}", "Sem farinha hoje")
    follow(baker_page.get_by_role("button", name="Recusar"))
    seller.goto(f"{base}/es/market/manage/{shop.pk}/")
    for button in ("Aceptar", "Listo para recoger", "Recogido"):
        follow(seller.get_by_role("button", name=button, exact=True))
    _accessible(seller, "manage-es")

    # The resident sees each outcome by the personal link.
    shop_order = Order.objects.get(shop=shop)
    resident.goto(f"{base}/es/market/order/{shop_order.token}/")
    assert "Recogido" in resident.locator(".order-status").inner_text()
    _accessible(resident, "order-status-es")
    resident.goto(f"{base}/pt/market/order/{bakery_order.token}/")
    assert "Sem farinha hoje" in resident.content()
    _accessible(resident, "order-status-pt")

    # Stock: the jam was sold, the declined bread came back.
    jam.refresh_from_db()
    bread.refresh_from_db()
    assert (jam.stock, bread.stock) == (2, 5)
    assert Order.objects.get(pk=shop_order.pk).status == "collected"
    assert Order.objects.get(pk=bakery_order.pk).status == "declined"
