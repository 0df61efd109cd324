"""market-export and market-import move a town's marketplace losslessly."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from PIL import Image

from cityexchange.marketplace import services
from cityexchange.marketplace.models import Product, Shop, ShopPhoto, ShopStatus, Town
from cityexchange.marketplace.tests.factories import CategoryFactory, ProductFactory, ShopFactory
from cityexchange.marketplace.transfer import town_data

pytestmark = pytest.mark.django_db


def _digest(field: Any) -> str:
    with field.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _comparable(town: Town) -> dict[str, Any]:
    """The exported view with pictures named by their content (storage may rename files)."""
    data = town_data(town)
    data["town"]["logo"] = _digest(town.logo) if town.logo else ""
    for shop in data["shops"]:
        photos = ShopPhoto.objects.filter(shop__town=town, shop__slug=shop["slug"])
        stored = {p.alt: p for p in photos}
        for photo in shop["photos"]:
            photo["image"] = _digest(stored[photo["alt"]].image)
            photo["thumbnail"] = _digest(stored[photo["alt"]].thumbnail)
        for product in shop["products"]:
            product.pop("_id")
            parent = product.pop("_variant_of_id")
            product["variant_of"] = Product.objects.get(pk=parent).sku if parent else None
            if product["photo"]:
                with Product.objects.get(shop__slug=shop["slug"], sku=product["sku"]).photo.open(
                    "rb"
                ) as f:
                    product["photo"] = hashlib.sha256(f.read()).hexdigest()
    return data


def _image(colour: str, kind: str = "JPEG") -> bytes:
    raw = io.BytesIO()
    Image.new("RGB", (30, 20), colour).save(raw, format=kind)
    return raw.getvalue()


def test_a_town_round_trips_through_export_and_import(
    town: Any, tmp_path: Path, settings: Any
) -> None:
    town.terms_es = "Condiciones"
    town.logo.save("crest.png", ContentFile(_image("blue", "PNG")))
    town.save()
    category = CategoryFactory(town=town, slug="bread", name_de="Brot")
    shop = ShopFactory(town=town, slug="bakery", description_pt="Padaria")
    shop.categories.set([category])
    shop.exceptions.create(date=dt.date(2031, 12, 25), note="Christmas")
    ShopFactory(town=town, slug="waiting", status=ShopStatus.APPLIED, always_open=False)
    main = ProductFactory(shop=shop, sku="T", name_es="Camisa", category=category, stock=None)
    ProductFactory(shop=shop, sku="T-M", variant_of=main, variant="M", stock=2)
    raw = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(raw, format="JPEG")
    main.photo.save("t.jpg", ContentFile(raw.getvalue()))
    # Added in this order, then the second moved in front: the order is the positions'.
    for colour, alt in (("red", "Das Schaufenster"), ("yellow", "Die Theke mit Brot")):
        services.shop_photo_add(
            shop=shop, actor=None, upload=ContentFile(_image(colour), name="x.jpg"), alt=alt
        )
    ShopPhoto.objects.filter(alt="Die Theke mit Brot").update(position=0)
    ShopPhoto.objects.filter(alt="Das Schaufenster").update(position=1)
    before = _comparable(town)
    assert [p["alt"] for p in before["shops"][0]["photos"]] == [
        "Die Theke mit Brot",
        "Das Schaufenster",
    ]
    with town.logo.open("rb") as logo:
        logo_bytes = logo.read()
    target = tmp_path / "lindenau.zip"
    call_command("market-export", town.slug, str(target))

    # Another installation: an empty database and an empty media folder.
    Product.objects.filter(shop__town=town, variant_of__isnull=False).delete()
    Product.objects.filter(shop__town=town).delete()
    ShopPhoto.objects.all().delete()
    Shop.objects.filter(town=town).delete()
    town.delete()
    settings.MEDIA_ROOT = tmp_path / "other-media"
    call_command("market-import", str(target))

    moved = Town.objects.get(slug="lindenau")
    assert _comparable(moved) == before
    with moved.logo.open("rb") as logo:
        assert logo.read() == logo_bytes
    photos = list(ShopPhoto.objects.filter(shop__slug="bakery").order_by("position", "pk"))
    assert [p.alt for p in photos] == ["Die Theke mit Brot", "Das Schaufenster"]
    assert (photos[0].width, photos[0].height) == (30, 20)
    assert str(settings.MEDIA_ROOT) in moved.logo.path


def _rewrite(source: Path, target: Path, change: Any) -> None:
    """A copy of the export ``source`` with ``change(members)`` applied to its members."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    change(members)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _drop_first_shop_photo(members: dict[str, bytes]) -> None:
    data = json.loads(members["marketplace.json"])
    del members[data["shops"][0]["photos"][0]["image"]]


