"""Towns, shops and the order pipeline, through the services a page or the API calls."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cityexchange.core.models import AuditEntry
from cityexchange.core.tests.factories import OrganisationFactory, UserFactory
from cityexchange.marketplace import services
from cityexchange.marketplace.models import Order, OrderLine, Product, ShopStatus
from cityexchange.marketplace.money import money
from cityexchange.marketplace.tests.factories import ProductFactory, ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks: Any) -> Any:
    """``with sent():`` runs what the block queued for after its commit (mail)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _customer(**overrides: Any) -> services.Customer:
    values: dict[str, Any] = {"name": "Ana Resident", "email": "ana@example.org"}
    values.update(overrides)
    return services.Customer(**values)


def _checkout(town: Any, items: list[tuple[int, int]], **kwargs: Any) -> list[Order]:
    return services.checkout(
        town=town,
        items=items,
        customer=kwargs.pop("customer", _customer()),
        language="es",
        **kwargs,
    )


def test_money_is_written_as_a_reader_of_the_language_expects() -> None:
    assert money(Decimal("1234.5"), "EUR", "de") == "1.234,50\xa0€"
    assert money(Decimal("1234.5"), "EUR", "en") == "€1,234.50"
    assert "1234,50" in money(Decimal("1234.5"), "MXN", "es").replace("\xa0", "").replace(".", "")
    assert money(Decimal("10"), "BRL", "pt") == "R$\xa010,00"


def test_only_a_municipality_can_switch_on_a_marketplace() -> None:
    ministry = OrganisationFactory(kind="ministry")
    with pytest.raises(services.MarketError) as caught:
        services.town_create(organisation=ministry, slug="m", name="M")
    assert "organisation" in caught.value.errors


def test_a_colour_too_light_for_white_text_is_refused_naming_the_contrast() -> None:
    town_org = OrganisationFactory()
    with pytest.raises(services.MarketError) as caught:
        services.town_create(organisation=town_org, slug="pale", name="Pale", colour="#ffcc00")
    assert "4.5:1" in caught.value.errors["colour"]
    town = services.town_create(
        organisation=town_org, slug="dark", name="Dark", colour="#1d4e89", currency="PEN"
    )
    assert town.currency == "PEN"
    assert AuditEntry.objects.filter(action="town.create", object_id=str(town.pk)).exists()


def test_a_town_address_that_names_a_page_of_its_own_is_refused() -> None:
    with pytest.raises(services.MarketError):
        services.town_create(organisation=OrganisationFactory(), slug="manage", name="X")


def test_an_application_waits_then_approval_mails_the_retailer_in_their_language(
    town: Any, town_staff: Any, sent: Any
) -> None:
    applicant = UserFactory(email="new@example.org")
    with sent():
        shop = services.shop_apply(
            town=town,
            user=applicant,
            application=services.ShopApplication(
                name="Café Sol", address="Plaza 1", contact_email="cafe@example.org"
            ),
            language="pt",
        )
    assert shop.status == ShopStatus.APPLIED
    assert list(shop.staff.all()) == [applicant]
    assert [m.to for m in mail.outbox] == [["office@lindenau.example"]]
    mail.outbox.clear()
    with sent():
        services.shop_approve(shop=shop, actor=town_staff)
    shop.refresh_from_db()
    assert shop.status == ShopStatus.APPROVED
    assert mail.outbox[0].to == ["cafe@example.org"]
    assert "aprovad" in mail.outbox[0].subject.lower()


def test_declining_an_application_needs_a_reason_which_the_retailer_reads(
    town: Any, town_staff: Any, sent: Any
) -> None:
    shop = ShopFactory(town=town, status=ShopStatus.APPLIED, language="de")
    with pytest.raises(services.MarketError):
        services.shop_decline(shop=shop, actor=town_staff, reason="  ")
    with sent():
        services.shop_decline(shop=shop, actor=town_staff, reason="Bitte Gewerbenummer nachreichen")
    shop.refresh_from_db()
    assert shop.status == ShopStatus.DECLINED
    assert "Gewerbenummer" in mail.outbox[-1].body


