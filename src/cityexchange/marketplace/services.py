"""Every write of the marketplace: typed, keyword-only, atomic, audited.

Stock is what becomes scarcer here. A checkout locks the rows of the products it
takes from (``select_for_update``, in id order so two checkouts never wait for each
other in a circle) and checks and reduces the stock inside the same transaction, so
two residents can never both buy the last unit. On SQLite every transaction is
IMMEDIATE, which serialises writers the same way. Stock taken by an order comes back
when the order is cancelled or declined, under the same locks.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from cityexchange.core import caching
from cityexchange.core.mail import render_message, send_after_commit
from cityexchange.core.models import Organisation, OrganisationKind, User
from cityexchange.core.services import audit_record, audited_update, snapshot
from cityexchange.marketplace import hours as opening
from cityexchange.marketplace import search, selectors
from cityexchange.marketplace.images import clean_photo, clean_picture
from cityexchange.marketplace.models import (
    MAX_QUANTITY,
    Category,
    Currency,
    Fulfilment,
    OpeningException,
    OpeningHours,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    Product,
    Shop,
    ShopPhoto,
    ShopStatus,
    Town,
)
from cityexchange.marketplace.money import MIN_CONTRAST, contrast_with_white, money

# At most this many different products in one checkout.
MAX_ITEMS = 50

# Which status may follow which, on the shop's side; a resident may only cancel a new order.
SHOP_TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.NEW: {OrderStatus.ACCEPTED, OrderStatus.DECLINED},
    OrderStatus.ACCEPTED: {OrderStatus.READY, OrderStatus.DECLINED},
    OrderStatus.READY: {OrderStatus.COLLECTED},
}
RELEASING = {OrderStatus.CANCELLED, OrderStatus.DECLINED}
OPEN_STATUSES = [OrderStatus.NEW, OrderStatus.ACCEPTED, OrderStatus.READY]


class MarketError(Exception):
    """A request the marketplace refuses; ``errors`` maps a field (or "") to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))
        self.errors = errors


class OutOfStock(Exception):
    """Some products ran out (or were switched off): nothing was ordered."""

    def __init__(self, products: list[Product]) -> None:
        super().__init__(", ".join(str(p) for p in products))
        self.products = products


# ---------------------------------------------------------------- towns


def colour_check(colour: str) -> None:
    if len(colour) != 7 or not colour.startswith("#"):
        raise MarketError({"colour": _("Give the colour as #rrggbb.")})
    try:
        ratio = contrast_with_white(colour)
    except ValueError as exc:
        raise MarketError({"colour": _("Give the colour as #rrggbb.")}) from exc
    if ratio < MIN_CONTRAST:
        raise MarketError(
            {
                "colour": _(
                    "White text on this colour has a contrast of %(ratio).1f:1; WCAG AA needs "
                    "4.5:1. Choose a darker colour."
                )
                % {"ratio": ratio}
            }
        )


def town_create(
    *,
    organisation: Organisation,
    slug: str,
    name: str,
    currency: str = Currency.EUR,
    timezone_name: str = "Europe/Berlin",
    colour: str = "#1d4e89",
    delivery_postcodes: list[str] | None = None,
    actor: Any = None,
    is_demo: bool = False,
    **translated: str,
) -> Town:
    """Switch on ``organisation``'s marketplace (a municipality only)."""
    if organisation.kind != OrganisationKind.MUNICIPALITY:
        raise MarketError({"organisation": _("Only a municipality can run a marketplace.")})
    if currency not in Currency.values:
        raise MarketError({"currency": _("Choose one of the offered currencies.")})
    colour_check(colour)
    if slug in RESERVED_TOWN_SLUGS or slug != slugify(slug):
        raise MarketError({"slug": _("Choose another short address.")})
    with transaction.atomic():
        town = Town.objects.create(
            organisation=organisation,
            slug=slug,
            name=name,
            currency=currency,
            timezone=str(opening.zone(timezone_name)),
            colour=colour,
            delivery_postcodes=[str(p).strip() for p in delivery_postcodes or [] if str(p).strip()],
            is_demo=is_demo,
            **translated,
        )
        audit_record(actor=actor, action="town.create", obj=town, after=snapshot(town))
    return town


