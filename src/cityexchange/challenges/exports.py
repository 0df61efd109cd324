"""Staff exports of a round's handed-in challenges: CSV and XLSX, one row per challenge.

Every text cell goes through ``core.exports.spreadsheet_safe``: the texts come from
cities and must not run as formulas when staff open the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.translation import gettext as _

from cityexchange.challenges.models import Challenge, Round
from cityexchange.core.exports import spreadsheet_safe


def _header() -> list[str]:
    return [
        _("Title"),
        _("City"),
        _("Country"),
        _("Status"),
        _("Submitted"),
        _("Topics"),
        _("City size (inhabitants)"),
        _("Interested cities"),
        _("The problem"),
        _("Desired outcome"),
    ]


def _rows(challenges: Iterable[Challenge]) -> Iterable[list[str]]:
    for c in challenges:
        yield [
            spreadsheet_safe(c.title),
            spreadsheet_safe(c.city.name),
            str(getattr(c.city.country, "code", "") or ""),
            str(c.get_status_display()),
            c.submitted_at.isoformat() if c.submitted_at else "",
            ", ".join(t.key for t in c.topics.all()),
            str(c.population or ""),
            str(len(c.interests.all())),
            spreadsheet_safe(c.problem),
            spreadsheet_safe(c.desired_outcome),
        ]


def challenges_csv(round_: Round, challenges: Iterable[Challenge]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_header())
    writer.writerows(_rows(challenges))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{round_.slug}-challenges.csv"'
    return response


def challenges_xlsx(round_: Round, challenges: Iterable[Challenge]) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Challenges")[:31])
    sheet.append(_header())
    for row in _rows(challenges):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{round_.slug}-challenges.xlsx"'
    return response
