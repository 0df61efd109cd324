"""The marketplace pages: residents without an account, retailers, town staff."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cityexchange.marketplace.models import Order, Product, Shop, ShopStatus
from cityexchange.marketplace.tests.factories import CategoryFactory, ProductFactory, ShopFactory

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"


def test_the_towns_list_and_town_home_work_without_an_account(
    client: Client, town: Any, shop: Any
) -> None:
    CategoryFactory(town=town, slug="bread", name_es="Pan")
    ProductFactory(shop=shop, name_es="Pan de centeno", name_en="Rye bread")
    assert town.name in client.get("/es/market/").content.decode()
    page = client.get(f"/es/market/{town.slug}/?q=centeno")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Pan de centeno" in text and shop.name in text
    assert client.get("/es/market/nowhere/").status_code == 404


def test_unknown_category_in_the_search_form_is_a_form_error_not_a_500(
    client: Client, town: Any
) -> None:
    assert client.get(f"/en/market/{town.slug}/?category=%00x&page=abc").status_code in (200, 400)


def test_content_is_escaped_in_pages(client: Client, town: Any, shop: Any) -> None:
    Shop.objects.filter(pk=shop.pk).update(name=XSS, description_en=XSS)
    product = ProductFactory(shop=shop, name_en=XSS)
    for url in (
        f"/en/market/{town.slug}/",
        f"/en/market/{town.slug}/{shop.slug}/",
        f"/en/market/{town.slug}/{shop.slug}/{product.pk}/",
    ):
        text = client.get(url).content.decode()
        assert XSS not in text and "&lt;script&gt;" in text


def test_a_shop_waiting_for_approval_is_hidden_from_residents_but_seen_by_its_staff_and_town(
    client: Client, town: Any, town_staff: Any, stranger: Any
) -> None:
    waiting = ShopFactory(town=town, status=ShopStatus.APPLIED)
    owner = stranger
    waiting.staff.add(owner)
    url = f"/en/market/{town.slug}/{waiting.slug}/"
    assert client.get(url).status_code == 404
    client.force_login(owner)
    assert client.get(url).status_code == 200
    client.force_login(town_staff)
    assert client.get(url).status_code == 200


def test_a_resident_orders_from_two_shops_through_the_cart_and_checkout(
    client: Client, town: Any, shop: Any, other_shop: Any, django_capture_on_commit_callbacks: Any
) -> None:
    a = ProductFactory(shop=shop, stock=3, price=Decimal("2.00"))
    b = ProductFactory(shop=other_shop, stock=1)
    for product, quantity in ((a, 2), (b, 1)):
        response = client.post(
            f"/es/market/{town.slug}/{product.shop.slug}/{product.pk}/", {"quantity": quantity}
        )
        assert response.status_code == 302
    cart = client.get(f"/es/market/{town.slug}/cart/").content.decode()
    assert "4,00" in cart
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/es/market/{town.slug}/checkout/",
            {"name": "Ana", "email": "ana@example.org", "fulfilment": "pickup", "payment": "card"},
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Order.objects.count() == 2
    placed = client.get(response["Location"]).content.decode()
    for order in Order.objects.all():
        assert order.number in placed and order.language == "es"
    assert Product.objects.get(pk=a.pk).stock == 1
    assert len([m for m in mail.outbox if m.to == ["ana@example.org"]]) == 2
    # The cart is empty after ordering.
    assert client.get(f"/es/market/{town.slug}/checkout/").status_code == 302


def test_checkout_when_something_ran_out_names_it_and_orders_nothing(
    client: Client, town: Any, shop: Any
) -> None:
    product = ProductFactory(shop=shop, stock=2, name_en="Last loaf")
    client.post(f"/en/market/{town.slug}/{shop.slug}/{product.pk}/", {"quantity": 2})
    Product.objects.filter(pk=product.pk).update(stock=1)
    response = client.post(
        f"/en/market/{town.slug}/checkout/",
        {"name": "Ana", "email": "ana@example.org", "fulfilment": "pickup", "payment": "cash"},
    )
    assert response.status_code == 200
    assert "Last loaf" in response.content.decode()
    assert Order.objects.count() == 0


@pytest.mark.parametrize("quantity", ["-1", "0", "abc", "99999999999999999999"])
def test_absurd_cart_quantities_are_form_errors(
    client: Client, town: Any, shop: Any, quantity: str
) -> None:
    product = ProductFactory(shop=shop)
    response = client.post(
        f"/en/market/{town.slug}/{shop.slug}/{product.pk}/", {"quantity": quantity}
    )
    assert response.status_code == 200
    assert client.session.get("market_cart", {}).get(town.slug) in (None, {})


def test_the_order_status_page_works_only_with_the_personal_link_and_cancels(
    client: Client, town: Any, shop: Any
) -> None:
    from cityexchange.marketplace import services

    product = ProductFactory(shop=shop, stock=2)
    (order,) = services.checkout(
        town=town,
        items=[(product.pk, 1)],
        customer=services.Customer(name="Ana", email="ana@example.org"),
        language="pt",
    )
    url = f"/pt/market/order/{order.token}/"
    assert order.number in client.get(url).content.decode()
    assert client.get(f"/pt/market/order/{order.token[:-1]}x/").status_code == 404
    assert client.get(f"/pt/market/order/{order.pk}/").status_code == 404
    client.post(url)
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_a_retailer_applies_and_the_town_approves_on_its_page(
    client: Client, town: Any, town_staff: Any, stranger: Any
) -> None:
    category = CategoryFactory(town=town)
    assert client.get(f"/en/market/{town.slug}/apply/").status_code == 302  # sign in first
    client.force_login(stranger)
    response = client.post(
        f"/en/market/{town.slug}/apply/",
        {
            "name": "Café Sol",
            "address": "Plaza 1",
            "contact_email": "cafe@example.org",
            "categories": [category.pk],
        },
    )
    assert response.status_code == 302
    shop = Shop.objects.get(name="Café Sol")
    assert shop.status == "applied" and list(shop.categories.all()) == [category]
    assert client.get(f"/en/market/{town.slug}/town-office/").status_code == 404
    client.force_login(town_staff)
    page = client.get(f"/en/market/{town.slug}/town-office/").content.decode()
    assert "Café Sol" in page
    client.post(f"/en/market/{town.slug}/town-office/", {"shop": shop.pk, "decision": "approve"})
    shop.refresh_from_db()
    assert shop.status == "approved"


def test_town_staff_decline_with_a_reason_and_see_only_their_own_town(
    client: Client, town: Any, town_staff: Any
) -> None:
    waiting = ShopFactory(town=town, status=ShopStatus.APPLIED)
    elsewhere = ShopFactory(status=ShopStatus.APPLIED)
    client.force_login(town_staff)
    client.post(f"/en/market/{town.slug}/town-office/", {"shop": waiting.pk, "decision": "decline"})
    waiting.refresh_from_db()
    assert waiting.status == "applied"  # no reason: nothing decided
    client.post(
        f"/en/market/{town.slug}/town-office/",
        {"shop": waiting.pk, "decision": "decline", "reason": "Outside the town"},
    )
    waiting.refresh_from_db()
    assert waiting.status == "declined" and waiting.decline_reason == "Outside the town"
    assert client.get(f"/en/market/{elsewhere.town.slug}/town-office/").status_code == 404
    response = client.post(
        f"/en/market/{town.slug}/town-office/", {"shop": elsewhere.pk, "decision": "approve"}
    )
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == "applied"


MANAGE_PAGES = [
    "manage/{id}/",
    "manage/{id}/products/",
    "manage/{id}/import/",
    "manage/{id}/settings/",
    "manage/{id}/orders.csv",
    "manage/{id}/products.csv",
    "manage/{id}/products.xlsx",
]


@pytest.mark.parametrize("page", MANAGE_PAGES)
def test_shop_pages_open_for_the_shops_staff_only(
    client: Client, shop: Any, retailer: Any, other_retailer: Any, town_staff: Any, page: str
) -> None:
    url = "/en/market/" + page.format(id=shop.pk)
    assert client.get(url).status_code == 302  # sign in first
    for outsider in (other_retailer, town_staff):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(retailer)
    assert client.get(url).status_code == 200


def test_the_retailer_moves_orders_along_and_declines_with_a_reason(
    client: Client, town: Any, shop: Any, retailer: Any, other_retailer: Any
) -> None:
    from cityexchange.marketplace import services

    product = ProductFactory(shop=shop, stock=5)
    (order,) = services.checkout(
        town=town,
        items=[(product.pk, 2)],
        customer=services.Customer(name="Ana", email="ana@example.org"),
        language="en",
    )
    url = f"/en/market/manage/{shop.pk}/"
    client.force_login(other_retailer)
    assert client.post(url, {"order": order.pk, "status": "accepted"}).status_code == 404
    client.force_login(retailer)
    assert "Ana" in client.get(url).content.decode()
    client.post(url, {"order": order.pk, "status": "declined"})
    order.refresh_from_db()
    assert order.status == "new"
    client.post(url, {"order": order.pk, "status": "declined", "reason": "No flour"})
    order.refresh_from_db()
    assert order.status == "declined"
    assert Product.objects.get(pk=product.pk).stock == 5
    other_order = Order.objects.create(
        shop=ShopFactory(town=town),
        number="X1",
        token="t" * 40,
        name="B",
        email="b@example.org",
        fulfilment="pickup",
        payment="cash",
        total=Decimal("1"),
    )
    assert client.post(url, {"order": other_order.pk, "status": "accepted"}).status_code == 404


def test_the_retailer_adds_a_product_and_wrong_uploads_or_prices_are_refused(
    client: Client, shop: Any, retailer: Any
) -> None:
    from PIL import Image

    client.force_login(retailer)
    url = f"/en/market/manage/{shop.pk}/products/"
    bad = client.post(
        url,
        {"sku": "A", "name_en": "Jam", "price": "-2", "tax_rate": "7", "is_available": "on"},
    )
    assert bad.status_code == 200 and not Product.objects.exists()
    fake = SimpleUploadedFile("jam.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
    bad = client.post(
        url, {"sku": "A", "name_en": "Jam", "price": "2", "tax_rate": "7", "photo": fake}
    )
    assert bad.status_code == 200 and not Product.objects.exists()
    raw = io.BytesIO()
    Image.new("RGB", (50, 50), "blue").save(raw, format="PNG")
    good = client.post(
        url,
        {
            "sku": "A",
            "name_en": "Jam",
            "price": "2.40",
            "tax_rate": "7",
            "stock": "4",
            "is_available": "on",
            "photo": SimpleUploadedFile("jam.png", raw.getvalue(), content_type="image/png"),
        },
    )
    assert good.status_code == 302
    product = Product.objects.get(sku="A")
    assert product.price == Decimal("2.40") and product.photo


def test_the_retailer_imports_a_csv_and_sees_the_row_report(
    client: Client, shop: Any, retailer: Any
) -> None:
    client.force_login(retailer)
    url = f"/en/market/manage/{shop.pk}/import/"
    bad = SimpleUploadedFile("p.csv", b"sku,name_en,price\nA,Jam,abc\n")
    page = client.post(url, {"file": bad}).content.decode()
    assert "Nothing was imported" in page and "<td>2</td>" in page
    good = SimpleUploadedFile("p.csv", b"sku,name_en,price,stock\nA,Jam,2.00,3\n")
    assert client.post(url, {"file": good}).status_code == 302
    assert Product.objects.get(sku="A").stock == 3


def test_the_retailer_sets_opening_hours_and_a_holiday(
    client: Client, shop: Any, retailer: Any
) -> None:
    client.force_login(retailer)
    url = f"/en/market/manage/{shop.pk}/settings/"
    bad = client.post(url, {"hours": "1", "opens_0": "18:00", "closes_0": "09:00"})
    assert bad.status_code == 200
    assert (
        client.post(url, {"hours": "1", "opens_0": "09:00", "closes_0": "18:00"}).status_code == 302
    )
    assert list(shop.opening_hours.values_list("weekday", flat=True)) == [0]
    assert (
        client.post(url, {"exception": "1", "date": "2031-12-25", "note": "Christmas"}).status_code
        == 302
    )
    assert shop.exceptions.get().opens is None


def test_the_dashboard_lists_only_the_users_own_shops(
    client: Client, shop: Any, retailer: Any, other_shop: Any
) -> None:
    client.force_login(retailer)
    page = client.get("/en/market/my-shops/").content.decode()
    assert shop.name in page and other_shop.name not in page


def test_the_towns_colour_comes_as_a_stylesheet_because_inline_styles_are_not_allowed(
    client: Client, town: Any
) -> None:
    Town = type(town)
    Town.objects.filter(pk=town.pk).update(colour="#7a1f3d")
    page = client.get(f"/en/market/{town.slug}/").content.decode()
    assert f"/en/market/{town.slug}/town.css" in page and 'style="' not in page
    css = client.get(f"/en/market/{town.slug}/town.css")
    assert css["Content-Type"] == "text/css" and "#7a1f3d" in css.content.decode()


def test_the_town_page_costs_the_same_queries_for_few_and_many_shops(
    client: Client, town: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/en/market/{town.slug}/?q=bread").status_code == 200
        return len(queries)

    ProductFactory(shop=ShopFactory(town=town), name_en="bread 1")
    few = count()
    for n in range(12):
        ProductFactory(shop=ShopFactory(town=town), name_en=f"bread {n + 2}")
    assert count() == few


def test_a_category_is_listed_page_by_page_with_plain_links_at_a_constant_cost(
    client: Client, town: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cityexchange.marketplace.tests.factories import CategoryFactory

    bread = CategoryFactory(town=town, slug="bread", name_en="Bread")
    shop = ShopFactory(town=town)
    for n in range(30):
        ProductFactory(shop=shop, category=bread, name_en=f"Loaf {n:02d}")
    ProductFactory(shop=shop, name_en="Not bread")

    def page(number: int) -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/en/market/{town.slug}/?category=bread&page={number}")
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    first, _cost = page(1)
    assert "30 products found" in first and "Loaf 00" in first and "Loaf 24" not in first
    assert 'href="?q=&amp;category=bread&amp;page=2">Next page' in first
    second, kept = page(2)
    assert "30 products found" in second
    assert "Loaf 24" in second and "Loaf 29" in second and "Loaf 23" not in second
    assert "Not bread" not in second and "Next page" not in second
    for n in range(30, 60):
        ProductFactory(shop=shop, category=bread, name_en=f"Loaf {n:02d}")
    page(2)  # the listing is read again once after the change
    deeper, cost = page(3)
    assert "60 products found" in deeper and "Loaf 59" in deeper
    assert cost == kept