def town_update(*, town: Town, actor: Any, **changes: Any) -> Town:
    if "colour" in changes:
        colour_check(changes["colour"])
    if "currency" in changes and changes["currency"] not in Currency.values:
        raise MarketError({"currency": _("Choose one of the offered currencies.")})
    with transaction.atomic():
        audited_update(town, actor=actor, action="town.update", **changes)
    return town


def town_staff_add(*, town: Town, user: User, actor: Any = None) -> None:
    with transaction.atomic():
        town.staff.add(user)
        audit_record(actor=actor, action="town.staff_add", obj=town, after={"user": user.pk})


def category_create(*, town: Town, name: str, slug: str = "", **translated: str) -> Category:
    slug = slug or slugify(name)[:60] or "category"
    category, _created = Category.objects.get_or_create(
        town=town, slug=slug, defaults={"name": name, **translated}
    )
    return category


# ---------------------------------------------------------------- shops


@dataclass
class ShopApplication:
    name: str
    address: str
    contact_email: str
    phone: str = ""
    registration_number: str = ""
    description: str = ""
    categories: list[Category] = field(default_factory=list)


# Words the town's pages use for themselves (see urls.py): never a shop's address.
RESERVED_SHOP_SLUGS = {"cart", "checkout", "ordered", "apply", "town-office"}
RESERVED_TOWN_SLUGS = {"my-shops", "order", "manage"}


def _unique_slug(town: Town, name: str) -> str:
    base = slugify(name)[:70] or "shop"
    slug, n = base, 2
    while slug in RESERVED_SHOP_SLUGS or Shop.objects.filter(town=town, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def shop_apply(
    *, town: Town, user: User, application: ShopApplication, language: str, is_demo: bool = False
) -> Shop:
    """A retailer applies; the town's staff decide. The applicant becomes the shop's staff."""
    with transaction.atomic():
        shop = Shop.objects.create(
            town=town,
            slug=_unique_slug(town, application.name),
            name=application.name,
            address=application.address,
            contact_email=application.contact_email,
            phone=application.phone,
            registration_number=application.registration_number,
            description=application.description,
            language=language,
            is_demo=is_demo,
        )
        shop.staff.add(user)
        shop.categories.set([c for c in application.categories if c.town_id == town.pk])
        audit_record(actor=user, action="shop.apply", obj=shop, after=snapshot(shop))
        for member in town.staff.all():
            send_after_commit(
                render_message(
                    to=member.email,
                    language=member.language,
                    template="marketplace/mail/application",
                    context={"shop": shop, "town": town},
                )
            )
    return shop


def _lock_shop(shop: Shop) -> Shop:
    return Shop.objects.select_for_update().get(pk=shop.pk)


def shop_approve(*, shop: Shop, actor: Any) -> Shop:
    with transaction.atomic():
        current = _lock_shop(shop)
        if current.status == ShopStatus.APPROVED:
            return current
        audited_update(
            current,
            actor=actor,
            action="shop.approve",
            status=ShopStatus.APPROVED,
            decline_reason="",
            decided_at=timezone.now(),
        )
        caching.bump(selectors.LISTINGS)  # its products join the town's listing
        _mail_shop(current, "marketplace/mail/approved")
    return current


def shop_decline(*, shop: Shop, actor: Any, reason: str) -> Shop:
    reason = reason.strip()
    if not reason:
        raise MarketError({"reason": _("Say why, so the retailer can act on it.")})
    with transaction.atomic():
        current = _lock_shop(shop)
        audited_update(
            current,
            actor=actor,
            action="shop.decline",
            status=ShopStatus.DECLINED,
            decline_reason=reason,
            decided_at=timezone.now(),
        )
        caching.bump(selectors.LISTINGS)  # its products leave the town's listing
        _mail_shop(current, "marketplace/mail/declined")
    return current


def _mail_shop(shop: Shop, template: str, **context: Any) -> None:
    send_after_commit(
        render_message(
            to=shop.contact_email,
            language=shop.language,
            template=template,
            context={"shop": shop, "town": shop.town, **context},
        )
    )


def shop_update(*, shop: Shop, actor: Any, **changes: Any) -> Shop:
    if changes.get("offers_delivery") is False and changes.get("offers_pickup") is False:
        raise MarketError({"offers_pickup": _("Offer pickup, delivery or both.")})
    if not any(
        changes.get(k, getattr(shop, k)) for k in ("pays_cash", "pays_card", "pays_transfer")
    ):
        raise MarketError({"pays_cash": _("Offer at least one way to pay.")})
    with transaction.atomic():
        audited_update(_lock_shop(shop), actor=actor, action="shop.update", **changes)
        if "name" in changes:
            search.index_products(Product.objects.filter(shop=shop))
            caching.bump(selectors.LISTINGS)
    shop.refresh_from_db()
    return shop


def shop_staff_add(*, shop: Shop, user: User, actor: Any) -> None:
    with transaction.atomic():
        shop.staff.add(user)
        audit_record(actor=actor, action="shop.staff_add", obj=shop, after={"user": user.pk})


def opening_hours_set(
    *, shop: Shop, periods: list[tuple[int, dt.time, dt.time]], actor: Any
) -> None:
    """Replace the weekly hours; each period must end after it starts."""
    for weekday, opens, closes in periods:
        if not 0 <= weekday <= 6 or closes <= opens:
            raise MarketError({"hours": _("Each period must close after it opens.")})
    with transaction.atomic():
        shop.opening_hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(shop=shop, weekday=w, opens=o, closes=c) for w, o, c in periods
        )
        audit_record(
            actor=actor,
            action="shop.hours_set",
            obj=shop,
            after={"hours": [[w, o.isoformat(), c.isoformat()] for w, o, c in periods]},
        )


