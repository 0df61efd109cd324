from __future__ import annotations

from typing import Any

import pytest

from cityexchange.core import caching
from cityexchange.core.tests.factories import UserFactory
from cityexchange.marketplace import selectors
from cityexchange.marketplace.tests.factories import ShopFactory, TownFactory


@pytest.fixture(autouse=True)
def _no_ratelimit(settings: Any, tmp_path: Any) -> None:
    settings.RATELIMIT_ENABLE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    # Rows of earlier tests are rolled back (and their ids reused): no listing kept of them.
    caching.bump(selectors.LISTINGS)


@pytest.fixture
def town(db: Any) -> Any:
    return TownFactory(slug="lindenau", name="Lindenau market", name_en="Lindenau market")


@pytest.fixture
def town_staff(town: Any) -> Any:
    user = UserFactory(email="office@lindenau.example", language="de")
    town.staff.add(user)
    return user


@pytest.fixture
def shop(town: Any) -> Any:
    return ShopFactory(town=town, slug="bakery", name="Bakery", language="es")


@pytest.fixture
def retailer(shop: Any) -> Any:
    user = UserFactory(email="baker@example.org")
    shop.staff.add(user)
    return user


@pytest.fixture
def other_shop(town: Any) -> Any:
    return ShopFactory(town=town, slug="books", name="Books")


@pytest.fixture
def other_retailer(other_shop: Any) -> Any:
    user = UserFactory(email="books@example.org")
    other_shop.staff.add(user)
    return user


@pytest.fixture
def stranger(db: Any) -> Any:
    return UserFactory(email="stranger@example.org")
