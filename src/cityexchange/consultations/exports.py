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


def report_pdf(consultation: Consultation) -> HttpResponse:
    """The response report as PDF: per section, each comment and how it was considered.

    Every text is escaped before reportlab reads it as its small markup language.
    """
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from cityexchange.consultations.selectors import report

    buffer = io.BytesIO()
    title = _("Response report") + ": " + consultation.title
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="cityexchange",
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    )
    styles = getSampleStyleSheet()
    cell = styles["BodyText"]
    story: list[object] = [Paragraph(escape(title), styles["Title"])]
    if consultation.response_summary:
        story.append(Paragraph(escape(consultation.response_summary), cell))
    for group in report(consultation):
        heading = (group.title or _("Introduction")) if group.section else _("Whole text")
        story += [Spacer(1, 0.4 * cm), Paragraph(escape(heading), styles["Heading2"])]
        data = [
            [
                Paragraph(f"<b>{escape(text)}</b>", cell)
                for text in (_("Where"), _("Comment"), _("Consideration"), _("Response"))
            ]
        ]
        for c in group.comments:
            response = getattr(c, "response", None)
            where = (
                _("Paragraph %(n)s") % {"n": c.paragraph.number}
                if c.paragraph
                else (_("Section") if c.section else _("Whole text"))
            )
            data.append(
                [
                    Paragraph(escape(where), cell),
                    Paragraph(escape(c.text), cell),
                    Paragraph(escape(response.get_tag_display() if response else ""), cell),
                    Paragraph(escape(response.text if response else ""), cell),
                ]
            )
        table = Table(data, repeatRows=1, colWidths=[2.4 * cm, 7 * cm, 3 * cm, 5.6 * cm])
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f6f9")),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#c9d1da")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    document.build(story)
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-response.pdf"'
    return response
