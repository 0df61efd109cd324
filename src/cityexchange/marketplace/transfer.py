"""Moving one town's marketplace to another installation: a ZIP with ``marketplace.json``
(town, categories, shops with hours and exceptions, products with variants, in every
language) and the logo and product photos as files.

Orders and accounts stay behind: orders hold residents' personal data, and accounts
(shop and town staff) belong to the installation. Records are referred to by their
short addresses and article numbers, never by database ids, so the file imports
into any installation.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from cityexchange.core.i18n import LANGUAGES
from cityexchange.core.models import Organisation, OrganisationKind
from cityexchange.core.services import audit_record
from cityexchange.marketplace import search
from cityexchange.marketplace.models import (
    Category,
    OpeningException,
    OpeningHours,
    Product,
    Shop,
    Town,
)

FORMAT = "cityexchange-marketplace/1"
MAX_MEMBER_BYTES = 20 * 1024 * 1024


class TransferError(Exception):
    pass


def _langs(obj: Any, field: str) -> dict[str, str]:
    return {code: getattr(obj, f"{field}_{code}") or "" for code in LANGUAGES}


def _time(value: dt.time | None) -> str | None:
    return value.isoformat() if value else None


def town_data(town: Town) -> dict[str, Any]:
    """Everything of ``town`` that moves, as plain JSON values (photos by file name)."""
    shops = (
        Shop.objects.filter(town=town)
        .prefetch_related("categories", "opening_hours", "exceptions", "products__category")
        .order_by("slug")
    )
    return {
        "format": FORMAT,
        "town": {
            "slug": town.slug,
            "organisation": {
                "slug": town.organisation.slug,
                "name": town.organisation.name,
                "country": str(town.organisation.country or ""),
            },
            "name": _langs(town, "name"),
            "terms": _langs(town, "terms"),
            "imprint": _langs(town, "imprint"),
            "colour": town.colour,
            "currency": town.currency,
            "timezone": town.timezone,
            "delivery_postcodes": list(town.delivery_postcodes),
            "logo": Path(town.logo.name or "").name if town.logo else "",
            "is_demo": town.is_demo,
        },
        "categories": [
            {"slug": c.slug, "name": _langs(c, "name"), "position": c.position}
            for c in Category.objects.filter(town=town).order_by("position", "slug")
        ],
        "shops": [_shop_data(shop) for shop in shops],
    }


def _shop_data(shop: Shop) -> dict[str, Any]:
    return {
        "slug": shop.slug,
        "name": shop.name,
        "address": shop.address,
        "contact_email": shop.contact_email,
        "phone": shop.phone,
        "registration_number": shop.registration_number,
        "description": _langs(shop, "description"),
        "categories": sorted(c.slug for c in shop.categories.all()),
        "status": shop.status,
        "decline_reason": shop.decline_reason,
        "language": shop.language,
        "offers_pickup": shop.offers_pickup,
        "offers_delivery": shop.offers_delivery,
        "delivery_fee": str(shop.delivery_fee),
        "delivery_minimum": str(shop.delivery_minimum),
        "delivery_postcodes": list(shop.delivery_postcodes),
        "pays_cash": shop.pays_cash,
        "pays_card": shop.pays_card,
        "pays_transfer": shop.pays_transfer,
        "bank_details": shop.bank_details,
        "orders_per_slot": shop.orders_per_slot,
        "is_demo": shop.is_demo,
        "hours": [
            [h.weekday, _time(h.opens), _time(h.closes)]
            for h in sorted(shop.opening_hours.all(), key=lambda h: (h.weekday, h.opens))
        ],
        "exceptions": [
            {
                "date": e.date.isoformat(),
                "opens": _time(e.opens),
                "closes": _time(e.closes),
                "note": e.note,
            }
            for e in sorted(shop.exceptions.all(), key=lambda e: e.date)
        ],
        "products": [
            {
                "sku": p.sku,
                "name": _langs(p, "name"),
                "description": _langs(p, "description"),
                "price": str(p.price),
                "tax_rate": str(p.tax_rate),
                "category": p.category.slug if p.category else None,
                "stock": p.stock,
                "low_stock": p.low_stock,
                "variant_of": None,
                "variant": p.variant,
                "is_available": p.is_available,
                "is_demo": p.is_demo,
                "photo": f"{shop.slug}/{Path(p.photo.name or '').name}" if p.photo else "",
                "_variant_of_id": p.variant_of_id,
                "_id": p.pk,
            }
            for p in sorted(shop.products.all(), key=lambda p: p.sku)
        ],
    }


def _resolve_variants(data: dict[str, Any]) -> dict[str, Any]:
    for shop in data["shops"]:
        skus = {p["_id"]: p["sku"] for p in shop["products"]}
        for product in shop["products"]:
            product["variant_of"] = skus.get(product.pop("_variant_of_id"))
            product.pop("_id")
    return data


def export_town(town: Town, target: Path) -> dict[str, int]:
    data = _resolve_variants(town_data(town))
    photos = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("marketplace.json", json.dumps(data, ensure_ascii=False, indent=1))
        if town.logo:
            with town.logo.open("rb") as handle:
                archive.writestr(f"logo/{data['town']['logo']}", handle.read())
        for shop in Shop.objects.filter(town=town).prefetch_related("products"):
            for product in shop.products.all():
                if product.photo:
                    with product.photo.open("rb") as handle:
                        archive.writestr(
                            f"photos/{shop.slug}/{Path(product.photo.name or '').name}",
                            handle.read(),
                        )
                    photos += 1
    return {"shops": len(data["shops"]), "photos": photos}


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError as exc:
        raise TransferError(f"{name} is missing from the file") from exc
    if info.file_size > MAX_MEMBER_BYTES:
        raise TransferError(f"{name} is too large")
    return archive.read(info)


def _set_langs(obj: Any, field: str, values: dict[str, str]) -> None:
    for code in LANGUAGES:
        setattr(obj, f"{field}_{code}", values.get(code, "") or "")


def _t(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def import_town(source: Path, *, actor: Any = None) -> Town:
    """Create the town of ``source`` (all or nothing); refuses a town that exists already."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise TransferError(f"{source} is not a marketplace export (ZIP)") from exc
    with archive:
        data = json.loads(_read(archive, "marketplace.json"))
        if data.get("format") != FORMAT:
            raise TransferError(f"unknown format {data.get('format')!r}; expected {FORMAT}")
        info = data["town"]
        if Town.objects.filter(slug=info["slug"]).exists():
            raise TransferError(
                f"a marketplace with the short address {info['slug']!r} exists already"
            )
        with transaction.atomic():
            organisation, _created = Organisation.objects.get_or_create(
                slug=info["organisation"]["slug"],
                defaults={
                    "name": info["organisation"]["name"],
                    "kind": OrganisationKind.MUNICIPALITY,
                    "country": info["organisation"]["country"],
                },
            )
            if organisation.kind != OrganisationKind.MUNICIPALITY or hasattr(
                organisation, "marketplace"
            ):
                raise TransferError(f"{organisation.slug} cannot take this marketplace")
            town = Town(
                organisation=organisation,
                slug=info["slug"],
                colour=info["colour"],
                currency=info["currency"],
                timezone=info["timezone"],
                delivery_postcodes=info["delivery_postcodes"],
                is_demo=info.get("is_demo", False),
            )
            for field in ("name", "terms", "imprint"):
                _set_langs(town, field, info[field])
            town.full_clean(exclude=["logo", "organisation"])
            town.save()
            if info.get("logo"):
                town.logo.save(info["logo"], ContentFile(_read(archive, f"logo/{info['logo']}")))
            categories = {}
            for raw in data["categories"]:
                category = Category(town=town, slug=raw["slug"], position=raw["position"])
                _set_langs(category, "name", raw["name"])
                category.save()
                categories[raw["slug"]] = category
            for raw in data["shops"]:
                _import_shop(archive, town, raw, categories)
            search.index_products(Product.objects.filter(shop__town=town))
            audit_record(
                actor=actor, action="town.import", obj=town, after={"shops": len(data["shops"])}
            )
    return town


