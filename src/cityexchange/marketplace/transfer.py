"""Moving one town's marketplace to another installation: one ZIP file with
``marketplace.json`` (town, categories, shops with hours, exceptions and photos, products
with variants, in every language) and every picture as a file of its own, byte for byte
(the format is described in docs/marketplace.md).

Orders and accounts stay behind: orders hold residents' personal data, and accounts
(shop and town staff) belong to the installation. Records are referred to by their
short addresses and article numbers, never by database ids, so the file imports
into any installation.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from PIL import Image, UnidentifiedImageError

from cityexchange.core import caching
from cityexchange.core.i18n import LANGUAGES
from cityexchange.core.models import Organisation, OrganisationKind
from cityexchange.core.services import audit_record
from cityexchange.marketplace import search, selectors
from cityexchange.marketplace.models import (
    Category,
    OpeningException,
    OpeningHours,
    Product,
    Shop,
    ShopPhoto,
    Town,
)

FORMAT = "cityexchange-marketplace/2"
# Version 1 had no shop photos and named the logo and product photos without their folder.
OLD_FORMAT = "cityexchange-marketplace/1"
MAX_MEMBER_BYTES = 20 * 1024 * 1024
# What the app stores (``images`` re-encodes every upload to one of these): the file's
# content decides, and the stored name gets the matching ending, because the pages send
# a picture with the type its name says.
PICTURE_TYPES = {"JPEG": ".jpg", "PNG": ".png"}


class TransferError(Exception):
    pass


def _langs(obj: Any, field: str) -> dict[str, str]:
    return {code: getattr(obj, f"{field}_{code}") or "" for code in LANGUAGES}


def _time(value: dt.time | None) -> str | None:
    return value.isoformat() if value else None


def _member(folder: str, field: FieldFile) -> str:
    """The archive member a stored picture is written to ("" without a picture)."""
    return f"{folder}/{Path(field.name or '').name}" if field else ""


def town_data(town: Town) -> dict[str, Any]:
    """Everything of ``town`` that moves, as plain JSON values (pictures by archive member)."""
    shops = (
        Shop.objects.filter(town=town)
        .prefetch_related(
            "categories", "opening_hours", "exceptions", "products__category", "photos"
        )
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
            "logo": _member("logo", town.logo),
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
        # In the order the shop's page shows them.
        "photos": [
            {
                "image": _member(f"shops/{shop.slug}", photo.image),
                "thumbnail": _member(f"shops/{shop.slug}", photo.thumbnail),
                "alt": photo.alt,
                "position": photo.position,
            }
            for photo in sorted(shop.photos.all(), key=lambda p: (p.position, p.pk))
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
                "photo": _member(f"photos/{shop.slug}", p.photo),
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


def _pictures(town: Town) -> Iterator[tuple[str, FieldFile]]:
    """Every stored picture of ``town`` with the archive member it goes to."""
    if town.logo:
        yield _member("logo", town.logo), town.logo
    shops = Shop.objects.filter(town=town).prefetch_related("products", "photos")
    for shop in shops:
        for photo in shop.photos.all():
            yield _member(f"shops/{shop.slug}", photo.image), photo.image
            yield _member(f"shops/{shop.slug}", photo.thumbnail), photo.thumbnail
        for product in shop.products.all():
            if product.photo:
                yield _member(f"photos/{shop.slug}", product.photo), product.photo


def export_town(town: Town, target: Path) -> dict[str, int]:
    data = _resolve_variants(town_data(town))
    photos = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("marketplace.json", json.dumps(data, ensure_ascii=False, indent=1))
        for member, field in _pictures(town):
            with field.open("rb") as handle:
                archive.writestr(member, handle.read())
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


def _picture(archive: zipfile.ZipFile, name: Any) -> tuple[bytes, str]:
    """The bytes of the picture ``name`` and the ending its content calls for; or
    TransferError naming the member when it is missing, too large or no JPEG/PNG."""
    if not isinstance(name, str) or not name:
        raise TransferError(f"a picture is named {name!r}, which is no file name")
    data = _read(archive, name)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise TransferError(f"{name} is not a picture (JPEG or PNG)") from exc
    if kind not in PICTURE_TYPES:
        raise TransferError(f"{name} is a {kind} picture; only JPEG and PNG are taken")
    return data, PICTURE_TYPES[kind]


def _picture_members(data: dict[str, Any]) -> list[Any]:
    """Every picture ``marketplace.json`` refers to."""
    members = [data["town"]["logo"]] if data["town"].get("logo") else []
    for shop in data["shops"]:
        for photo in shop.get("photos", []):
            members += [photo["image"], photo["thumbnail"]]
        members += [p["photo"] for p in shop["products"] if p.get("photo")]
    return members


def _upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """A version-1 file as version 2: pictures named by their archive member."""
    if data["town"].get("logo"):
        data["town"]["logo"] = f"logo/{data['town']['logo']}"
    for shop in data["shops"]:
        for product in shop["products"]:
            if product.get("photo"):
                product["photo"] = f"photos/{product['photo']}"
    data["format"] = FORMAT
    return data


class _Stored:
    """The pictures an import has written, removed again if it fails (the database
    rolls back by itself; storage does not)."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names: list[str] = []

    def save(self, field: FieldFile, member: str, *, save: bool = True) -> None:
        content, ending = _picture(self.archive, member)
        name = Path(member).stem + ending
        # Named: an unnamed file counts as empty, and the picture's size would stay unread.
        field.save(name, ContentFile(content, name=name), save=save)
        self.names.append(field.name or "")

    def remove(self) -> None:
        for name in self.names:
            if name:
                default_storage.delete(name)