def test_checkout_makes_one_order_per_shop_reserves_stock_and_mails_everyone(
    town: Any, shop: Any, other_shop: Any, sent: Any
) -> None:
    bread = ProductFactory(shop=shop, stock=5, price=Decimal("3.20"))
    book = ProductFactory(shop=other_shop, stock=1, price=Decimal("12.00"))
    with sent():
        orders = _checkout(town, [(bread.pk, 2), (book.pk, 1), (bread.pk, 1)])
    assert sorted(o.shop_id for o in orders) == sorted([shop.pk, other_shop.pk])
    bread.refresh_from_db()
    book.refresh_from_db()
    assert (bread.stock, book.stock) == (2, 0)
    at_bakery = next(o for o in orders if o.shop_id == shop.pk)
    assert at_bakery.total == Decimal("9.60")
    assert at_bakery.number.startswith("M")
    assert at_bakery.pickup_at is not None and at_bakery.pickup_at > timezone.now()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients.count("ana@example.org") == 2
    assert shop.contact_email in recipients and other_shop.contact_email in recipients
    confirmation = next(
        m for m in mail.outbox if at_bakery.number in m.subject and m.to == ["ana@example.org"]
    )
    assert "pedido" in confirmation.subject.lower()
    assert at_bakery.token in confirmation.body


def test_when_one_product_ran_out_nothing_is_ordered_and_it_is_named(
    town: Any, shop: Any, other_shop: Any, sent: Any
) -> None:
    bread = ProductFactory(shop=shop, stock=5)
    book = ProductFactory(shop=other_shop, stock=1, name="Last book")
    with sent(), pytest.raises(services.OutOfStock) as caught:
        _checkout(town, [(bread.pk, 1), (book.pk, 2)])
    assert [p.pk for p in caught.value.products] == [book.pk]
    assert Order.objects.count() == 0
    bread.refresh_from_db()
    assert bread.stock == 5
    assert mail.outbox == []


def test_products_on_request_take_nothing_from_stock(town: Any, shop: Any) -> None:
    cake = ProductFactory(shop=shop, stock=None)
    (order,) = _checkout(town, [(cake.pk, 3)])
    cake.refresh_from_db()
    assert cake.stock is None
    assert OrderLine.objects.get(order=order).reserved is False


@pytest.mark.parametrize("quantity", [0, -1, 10_000, True])
def test_absurd_quantities_are_refused(town: Any, shop: Any, quantity: Any) -> None:
    product = ProductFactory(shop=shop)
    with pytest.raises(services.MarketError):
        _checkout(town, [(product.pk, quantity)])
    assert Order.objects.count() == 0


def test_products_of_another_town_or_of_a_shop_not_approved_cannot_be_ordered(
    town: Any,
) -> None:
    elsewhere = ProductFactory()
    with pytest.raises(services.MarketError):
        _checkout(town, [(elsewhere.pk, 1)])
    waiting = ProductFactory(shop=ShopFactory(town=town, status=ShopStatus.APPLIED))
    with pytest.raises(services.OutOfStock):
        _checkout(town, [(waiting.pk, 1)])


def test_the_pickup_slot_must_be_inside_opening_hours_and_defaults_to_the_earliest_free(
    town: Any,
) -> None:
    shop = ShopFactory(town=town, always_open=False, orders_per_slot=1)
    services.opening_hours_set(
        shop=shop, periods=[(d, dt.time(10), dt.time(12)) for d in range(7)], actor=None
    )
    product = ProductFactory(shop=shop, stock=10)
    first = _checkout(town, [(product.pk, 1)])[0]
    second = _checkout(town, [(product.pk, 1)])[0]
    assert first.pickup_at is not None and second.pickup_at is not None
    assert second.pickup_at > first.pickup_at  # the first slot is full (one order per slot)
    local = first.pickup_at.astimezone(dt.timezone(dt.timedelta(0))).astimezone(
        __import__("zoneinfo").ZoneInfo("Europe/Berlin")
    )
    assert dt.time(10) <= local.time() < dt.time(12)
    at_night = (first.pickup_at + dt.timedelta(hours=12)).replace(minute=0)
    with pytest.raises(services.MarketError) as caught:
        _checkout(town, [(product.pk, 1)], pickup_slots={shop.pk: at_night})
    assert "pickup_slot" in caught.value.errors
    with pytest.raises(services.MarketError):
        _checkout(town, [(product.pk, 1)], pickup_slots={shop.pk: first.pickup_at})


