"""Pilots: plan, milestones, reports, outcomes, the library page of the results, the
round's directory offer, and who may do or see what."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cityexchange.challenges import selectors, services
from cityexchange.challenges.models import (
    Challenge,
    ChallengeStatus,
    IdeaStatus,
    Pilot,
    PilotProposal,
    PilotReport,
    SolutionIdea,
)
from cityexchange.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def pilot(submitted_proposal: Any, staff: Any) -> Pilot:
    services.proposal_decide(proposal=submitted_proposal, user=staff, funded=True)
    return Pilot.objects.get(proposal=submitted_proposal)


def _client(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _url(pilot: Pilot) -> str:
    return reverse("challenges:pilot", kwargs={"pk": pilot.pk})


def test_the_consortium_plans_the_pilot_and_staff_see_what_is_overdue(
    pilot: Pilot, owner: Any, staff: Any
) -> None:
    client = _client(owner)
    today = timezone.localdate()
    start = today - dt.timedelta(days=200)
    response = client.post(
        _url(pilot),
        {
            "action": "plan",
            "starts_on": start.isoformat(),
            "ends_on": (start + dt.timedelta(days=720)).isoformat(),
            "report_every_months": "3",
        },
    )
    assert response.status_code == 302
    client.post(
        _url(pilot),
        {
            "action": "milestone",
            "title": "Sensors installed",
            "due_on": str(today - dt.timedelta(days=5)),
        },
    )
    client.post(
        _url(pilot),
        {
            "action": "milestone",
            "title": "Dashboard live",
            "due_on": str(today + dt.timedelta(days=30)),
        },
    )
    page = _client(staff).get(
        reverse("challenges:pilots", kwargs={"slug": pilot.proposal.round.slug})
    )
    html = page.content.decode()
    assert page.status_code == 200
    # Six months in with a report due every three: two reports are overdue.
    row = selectors.pilots_overview(pilot.proposal.round)[0]
    assert [m.title for m in row.overdue_milestones] == ["Sensors installed"]
    assert len(row.overdue_reports) == 2
    assert "Sensors installed" in html and "Dashboard live" not in html

    # Reaching the milestone and handing in the reports clears the flags.
    milestone = pilot.milestones.get(title="Sensors installed")
    client.post(
        _url(pilot), {"action": "milestone_status", "milestone": milestone.pk, "status": "done"}
    )
    for n in (1, 2):
        client.post(_url(pilot), {"action": "report", "title": f"Report {n}", "text": "Progress."})
    row = selectors.pilots_overview(pilot.proposal.round)[0]
    assert row.overdue_milestones == [] and row.overdue_reports == []
    assert AuditEntry.objects.filter(action="pilot.milestone_status").exists()


def test_outsiders_and_anonymous_visitors_cannot_change_a_pilot(
    pilot: Pilot, outsider: Any
) -> None:
    data = {"action": "milestone", "title": "Mine", "due_on": "2030-01-01"}
    assert _client(outsider).post(_url(pilot), data).status_code == 404
    anonymous = _client(None).post(_url(pilot), data)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert not pilot.milestones.exists()
    # The pilot itself is public.
    assert _client(None).get(_url(pilot)).status_code == 200


def test_reports_with_a_pdf_are_seen_only_by_the_consortium_and_staff(
    pilot: Pilot, ee_member: Any, owner: Any, staff: Any, outsider: Any, evaluator: Any
) -> None:
    upload = SimpleUploadedFile("progress.pdf", _pdf(), content_type="application/pdf")
    response = _client(ee_member).post(
        _url(pilot),
        {"action": "report", "title": "First half year", "text": "Sensors run.", "file": upload},
    )
    assert response.status_code == 302
    report = PilotReport.objects.get(pilot=pilot)
    file_url = reverse("challenges:pilot_report", kwargs={"pk": report.pk})
    for allowed in (ee_member, owner, staff):
        got = _client(allowed).get(file_url)
        assert got.status_code == 200
        assert b"".join(got.streaming_content).startswith(b"%PDF-")
        assert "First half year" in _client(allowed).get(_url(pilot)).content.decode()
    for refused in (outsider, evaluator, None):
        assert _client(refused).get(file_url).status_code == 404
        assert "First half year" not in _client(refused).get(_url(pilot)).content.decode()


@pytest.mark.parametrize("content", [b"not a pdf", b"%PDF-1.7 broken"], ids=["text", "broken"])
def test_a_report_file_that_is_not_a_readable_pdf_is_refused_and_nothing_is_saved(
    pilot: Pilot, owner: Any, content: bytes
) -> None:
    upload = SimpleUploadedFile("x.pdf", content, content_type="application/pdf")
    response = _client(owner).post(
        _url(pilot), {"action": "report", "title": "R", "text": "T", "file": upload}
    )
    assert response.status_code == 400
    assert "PDF" in response.content.decode()
    assert not PilotReport.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "plan", "starts_on": "2030-01-10", "ends_on": "2029-01-01"},
        {"action": "plan", "report_every_months": "99999999999999999999"},
        {"action": "milestone", "title": "A\x00B", "due_on": "2030-01-01"},
        {"action": "milestone", "title": "A", "due_on": "99999-99-99"},
        {"action": "figure", "label": "CO2", "value": "1e400"},
        {"action": "figure", "label": "CO2", "value": "999999999999999999999"},
        {"action": "outcomes", "results": "Good", "languages": ["xx"]},
        {"action": "milestone_status", "milestone": "abc", "status": "done"},
        {"action": "figure_remove", "figure": "\x00"},
        {"action": "nonsense"},
        {"action": "publish"},
    ],
)
def test_bad_input_on_the_pilot_page_gets_a_message_never_a_500(
    pilot: Pilot, owner: Any, data: dict[str, Any]
) -> None:
    response = _client(owner).post(_url(pilot), data)
    assert response.status_code == 400
    assert not pilot.milestones.exists() and not pilot.figures.exists()


def test_published_results_become_a_library_page_linked_both_ways(
    pilot: Pilot, owner: Any, staff: Any, topic: Any, published: Any, outsider: Any
) -> None:
    from cityexchange.library.models import ResourceStatus

    idea = services.idea_create(
        round=pilot.proposal.round,
        organisation=pilot.proposal.lead,
        user=owner,
        data=services.IdeaInput(title="Warning", approach="Sensors", challenges=[published]),
    )
    pilot.proposal.idea = idea
    pilot.proposal.save()
    offer = services.round_offer_sync(round=pilot.proposal.round, user=staff)
    client = _client(owner)
    # Results stay with the consortium until published.
    client.post(
        _url(pilot),
        {
            "action": "outcomes",
            "results": "Warnings came 20 minutes earlier.",
            "lessons": "Calibrate.",
            "languages": ["en", "de"],
        },
    )
    client.post(
        _url(pilot),
        {"action": "figure", "label": "Warning lead time", "value": "20", "unit": "min"},
    )
    assert "Warnings came" not in _client(outsider).get(_url(pilot)).content.decode()

    response = client.post(_url(pilot), {"action": "publish"})
    assert response.status_code == 302
    pilot.refresh_from_db()
    resource = pilot.resource
    assert resource is not None and resource.status == ResourceStatus.PUBLISHED
    assert pilot.status == "finished"
    assert resource.languages == ["en", "de"]
    assert resource.title_de == pilot.title and resource.title_en == pilot.title
    assert [t.key for t in resource.topics.all()] == [topic.key]
    assert list(resource.offers.all()) == [offer]
    assert resource.source_url.endswith(f"/en/challenges/pilot/{pilot.pk}/")
    assert "Warning lead time: 20 min" in resource.body
    # The pilot page links to the library page and shows the results to everyone.
    html = _client(outsider).get(_url(pilot)).content.decode()
    assert reverse("library:resource", kwargs={"slug": resource.slug}) in html
    assert "Warnings came" in html and "Warning lead time" in html
    # The library page is public.
    assert (
        _client(None).get(reverse("library:resource", kwargs={"slug": resource.slug})).status_code
        == 200
    )

    # Publishing again updates the same page.
    client.post(
        _url(pilot),
        {
            "action": "outcomes",
            "results": "Warnings came 25 minutes earlier.",
            "lessons": "",
            "languages": ["en", "de"],
        },
    )
    client.post(_url(pilot), {"action": "publish"})
    pilot.refresh_from_db()
    assert pilot.resource_id == resource.pk
    resource.refresh_from_db()
    assert "25 minutes" in resource.body


def test_only_the_lead_and_staff_publish_results(
    pilot: Pilot, ee_member: Any, outsider: Any
) -> None:
    services.outcomes_save(
        pilot=pilot, user=ee_member, results="Done.", lessons="", languages=["en"]
    )
    with pytest.raises(services.ChallengeError):
        services.pilot_publish_results(pilot=pilot, user=ee_member)
    assert _client(outsider).post(_url(pilot), {"action": "publish"}).status_code == 404
    pilot.refresh_from_db()
    assert pilot.resource is None


def test_the_round_appears_in_the_directory_as_an_offer_that_links_to_the_round(
    round_: Any, staff: Any, owner: Any, topic: Any
) -> None:
    from cityexchange.directory.models import Offer

    round_.topics.add(topic)
    assert (
        _client(owner)
        .post(reverse("challenges:round_offer", kwargs={"slug": round_.slug}))
        .status_code
        == 404
    )
    assert not Offer.objects.exists()
    response = _client(staff).post(reverse("challenges:round_offer", kwargs={"slug": round_.slug}))
    assert response.status_code == 302
    round_.refresh_from_db()
    offer = round_.offer
    assert offer is not None and offer.kind == "challenge"
    assert offer.url.endswith(f"/en/challenges/rounds/{round_.slug}/")
    assert list(offer.organisers.all()) == [round_.organiser]
    assert [t.key for t in offer.topics.all()] == [topic.key]
    page = _client(None).get(reverse("directory:offer_detail", kwargs={"slug": offer.slug}))
    assert page.status_code == 200 and offer.url in page.content.decode()
    # Again: the same offer, brought up to date.
    round_.name_en = "Renamed round"
    round_.save()
    services.round_offer_sync(round=round_, user=staff)
    assert Offer.objects.count() == 1
    offer.refresh_from_db()
    assert offer.name_en == "Renamed round"


def test_the_api_shows_results_only_once_published(pilot: Pilot, owner: Any) -> None:
    services.outcomes_save(
        pilot=pilot, user=owner, results="Draft results.", lessons="", languages=["en"]
    )
    services.figure_add(pilot=pilot, user=owner, label="Sensors", value=Decimal("12"), unit="")
    item = Client().get("/api/v1/challenges/pilots").json()["items"][0]
    assert (item["outcomes"], item["figures"], item["library_resource"]) == ("", [], None)
    services.pilot_publish_results(pilot=pilot, user=owner)
    item = Client().get("/api/v1/challenges/pilots").json()["items"][0]
    pilot.refresh_from_db()
    assert item["outcomes"] == "Draft results."
    assert item["figures"] == [{"label": "Sensors", "value": "12.00", "unit": ""}]
    assert item["library_resource"] == pilot.resource.slug


def _answering(pilot: Pilot, *challenges: Challenge) -> None:
    """Give the pilot's proposal a selected idea that addresses ``challenges``."""
    idea = SolutionIdea.objects.create(
        round=pilot.proposal.round,
        organisation=pilot.proposal.lead,
        title="Water-level sensors",
        approach="Sensors that warn.",
        status=IdeaStatus.SELECTED,
    )
    idea.challenges.set(challenges)
    PilotProposal.objects.filter(pk=pilot.proposal_id).update(idea=idea)


