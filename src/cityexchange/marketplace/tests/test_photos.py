"""Shop and product photos: checked by content, stripped, resized, with a thumbnail,
described for people who cannot see them, and sent only to who may see the shop."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from cityexchange.marketplace import services
from cityexchange.marketplace.models import ShopPhoto, ShopStatus
from cityexchange.marketplace.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def _jpeg(width: int = 2400, height: int = 1600) -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # camera make
    exif[0x8825] = {2: (52.0, 31.0, 12.0)}  # GPS latitude
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("front.jpg", out.getvalue(), content_type="image/jpeg")


def _settings(client: Client, shop: Any, lang: str = "es") -> str:
    return f"/{lang}/market/manage/{shop.pk}/settings/"


def test_a_retailer_adds_a_described_photo_that_loses_its_metadata_and_size(
    client: Client, town: Any, shop: Any, retailer: Any
) -> None:
    client.force_login(retailer)
    response = client.post(
        _settings(client, shop),
        {"photo_add": "1", "photo": _jpeg(), "alt": "El mostrador con pan recién hecho"},
    )
    assert response.status_code == 302
    photo = ShopPhoto.objects.get(shop=shop)
    assert photo.alt == "El mostrador con pan recién hecho"
    with Image.open(photo.image.open("rb")) as stored:
        assert stored.format == "JPEG" and max(stored.size) == 1200
        assert not stored.getexif()
    assert (photo.width, photo.height) == (1200, 800)
    assert (photo.thumb_width, photo.thumb_height) == (480, 320)

    # Anyone sees it on the shop's page, with its size given so nothing jumps.
    client.logout()
    page = client.get(f"/pt/market/{town.slug}/{shop.slug}/").content.decode()
    small = f"/pt/market/{town.slug}/{shop.slug}/photos/{photo.pk}/small"
    assert f'src="{small}"' in page
    assert 'alt="El mostrador con pan recién hecho" width="480" height="320"' in page
    sent = client.get(small)
    assert sent.status_code == 200 and sent["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(sent.streaming_content))) as thumb:
        assert thumb.size == (480, 320)
    assert client.get(small.replace("/small", "/huge")).status_code == 404


@pytest.mark.parametrize(
    ("upload", "alt", "message"),
    [
        (SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>"), "Fachada", "Suba una imagen JPEG"),
        (SimpleUploadedFile("x.gif", b"GIF89a" + b"\x00" * 40), "Fachada", "Suba una imagen"),
        (None, "   ", "Este campo es obligatorio"),
    ],
)
def test_a_bad_file_or_no_description_is_a_form_error_in_the_users_language(
    client: Client, shop: Any, retailer: Any, upload: Any, alt: str, message: str
) -> None:
    client.force_login(retailer)
    data: dict[str, Any] = {"photo_add": "1", "alt": alt, "photo": upload or _jpeg(20, 20)}
    response = client.post(_settings(client, shop), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ShopPhoto.objects.exists()


def test_a_photo_too_large_is_refused(client: Client, shop: Any, retailer: Any) -> None:
    client.force_login(retailer)
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 10))
    response = client.post(
        _settings(client, shop, "pt"), {"photo_add": "1", "photo": big, "alt": "x"}
    )
    assert response.status_code == 200
    assert "5 MB" in response.content.decode()
    assert not ShopPhoto.objects.exists()


def test_only_the_shops_staff_add_or_remove_photos(
    client: Client, shop: Any, retailer: Any, other_retailer: Any
) -> None:
    photo = services.shop_photo_add(shop=shop, actor=retailer, upload=_jpeg(40, 30), alt="Puerta")
    client.force_login(other_retailer)
    assert client.post(_settings(client, shop), {"photo_remove": photo.pk}).status_code == 404
    assert ShopPhoto.objects.filter(pk=photo.pk).exists()
    client.force_login(retailer)
    assert client.post(_settings(client, shop), {"photo_remove": photo.pk}).status_code == 302
    assert not ShopPhoto.objects.filter(pk=photo.pk).exists()


def test_a_photo_of_a_shop_not_yet_approved_is_not_sent_to_residents(
    client: Client, town: Any, retailer: Any
) -> None:
    waiting = ShopFactory(town=town, status=ShopStatus.APPLIED)
    waiting.staff.add(retailer)
    photo = services.shop_photo_add(
        shop=waiting, actor=retailer, upload=_jpeg(40, 30), alt="Fachada"
    )
    url = f"/es/market/{town.slug}/{waiting.slug}/photos/{photo.pk}/large"
    assert client.get(url).status_code == 404
    client.force_login(retailer)
    assert client.get(url).status_code == 200


def test_a_product_photo_is_sent_by_the_app_with_its_size_on_the_page(
    client: Client, town: Any, shop: Any, retailer: Any
) -> None:
    product = services.product_save(
        shop=shop,
        actor=retailer,
        photo=_jpeg(1600, 1600),
        sku="P-1",
        name_en="Loaf",
        price=Decimal("2"),
        is_available=True,
    )
    page = client.get(f"/en/market/{town.slug}/{shop.slug}/{product.pk}/").content.decode()
    url = f"/en/market/{town.slug}/{shop.slug}/{product.pk}/photo"
    assert f'src="{url}" alt="Loaf" width="1200" height="1200"' in page
    assert "/media/" not in page
    assert client.get(url).status_code == 200


def test_the_town_logo_on_its_pages_answers_without_metadata_and_only_while_the_town_is_on(
    client: Client,
) -> None:
    from cityexchange.core.tests.factories import OrganisationFactory, UserFactory
    from cityexchange.marketplace.models import Town

    admin = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/en/admin/marketplace/town/add/",
        {
            "organisation": OrganisationFactory().pk,
            "slug": "lindenau",
            "name_en": "Lindenau",
            "logo": _jpeg(),
            "colour": "#1d4e89",
            "currency": "EUR",
            "timezone": "Europe/Berlin",
            "delivery_postcodes": "[]",
            "is_active": "on",
            "categories-TOTAL_FORMS": "0",
            "categories-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()

    page = client.get("/es/market/lindenau/").content.decode()
    src = re.search(r'<img src="([^"]+)" alt="" width="48" height="48">', page)
    assert src is not None and src.group(1) == "/es/market/lindenau/logo"
    sent = client.get(src.group(1))
    assert sent.status_code == 200 and sent["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(sent.streaming_content))) as logo:
        assert logo.format == "JPEG" and max(logo.size) == 1200
        assert not logo.getexif()

    Town.objects.filter(slug="lindenau").update(is_active=False)
    assert client.get(src.group(1)).status_code == 404


def test_a_town_without_a_logo_shows_none_and_its_logo_address_is_404(
    client: Client, town: Any
) -> None:
    assert "<img" not in client.get(f"/en/market/{town.slug}/").content.decode()
    assert client.get(f"/en/market/{town.slug}/logo").status_code == 404
    assert client.get("/en/market/nowhere/logo").status_code == 404


def test_the_back_office_refuses_a_logo_that_is_no_picture_it_takes(client: Client) -> None:
    from cityexchange.core.tests.factories import OrganisationFactory, UserFactory
    from cityexchange.marketplace.models import Town

    client.force_login(UserFactory(email="root@example.org", is_staff=True, is_superuser=True))
    gif = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(gif, format="GIF")
    response = client.post(
        "/en/admin/marketplace/town/add/",
        {
            "organisation": OrganisationFactory().pk,
            "slug": "lindenau",
            "name_en": "Lindenau",
            "logo": SimpleUploadedFile("logo.gif", gif.getvalue(), content_type="image/gif"),
            "colour": "#1d4e89",
            "currency": "EUR",
            "timezone": "Europe/Berlin",
            "delivery_postcodes": "[]",
            "is_active": "on",
            "categories-TOTAL_FORMS": "0",
            "categories-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Upload a JPEG, PNG or WebP picture." in response.content.decode()
    assert not Town.objects.exists()
