"""A shop's products in and out as CSV or XLSX, and its orders as CSV.

Import reads every row first and checks it; only when no row has an error are the
products written, all in one transaction: a file is imported whole or not at all,
and the answer lists each faulty row with what is wrong. Exported text cells go
through the project's spreadsheet guard, so a product named ``=HYPERLINK(...)``
stays text when the file is opened.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityexchange.core import caching
from cityexchange.core.exports import spreadsheet_safe
from cityexchange.core.i18n import LANGUAGES
from cityexchange.core.services import audit_record
from cityexchange.marketplace import search, selectors
from cityexchange.marketplace.models import MAX_PRICE, MAX_STOCK, Category, Order, Product, Shop

MAX_ROWS = 5000
MAX_FILE_BYTES = 5 * 1024 * 1024
NAME_COLUMNS = [f"name_{code}" for code in LANGUAGES]
DESCRIPTION_COLUMNS = [f"description_{code}" for code in LANGUAGES]
COLUMNS = [
    "sku",
    *NAME_COLUMNS,
    *DESCRIPTION_COLUMNS,
    "price",
    "tax_rate",
    "category",
    "stock",
    "available",
    "variant_of",
    "variant",
]
YES = {"yes", "y", "1", "true", "ja", "sí", "si", "sim", "x", ""}
NO = {"no", "n", "0", "false", "nein", "não", "nao"}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(Exception):
    """The file as a whole cannot be read (type, size, header)."""


def read_rows(data: bytes, filename: str) -> list[dict[str, str]]:
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(_("The file is larger than 5 MB."))
    if filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif filename.lower().endswith((".csv", ".txt")):
        rows = _csv_rows(data)
    else:
        raise ImportRefused(_("Upload a CSV or XLSX file."))
    if not rows:
        raise ImportRefused(_("The file has no rows."))
    header = [str(h or "").strip().lower() for h in rows[0]]
    if "sku" not in header or "price" not in header:
        raise ImportRefused(_("The first row must name the columns, at least sku and price."))
    if len(rows) - 1 > MAX_ROWS:
        raise ImportRefused(_("At most %(max)d rows per file.") % {"max": MAX_ROWS})
    return [
        {
            header[i]: str(cell if cell is not None else "").strip()
            for i, cell in enumerate(row)
            if i < len(header)
        }
        for row in rows[1:]
        if any(str(c or "").strip() for c in row)
    ]


def _csv_rows(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(_("Save the CSV file as UTF-8.")) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise ImportRefused(_("The file is not a readable XLSX workbook.")) from exc
    sheet = workbook.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(list(row))
        if len(rows) > MAX_ROWS + 1:
            break
    workbook.close()
    return rows


def _decimal(raw: str) -> Decimal:
    value = Decimal(raw.replace(" ", "").replace(",", "."))
    if not value.is_finite():
        raise InvalidOperation
    return value


def _check_row(
    number: int, row: dict[str, str], categories: dict[str, Category], errors: list[RowError]
) -> dict[str, Any] | None:
    before = len(errors)

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    values: dict[str, Any] = {}
    sku = row.get("sku", "")
    if not sku or len(sku) > 60:
        fail("sku", _("Give an article number of at most 60 characters."))
    values["sku"] = sku
    names = {c: row.get(c, "") for c in NAME_COLUMNS}
    if row.get("name") and not names["name_en"]:
        names["name_en"] = row["name"]
    if not any(names.values()):
        fail("name_en", _("Give the product's name in at least one language."))
    if any(len(v) > 200 for v in names.values()):
        fail("name_en", _("A name has at most 200 characters."))
    values.update({k: v for k, v in names.items() if v})
    values.update({c: row[c] for c in DESCRIPTION_COLUMNS if row.get(c)})
    if row.get("description") and "description_en" not in values:
        values["description_en"] = row["description"]
    for column, upper in (("price", MAX_PRICE), ("tax_rate", Decimal("50"))):
        raw = row.get(column, "")
        if column == "tax_rate" and not raw:
            values[column] = Decimal("0")
            continue
        try:
            amount = _decimal(raw)
        except (InvalidOperation, ValueError):
            fail(column, _("Give a number, for example 4.50."))
            continue
        # A finite Decimal's exponent is an int (``_decimal`` refuses NaN and infinity).
        exponent = int(amount.as_tuple().exponent)
        if amount < 0 or amount > upper or exponent < -2:
            fail(
                column,
                _("Give a number from 0 to %(max)s with at most two decimals.") % {"max": upper},
            )
            continue
        values[column] = amount
    stock = row.get("stock", "")
    if stock == "" or stock.lower() in {
        "on request",
        "auf anfrage",
        "bajo pedido",
        "sob encomenda",
    }:
        values["stock"] = None
    elif stock.isdigit() and int(stock) <= MAX_STOCK:
        values["stock"] = int(stock)
    else:
        fail(
            "stock",
            _("Give a whole number from 0 to %(max)d, or leave it empty for “on request”.")
            % {"max": MAX_STOCK},
        )
    available = row.get("available", "").lower()
    if available in YES:
        values["is_available"] = True
    elif available in NO:
        values["is_available"] = False
    else:
        fail("available", _("Write yes or no."))
    category = row.get("category", "")
    if category:
        if category not in categories:
            fail(
                "category",
                _("Unknown category; use one of: %(allowed)s.")
                % {"allowed": ", ".join(sorted(categories))},
            )
        else:
            values["category"] = categories[category]
    else:
        values["category"] = None
    values["variant"] = row.get("variant", "")[:60]
    values["_variant_of"] = row.get("variant_of", "")
    return values if len(errors) == before else None


def products_import(*, shop: Shop, data: bytes, filename: str, actor: Any) -> ImportResult:
    """Import or update products by article number; all rows or none."""
    result = ImportResult()
    try:
        rows = read_rows(data, filename)
    except ImportRefused as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    categories = {c.slug: c for c in Category.objects.filter(town_id=shop.town_id)}
    checked: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        values = _check_row(number, row, categories, result.errors)
        if values is None:
            continue
        if values["sku"] in seen:
            result.errors.append(RowError(number, "sku", _("This article number appears twice.")))
            continue
        seen.add(values["sku"])
        checked.append(values)
    existing = {p.sku: p for p in Product.objects.filter(shop=shop)}
    for number, values in enumerate(checked, start=2):
        parent = values["_variant_of"]
        if parent and parent not in seen and parent not in existing:
            result.errors.append(
                RowError(number, "variant_of", _("No product with this article number."))
            )
    if result.errors:
        return result
    with transaction.atomic():
        saved: dict[str, Product] = {}
        parents: dict[str, str] = {}  # article number -> its parent's, as the file names it
        for values in checked:
            parent = values.pop("_variant_of")
            product = existing.get(values["sku"])
            if product is None:
                product = Product(shop=shop, **values)
                product.save()
                result.created += 1
            else:
                for key, value in values.items():
                    setattr(product, key, value)
                product.save()
                result.updated += 1
            saved[product.sku] = product
            parents[product.sku] = parent
        for product in saved.values():
            parent_sku = parents[product.sku]
            parent = saved.get(parent_sku) or existing.get(parent_sku) if parent_sku else None
            if (parent.pk if parent else None) != product.variant_of_id:
                product.variant_of = parent
                product.save(update_fields=["variant_of"])
        search.index_products(Product.objects.filter(pk__in=[p.pk for p in saved.values()]))
        caching.bump(selectors.LISTINGS)
        audit_record(
            actor=actor,
            action="product.import",
            obj=shop,
            after={"created": result.created, "updated": result.updated},
        )
    return result


def product_rows(shop: Shop) -> list[list[Any]]:
    rows: list[list[Any]] = [list(COLUMNS)]
    for p in (
        Product.objects.filter(shop=shop).select_related("category", "variant_of").order_by("pk")
    ):
        rows.append(
            [
                spreadsheet_safe(p.sku),
                *[spreadsheet_safe(getattr(p, c) or "") for c in NAME_COLUMNS],
                *[spreadsheet_safe(getattr(p, c) or "") for c in DESCRIPTION_COLUMNS],
                str(p.price),
                str(p.tax_rate),
                p.category.slug if p.category else "",
                "" if p.stock is None else p.stock,
                "yes" if p.is_available else "no",
                spreadsheet_safe(p.variant_of.sku) if p.variant_of else "",
                spreadsheet_safe(p.variant),
            ]
        )
    return rows


def as_csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active or workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def order_rows(orders: Any) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [_("Order number"), _("Date"), _("Status"), _("Name"), _("Products"), _("Total")]
    ]
    order: Order
    for order in orders:
        rows.append(
            [
                order.number,
                order.created_at.date().isoformat(),
                order.get_status_display(),
                spreadsheet_safe(order.name),
                spreadsheet_safe(
                    "; ".join(f"{line.quantity} × {line.name}" for line in order.lines.all())
                ),
                str(order.total),
            ]
        )
    return rows
