"""Every comment of a consultation with its tag and response, for staff: CSV and XLSX.

Cells are plain text (the comment as typed); a cell that a spreadsheet would read as
a formula is neutralised with ``core.exports.spreadsheet_safe``.
"""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cityexchange.consultations.models import Comment, Consultation
from cityexchange.core.exports import spreadsheet_safe


def comment_rows(consultation: Consultation) -> tuple[list[str], list[list[str]]]:
    header = [
        _("Comment"),
        _("Reply to"),
        _("Written"),
        _("Status"),
        _("On"),
        _("Section"),
        _("Paragraph"),
        _("Quoted passage"),
        _("Language"),
        _("Author"),
        _("Organisation"),
        _("Kind of organisation"),
        _("Country"),
        _("Text"),
        _("Supports"),
        _("Consideration"),
        _("Response"),
    ]
    from django.db.models import Count

    comments = (
        Comment.objects.filter(consultation=consultation)
        .select_related("author", "organisation", "section", "paragraph", "response")
        .annotate(support_count=Count("supports"))
        .order_by("created_at", "id")
    )
    rows = []
    for c in comments:
        response = getattr(c, "response", None)
        rows.append(
            [
                str(c.pk),
                str(c.parent_id or ""),
                c.created_at.isoformat(timespec="minutes"),
                c.get_status_display(),
                c.get_target_display(),
                c.section.heading if c.section else "",
                str(c.paragraph.number) if c.paragraph else "",
                c.quote,
                c.language,
                (c.author.full_name or c.author.email) if c.author else "",
                c.organisation.name if c.organisation else "",
                c.organisation_kind,
                c.country,
                c.text,
                str(c.support_count),
                response.get_tag_display() if response else "",
                response.text if response else "",
            ]
        )
    return header, rows


def comments_csv(consultation: Consultation) -> HttpResponse:
    header, rows = comment_rows(consultation)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-comments.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return response


def comments_xlsx(consultation: Consultation) -> HttpResponse:
    header, rows = comment_rows(consultation)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    sheet.title = _("Comments")[:31]
    sheet.append(header)
    for row in rows:
        # Control characters cannot be stored in a workbook: dropped, not an error.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", spreadsheet_safe(cell)) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-comments.xlsx"'
    return response