def opening_exception_set(
    *,
    shop: Shop,
    date: dt.date,
    opens: dt.time | None = None,
    closes: dt.time | None = None,
    note: str = "",
    actor: Any,
) -> OpeningException:
    if (opens is None) != (closes is None) or (opens and closes and closes <= opens):
        raise MarketError({"hours": _("Each period must close after it opens.")})
    with transaction.atomic():
        exception, _created = OpeningException.objects.update_or_create(
            shop=shop, date=date, defaults={"opens": opens, "closes": closes, "note": note}
        )
        audit_record(
            actor=actor, action="shop.exception_set", obj=shop, after={"date": date.isoformat()}
        )
    return exception


# ---------------------------------------------------------------- shop photos

MAX_SHOP_PHOTOS = 12


def shop_photo_add(*, shop: Shop, actor: Any, upload: Any, alt: str) -> ShopPhoto:
    """Add a photo: checked by its content, re-encoded without metadata, with a thumbnail.

    ``alt`` says what it shows, for people who cannot see it (required)."""
    alt = " ".join(alt.split())
    if not alt:
        raise MarketError({"alt": _("Say what the photo shows.")})
    try:
        picture = clean_picture(upload, name=slugify(shop.slug) or "shop")
    except ValidationError as exc:
        raise MarketError({"photo": " ".join(exc.messages)}) from exc
    with transaction.atomic():
        current = _lock_shop(shop)
        count = current.photos.count()
        if count >= MAX_SHOP_PHOTOS:
            raise MarketError(
                {"photo": _("A shop has at most %(n)d photos.") % {"n": MAX_SHOP_PHOTOS}}
            )
        photo = ShopPhoto(shop=current, alt=alt[:200], position=count)
        photo.image.save(picture.full.name or "shop.jpg", picture.full, save=False)
        photo.thumbnail.save(picture.thumb.name or "shop-thumb.jpg", picture.thumb, save=False)
        photo.save()
        audit_record(actor=actor, action="shop.photo_add", obj=shop, after={"photo": photo.pk})
    return photo


def shop_photo_remove(*, photo: ShopPhoto, actor: Any) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor, action="shop.photo_remove", obj=photo.shop, after={"photo": photo.pk}
        )
        files = [photo.image.name, photo.thumbnail.name]
        storage = photo.image.storage
        photo.delete()

        def delete_files() -> None:
            for name in files:
                if name:
                    storage.delete(name)

        # The files go only once the row is gone for good.
        transaction.on_commit(delete_files)


