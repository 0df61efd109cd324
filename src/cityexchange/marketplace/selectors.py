"""Every read of the marketplace that is more than a ``get``.

Lists cost a constant number of queries whatever their length: relations are
joined or prefetched, never read row by row.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from cityexchange.core import caching
from cityexchange.core.i18n import LANGUAGES, current_language
from cityexchange.marketplace import hours as opening
from cityexchange.marketplace import search
from cityexchange.marketplace.models import (
    Category,
    OpeningException,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Shop,
    ShopStatus,
    Town,
)
from cityexchange.marketplace.rules import shop_ids, town_ids


def towns() -> QuerySet[Town]:
    return Town.objects.filter(is_active=True).order_by("name")


def town_by_slug(slug: str) -> Town:
    return towns().get(slug=slug)


def approved_shops(town: Town) -> QuerySet[Shop]:
    today = timezone.now().date()
    return (
        Shop.objects.filter(town=town, status=ShopStatus.APPROVED)
        .prefetch_related(
            "opening_hours",
            Prefetch(
                "exceptions",
                queryset=OpeningException.objects.filter(
                    date__gte=today - dt.timedelta(days=1), date__lte=today + dt.timedelta(days=15)
                ),
            ),
            "categories",
        )
        .order_by("name")
    )


def shop_is_open(shop: Shop, *, now: dt.datetime | None = None) -> bool:
    return opening.is_open(
        now or timezone.now(),
        opening.zone(shop.town.timezone),
        shop.opening_hours.all(),
        shop.exceptions.all(),
    )


def open_now(shops: list[Shop]) -> list[Shop]:
    return [s for s in shops if shop_is_open(s)]


# Columns no list of products shows: left unread (the search index is most of a row).
UNLISTED = (
    "search_tokens",
    "search_vector",
    "description",
    *(f"description_{code}" for code in LANGUAGES),
)


def search_products(
    town: Town,
    *,
    q: str = "",
    category: str = "",
    shop: str = "",
) -> QuerySet[Product]:
    """Available products of the town's approved shops, optionally matching ``q`` (in
    any of the four languages, through the platform's search), a category or a shop."""
    products: QuerySet[Product] = (
        Product.objects.filter(shop__town=town, shop__status=ShopStatus.APPROVED, is_available=True)
        .select_related("shop", "category")
        .order_by("name", "variant", "pk")
    )
    if q:
        products = search.matching(products, q)
    if category:
        products = products.filter(category__slug=category)
    if shop:
        products = products.filter(shop__slug=shop)
    return products


# The version every product listing is kept under (``listing``): bumped by each service
# that adds, renames, hides or shows a product, or approves or declines a shop.
LISTINGS = "market"

# A listing's ids: kept between requests, or, for a search, a lazy query of them.
ListingIds = Sequence[int] | QuerySet[Product, int]


# A shop's columns no product list shows.
SHOP_UNLISTED = (
    "shop__description",
    *(f"shop__description_{code}" for code in LANGUAGES),
    "shop__bank_details",
    "shop__decline_reason",
)


def listing(town: Town, *, q: str = "", category: str = "", shop: str = "") -> ListingIds:
    """The ids of ``search_products(town, ...)`` in the listing's order, for paging.

    Without ``q`` the ids are kept between requests (``core.caching``, about 8 bytes a
    product) until a service bumps ``LISTINGS``: a page's count is their length and any
    page, however deep, a slice of them, instead of a COUNT of the town's products and an
    OFFSET walk through the listing index on every request (``benchmarks/marketplace.py``).
    Callers pass only categories and shops that exist (the form's choices, the API's
    404), so the kept lists stay as many as the town's categories and shops.

    With ``q`` the matches are few and the query is the reader's own: a lazy list whose
    length is one COUNT and whose slices are one query each.
    """
    products = search_products(town, q=q, category=category, shop=shop)
    if q:
        return products.values_list("pk", flat=True)

    def build() -> Sequence[int]:
        return array("q", products.values_list("pk", flat=True))

    # The order is by name in the page's language: one list per language.
    key = f"{LISTINGS}:listing:{town.pk}:{current_language()}:{category}:{shop}"
    return caching.cached(key, build, depends_on=(LISTINGS,))


