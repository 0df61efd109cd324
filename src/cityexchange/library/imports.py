"""Bulk import of resources from CSV or XLSX, with a report of the rows it rejected."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cityexchange.core.models import Concept
from cityexchange.library.models import Resource
from cityexchange.library.services import resource_create

MAX_ROWS = 5000


class ImportFileError(Exception):
    """The file as a whole cannot be read."""


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)


def _rows(name: str, data: bytes) -> list[dict[str, str]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise ImportFileError(_("This is not a readable XLSX file.")) from exc
        values = [
            ["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)
        ]
    elif name.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("A CSV file must be UTF-8 encoded.")) from exc
        values = list(csv.reader(io.StringIO(text)))
    else:
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    if not values:
        raise ImportFileError(_("The file is empty."))
    header = [h.strip().lower() for h in values[0]]
    if "slug" not in header or "kind" not in header:
        raise ImportFileError(_("The first row must name the columns, at least slug and kind."))
    if len(values) - 1 > MAX_ROWS:
        raise ImportFileError(_("At most %(n)d rows at a time.") % {"n": MAX_ROWS})
    return [dict(zip(header, [v.strip() for v in row], strict=False)) for row in values[1:]]


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace(",", ";").split(";") if v.strip()]


def import_file(*, name: str, data: bytes, actor: Any) -> ImportReport:
    """Create a draft for every good row; each row is saved on its own or not at all."""
    report = ImportReport()
    concepts = {c.key: c for c in Concept.objects.all()}
    for number, row in enumerate(_rows(name, data), start=2):
        if not any(row.values()):
            continue
        slug = row.get("slug", "")
        try:
            if not slug:
                raise ValidationError(_("slug is empty"))
            if Resource.objects.filter(slug=slug).exists():
                raise ValidationError(_("a resource with this slug exists"))
            unknown = [t for t in _split(row.get("topics", "")) if t not in concepts]
            if unknown:
                raise ValidationError(_("unknown topics: %(t)s") % {"t": ", ".join(unknown)})
            published = row.get("published_on", "")
            try:
                published_on = dt.date.fromisoformat(published[:10]) if published else None
            except ValueError as exc:
                raise ValidationError(_("published_on must be YYYY-MM-DD")) from exc
            titles = {lang: row.get(f"title_{lang}", "") for lang in ("de", "en", "es", "pt")}
            with transaction.atomic():
                resource_create(
                    actor=actor,
                    slug=slug,
                    kind=row.get("kind", ""),
                    title={k: v for k, v in titles.items() if v},
                    summary={
                        lang: row.get(f"summary_{lang}", "")
                        for lang in ("de", "en", "es", "pt")
                        if row.get(f"summary_{lang}")
                    },
                    topics=[concepts[t] for t in _split(row.get("topics", ""))],
                    languages=_split(row.get("languages", "")),
                    authors=_split(row.get("authors", "")),
                    countries=_split(row.get("countries", "")),
                    published_on=published_on,
                    licence=row.get("licence", ""),
                    source_url=row.get("source_url", ""),
                    body=row.get("body", ""),
                )
        except ValidationError as exc:
            report.rejected.append((number, "; ".join(exc.messages)))
        else:
            report.created.append(slug)
    return report
