"""The roadmap as CSV (for spreadsheets) and as PDF (for the council), in the viewer's language."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cityexchange.assessments import planning
from cityexchange.assessments.models import Assessment, RoadmapItem
from cityexchange.assessments.scoring import Results
from cityexchange.core.exports import spreadsheet_safe


def _long_date(day: dt.date) -> str:
    """A date as the viewer's language writes it in running text ("6. Dezember 2026",
    "6 de dezembro de 2026": Portuguese and Spanish months in lower case)."""
    from babel.dates import format_date

    return format_date(day, format="long", locale=(get_language() or "en").replace("-", "_"))


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


def roadmap_pdf(
    assessment: Assessment,
    items: Sequence[RoadmapItem],
    *,
    links: Mapping[int, Mapping[str, Sequence[Mapping[str, str]]]] | None = None,
    results: Results | None = None,
    capacity: int | None = None,
) -> HttpResponse:
    """The roadmap for a council: a one-page summary (this year: what, who, effort,
    offers that fit; the radar chart), then the plan year by year, then every
    activity. Names throughout, never keys; dates in the viewer's format; words
    are wrapped whole (no word is split without a hyphen)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    links = links or {}
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
    # Whole words only: a word too long for its column moves to the next line
    # instead of being cut without a hyphen.
    cell = ParagraphStyle("cell", parent=styles["BodyText"], splitLongWords=False, fontSize=9.5)
    heading = styles["Heading2"]
    grid = TableStyle(
        [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f6f9")),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#c9d1da")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )

    def para(text: str, *, bold: bool = False) -> Paragraph:
        body = escape(text)
        return Paragraph(f"<b>{body}</b>" if bold else body, cell)

    def offers_of(item: RoadmapItem) -> str:
        found = links.get(item.activity_id, {}).get("offers", [])
        return ", ".join(o["title"] for o in found) or "–"

    def who(item: RoadmapItem) -> str:
        return item.assignee.get_full_name() if item.assignee else _("not assigned yet")

    created = _long_date(timezone.localdate())
    story: list[Any] = [
        Paragraph(escape(title), styles["Title"]),
        para(
            _("Maturity model %(version)s · created %(date)s")
            % {"version": assessment.maturity_model.version, "date": created}
        ),
        Spacer(1, 0.3 * cm),
        Paragraph(escape(_("At a glance: what to do this year")), heading),
    ]
    this_year = [i for i in items if i.year == 1 and i.status not in ("done", "dropped")]
    summary = [
        [para(h, bold=True) for h in (_("Activity"), _("Who"), _("Effort"), _("Offers that fit"))]
    ]
    for item in this_year:
        summary.append(
            [
                para(item.activity.name),
                para(who(item)),
                para(str(item.activity.get_effort_display())),
                para(offers_of(item)),
            ]
        )
    if this_year:
        table = Table(summary, repeatRows=1, colWidths=[6 * cm, 3.4 * cm, 2.6 * cm, 5.4 * cm])
        table.setStyle(grid)
    else:
        table = para(_("Nothing is left to do in year 1."))
    chart = _radar_drawing(results) if results is not None else None
    if chart is not None:
        story.append(
            Table(
                [[table, chart]],
                colWidths=[17.6 * cm, 9 * cm],
                style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
            )
        )
    else:
        story.append(table)

    story += [PageBreak(), Paragraph(escape(_("Year by year")), heading)]
    later = [i for i in items if i.year is None and i.status != "dropped"]
    indicative = dict(
        zip(
            [i.pk for i in later],
            planning.indicative_years([i.activity.effort for i in later], capacity or 1),
            strict=True,
        )
    )

    def year_of(item: RoadmapItem) -> int:
        return item.year or indicative.get(item.pk, planning.YEARS + 1)

    overview = [
        [para(h, bold=True) for h in (_("Year"), _("Activities"), _("Effort points"), _("Who"))]
    ]
    planned = [i for i in items if i.status != "dropped"]
    for year in sorted({year_of(i) for i in planned}):
        in_year = [i for i in planned if year_of(i) == year]
        label = (
            _("Year %(year)s (indicative)") % {"year": year}
            if year > planning.YEARS
            else _("Year %(year)s") % {"year": year}
        )
        overview.append(
            [
                para(label, bold=True),
                para("; ".join(i.activity.name for i in in_year)),
                para(str(sum(i.activity.effort for i in in_year))),
                para(
                    ", ".join(sorted({i.assignee.get_full_name() for i in in_year if i.assignee}))
                    or "–"
                ),
            ]
        )
    table = Table(overview, repeatRows=1, colWidths=[3.6 * cm, 14 * cm, 3.4 * cm, 5.6 * cm])
    table.setStyle(grid)
    story.append(table)
    if capacity and any(year_of(i) > planning.YEARS for i in planned):
        story.append(
            para(
                _(
                    "Years after the fourth are indicative: they show when the rest fits if "
                    "the capacity of %(capacity)s effort points per year stays the same."
                )
                % {"capacity": capacity}
            )
        )

    story += [PageBreak(), Paragraph(escape(_("Every activity")), heading)]
    head = [
        _("Year"),
        _("Activity"),
        _("Status"),
        _("Effort"),
        _("Who"),
        _("Builds on"),
        _("Offers that fit"),
    ]
    data = [[para(h, bold=True) for h in head]]
    for item in items:
        data.append(
            [
                para(
                    _("Year %(year)s") % {"year": item.year}
                    if item.year
                    else _("Year %(year)s (indicative)") % {"year": year_of(item)}
                ),
                para(item.activity.name),
                para(str(item.get_status_display())),
                para(str(item.activity.get_effort_display())),
                para(who(item) if item.assignee else "–"),
                para(", ".join(p.name for p in item.activity.prerequisites.all()) or "–"),
                para(offers_of(item)),
            ]
        )
    table = Table(
        data,
        repeatRows=1,
        colWidths=[2.6 * cm, 6.2 * cm, 2.9 * cm, 2.6 * cm, 3 * cm, 4.6 * cm, 4.8 * cm],
    )
    table.setStyle(grid)
    story.append(table)
    document.build(story)
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(assessment, "pdf")}"'
    return response


