"""The roadmap as CSV (for spreadsheets) and as PDF (for the council), in the viewer's language."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cityexchange.assessments.models import Assessment, RoadmapItem
from cityexchange.core.exports import spreadsheet_safe


def _filename(assessment: Assessment, ext: str) -> str:
    return f"roadmap-{assessment.organisation.slug}-{assessment.pk}.{ext}"


def _year(item: RoadmapItem) -> str:
    return str(item.year) if item.year else _("later")


def rows(items: Sequence[RoadmapItem]) -> list[list[str]]:
    return [
        [
            _year(item),
            item.activity.key,
            item.activity.name,
            item.get_status_display(),
            str(item.activity.effort),
            str(item.activity.impact),
            item.assignee.get_full_name() if item.assignee else "",
            " ".join(i.key for i in item.activity.indicators.all()),
            " ".join(p.key for p in item.activity.prerequisites.all()),
        ]
        for item in items
    ]


def header() -> list[str]:
    return [
        _("Year"),
        _("Key"),
        _("Activity"),
        _("Status"),
        _("Effort (1–3)"),
        _("Impact (1–3)"),
        _("Assigned to"),
        _("Indicators raised"),
        _("Prerequisites"),
    ]


def roadmap_csv(assessment: Assessment, items: Sequence[RoadmapItem]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header())
    for row in rows(items):
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(assessment, "csv")}"'
    return response


def roadmap_pdf(assessment: Assessment, items: Sequence[RoadmapItem]) -> HttpResponse:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buffer = io.BytesIO()
    title = _("Digital roadmap of %(name)s") % {"name": assessment.organisation.name}
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=title,
        author="cityexchange",
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    )
    styles = getSampleStyleSheet()
    cell = styles["BodyText"]
    story = [
        Paragraph(escape(title), styles["Title"]),
        Paragraph(
            escape(
                _("Maturity model %(version)s · created %(date)s")
                % {
                    "version": assessment.maturity_model.version,
                    "date": timezone.localdate().isoformat(),
                }
            ),
            cell,
        ),
        Spacer(1, 0.4 * cm),
    ]
    head = header()
    keep = [0, 2, 3, 4, 5, 6, 8]
    data = [[Paragraph(f"<b>{escape(head[i])}</b>", cell) for i in keep]]
    for row in rows(items):
        data.append([Paragraph(escape(row[i]), cell) for i in keep])
    table = Table(
        data, repeatRows=1, colWidths=[1.6 * cm, 8 * cm, 2.6 * cm, 2 * cm, 2 * cm, 4 * cm, 5.5 * cm]
    )
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
    response["Content-Disposition"] = f'attachment; filename="{_filename(assessment, "pdf")}"'
    return response
