"""Bulk product import (all rows or none, each faulty row reported) and exports."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest

from cityexchange.marketplace import exports
from cityexchange.marketplace.models import Product
from cityexchange.marketplace.tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

GOOD = (
    "sku,name_en,name_es,price,tax_rate,category,stock,available,variant_of,variant\n"
    "T-1,Shirt,Camisa,12.50,19,clothes,3,yes,,\n"
    "T-1-M,Shirt,Camisa,12.50,19,clothes,2,yes,T-1,M\n"
    'V-1,Voucher,Vale,"20,00",0,,,no,,\n'
)


def _import(
    shop: Any, text: str, filename: str = "p.csv", actor: Any = None
) -> exports.ImportResult:
    return exports.products_import(shop=shop, data=text.encode(), filename=filename, actor=actor)


def test_a_good_file_creates_products_with_variants_and_stock_on_request(shop: Any) -> None:
    CategoryFactory(town=shop.town, slug="clothes")
    result = _import(shop, GOOD)
    assert result.ok and (result.created, result.updated) == (3, 0)
    variant = Product.objects.get(sku="T-1-M")
    assert variant.variant_of == Product.objects.get(sku="T-1")
    assert variant.name_es == "Camisa" and variant.variant == "M"
    voucher = Product.objects.get(sku="V-1")
    assert voucher.price == Decimal("20.00") and voucher.stock is None and not voucher.is_available
    # Importing again updates by article number.
    again = _import(shop, GOOD.replace("12.50", "11.00"))
    assert (again.created, again.updated) == (0, 3)
    assert Product.objects.get(sku="T-1").price == Decimal("11.00")


def test_one_bad_row_imports_nothing_and_every_mistake_is_reported_by_row(shop: Any) -> None:
    CategoryFactory(town=shop.town, slug="clothes")
    text = (
        "sku,name_en,price,stock,category\n"
        "A,Good,1.00,1,clothes\n"
        "B,Negative,-3,1,\n"
        "C,Words,cheap,1,\n"
        "D,Huge,1e9,1,\n"
        "E,Stock,1,-4,\n"
        "F,Cat,1,1,nonsense\n"
        ",Nosku,1,1,\n"
        "A,Twice,1,1,\n"
    )
    result = _import(shop, text)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "price"),
        (4, "price"),
        (5, "price"),
        (6, "stock"),
        (7, "category"),
        (8, "sku"),
        (9, "sku"),
    ]
    assert "clothes" in result.errors[4].message
    assert Product.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"\x89PNG\r\n\x1a\n....", "products.png"),
        (b"not a workbook", "products.xlsx"),
        (b"\xff\xfe\x00bad", "products.csv"),
        (b"name,colour\nx,y\n", "products.csv"),
    ],
)
def test_files_of_the_wrong_kind_are_refused_whole(shop: Any, data: bytes, filename: str) -> None:
    result = exports.products_import(shop=shop, data=data, filename=filename, actor=None)
    assert not result.ok and result.errors[0].row == 0
    assert Product.objects.count() == 0


def test_xlsx_round_trip_keeps_every_product(shop: Any) -> None:
    CategoryFactory(town=shop.town, slug="clothes")
    assert _import(shop, GOOD).ok
    workbook = exports.as_xlsx(exports.product_rows(shop))
    Product.objects.all().delete()
    result = exports.products_import(shop=shop, data=workbook, filename="x.xlsx", actor=None)
    assert result.ok, result.errors
    assert Product.objects.count() == 3
    variant = Product.objects.select_related("variant_of").get(sku="T-1-M")
    assert variant.variant_of is not None and variant.variant_of.sku == "T-1"


def test_exports_keep_formula_payloads_as_text(shop: Any) -> None:
    ProductFactory(shop=shop, sku="=cmd|'/c calc'!A1", name_en="@SUM(1+1)", name="@SUM(1+1)")
    rows = list(
        csv.reader(io.StringIO(exports.as_csv(exports.product_rows(shop)).decode("utf-8-sig")))
    )
    assert rows[1][0].startswith("'=")
    assert rows[1][2].startswith("'@")
