"""Marketplace API, mounted at /api/v1/market: towns, shops, products, orders.

No ``from __future__ import annotations``: django-ninja reads the annotations at import.
Residents reach an order only through its personal token; shop staff change orders of
their own shops (API token or signed-in session); everyone else gets a 404.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from cityexchange.core.access import get_for_user
from cityexchange.core.api import token_or_session
from cityexchange.core.i18n import current_language
from cityexchange.core.pagination import Pages
from cityexchange.core.ratelimit import check_api
from cityexchange.core.schemas import ErrorOut

# The events app's address pattern: what Django's validate_email (the service's check)
# accepts, in ASCII classes JSON Schema and pydantic read alike.
from cityexchange.events.api import EMAIL_PATTERN
from cityexchange.marketplace import selectors, services
from cityexchange.marketplace.limits import CHECKOUT_LIMIT
from cityexchange.marketplace.models import (
    MAX_QUANTITY,
    Order,
    OrderStatus,
    Product,
    Shop,
    Town,
)

router = Router(tags=["marketplace"])


class TownOut(Schema):
    slug: str
    name: str
    currency: str
    timezone: str
    url: str

    @staticmethod
    def resolve_url(obj: Town) -> str:
        return reverse("marketplace:town", kwargs={"town": obj.slug})


class ShopOut(Schema):
    id: int
    slug: str
    name: str
    address: str
    description: str
    categories: list[str]
    open_now: bool
    pickup: bool
    delivery: bool
    payment: list[str]
    url: str

    @staticmethod
    def resolve_categories(obj: Shop) -> list[str]:
        return [c.slug for c in obj.categories.all()]

    @staticmethod
    def resolve_open_now(obj: Shop) -> bool:
        return selectors.shop_is_open(obj)

    @staticmethod
    def resolve_pickup(obj: Shop) -> bool:
        return obj.offers_pickup

    @staticmethod
    def resolve_delivery(obj: Shop) -> bool:
        return obj.offers_delivery

    @staticmethod
    def resolve_payment(obj: Shop) -> list[str]:
        return [str(m) for m in obj.payment_methods]

    @staticmethod
    def resolve_url(obj: Shop) -> str:
        return reverse("marketplace:shop", kwargs={"town": obj.town.slug, "shop": obj.slug})


class ProductOut(Schema):
    id: int
    shop: str
    name: str
    variant: str
    price: Decimal
    tax_rate: Decimal
    currency: str
    stock: int | None = Field(description="units left; null: made or ordered on request")
    category: str | None
    url: str

    @staticmethod
    def resolve_shop(obj: Product) -> str:
        return obj.shop.slug

    @staticmethod
    def resolve_currency(obj: Product) -> str:
        return obj.shop.town.currency

    @staticmethod
    def resolve_category(obj: Product) -> str | None:
        return obj.category.slug if obj.category else None

    @staticmethod
    def resolve_url(obj: Product) -> str:
        return reverse(
            "marketplace:product",
            kwargs={"town": obj.shop.town.slug, "shop": obj.shop.slug, "pk": obj.pk},
        )


class ProductFilter(Schema):
    q: str = Field("", max_length=100)
    category: str = Field("", max_length=60)
    shop: str = Field("", max_length=80)


class ItemIn(Schema):
    product: int = Field(ge=1, le=2**31 - 1)
    quantity: int = Field(ge=1, le=MAX_QUANTITY)


class OrderIn(Schema):
    items: list[ItemIn] = Field(min_length=1, max_length=services.MAX_ITEMS)
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN)
    phone: str = Field("", max_length=40)
    fulfilment: Literal["pickup", "delivery"] = "pickup"
    address: str = Field("", max_length=300)
    postcode: str = Field("", max_length=20)
    payment: Literal["", "cash", "card", "transfer"] = ""
    pickup_slot: dt.datetime | None = None


class LineOut(Schema):
    name: str
    quantity: int
    unit_price: Decimal


class OrderOut(Schema):
    number: str
    shop: str
    status: str
    decline_reason: str
    fulfilment: str
    pickup_at: dt.datetime | None
    payment: str
    total: Decimal
    currency: str
    lines: list[LineOut]
    status_url: str

    @staticmethod
    def resolve_shop(obj: Order) -> str:
        return obj.shop.slug

    @staticmethod
    def resolve_currency(obj: Order) -> str:
        return obj.shop.town.currency

    @staticmethod
    def resolve_lines(obj: Order) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_status_url(obj: Order) -> str:
        return reverse("marketplace:order_status", kwargs={"token": obj.token})


class OrdersOut(Schema):
    orders: list[OrderOut]


class RanOutOut(Schema):
    """Nothing was ordered: ``products`` names those with too few units left; when it is
    empty, ``detail`` says what the shops cannot do as asked."""

    detail: str
    products: list[dict[str, Any]]


class TransitionIn(Schema):
    status: Literal["accepted", "ready", "collected", "declined"]
    reason: str = Field("", max_length=1000)


def _town(slug: str) -> Town:
    return get_for_user(selectors.towns(), user=None, slug=slug)


class ListingPages(Pages):
    """Pages of a town's product listing (``selectors.listing``): the page's ids are a
    slice of the listing's, its ``count`` the listing's length, then one query reads
    those products whole. The listing of a town without a search is kept between
    requests, so neither the count nor a deep page reads the whole listing again.
    """

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        town, ids = queryset
        size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * size
        page = list(ids[offset : offset + size])
        return {
            self.items_attribute: selectors.listed_products(town, page) if page else [],
            "count": selectors.listing_count(ids),
        }


@router.get("/towns", response=list[TownOut], auth=None)
@paginate
def towns(request: HttpRequest) -> QuerySet[Town]:
    return selectors.towns()


@router.get("/towns/{slug}/shops", response=list[ShopOut], auth=None)
@paginate
def shops(request: HttpRequest, slug: str) -> QuerySet[Shop]:
    return selectors.approved_shops(_town(slug)).select_related("town")


@router.get("/towns/{slug}/products", response={200: list[ProductOut], 404: ErrorOut}, auth=None)
@paginate(ListingPages)
def products(
    request: HttpRequest, slug: str, filters: Query[ProductFilter]
) -> tuple[Town, selectors.ListingIds]:
    town = _town(slug)
    # Categories and shops are each town's own data, so the schema cannot list them:
    # an unknown one is a 404 that names what exists, not a schema error.
    if filters.category:
        allowed = list(town.categories.values_list("slug", flat=True))
        if filters.category not in allowed:
            raise HttpError(404, f"category: no such category here; known: {', '.join(allowed)}")
    if filters.shop and not Shop.objects.filter(town=town, slug=filters.shop).exists():
        raise HttpError(404, "shop: no shop with this short address in this town")
    return town, selectors.listing(town, q=filters.q, category=filters.category, shop=filters.shop)


@router.post(
    "/towns/{slug}/orders",
    response={201: OrdersOut, 409: RanOutOut, 429: ErrorOut},
    auth=None,
)
def order_create(request: HttpRequest, slug: str, payload: OrderIn) -> Status:
    town = _town(slug)
    check_api(request, CHECKOUT_LIMIT)
    customer = services.Customer(
        name=payload.name,
        email=payload.email,
        phone=payload.phone,
        fulfilment=payload.fulfilment,
        address=payload.address,
        postcode=payload.postcode,
        payment=payload.payment,
    )
    items = [(item.product, item.quantity) for item in payload.items]
    slots: dict[int, dt.datetime | None] = {}
    if payload.pickup_slot is not None:
        shop_ids = Product.objects.filter(pk__in=[i for i, _q in items]).values_list(
            "shop_id", flat=True
        )
        slots = dict.fromkeys(shop_ids, payload.pickup_slot)
    try:
        orders = services.checkout(
            town=town,
            items=items,
            customer=customer,
            language=current_language(),
            pickup_slots=slots,
            user=request.user,
        )
    except services.OutOfStock as exc:
        names = ", ".join(str(p) for p in exc.products)
        return Status(
            409,
            {
                "detail": f"Not enough left, nothing was ordered: {names}",
                "products": [{"id": p.pk, "name": str(p), "stock": p.stock} for p in exc.products],
            },
        )
    except services.MarketError as exc:
        # Well-formed, but not what the shops can do (a pickup time outside the opening
        # hours, a postcode outside the delivery area ...): a conflict, nothing ordered.
        return Status(409, {"detail": str(exc), "products": []})
    for order in orders:
        order.shop.town = town
    return Status(201, {"orders": orders})


def _order(token: str) -> Order:
    if len(token) > 64:
        raise HttpError(404, "Not found.")
    return get_for_user(
        Order.objects.select_related("shop__town").prefetch_related("lines"),
        user=None,
        token=token,
    )


@router.get("/orders/{token}", response=OrderOut, auth=None)
def order_status(request: HttpRequest, token: str) -> Order:
    return _order(token)


@router.post("/orders/{token}/cancel", response={200: OrderOut, 409: ErrorOut}, auth=None)
def order_cancel(request: HttpRequest, token: str) -> Status:
    order = _order(token)
    try:
        services.order_cancel(order=order)
    except services.MarketError as exc:
        return Status(409, {"detail": str(exc)})
    return Status(200, _order(token))


@router.get("/shops/{shop_id}/orders", response=list[OrderOut], auth=token_or_session)
@paginate
def shop_orders(
    request: HttpRequest,
    shop_id: int,
    status: Literal["", "new", "accepted", "ready", "collected", "cancelled", "declined"] = "",
) -> QuerySet[Order]:
    shop = get_for_user(Shop.objects.all(), user=request.user, perm="marketplace.sell", pk=shop_id)
    return selectors.shop_orders(shop, status=status).select_related("shop__town")


@router.post(
    "/shops/{shop_id}/orders/{number}",
    response={200: OrderOut, 409: ErrorOut},
    auth=token_or_session,
)
def shop_order_update(
    request: HttpRequest, shop_id: int, number: str, payload: TransitionIn
) -> Status:
    shop = get_for_user(Shop.objects.all(), user=request.user, perm="marketplace.sell", pk=shop_id)
    order = get_for_user(Order.objects.filter(shop=shop), user=None, number=number[:20])
    try:
        services.order_transition(
            order=order,
            status=OrderStatus(payload.status),
            actor=request.user,
            reason=payload.reason,
        )
    except services.MarketError as exc:
        # The order's state does not allow this step (or a decline without a reason).
        return Status(409, {"detail": str(exc)})
    return Status(200, _order(order.token))


# ---------------------------------------------------------------- the town's office
# For the town's economic development office (its town staff, by API token or session):
# the shops that wait for a decision, deciding them, and the town's figures. Anyone
# else, signed in or not, gets the same 404 as for a town that does not exist.

MAX_ID = 2**31 - 1


class MarketOfficeShopOut(Schema):
    """A shop as the town's office sees it: with its contact and its decision."""

    id: int
    slug: str
    name: str
    status: Literal["applied", "approved", "declined"]
    address: str
    contact_email: str
    phone: str
    registration_number: str
    categories: list[str]
    decline_reason: str
    applied_at: dt.datetime
    decided_at: dt.datetime | None
    products: int

    @staticmethod
    def resolve_categories(obj: Shop) -> list[str]:
        return [c.slug for c in obj.categories.all()]

    @staticmethod
    def resolve_applied_at(obj: Shop) -> dt.datetime:
        return obj.created_at

    @staticmethod
    def resolve_products(obj: Shop) -> int:
        return int(getattr(obj, "product_count", 0))