def listing_count(ids: ListingIds) -> int:
    """How many products ``listing`` holds: its length, or one COUNT for a search."""
    return ids.count() if isinstance(ids, QuerySet) else len(ids)


def listed_products(town: Town, ids: Iterable[int]) -> list[Product]:
    """The products of ``ids`` (a slice of ``listing``), whole and in that order, in one
    query; one hidden since the list was kept is left out rather than shown."""
    wanted = list(ids)
    rows = (
        Product.objects.filter(
            pk__in=wanted, shop__town=town, shop__status=ShopStatus.APPROVED, is_available=True
        )
        .select_related("shop", "category")
        .defer(*UNLISTED, *SHOP_UNLISTED)
    )
    by_pk = {}
    for product in rows:
        product.shop.town = town  # the same for all: not read again per row
        by_pk[product.pk] = product
    return [by_pk[pk] for pk in wanted if pk in by_pk]


def categories_with_counts(town: Town) -> QuerySet[Category]:
    return Category.objects.filter(town=town).annotate(
        count=Count(
            "products",
            filter=Q(products__is_available=True, products__shop__status=ShopStatus.APPROVED),
        )
    )


def shops_of_user(user: Any) -> QuerySet[Shop]:
    return Shop.objects.filter(pk__in=shop_ids(user)).select_related("town").order_by("name")


def towns_of_staff(user: Any) -> QuerySet[Town]:
    return Town.objects.filter(pk__in=town_ids(user)).order_by("name")


def shop_orders(shop: Shop, *, status: str = "") -> QuerySet[Order]:
    orders = Order.objects.filter(shop=shop).prefetch_related("lines")
    if status:
        orders = orders.filter(status=status)
    return orders


def order_by_token(token: str) -> Order:
    return Order.objects.select_related("shop__town").prefetch_related("lines").get(token=token)


COUNTED = [OrderStatus.NEW, OrderStatus.ACCEPTED, OrderStatus.READY, OrderStatus.COLLECTED]


def shop_statistics(shop: Shop) -> dict[str, Any]:
    weeks = (
        Order.objects.filter(shop=shop, status__in=COUNTED)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(orders=Count("pk"), revenue=Sum("total"))
        .order_by("-week")[:12]
    )
    top = (
        OrderLine.objects.filter(order__shop=shop, order__status__in=COUNTED)
        .values("name")
        .annotate(quantity=Sum("quantity"))
        .order_by("-quantity", "name")[:10]
    )
    return {"weeks": list(weeks), "top": list(top)}


def town_report(town: Town) -> dict[str, Any]:
    shops = Shop.objects.filter(town=town)
    weeks = (
        Order.objects.filter(shop__town=town, status__in=COUNTED)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(orders=Count("pk"), revenue=Sum("total"))
        .order_by("-week")[:12]
    )
    by_status = dict(shops.values_list("status").annotate(n=Count("pk")).order_by())
    statuses = dict(
        Order.objects.filter(shop__town=town)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "active": by_status.get(ShopStatus.APPROVED, 0),
        "waiting": by_status.get(ShopStatus.APPLIED, 0),
        "declined": by_status.get(ShopStatus.DECLINED, 0),
        "statuses": {status: statuses.get(status, 0) for status in OrderStatus.values},
        "weeks": list(weeks),
        "categories": list(categories_with_counts(town)),
    }


def office_shops(town: Town, *, status: str = "") -> QuerySet[Shop]:
    """The town's shops for its office, oldest application first, with product counts."""
    shops = (
        Shop.objects.filter(town=town)
        .prefetch_related("categories")
        .annotate(product_count=Count("products"))
        .order_by("created_at", "pk")
    )
    return shops.filter(status=status) if status else shops


def low_stock(shop: Shop) -> QuerySet[Product]:
    from django.db.models import F

    return Product.objects.filter(shop=shop, stock__isnull=False, stock__lte=F("low_stock"))