# ---------------------------------------------------------------- products


def product_save(
    *, shop: Shop, actor: Any, product: Product | None = None, photo: Any = None, **values: Any
) -> Product:
    """Create or change a product; ``photo`` (an upload) is checked and re-encoded first."""
    category = values.get("category")
    if category is not None and category.town_id != shop.town_id:
        raise MarketError({"category": _("Choose a category of this town.")})
    variant_of = values.get("variant_of")
    if variant_of is not None and (variant_of.shop_id != shop.pk or variant_of.variant_of_id):
        raise MarketError({"variant_of": _("Choose a main product of this shop.")})
    picture: ContentFile[bytes] | None = None
    if photo is not None:
        try:
            picture = clean_photo(photo, name=slugify(values.get("sku") or "photo") or "photo")
        except ValidationError as exc:
            raise MarketError({"photo": " ".join(exc.messages)}) from exc
    candidate = product or Product(shop=shop)
    for key, value in values.items():
        setattr(candidate, key, value)
    try:
        candidate.full_clean(exclude=["shop", "photo"])
    except ValidationError as exc:
        raise MarketError({k: " ".join(v) for k, v in exc.message_dict.items()}) from exc
    with transaction.atomic():
        if product is None:
            candidate.save()
            audit_record(
                actor=actor, action="product.create", obj=candidate, after=snapshot(candidate)
            )
        else:
            audited_update(candidate, actor=actor, action="product.update", fields=list(values))
        if picture is not None:
            candidate.photo.save(picture.name or "photo.jpg", picture, save=True)
        search.index_products(Product.objects.filter(pk=candidate.pk))
        # Its name, category or availability may have changed where it is listed.
        caching.bump(selectors.LISTINGS)
    return candidate


def product_stock_set(*, product: Product, stock: int | None, actor: Any) -> Product:
    with transaction.atomic():
        current = Product.objects.select_for_update().get(pk=product.pk)
        audited_update(current, actor=actor, action="product.stock", stock=stock)
    return current


# ---------------------------------------------------------------- checkout


@dataclass
class Customer:
    name: str
    email: str
    phone: str = ""
    fulfilment: str = Fulfilment.PICKUP
    address: str = ""
    postcode: str = ""
    payment: str = ""


def _check_items(items: list[tuple[int, int]]) -> dict[int, int]:
    if not items:
        raise MarketError({"items": _("The cart is empty.")})
    wanted: Counter[int] = Counter()
    for product_id, quantity in items:
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise MarketError({"items": _("Each quantity must be a whole number from 1.")})
        wanted[int(product_id)] += quantity
    if any(q > MAX_QUANTITY for q in wanted.values()):
        raise MarketError({"items": _("At most %(max)d of one product.") % {"max": MAX_QUANTITY}})
    if len(wanted) > MAX_ITEMS:
        raise MarketError({"items": _("At most %(max)d products per order.") % {"max": MAX_ITEMS}})
    return dict(wanted)


def _check_customer(customer: Customer) -> None:
    from django.core.validators import validate_email

    errors: dict[str, str] = {}
    if not customer.name.strip():
        errors["name"] = _("Give your name.")
    try:
        validate_email(customer.email)
    except ValidationError:
        errors["email"] = _("Give a valid e-mail address.")
    if customer.fulfilment not in Fulfilment.values:
        errors["fulfilment"] = _("Choose pickup or delivery.")
    elif customer.fulfilment == Fulfilment.DELIVERY and not (
        customer.address.strip() and customer.postcode.strip()
    ):
        errors["address"] = _("Give the delivery address and postcode.")
    if errors:
        raise MarketError(errors)


def taken_slots(shop: Shop) -> Counter[dt.datetime]:
    now = timezone.now()
    taken: Counter[dt.datetime] = Counter()
    for when in Order.objects.filter(
        shop=shop, status__in=OPEN_STATUSES, pickup_at__gte=now
    ).values_list("pickup_at", flat=True):
        if when is not None:
            taken[when] += 1
    return taken


