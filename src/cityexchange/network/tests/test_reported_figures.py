"""The network's reported figures per format have one place, and every page reads it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import translation

from cityexchange.network.models import ReportedFigure
from cityexchange.network.report import document, plain_text
from cityexchange.network.selectors import programme_report


def report_text() -> str:
    with translation.override("en"):
        report = programme_report(start=dt.date(2021, 1, 1), end=dt.date(2024, 4, 30))
        return plain_text(document(report, "en"))


def test_the_report_the_statistics_page_and_the_api_show_the_same_reported_figures(
    network_data: Any, client: Client
) -> None:
    api = {
        item["format"]: item["reported_by_network"]
        for item in client.get("/api/v1/events/statistics").json()["items"]
    }
    assert api["global-mixer"] == {
        "participants_min": 15,
        "participants_max": 30,
        "international_speaker_share": 40,
        "share_is_lower_bound": False,
        "speaker_countries": ["BR", "IN", "JP", "CH", "TH", "US"],
    }
    assert (api["symposium"]["participants_min"], api["symposium"]["participants_max"]) == (
        50,
        120,
    )
    assert api["advisory-programme"]["share_is_lower_bound"] is True
    page = client.get("/en/events/statistics/").content.decode()
    text = report_text()
    for shown in ("15–30", "30–60", "50–120"):
        assert shown in page and shown in text

    # One change in the one place shows everywhere.
    ReportedFigure.objects.filter(key="participants-symposium").update(value=40, value_max=110)
    api = {
        item["format"]: item["reported_by_network"]
        for item in client.get("/api/v1/events/statistics").json()["items"]
    }
    assert (api["symposium"]["participants_min"], api["symposium"]["participants_max"]) == (
        40,
        110,
    )
    page = client.get("/en/events/statistics/").content.decode()
    text = report_text()
    assert "40–110" in page and "40–110" in text
    assert "50–120" not in page and "50–120" not in text


def test_the_events_data_file_no_longer_carries_reported_figures(db: Any, tmp_path: Any) -> None:
    """A second copy in the events data would be refused, naming where it belongs."""
    from cityexchange.core.datafiles import DataFileError
    from cityexchange.core.seeding import load_organisations
    from cityexchange.events.seeding import DATA_DIR, load_past_editions

    load_organisations()
    text = (DATA_DIR / "past_editions.yaml").read_text()
    assert "reported:" not in text
    copy = tmp_path / "past_editions.yaml"
    copy.write_text(
        text.replace("    interpretation: []\n", "    interpretation: []\n    reported: {}\n", 1)
    )
    try:
        load_past_editions(copy)
    except DataFileError as refused:
        assert "network/data/network.yaml" in str(refused)
    else:
        raise AssertionError("a reported figure in the events data was accepted")
