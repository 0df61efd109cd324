"""Factories for the marketplace models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from cityexchange.core import caching
from cityexchange.core.tests.factories import OrganisationFactory
from cityexchange.marketplace import search, selectors
from cityexchange.marketplace.models import (
    Category,
    OpeningHours,
    Product,
    Shop,
    ShopStatus,
    Town,
)


class Listed(DjangoModelFactory):
    """Rows made here change the kept product listings, as the services' writes do."""

    class Meta:
        abstract = True

    @classmethod
    def _after_postgeneration(cls, instance: Any, create: bool, results: Any = None) -> None:
        super()._after_postgeneration(instance, create, results)
        if create:
            caching.bump(selectors.LISTINGS)


class TownFactory(Listed):
    class Meta:
        model = Town

    organisation = factory.SubFactory(OrganisationFactory)
    slug = factory.Sequence(lambda n: f"market-{n}")
    name = factory.Sequence(lambda n: f"Market {n}")
    name_en = factory.SelfAttribute("name")
    currency = "EUR"
    timezone = "Europe/Berlin"
    delivery_postcodes = ["04177"]


class CategoryFactory(Listed):
    class Meta:
        model = Category

    town = factory.SubFactory(TownFactory)
    slug = factory.Sequence(lambda n: f"cat-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")
    name_en = factory.SelfAttribute("name")


class ShopFactory(Listed):
    class Meta:
        model = Shop
        skip_postgeneration_save = True

    town = factory.SubFactory(TownFactory)
    slug = factory.Sequence(lambda n: f"shop-{n}")
    name = factory.Sequence(lambda n: f"Shop {n}")
    address = "Main street 1"
    contact_email = factory.Sequence(lambda n: f"shop{n}@example.org")
    status = ShopStatus.APPROVED
    pays_card = True

    @factory.post_generation
    def always_open(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Open every day all day, so pickup slots never depend on when tests run."""
        if create and extracted is not False:
            OpeningHours.objects.bulk_create(
                OpeningHours(shop=self, weekday=d, opens=dt.time(0), closes=dt.time(23, 59))
                for d in range(7)
            )


class ProductFactory(Listed):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    shop = factory.SubFactory(ShopFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    name = factory.Sequence(lambda n: f"Product {n}")
    name_en = factory.SelfAttribute("name")
    price = Decimal("4.50")
    tax_rate = Decimal("7")
    stock = 10

    @factory.post_generation
    def indexed(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Searchable, as every product saved through the services is."""
        if create:
            search.index_products(Product.objects.filter(pk=self.pk))