def test_a_closed_day_offers_no_pickup_slot(town: Any) -> None:
    shop = ShopFactory(town=town, always_open=False)
    product = ProductFactory(shop=shop)
    # No opening hours at all: nothing to choose.
    with pytest.raises(services.MarketError) as caught:
        _checkout(town, [(product.pk, 1)])
    assert "pickup_slot" in caught.value.errors


def test_delivery_only_inside_the_area_and_from_the_minimum(town: Any) -> None:
    shop = ShopFactory(
        town=town, offers_delivery=True, delivery_fee=Decimal("2.50"), delivery_minimum=Decimal("5")
    )
    product = ProductFactory(shop=shop, price=Decimal("3.00"))
    delivery = {"fulfilment": "delivery", "address": "Elm road 3", "postcode": "04177"}
    with pytest.raises(services.MarketError) as caught:
        _checkout(town, [(product.pk, 1)], customer=_customer(**delivery))
    assert "fulfilment" in caught.value.errors
    with pytest.raises(services.MarketError) as caught:
        _checkout(town, [(product.pk, 2)], customer=_customer(**{**delivery, "postcode": "99999"}))
    assert "postcode" in caught.value.errors
    (order,) = _checkout(town, [(product.pk, 2)], customer=_customer(**delivery))
    assert order.total == Decimal("8.50") and order.pickup_at is None


def test_a_resident_cancels_only_while_new_and_the_stock_comes_back(
    town: Any, shop: Any, retailer: Any
) -> None:
    product = ProductFactory(shop=shop, stock=3)
    (order,) = _checkout(town, [(product.pk, 2)])
    services.order_cancel(order=order)
    product.refresh_from_db()
    assert product.stock == 3
    services.order_cancel(order=order)  # twice: nothing more is given back
    product.refresh_from_db()
    assert product.stock == 3
    (accepted,) = _checkout(town, [(product.pk, 1)])
    services.order_transition(order=accepted, status="accepted", actor=retailer)
    with pytest.raises(services.MarketError):
        services.order_cancel(order=accepted)


def test_the_shop_moves_an_order_along_and_the_resident_hears_each_step_in_spanish(
    town: Any, shop: Any, retailer: Any, sent: Any
) -> None:
    product = ProductFactory(shop=shop, stock=3)
    (order,) = _checkout(town, [(product.pk, 1)])
    mail.outbox.clear()
    for status in ("accepted", "ready", "collected"):
        with sent():
            services.order_transition(order=order, status=status, actor=retailer)
    order.refresh_from_db()
    assert order.status == "collected"
    assert [m.to for m in mail.outbox] == [["ana@example.org"]] * 3
    assert "Listo para recoger" in mail.outbox[1].subject
    product.refresh_from_db()
    assert product.stock == 2
    with pytest.raises(services.MarketError):
        services.order_transition(order=order, status="declined", actor=retailer, reason="x")


def test_declining_needs_a_reason_and_releases_the_stock(
    town: Any, shop: Any, retailer: Any, sent: Any
) -> None:
    product = ProductFactory(shop=shop, stock=3)
    (order,) = _checkout(town, [(product.pk, 3)])
    with pytest.raises(services.MarketError):
        services.order_transition(order=order, status="declined", actor=retailer)
    with sent():
        services.order_transition(
            order=order, status="declined", actor=retailer, reason="Sin harina"
        )
    product.refresh_from_db()
    assert product.stock == 3
    assert "Sin harina" in mail.outbox[-1].body