class MarketOfficeShopFilter(Schema):
    status: Literal["", "applied", "approved", "declined"] = Field(
        "", description="empty: every shop; ``applied``: those waiting for a decision"
    )


class MarketDecisionIn(Schema):
    decision: Literal["approve", "decline"]
    reason: str = Field("", max_length=2000, description="required to decline: mailed to the shop")


class MarketWeekOut(Schema):
    week: dt.date = Field(description="the Monday the week starts on")
    orders: int
    revenue: Decimal


class MarketCategoryCountOut(Schema):
    slug: str
    name: str
    products: int = Field(description="available products of approved shops")


class MarketTownReportOut(Schema):
    town: str
    currency: str
    active_shops: int
    waiting_shops: int
    declined_shops: int
    orders_by_status: dict[str, int]
    weeks: list[MarketWeekOut] = Field(description="the last 12 weeks with orders, newest first")
    categories: list[MarketCategoryCountOut]


def _office(request: HttpRequest, slug: str) -> Town:
    return get_for_user(
        selectors.towns(), user=request.user, perm="marketplace.manage_town", slug=slug[:60]
    )


@router.get(
    "/towns/{slug}/office/shops",
    response={200: list[MarketOfficeShopOut], 404: ErrorOut},
    auth=token_or_session,
)
@paginate
def office_shops(
    request: HttpRequest, slug: str, filters: Query[MarketOfficeShopFilter]
) -> QuerySet[Shop]:
    """The town's shops for its office, oldest application first; ``status=applied``
    lists those waiting for a decision. Town staff only (404 for anyone else)."""
    return selectors.office_shops(_office(request, slug), status=filters.status)


