"""Events, library resources and peers beside the Finder's offers: right, fresh and cheap."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cityexchange.core import caching
from cityexchange.directory.finder import FinderQuery, finder_run

pytestmark = pytest.mark.django_db


def resource(slug: str, topics: list[str], *, days_ago: int, **fields: Any) -> Any:
    from cityexchange.core.models import Concept
    from cityexchange.library.models import Resource

    item = Resource.objects.create(
        slug=slug,
        kind="study",
        title_en=f"Study {slug}",
        title_de=f"Studie {slug}",
        published_on=dt.date(2026, 1, 1) - dt.timedelta(days=days_ago),
        status=fields.pop("status", "published"),
        visibility=fields.pop("visibility", "public"),
        **fields,
    )
    item.topics.set(Concept.objects.filter(key__in=topics))
    caching.bump("library")  # as the library's services do after every write
    return item


def shown_resources(description: str, language: str = "en") -> list[str]:
    answer = finder_run(FinderQuery(description=description), language=language, record_gaps=False)
    return [r["slug"] for r in answer["resources"]]


def test_the_newest_public_resources_on_the_topics_are_shown(catalogue: None) -> None:
    for n in range(7):
        resource(f"flood-{n}", ["flooding"], days_ago=n)
    resource("flood-draft", ["flooding"], days_ago=0, status="draft")
    resource("flood-members", ["flooding"], days_ago=0, visibility="members")
    resource("heat-1", ["heatwaves"], days_ago=3)
    assert shown_resources("Hochwasser") == [f"flood-{n}" for n in range(5)]
    # Two topics: taken from each topic's list in turn.
    assert shown_resources("Hochwasser und Hitze")[:2] == ["flood-0", "heat-1"]
    answer = finder_run(FinderQuery(description="Hochwasser"), language="de", record_gaps=False)
    first = answer["resources"][0]
    assert (first["slug"], first["title"]) == ("flood-0", "Studie flood-0")
    assert first["url"].startswith("/de/") and first["url"].endswith("/flood-0/")


def test_a_new_or_changed_resource_is_shown_at_once(catalogue: None) -> None:
    from cityexchange.library.models import Resource

    resource("flood-old", ["flooding"], days_ago=30)
    assert shown_resources("Hochwasser") == ["flood-old"]
    resource("flood-new", ["flooding"], days_ago=1)
    assert shown_resources("Hochwasser") == ["flood-new", "flood-old"]
    withdrawn = Resource.objects.get(slug="flood-new")
    withdrawn.status = "withdrawn"
    withdrawn.save()
    caching.bump("library")
    assert shown_resources("Hochwasser") == ["flood-old"]


def test_upcoming_events_and_peers_on_the_topics_are_shown(
    catalogue: None, municipality: Any
) -> None:
    from django.utils import timezone

    from cityexchange.core.models import Concept
    from cityexchange.directory.models import MunicipalityProfile
    from cityexchange.events.tests.factories import EventFactory

    soon = EventFactory(slug="flood-talk", title_en="Flood talk")
    soon.topics.set(Concept.objects.filter(key="flooding"))
    past = EventFactory(slug="old-talk", starts_at=timezone.now() - dt.timedelta(days=1))
    past.topics.set(Concept.objects.filter(key="flooding"))
    profile = MunicipalityProfile.objects.create(organisation=municipality, country="DE")
    profile.topics.set(Concept.objects.filter(key="flooding"))
    answer = finder_run(FinderQuery(description="Hochwasser"), language="en", record_gaps=False)
    assert [e["slug"] for e in answer["events"]] == ["flood-talk"]
    assert [p["name"] for p in answer["peers"]] == [municipality.name]
    # The asking municipality is not its own peer.
    own = finder_run(
        FinderQuery(description="Hochwasser"),
        language="en",
        record_gaps=False,
        exclude_organisation=municipality.pk,
    )
    assert own["peers"] == []


@pytest.mark.parametrize("extra", [0, 40])
def test_a_search_costs_no_query_for_events_resources_and_peers(
    client: Client, catalogue: None, django_assert_max_num_queries: Any, extra: int
) -> None:
    for n in range(extra):
        resource(f"flood-{n}", ["flooding", "heatwaves"], days_ago=n)
    body = {"description": "flooding and heat"}
    client.post("/api/v1/finder", body, content_type="application/json")
    # Nothing per topic: the lists were built by the first search. (What remains is
    # the count of searches that found little, kept for staff.)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/api/v1/finder",
            {"description": "Hitze, Hochwasser und Starkregen"},
            content_type="application/json",
        )
    assert response.status_code == 200
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if "directory_searchgap" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]
    assert reads == []
    assert len(response.json()["resources"]) == min(extra, 5)
    with django_assert_max_num_queries(8):
        page = client.get("/en/offers/test-mixer/")
    assert page.status_code == 200
    if extra:
        assert "Study flood-0" in page.content.decode()
