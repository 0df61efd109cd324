"""The programme report states what the shipped data says, and follows the data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from cityexchange.network.report import document, plain_text
from cityexchange.network.selectors import programme_report

START, END = dt.date(2021, 1, 1), dt.date(2024, 4, 30)


def text(language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        report = programme_report(start=START, end=END)
    return plain_text(document(report, language))


@pytest.mark.django_db
def test_the_report_counts_the_editions_from_the_data(network_data: Any) -> None:
    report = programme_report(start=START, end=END)
    counts = {s.slug: s.count for s in report.formats}
    assert counts == {"global-mixer": 13, "advisory-programme": 13, "symposium": 3}
    print(text("de"))