def free_slots(
    shop: Shop, *, now: dt.datetime | None = None, limit: int = 200
) -> list[dt.datetime]:
    """The pickup slots of ``shop`` that still have room, earliest first."""
    taken = taken_slots(shop)
    result = []
    for start in opening.slots(
        now=now or timezone.now(),
        tz=opening.zone(shop.town.timezone),
        hours=shop.opening_hours.all(),
        exceptions=shop.exceptions.all(),
    ):
        if taken[start] < shop.orders_per_slot:
            result.append(start)
            if len(result) >= limit:
                break
    return result


def _choose_slot(shop: Shop, wanted: dt.datetime | None) -> dt.datetime:
    free = free_slots(shop, limit=10_000)
    if wanted is None:
        if not free:
            raise MarketError(
                {
                    "pickup_slot": _("%(shop)s has no free pickup time in the next two weeks.")
                    % {"shop": shop.name}
                }
            )
        return free[0]
    if timezone.is_naive(wanted):
        wanted = timezone.make_aware(wanted, opening.zone(shop.town.timezone))
    wanted = wanted.astimezone(dt.UTC)
    if wanted not in free:
        raise MarketError(
            {
                "pickup_slot": _(
                    "%(shop)s cannot hand over an order at that time: choose a free time inside its opening hours."
                )
                % {"shop": shop.name}
            }
        )
    return wanted


def order_number(order: Order) -> str:
    return f"M{order.pk:07d}"


def checkout(
    *,
    town: Town,
    items: list[tuple[int, int]],
    customer: Customer,
    language: str,
    pickup_slots: dict[int, dt.datetime | None] | None = None,
    user: Any = None,
) -> list[Order]:
    """One order per shop for ``items`` (product id, quantity), or nothing at all.

    Raises ``OutOfStock`` naming every product that has too few units left (or was
    switched off), ``MarketError`` for input that cannot be ordered as given.
    """
    wanted = _check_items(items)
    _check_customer(customer)
    pickup_slots = pickup_slots or {}
    with transaction.atomic():
        # Shops first, then products, each in id order: one lock order for every checkout.
        shop_ids = sorted(
            set(
                Product.objects.filter(pk__in=wanted, shop__town=town).values_list(
                    "shop_id", flat=True
                )
            )
        )
        shops = {
            s.pk: s
            for s in Shop.objects.select_for_update()
            .filter(pk__in=shop_ids)
            .order_by("pk")
            .select_related("town")
        }
        products = list(
            Product.objects.select_for_update()
            .filter(pk__in=wanted, shop_id__in=shops)
            .order_by("pk")
        )
        if len(products) != len(wanted):
            raise MarketError({"items": _("Some products are not offered in this marketplace.")})
        short = [
            p
            for p in products
            if not p.is_available
            or shops[p.shop_id].status != ShopStatus.APPROVED
            or (p.stock is not None and p.stock < wanted[p.pk])
        ]
        if short:
            raise OutOfStock(short)
        by_shop: dict[int, list[Product]] = defaultdict(list)
        for product in products:
            by_shop[product.shop_id].append(product)
        orders = []
        for shop_id, shop_products in by_shop.items():
            shop = shops[shop_id]
            orders.append(
                _order_create(
                    shop=shop,
                    products=shop_products,
                    wanted=wanted,
                    customer=customer,
                    language=language,
                    slot=pickup_slots.get(shop_id),
                    user=user,
                )
            )
    return orders


