"""market-export and market-import move a town's marketplace losslessly."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from PIL import Image

from cityexchange.marketplace.models import Product, Shop, ShopStatus, Town
from cityexchange.marketplace.tests.factories import CategoryFactory, ProductFactory, ShopFactory
from cityexchange.marketplace.transfer import town_data

pytestmark = pytest.mark.django_db


def _comparable(town: Town) -> dict[str, Any]:
    """The exported view with photos named by their content (storage may rename files)."""
    data = town_data(town)
    for shop in data["shops"]:
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


def test_a_town_round_trips_through_export_and_import(town: Any, tmp_path: Path) -> None:
    town.terms_es = "Condiciones"
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
    before = _comparable(town)
    target = tmp_path / "lindenau.zip"
    call_command("market-export", town.slug, str(target))
    Product.objects.filter(shop__town=town, variant_of__isnull=False).delete()
    Product.objects.filter(shop__town=town).delete()
    Shop.objects.filter(town=town).delete()
    town.delete()
    call_command("market-import", str(target))
    assert _comparable(Town.objects.get(slug="lindenau")) == before


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