@router.post(
    "/towns/{slug}/office/shops/{shop_id}/decision",
    response={200: MarketOfficeShopOut, 400: ErrorOut, 404: ErrorOut},
    auth=token_or_session,
)
def office_decide(
    request: HttpRequest,
    slug: str,
    payload: MarketDecisionIn,
    shop_id: int = Path(..., ge=1, le=MAX_ID),
) -> Status:
    """Approve a shop or decline it with a reason; the shop is told by mail in its
    language. 400 names the field when a decline has no reason."""
    town = _office(request, slug)
    shop = get_for_user(Shop.objects.filter(town=town), user=None, pk=shop_id)
    try:
        if payload.decision == "approve":
            services.shop_approve(shop=shop, actor=request.user)
        else:
            services.shop_decline(shop=shop, actor=request.user, reason=payload.reason)
    except services.MarketError as exc:
        field, message = next(iter(exc.errors.items()))
        return Status(400, {"detail": message, "field": field})
    return Status(200, selectors.office_shops(town).get(pk=shop.pk))


@router.get(
    "/towns/{slug}/office/report",
    response={200: MarketTownReportOut, 404: ErrorOut},
    auth=token_or_session,
)
def office_report(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The town's figures: shops by state, orders by state, orders and revenue per
    week, and available products per category."""
    town = _office(request, slug)
    report = selectors.town_report(town)
    return {
        "town": town.slug,
        "currency": town.currency,
        "active_shops": report["active"],
        "waiting_shops": report["waiting"],
        "declined_shops": report["declined"],
        "orders_by_status": report["statuses"],
        "weeks": [
            {
                "week": w["week"].date() if isinstance(w["week"], dt.datetime) else w["week"],
                "orders": w["orders"],
                # SQLite sums Decimals without their places: always two, as prices have.
                "revenue": Decimal(w["revenue"] or 0).quantize(Decimal("0.01")),
            }
            for w in report["weeks"]
        ],
        "categories": [
            {"slug": c.slug, "name": c.name, "products": c.count} for c in report["categories"]
        ],
    }
