"""The participant list for staff as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

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