def _order_create(
    *,
    shop: Shop,
    products: list[Product],
    wanted: dict[int, int],
    customer: Customer,
    language: str,
    slot: dt.datetime | None,
    user: Any,
) -> Order:
    subtotal = sum((p.price * wanted[p.pk] for p in products), Decimal("0"))
    payment = customer.payment or (shop.payment_methods or [Payment.CASH])[0]
    if payment not in shop.payment_methods:
        raise MarketError(
            {"payment": _("%(shop)s does not offer this way to pay.") % {"shop": shop.name}}
        )
    fee = Decimal("0")
    pickup_at = None
    if customer.fulfilment == Fulfilment.PICKUP:
        if not shop.offers_pickup:
            raise MarketError({"fulfilment": _("%(shop)s only delivers.") % {"shop": shop.name}})
        pickup_at = _choose_slot(shop, slot)
    else:
        area = shop.delivery_postcodes or shop.town.delivery_postcodes
        if not shop.offers_delivery:
            raise MarketError({"fulfilment": _("%(shop)s does not deliver.") % {"shop": shop.name}})
        if customer.postcode.strip() not in area:
            raise MarketError(
                {"postcode": _("%(shop)s does not deliver to this postcode.") % {"shop": shop.name}}
            )
        if subtotal < shop.delivery_minimum:
            raise MarketError(
                {
                    "fulfilment": _("%(shop)s delivers from an order of %(minimum)s.")
                    % {
                        "shop": shop.name,
                        "minimum": money(shop.delivery_minimum, shop.town.currency),
                    }
                }
            )
        fee = shop.delivery_fee
    order = Order.objects.create(
        shop=shop,
        number=secrets.token_hex(8),
        token=secrets.token_urlsafe(32),
        user=user if getattr(user, "is_authenticated", False) else None,
        name=customer.name.strip(),
        email=customer.email.strip(),
        phone=customer.phone.strip(),
        language=language,
        fulfilment=customer.fulfilment,
        pickup_at=pickup_at,
        delivery_address=customer.address.strip() if pickup_at is None else "",
        delivery_postcode=customer.postcode.strip() if pickup_at is None else "",
        delivery_fee=fee,
        payment=payment,
        total=subtotal + fee,
    )
    order.number = order_number(order)
    order.save(update_fields=["number"])
    lines = []
    running_low = []
    for product in products:
        quantity = wanted[product.pk]
        if product.stock is not None:
            before = product.stock
            product.stock -= quantity
            product.save(update_fields=["stock"])
            # Warned once, when this order takes the stock to the threshold or below.
            if before > product.low_stock >= product.stock:
                running_low.append(product)
        lines.append(
            OrderLine(
                order=order,
                product=product,
                name=str(product),
                unit_price=product.price,
                tax_rate=product.tax_rate,
                quantity=quantity,
                reserved=product.stock is not None,
            )
        )
    OrderLine.objects.bulk_create(lines)
    audit_record(actor=user, action="order.create", obj=order, after=snapshot(order))
    _mail_resident(order, "marketplace/mail/order_confirmation")
    _mail_shop(order.shop, "marketplace/mail/order_new", order=order, lines=lines)
    if running_low:
        _mail_shop(order.shop, "marketplace/mail/low_stock", products=running_low)
    return order


def status_url(order: Order) -> str:
    with override(order.language):
        return reverse("marketplace:order_status", kwargs={"token": order.token})


def _mail_resident(order: Order, template: str) -> None:
    if not order.email:
        return
    lines = list(order.lines.all()) if order.pk else []
    send_after_commit(
        render_message(
            to=order.email,
            language=order.language,
            template=template,
            context={
                "order": order,
                "shop": order.shop,
                "lines": lines,
                "status_url": status_url(order),
                "total": money(order.total, order.shop.town.currency, order.language),
                "pickup_local": order.pickup_at.astimezone(opening.zone(order.shop.town.timezone))
                if order.pickup_at
                else None,
            },
        )
    )


def _release(order: Order) -> None:
    lines = list(order.lines.filter(reserved=True, product__isnull=False))
    locked = {
        p.pk: p
        for p in Product.objects.select_for_update()
        .filter(pk__in=[line.product_id for line in lines])
        .order_by("pk")
    }
    for line in lines:
        product = locked.get(line.product_id or 0)
        if product is not None and product.stock is not None:
            product.stock += line.quantity
            product.save(update_fields=["stock"])


def order_cancel(*, order: Order, actor: Any = None) -> Order:
    """The resident cancels; only while the shop has not accepted the order yet."""
    with transaction.atomic():
        current = Order.objects.select_for_update().select_related("shop__town").get(pk=order.pk)
        if current.status == OrderStatus.CANCELLED:
            return current
        if current.status != OrderStatus.NEW:
            raise MarketError(
                {
                    "status": _(
                        "The shop has already accepted this order; call the shop to change it."
                    )
                }
            )
        audited_update(current, actor=actor, action="order.cancel", status=OrderStatus.CANCELLED)
        _release(current)
        _mail_shop(current.shop, "marketplace/mail/order_cancelled", order=current)
    return current


