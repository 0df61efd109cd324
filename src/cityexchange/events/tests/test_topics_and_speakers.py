"""Editions carry reviewed topics and (demo) speakers; the pages and neighbours use them."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
import yaml

from cityexchange.core import seeding as core_seeding
from cityexchange.core.models import Concept
from cityexchange.core.text import fold
from cityexchange.core.text import thesaurus as thesaurus_index
from cityexchange.directory.selectors import upcoming_events_for
from cityexchange.events import services
from cityexchange.events.models import Event
from cityexchange.events.seeding import DATA_DIR, load_demo, load_past_editions
from cityexchange.events.topics import suggest_topics

pytestmark = pytest.mark.django_db

THESAURUS = core_seeding.DATA_DIR / "thesaurus.yaml"


def _shipped() -> dict[str, Any]:
    return yaml.safe_load((DATA_DIR / "past_editions.yaml").read_text(encoding="utf-8"))


def test_every_shipped_edition_names_its_topics_from_the_thesaurus() -> None:
    known = {c["id"] for c in yaml.safe_load(THESAURUS.read_text(encoding="utf-8"))["concepts"]}
    editions = _shipped()["editions"]
    assert len(editions) == 29
    for edition in editions:
        topics = edition.get("topics") or []
        assert 1 <= len(topics) <= 6, edition["title"]
        assert set(topics) <= known, (edition["title"], set(topics) - known)


@pytest.fixture
def programme(thesaurus: None) -> None:
    core_seeding.load_organisations()
    load_past_editions()


def test_the_seed_gives_every_past_edition_its_topics_and_keeps_what_staff_chose(
    programme: None, staff: Any
) -> None:
    editions = Event.objects.filter(edition__isnull=False)
    assert editions.count() == 29
    assert not editions.filter(topics__isnull=True).exists()
    twin = Event.objects.get(slug="global-mixer-01")
    assert "digital-twin" in set(twin.topics.values_list("key", flat=True))
    # Staff change one edition's topics in the back office: a reload keeps them.
    services.event_topics_set(event=twin, topics=[Concept.objects.get(key="energy")], actor=staff)
    assert load_past_editions()[1].endswith("0 given topics")
    assert list(twin.topics.values_list("key", flat=True)) == ["energy"]


def test_the_programme_offers_the_editions_topics_and_filters_by_them(
    programme: None, client: Any
) -> None:
    page = client.get("/de/events/").content.decode()
    assert '<option value="digital-twin">' in page
    filtered = client.get("/de/events/?topic=digital-twin").content.decode()
    assert "Digital Twins for Regions" in filtered
    assert "Citizen Science and Smart Cities" not in filtered
    detail = client.get("/de/events/global-mixer-03/").content.decode()
    assert "?topic=digital-twin" in detail


def test_demo_editions_have_topics_and_demo_speakers_that_neighbours_and_pages_show(
    programme: None, client: Any
) -> None:
    core_seeding.load_demo()
    load_demo()
    demo = Event.objects.filter(is_demo=True)
    assert demo.count() == 3
    assert not demo.filter(topics__isnull=True).exists()
    assert not demo.filter(speakers__isnull=True).exists()
    # Only the invented demo people speak, never a real person made up for an edition.
    assert not Event.objects.filter(is_demo=False, speakers__isnull=False).exists()
    # The Finder's and the offer pages' neighbouring events read these topics.
    assert [e.slug for e in upcoming_events_for(["heatwaves"])] == ["demo-global-mixer"]
    page = client.get("/pt/events/demo-advisory-programme/").content.decode()
    assert "Lucía Ejemplo (Demo)" in page and "Villa del Sol (demo)" in page
    assert load_demo() == "demo editions: 0 created, 0 with updated texts"
    speakers = client.get("/api/v1/events/demo-advisory-programme").json()["speakers"]
    assert speakers[0] == {
        "name": "Lucía Ejemplo (Demo)",
        "role": "speaker",
        "organisation": "Villa del Sol (demo)",
        "country": "PE",
    }
    assert client.get("/api/v1/events/demo-advisory-programme").json()["topics"]


def test_topic_suggestions_come_from_the_title_and_the_documentation(thesaurus: None) -> None:
    index = thesaurus_index()
    keys = suggest_topics(
        title="Digital Twins for Regions",
        documentation_topics=["rural-areas"],
        documentation_text="Flooding, flooding and flooding again; data, data, data.",
        index=index,
    )
    # The title's concept first, then the editors' topics, then what the text names often.
    assert keys == ["digital-twin", "rural-areas", "flooding"]
    # Broad words every text uses are not suggested from the text alone.
    assert "data" not in keys


@pytest.mark.parametrize("language", ["de", "pt"])
def test_the_programmes_topics_are_listed_by_their_name_in_the_pages_language(
    programme: None, client: Any, language: str
) -> None:
    page = client.get(f"/{language}/events/").content.decode()
    select = page[page.index('name="topic"') :]
    select = select[: select.index("</select>")]
    labels = [
        html.unescape(label) for label in re.findall(r'<option value="[^"]+">([^<]+)<', select)
    ]
    assert len(labels) > 10
    assert labels == sorted(labels, key=fold)