SHOP_FIELDS = (
    "slug",
    "name",
    "address",
    "contact_email",
    "phone",
    "registration_number",
    "status",
    "decline_reason",
    "language",
    "offers_pickup",
    "offers_delivery",
    "delivery_postcodes",
    "pays_cash",
    "pays_card",
    "pays_transfer",
    "bank_details",
    "orders_per_slot",
    "is_demo",
)


def _import_shop(
    archive: zipfile.ZipFile, town: Town, raw: dict[str, Any], categories: dict[str, Category]
) -> None:
    shop = Shop(town=town, **{k: raw[k] for k in SHOP_FIELDS})
    shop.delivery_fee = Decimal(raw["delivery_fee"])
    shop.delivery_minimum = Decimal(raw["delivery_minimum"])
    _set_langs(shop, "description", raw["description"])
    shop.full_clean(exclude=["town"])
    shop.save()
    shop.categories.set([categories[c] for c in raw["categories"]])
    OpeningHours.objects.bulk_create(
        OpeningHours(
            shop=shop, weekday=w, opens=dt.time.fromisoformat(o), closes=dt.time.fromisoformat(c)
        )
        for w, o, c in raw["hours"]
    )
    OpeningException.objects.bulk_create(
        OpeningException(
            shop=shop,
            date=dt.date.fromisoformat(e["date"]),
            opens=_t(e["opens"]),
            closes=_t(e["closes"]),
            note=e["note"],
        )
        for e in raw["exceptions"]
    )
    products = {}
    for p in raw["products"]:
        product = Product(
            shop=shop,
            sku=p["sku"],
            price=Decimal(p["price"]),
            tax_rate=Decimal(p["tax_rate"]),
            category=categories.get(p["category"] or ""),
            stock=p["stock"],
            low_stock=p["low_stock"],
            variant=p["variant"],
            is_available=p["is_available"],
            is_demo=p.get("is_demo", False),
        )
        _set_langs(product, "name", p["name"])
        _set_langs(product, "description", p["description"])
        product.full_clean(exclude=["shop", "photo", "variant_of"])
        product.save()
        if p["photo"]:
            name = p["photo"].split("/")[-1]
            product.photo.save(name, ContentFile(_read(archive, f"photos/{p['photo']}")))
        products[p["sku"]] = (product, p["variant_of"])
    for product, parent in products.values():
        if parent:
            product.variant_of = products[parent][0]
            product.save(update_fields=["variant_of"])