def order_transition(*, order: Order, status: str, actor: Any, reason: str = "") -> Order:
    """The shop moves an order on; the resident is told in their language."""
    with transaction.atomic():
        current = Order.objects.select_for_update().select_related("shop__town").get(pk=order.pk)
        if status not in SHOP_TRANSITIONS.get(current.status, set()):
            raise MarketError(
                {
                    "status": _("An order that is “%(now)s” cannot become “%(next)s”.")
                    % {
                        "now": OrderStatus(current.status).label,
                        "next": OrderStatus(status).label
                        if status in OrderStatus.values
                        else status,
                    }
                }
            )
        reason = reason.strip()
        if status == OrderStatus.DECLINED and not reason:
            raise MarketError({"reason": _("Say why, so the resident understands.")})
        audited_update(
            current,
            actor=actor,
            action=f"order.{status}",
            status=status,
            decline_reason=reason if status == OrderStatus.DECLINED else current.decline_reason,
        )
        if status in RELEASING:
            _release(current)
        _mail_resident(current, "marketplace/mail/order_changed")
    return current


# ---------------------------------------------------------------- personal data


def _orders_of(user: Any) -> Any:
    return Order.objects.filter(Q(user=user) | Q(email__iexact=user.email)).select_related(
        "shop__town"
    )


def personal_data_of(*, user: Any) -> list[dict[str, Any]]:
    """The account's orders (also those placed with its e-mail without signing in)."""
    return [
        {
            "number": o.number,
            "shop": o.shop.name,
            "town": o.shop.town.name,
            "created_at": o.created_at.isoformat(),
            "status": o.status,
            "name": o.name,
            "email": o.email,
            "phone": o.phone,
            "delivery_address": o.delivery_address,
            "delivery_postcode": o.delivery_postcode,
            "total": str(o.total),
            "currency": o.shop.town.currency,
            "lines": [
                {
                    "product": line.name,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                }
                for line in o.lines.all()
            ],
        }
        for o in _orders_of(user).prefetch_related("lines")
    ]


def personal_data_erase(*, user: Any) -> None:
    """Orders stay for the shops' books, without anything that names the person; their
    personal links stop working. Open orders are cancelled first (stock comes back)."""
    with transaction.atomic():
        for order in _orders_of(user).filter(status=OrderStatus.NEW):
            order_cancel(order=order, actor=None)
        for order in _orders_of(user):
            _anonymise(order, action="order.erase")
        # The account no longer acts for shops or towns.
        user.market_shops.clear()
        user.market_towns.clear()


def _anonymise(order: Order, *, action: str) -> None:
    order.name = ""
    order.email = ""
    order.phone = ""
    order.delivery_address = ""
    order.delivery_postcode = ""
    order.user = None
    order.token = secrets.token_urlsafe(32)
    order.save(
        update_fields=[
            "name",
            "email",
            "phone",
            "delivery_address",
            "delivery_postcode",
            "user",
            "token",
            "updated_at",
        ]
    )
    audit_record(actor=None, action=action, obj=order)


FINISHED = [OrderStatus.COLLECTED, OrderStatus.CANCELLED, OrderStatus.DECLINED]


def orders_anonymise_expired(*, now: dt.datetime | None = None) -> int:
    """Finished orders keep the resident's details only for the retention period
    (``CITYEXCHANGE_RETENTION_DAYS``); after that the shop keeps the anonymous order.
    Safe to run twice: an anonymised order has no e-mail left to match."""
    from django.conf import settings

    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.CITYEXCHANGE_RETENTION_DAYS)
    count = 0
    with transaction.atomic():
        for order in (
            Order.objects.select_for_update()
            .filter(status__in=FINISHED, updated_at__lt=cutoff)
            .exclude(email="")
        ):
            _anonymise(order, action="order.anonymise")
            count += 1
    return count