def _set_langs(obj: Any, field: str, values: dict[str, str]) -> None:
    for code in LANGUAGES:
        setattr(obj, f"{field}_{code}", values.get(code, "") or "")


def _t(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def import_town(source: Path, *, actor: Any = None) -> Town:
    """Create the town of ``source`` (all or nothing); refuses a town that exists already.

    Every picture is checked before anything is written, so a broken file leaves neither
    rows nor files behind."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise TransferError(f"{source} is not a marketplace export (ZIP)") from exc
    with archive:
        try:
            data = json.loads(_read(archive, "marketplace.json"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise TransferError("marketplace.json is not JSON") from exc
        if not isinstance(data, dict) or data.get("format") not in (FORMAT, OLD_FORMAT):
            found = data.get("format") if isinstance(data, dict) else None
            raise TransferError(f"unknown format {found!r}; expected {FORMAT}")
        try:
            if data["format"] == OLD_FORMAT:
                data = _upgrade(data)
            for member in _picture_members(data):
                _picture(archive, member)
            return _create(archive, data, actor=actor)
        except (KeyError, TypeError, AttributeError) as exc:
            raise TransferError(f"marketplace.json lacks or garbles {exc}") from exc
        except (ValidationError, IntegrityError) as exc:
            raise TransferError(
                f"marketplace.json holds a value this installation refuses: {exc}"
            ) from exc


def _create(archive: zipfile.ZipFile, data: dict[str, Any], *, actor: Any) -> Town:
    info = data["town"]
    if Town.objects.filter(slug=info["slug"]).exists():
        raise TransferError(f"a marketplace with the short address {info['slug']!r} exists already")
    stored = _Stored(archive)
    try:
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
                stored.save(town.logo, info["logo"])
            categories = {}
            for raw in data["categories"]:
                category = Category(town=town, slug=raw["slug"], position=raw["position"])
                _set_langs(category, "name", raw["name"])
                category.save()
                categories[raw["slug"]] = category
            for raw in data["shops"]:
                _import_shop(stored, town, raw, categories)
            search.index_products(Product.objects.filter(shop__town=town))
            caching.bump(selectors.LISTINGS)
            audit_record(
                actor=actor, action="town.import", obj=town, after={"shops": len(data["shops"])}
            )
    except BaseException:
        stored.remove()
        raise
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
    stored: _Stored, town: Town, raw: dict[str, Any], categories: dict[str, Category]
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
    for position, picture in enumerate(raw.get("photos", [])):
        photo = ShopPhoto(shop=shop, alt=picture["alt"], position=picture.get("position", position))
        stored.save(photo.image, picture["image"], save=False)
        stored.save(photo.thumbnail, picture["thumbnail"], save=False)
        photo.full_clean(exclude=["shop", "image", "thumbnail"])
        photo.save()
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
            stored.save(product.photo, p["photo"])
        products[p["sku"]] = (product, p["variant_of"])
    for product, parent in products.values():
        if parent:
            product.variant_of = products[parent][0]
            product.save(update_fields=["variant_of"])
