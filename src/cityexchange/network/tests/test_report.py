"""The programme report states what the shipped data says, and follows the data."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from cityexchange.network.models import Payment
from cityexchange.network.report import document, plain_text
from cityexchange.network.selectors import programme_report

START, END = dt.date(2021, 1, 1), dt.date(2024, 4, 30)


def report_text(language: str) -> str:
    with translation.override(language):
        report = programme_report(start=START, end=END)
    return plain_text(document(report, language))


def test_the_report_counts_the_editions_from_the_data(network_data: Any) -> None:
    report = programme_report(start=START, end=END)
    counts = {s.slug: s.count for s in report.formats}
    assert counts == {"global-mixer": 13, "advisory-programme": 13, "symposium": 3}
    mixer = report.formats[0]
    assert [e.number for e in mixer.editions] == list(range(1, 14))
    assert mixer.editions[0].day == dt.date(2023, 7, 19)


def test_the_german_report_states_editions_ranges_shares_and_budget(network_data: Any) -> None:
    text = report_text("de")
    assert "13 × ISCN Global Mixer" in text
    assert "13 × ISCN Online Advisory Programme" in text
    assert "3 × ISCN-Symposium" in text
    assert "19.07.2023" in text and "08.11.2023" in text and "27.04.2021" in text
    for reported in ("15–30", "30–60", "50–120"):
        assert reported in text
    assert "40 %" in text
    assert text.count("mehr als 60 %") == 2
    assert "73.000,00" in text and "350.000,00" in text and "700.000,00" in text
    assert "85 %" in text
    assert "-22,2 %" in text
    # the seven steering meetings
    for day in (
        "30.08.2022",
        "24.11.2022",
        "23.02.2023",
        "22.05.2023",
        "23.08.2023",
        "26.01.2024",
        "12.04.2024",
    ):
        assert day in text


def test_the_english_report_flags_the_edition_out_of_order(network_data: Any) -> None:
    text = report_text("en")
    assert "more than 60 %" in text
    assert "€73,000.00" in text
    assert "ISCN Global Mixer 10 is dated Feb 21, 2023, before number 9 (Oct 30, 2023)" in text


def test_the_report_follows_a_changed_edition_date_and_payment(network_data: Any) -> None:
    from cityexchange.events.models import Event

    before = report_text("en")
    edition = Event.objects.get(format__slug="global-mixer", edition=10)
    edition.starts_at = dt.datetime(2024, 2, 21, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    edition.save(update_fields=["starts_at"])
    payment = Payment.objects.get(programme__slug="iscn", year=2023)
    payment.amount = Decimal("650000.00")
    payment.save(update_fields=["amount"])
    after = report_text("en")
    assert after != before
    assert "Global Mixer 10 is dated" not in after
    assert "Feb 21, 2024" in after
    assert "€650,000.00" in after and "€700,000.00" not in after
    assert "€1,073,000.00" in after


def test_an_edition_outside_the_period_is_not_counted(network_data: Any) -> None:
    report = programme_report(start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31))
    counts = {s.slug: s.count for s in report.formats}
    assert counts == {"global-mixer": 10, "advisory-programme": 2, "symposium": 1}


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "docx"])
def test_the_command_writes_the_report(network_data: Any, tmp_path: Any, fmt: str) -> None:
    output = tmp_path / f"report.{fmt}"
    call_command(
        "report",
        "--from",
        "2021-01-01",
        "--to",
        "2024-04-30",
        "--lang",
        "de",
        "--format",
        fmt,
        "--output",
        str(output),
        stdout=io.StringIO(),
    )
    content = output.read_bytes()
    if fmt == "pdf":
        from pypdf import PdfReader

        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content)).active
        text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    else:
        from docx import Document

        doc = Document(io.BytesIO(content))
        text = "\n".join(p.text for p in doc.paragraphs)
        text += "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "13 × ISCN Global Mixer" in " ".join(text.split())
    assert "50–120" in text
    assert "700.000,00" in text


def test_the_command_refuses_dates_out_of_order(network_data: Any, tmp_path: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="dates must be in order"):
        call_command(
            "report",
            "--from",
            "2024-01-01",
            "--to",
            "2023-01-01",
            "--output",
            str(tmp_path / "x.pdf"),
        )


def test_loading_the_data_twice_changes_nothing(network_data: Any) -> None:
    from cityexchange.network.seeding import load

    assert all(line.endswith(": 0 created, 0 changed") for line in load())


def test_recorded_attendance_and_speakers_stand_beside_the_reported_figures(
    network_data: Any,
) -> None:
    from cityexchange.core.tests.factories import PersonFactory
    from cityexchange.events.models import Event, Speaker
    from cityexchange.events.tests.factories import RegistrationFactory

    symposium = Event.objects.get(format__slug="symposium", edition=3)
    for n in range(40):
        RegistrationFactory(event=symposium, attended=True, country="DE", name=f"P{n}")
    for country in ("IN", "JP", "DE"):
        Speaker.objects.create(event=symposium, person=PersonFactory(), country=country)
    text = report_text("en")
    assert "Participants per edition, reported: 50–120" in text
    assert "Participants recorded for 1 editions: 40 to 40, mean 40" in text
    assert "Speakers recorded: 3, of them 2 from abroad (66.7 %); countries: India, Japan." in text
    assert (
        "ISCN Symposium: 1 editions have recorded participation outside the reported range." in text
    )


def test_a_recorded_allocation_gives_utilisation_and_flags_a_disagreement(
    network_data: Any,
) -> None:
    from cityexchange.network.models import Allocation, BudgetLine

    line = BudgetLine.objects.get()
    Allocation.objects.create(line=line, year=2023, amount=Decimal("1123000.00"))
    text = report_text("en")
    assert "Utilisation (paid ÷ allocated) | 100 %" in text
    assert (
        "Budget 2023: the reported utilisation (85 %) differs from the one the data gives (100 %)."
        in text
    )


def test_demo_content_is_loaded_only_on_request_and_marked(network_data: Any) -> None:
    from cityexchange.core.seeding import load_demo as core_demo
    from cityexchange.network.models import Partnership
    from cityexchange.network.seeding import load_demo

    assert not Partnership.objects.filter(is_demo=True).exists()
    core_demo()
    assert load_demo() == "demo tandem: created"
    assert load_demo() == "demo tandem: already there"
    demo = Partnership.objects.get(is_demo=True)
    assert demo.title.startswith("Demo")
    assert demo.next_steps.count() == 1
    report = programme_report(start=START, end=END)
    assert report.pipeline["city_tandem"]["contact"] == 0  # demo content stays out of reports


def test_an_edition_counts_as_documented_once_its_library_page_is_published(
    network_data: Any,
) -> None:
    from cityexchange.events.models import Event
    from cityexchange.library.services import resource_create

    def documented() -> int:
        return next(s.documented for s in programme_report(start=START, end=END).formats)

    before = documented()
    edition = Event.objects.filter(format__slug="global-mixer", edition=1).get()
    edition.documentation_published_at = None
    edition.save(update_fields=["documentation_published_at"])
    resource_create(
        actor=None,
        slug="doc-mixer-one",
        kind="event_documentation",
        title={"en": "Documentation of Global Mixer 1"},
        event=edition,
        status="published",
    )
    assert before < 13
    assert documented() == before + 1