def _gif_logo(members: dict[str, bytes]) -> None:
    data = json.loads(members["marketplace.json"])
    members[data["town"]["logo"]] = _image("blue", "GIF")


def _text_as_product_photo(members: dict[str, bytes]) -> None:
    data = json.loads(members["marketplace.json"])
    photo = next(p["photo"] for p in data["shops"][0]["products"] if p["photo"])
    members[photo] = b"<script>alert(1)</script>"


def _photo_without_alt(members: dict[str, bytes]) -> None:
    data = json.loads(members["marketplace.json"])
    del data["shops"][0]["photos"][0]["alt"]
    members["marketplace.json"] = json.dumps(data).encode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_drop_first_shop_photo, "is missing from the file"),
        (_gif_logo, "is a GIF picture; only JPEG and PNG are taken"),
        (_text_as_product_photo, "is not a picture (JPEG or PNG)"),
        (_photo_without_alt, "marketplace.json lacks or garbles 'alt'"),
    ],
)
def test_an_archive_with_a_missing_or_wrong_picture_imports_nothing(
    town: Any, tmp_path: Path, settings: Any, change: Any, message: str
) -> None:
    town.logo.save("crest.png", ContentFile(_image("blue", "PNG")))
    shop = ShopFactory(town=town, slug="bakery")
    ProductFactory(shop=shop, sku="A", photo=ContentFile(_image("green"), name="a.jpg"))
    ProductFactory(shop=shop, sku="B")
    services.shop_photo_add(
        shop=shop, actor=None, upload=ContentFile(_image("red"), name="x.jpg"), alt="Fassade"
    )
    export = tmp_path / "good.zip"
    call_command("market-export", town.slug, str(export))
    Product.objects.all().delete()
    ShopPhoto.objects.all().delete()
    Shop.objects.all().delete()
    town.delete()
    settings.MEDIA_ROOT = tmp_path / "other-media"

    broken = tmp_path / "broken.zip"
    _rewrite(export, broken, change)
    with pytest.raises(CommandError, match="nothing imported") as refused:
        call_command("market-import", str(broken))
    assert message in str(refused.value)
    assert not Town.objects.exists() and not Shop.objects.exists()
    assert not Product.objects.exists() and not ShopPhoto.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [f for f in media.rglob("*") if f.is_file()]


def test_importing_a_town_that_exists_or_a_wrong_file_changes_nothing(
    town: Any, tmp_path: Path
) -> None:
    ShopFactory(town=town)
    target = tmp_path / "t.zip"
    call_command("market-export", town.slug, str(target))
    with pytest.raises(CommandError):
        call_command("market-import", str(target))
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(CommandError):
        call_command("market-import", str(junk))
    assert Town.objects.count() == 1 and Shop.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("market-export", "nowhere", str(target))


def _as_version_1(members: dict[str, bytes]) -> None:
    """What market-export wrote before shop photos moved: no shop photos, and the logo
    and product photos named without their folder."""
    data = json.loads(members["marketplace.json"])
    data["format"] = "cityexchange-marketplace/1"
    data["town"]["logo"] = data["town"]["logo"].removeprefix("logo/")
    for shop in data["shops"]:
        for photo in shop.pop("photos"):
            del members[photo["image"]], members[photo["thumbnail"]]
        for product in shop["products"]:
            product["photo"] = product["photo"].removeprefix("photos/")
    members["marketplace.json"] = json.dumps(data).encode()


def test_a_file_written_before_shop_photos_moved_still_imports(
    town: Any, tmp_path: Path, settings: Any
) -> None:
    town.logo.save("crest.png", ContentFile(_image("blue", "PNG")))
    shop = ShopFactory(town=town, slug="bakery")
    ProductFactory(shop=shop, sku="A", photo=ContentFile(_image("green"), name="a.jpg"))
    services.shop_photo_add(
        shop=shop, actor=None, upload=ContentFile(_image("red"), name="x.jpg"), alt="Fassade"
    )
    export = tmp_path / "new.zip"
    call_command("market-export", town.slug, str(export))
    Product.objects.all().delete()
    ShopPhoto.objects.all().delete()
    Shop.objects.all().delete()
    town.delete()
    old = tmp_path / "old.zip"
    _rewrite(export, old, _as_version_1)
    settings.MEDIA_ROOT = tmp_path / "other-media"
    call_command("market-import", str(old))
    moved = Town.objects.get(slug="lindenau")
    assert moved.logo and Product.objects.get(sku="A").photo
    with Product.objects.get(sku="A").photo.open("rb") as photo:
        assert photo.read() == _image("green")
    assert not ShopPhoto.objects.exists()