@pytest.mark.parametrize(
    ("language", "heading", "handed_in_by", "estonia"),
    [
        ("en", "Challenges this pilot answers", "handed in by", "Estonia"),
        ("de", "Herausforderungen, auf die dieser Pilot antwortet", "eingereicht von", "Estland"),
        ("es", "Retos a los que responde este piloto", "presentado por", "Estonia"),
        ("pt", "Desafios a que este piloto responde", "apresentado por", "Estônia"),
    ],
)
def test_the_pilot_page_names_the_published_challenges_it_answers_and_their_cities(
    pilot: Pilot,
    published: Challenge,
    tartu: Any,
    language: str,
    heading: str,
    handed_in_by: str,
    estonia: str,
) -> None:
    round_ = pilot.proposal.round
    from_tartu = Challenge.objects.create(
        round=round_,
        city=tartu,
        title="Streets that flood first",
        problem="No measurements.",
        status=ChallengeStatus.PUBLISHED,
    )
    unpublished = Challenge.objects.create(
        round=round_, city=tartu, title="A draft nobody else sees", problem="Draft."
    )
    _answering(pilot, published, from_tartu, unpublished)
    with translation.override(language):
        url = _url(pilot)
        links = {
            c.title: reverse("challenges:challenge", kwargs={"pk": c.pk})
            for c in (published, from_tartu)
        }
    page = _client(None).get(url).content.decode()
    assert heading in page
    for title, link in links.items():
        assert f'<a href="{link}">{title}</a>' in page
    assert f"{handed_in_by} Lindenau" in page
    assert f"{handed_in_by} Tartu test ({estonia})" in page
    assert "A draft nobody else sees" not in page
    # The links lead to the public challenge pages.
    assert _client(None).get(links[from_tartu.title]).status_code == 200
    # The API names the same challenges.
    item = Client().get("/api/v1/challenges/pilots").json()["items"][0]
    assert sorted(item["challenges"]) == sorted([published.pk, from_tartu.pk])


def test_a_pilot_without_a_published_challenge_says_so(pilot: Pilot, draft: Challenge) -> None:
    _answering(pilot, draft)
    page = _client(None).get(_url(pilot)).content.decode()
    assert "This pilot names no published challenge." in page
    assert draft.title not in page


def test_the_pilot_page_names_the_missing_report_instead_of_a_next_one_in_the_past(
    pilot: Pilot, owner: Any
) -> None:
    today = timezone.localdate()
    start = today - dt.timedelta(days=100)
    services.pilot_plan_set(
        pilot=pilot,
        user=owner,
        starts_on=start,
        ends_on=start + dt.timedelta(days=700),
        report_every_months=3,
    )
    first_due = Pilot.objects.get(pk=pilot.pk).report_due_dates()[0]
    assert first_due < today
    page = _client(owner).get(_url(pilot)).content.decode()
    assert "1 report is overdue." in page
    assert "The oldest missing report was due on" in page
    assert "Next report due" not in page
    services.report_add(pilot=pilot, user=owner, title="Q1", text="Done.", upload=None)
    page = _client(owner).get(_url(pilot)).content.decode()
    assert "overdue" not in page and "Next report due" in page
