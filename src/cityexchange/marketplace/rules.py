"""Who may do what in the marketplace, for pages and API alike.

Shop staff manage their own shops and orders; town staff approve shops of their
town and see its reports; administrators may do both. Residents see an order only
through its personal link (no permission here: the token is the key).
"""

from __future__ import annotations

from typing import Any

import rules

from cityexchange.core.rules import is_admin
from cityexchange.marketplace.models import ShopStatus


def _ids(user: Any, attribute: str, related: str) -> set[int]:
    # One query per request and kind, cached on the user object.
    cached = getattr(user, attribute, None)
    if cached is None:
        cached = set(getattr(user, related).values_list("pk", flat=True))
        setattr(user, attribute, cached)
    return cached


def town_ids(user: Any) -> set[int]:
    if not user.is_authenticated:
        return set()
    return _ids(user, "_market_town_ids", "market_towns")


def shop_ids(user: Any) -> set[int]:
    if not user.is_authenticated:
        return set()
    return _ids(user, "_market_shop_ids", "market_shops")


@rules.predicate
def is_town_staff(user: Any, town: Any) -> bool:
    return town is not None and town.pk in town_ids(user)


@rules.predicate
def is_town_staff_of_shop(user: Any, shop: Any) -> bool:
    return shop is not None and shop.town_id in town_ids(user)


@rules.predicate
def is_shop_staff(user: Any, shop: Any) -> bool:
    return shop is not None and shop.pk in shop_ids(user)


@rules.predicate
def is_approved(user: Any, shop: Any) -> bool:
    return shop is not None and shop.status == ShopStatus.APPROVED


rules.add_perm("marketplace.manage_town", is_town_staff | is_admin)
rules.add_perm("marketplace.review_shop", is_town_staff_of_shop | is_admin)
rules.add_perm("marketplace.manage_shop", is_shop_staff | is_admin)
# Selling (products, orders) only once the town has approved the shop.
rules.add_perm("marketplace.sell", (is_shop_staff | is_admin) & is_approved)
rules.add_perm(
    "marketplace.view_shop", is_approved | is_shop_staff | is_town_staff_of_shop | is_admin
)
