"""Seeding the marketplace: nothing ships for real towns (each town configures its own);
``--demo`` adds two invented towns in different currencies, with shops and products."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from cityexchange.core import caching
from cityexchange.core.models import Organisation, OrganisationKind
from cityexchange.marketplace import search, selectors, services
from cityexchange.marketplace.models import Category, Product, Shop, ShopStatus, Town

DATA_FILE = Path(__file__).parent / "data" / "demo.yaml"
LANGS = ("de", "en", "es", "pt")


def _translated(prefix: str, values: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}_{code}": values[code] for code in LANGS if values.get(code)}


def load_demo(path: Path = DATA_FILE) -> int:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    created = 0
    for raw in data["towns"]:
        if Town.objects.filter(slug=raw["slug"]).exists():
            continue
        with transaction.atomic():
            organisation, _ = Organisation.objects.get_or_create(
                slug=raw["organisation"],
                defaults={
                    "name": raw["name"]["en"],
                    "name_en": raw["name"]["en"],
                    "kind": OrganisationKind.MUNICIPALITY,
                    "country": raw["country"],
                    "is_demo": True,
                },
            )
            town = services.town_create(
                organisation=organisation,
                slug=raw["slug"],
                name=raw["name"]["en"],
                currency=raw["currency"],
                timezone_name=raw["timezone"],
                colour=raw["colour"],
                delivery_postcodes=raw["postcodes"],
                is_demo=True,
                **_translated("name", raw["name"]),
            )
            categories = {}
            for position, c in enumerate(raw["categories"]):
                categories[c["slug"]] = Category.objects.create(
                    town=town,
                    slug=c["slug"],
                    name=c["en"],
                    position=position,
                    **_translated("name", c),
                )
            for s in raw["shops"]:
                shop = Shop.objects.create(
                    town=town,
                    slug=services._unique_slug(town, s["name"]),
                    name=s["name"],
                    address=s["address"],
                    contact_email=s["email"],
                    status=ShopStatus.APPROVED,
                    description_en="An invented shop for trying out the marketplace.",
                    pays_card=True,
                    is_demo=True,
                )
                shop.categories.set([categories[c] for c in s["categories"]])
                services.opening_hours_set(
                    shop=shop,
                    periods=[(d, dt.time(9), dt.time(18)) for d in range(6)],
                    actor=None,
                )
                for p in s["products"]:
                    Product.objects.create(
                        shop=shop,
                        sku=p["sku"],
                        name=p["en"],
                        price=Decimal(p["price"]),
                        tax_rate=Decimal(p["tax"]),
                        stock=p["stock"],
                        category=categories[p["category"]],
                        is_demo=True,
                        **_translated("name", p),
                    )
            search.index_products(Product.objects.filter(shop__town=town))
            caching.bump(selectors.LISTINGS)
            created += 1
    return created


def seed(*, demo: bool) -> list[str]:
    if not demo:
        return ["marketplace: nothing to load (each town configures its own)"]
    return [f"demo marketplaces: {load_demo()} created"]