def test_a_photo_is_checked_by_content_resized_and_stripped(shop: Any, retailer: Any) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    picture = Image.new("RGB", (3000, 1500), "red")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    raw = io.BytesIO()
    picture.save(raw, format="JPEG", exif=exif)
    product = services.product_save(
        shop=shop,
        actor=retailer,
        photo=SimpleUploadedFile("x.png", raw.getvalue(), content_type="image/png"),
        sku="P1",
        name_en="Red",
        price=Decimal("1"),
    )
    with Image.open(product.photo.path) as stored:
        assert max(stored.size) == 1200
        assert not stored.getexif()
    with pytest.raises(services.MarketError) as caught:
        services.product_save(
            shop=shop,
            actor=retailer,
            photo=SimpleUploadedFile("evil.jpg", b"<?php echo 1; ?>", content_type="image/jpeg"),
            sku="P2",
            name_en="Bad",
            price=Decimal("1"),
        )
    assert "photo" in caught.value.errors
    assert not Product.objects.filter(sku="P2").exists()


@pytest.mark.parametrize("price", [Decimal("-1"), Decimal("100000"), Decimal("1.005")])
def test_absurd_prices_are_refused(shop: Any, retailer: Any, price: Decimal) -> None:
    with pytest.raises(services.MarketError) as caught:
        services.product_save(shop=shop, actor=retailer, sku="X", name_en="X", price=price)
    assert "price" in caught.value.errors
    assert not Product.objects.filter(sku="X").exists()


def test_personal_data_export_and_erasure_cover_orders_placed_with_the_accounts_email(
    town: Any, shop: Any
) -> None:
    from cityexchange.core.services import user_erase, user_personal_data

    product = ProductFactory(shop=shop, stock=5)
    user = UserFactory(email="ana@example.org")
    (open_order,) = _checkout(town, [(product.pk, 2)])
    (done,) = _checkout(town, [(product.pk, 1)], user=user)
    services.order_transition(order=done, status="accepted", actor=None)
    exported = user_personal_data(user=user)
    mine = exported["marketplace"]
    assert sorted(o["number"] for o in mine) == sorted([open_order.number, done.number])
    user_erase(user=user)
    open_order.refresh_from_db()
    done.refresh_from_db()
    assert open_order.status == "cancelled" and open_order.email == "" and open_order.name == ""
    assert done.email == "" and done.status == "accepted"
    product.refresh_from_db()
    assert product.stock == 4


def test_finished_orders_lose_personal_details_after_the_retention_period_once(
    town: Any, shop: Any, retailer: Any, settings: Any
) -> None:
    from cityexchange.marketplace.tasks import anonymise_orders

    settings.CITYEXCHANGE_RETENTION_DAYS = 30
    product = ProductFactory(shop=shop, stock=5)
    done, still_open = (_checkout(town, [(product.pk, 1)])[0] for _ in range(2))
    services.order_transition(order=done, status="declined", actor=retailer, reason="closed")
    old = timezone.now() - dt.timedelta(days=31)
    Order.objects.filter(pk__in=[done.pk, still_open.pk]).update(updated_at=old)
    assert anonymise_orders() == 1
    assert anonymise_orders() == 0
    done.refresh_from_db()
    still_open.refresh_from_db()
    assert done.email == "" and done.name == "" and done.total == Decimal("4.50")
    assert still_open.email == "ana@example.org"


def test_the_shop_is_warned_once_when_an_order_takes_stock_to_the_threshold(
    town: Any, shop: Any, sent: Any
) -> None:
    product = ProductFactory(shop=shop, stock=5, low_stock=2, name_en="Rye")
    with sent():
        _checkout(town, [(product.pk, 2)])
    assert not [
        m for m in mail.outbox if "stock" in m.subject.lower() or "existencias" in m.subject.lower()
    ]
    with sent():
        _checkout(town, [(product.pk, 2)])
    warnings = [m for m in mail.outbox if m.to == [shop.contact_email] and "Rye: 1" in m.body]
    assert len(warnings) == 1
    with sent():
        _checkout(town, [(product.pk, 1)])
    assert len([m for m in mail.outbox if "Rye: " in m.body]) == 1