def _radar_drawing(results: Results) -> Any:
    """The results page's radar chart (current level and target per dimension), for the PDF."""
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.spider import SpiderChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    dimensions = list(results.dimensions)
    if len(dimensions) < 3:
        return None
    from cityexchange.assessments.charts import _wrap

    drawing = Drawing(250, 290)
    drawing.add(String(0, 278, _("Current level and target per dimension"), fontSize=9))
    chart = SpiderChart()
    chart.x, chart.y, chart.width, chart.height = 65, 85, 120, 120
    chart.data = [[d.target for d in dimensions], [d.score for d in dimensions]]
    # Whole names, wrapped onto short lines: no dimension is cut off.
    chart.labels = ["\n".join(_wrap(d.name, 14)) for d in dimensions]
    chart.spokeLabels.fontSize = 6.5
    chart.spokeLabels.leading = 7.5
    # Names start beyond the rings, on the side away from the centre: none lies over
    # the target's outline.
    chart.spokes.labelRadius = 1.12
    chart.spokeLabels.boxAnchor = "autox"
    chart.strands[0].strokeColor = colors.HexColor("#7a8699")
    chart.strands[0].fillColor = None
    chart.strands[0].strokeDashArray = (3, 2)
    chart.strands[1].strokeColor = colors.HexColor("#1f5fa8")
    chart.strands[1].fillColor = colors.Color(0.12, 0.37, 0.66, alpha=0.25)
    chart.strands.strokeWidth = 1.2
    chart.strandLabels.visible = False
    chart.spokes.strokeColor = colors.HexColor("#c9d1da")
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 10, 40
    legend.fontSize = 8
    legend.alignment = "right"
    legend.colorNamePairs = [
        (colors.HexColor("#1f5fa8"), _("Current")),
        (colors.HexColor("#7a8699"), _("Target")),
    ]
    drawing.add(legend)
    drawing.add(String(0, 2, _("Scale 0 to 4; the results page holds the figures."), fontSize=7))
    return drawing
