"""The participant list for staff as CSV or XLSX, and accessible SVG charts for statistics."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from openpyxl import Workbook

from cityexchange.events.models import Registration


def participant_rows(registrations: Iterable[Registration]) -> tuple[list[str], list[list[str]]]:
    header = [
        _("Name"),
        _("Email address"),
        _("Organisation"),
        _("Kind of organisation"),
        _("Country"),
        _("Status"),
        _("Taking part"),
        _("Interpretation"),
        _("Accessibility needs"),
        _("Registered"),
        _("Attended"),
        _("Minutes attended"),
        _("Checked in"),
    ]
    rows = []
    for r in registrations:
        rows.append(
            [
                r.name,
                r.email,
                r.organisation,
                r.get_organisation_kind_display() if r.organisation_kind else "",
                str(r.country or ""),
                r.get_status_display(),
                r.get_attendance_display(),
                r.interpretation_language,
                r.accessibility_needs,
                r.created_at.isoformat(timespec="minutes"),
                _("yes") if r.attended else _("no"),
                "" if r.minutes_attended is None else str(r.minutes_attended),
                r.checked_in_at.isoformat(timespec="minutes") if r.checked_in_at else "",
            ]
        )
    return header, rows


def _safe_cell(value: str) -> str:
    # Spreadsheet programs run cells starting with these as formulas (CSV injection).
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def participants_csv(registrations: Iterable[Registration]) -> str:
    header, rows = participant_rows(registrations)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(cell) for cell in row])
    return buffer.getvalue()


def participants_xlsx(registrations: Iterable[Registration], *, title: str) -> bytes:
    header, rows = participant_rows(registrations)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    sheet.title = _("Participants")[:31]
    sheet.append(header)
    for row in rows:
        sheet.append([_safe_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class Bar:
    label: str
    value: float


def bar_chart(bars: list[Bar], *, title: str, chart_id: str, unit: str = "") -> SafeString:
    """A horizontal bar chart as SVG; the data table next to it carries the same figures.

    The SVG is labelled by its title and hidden from nothing: screen readers get the
    title, the table gives the exact values.
    """
    width, row_height, label_width = 560, 28, 200
    height = max(len(bars), 1) * row_height + 10
    top = max((b.value for b in bars), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title" class="events-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for index, bar in enumerate(bars):
        y = 5 + index * row_height
        length = (width - label_width - 70) * bar.value / top
        value = f"{bar.value:g}{unit}"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" class="chart-label">'
            f"{escape(bar.label)}</text>"
            f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="{row_height - 10}" '
            f'class="chart-bar"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 18}" class="chart-value">'
            f"{escape(value)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
