"""My cityexchange gathers what the person has across the platform, and only theirs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from cityexchange.assessments.models import Assessment, MaturityModel
from cityexchange.core.models import AuditEntry
from cityexchange.directory.models import SavedResult
from cityexchange.events.models import Registration
from cityexchange.events.tests.factories import EventFactory, RegistrationFactory
from cityexchange.library.models import Forwarding, Resource, Subscription

pytestmark = pytest.mark.django_db


def _main(client: Client, language: str = "en") -> str:
    html = client.get(f"/{language}/account/").content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_registrations_show_with_manage_and_calendar_links(client: Client, member: Any) -> None:
    coming = EventFactory(title="Data spaces", title_en="Data spaces")
    full = EventFactory(title="Mobility lab", title_en="Mobility lab")
    gone = EventFactory(
        title="Past mixer",
        title_en="Past mixer",
        starts_at=timezone.now() - dt.timedelta(days=30),
    )
    RegistrationFactory(event=coming, user=member, email=member.email)
    RegistrationFactory(event=full, user=member, email=member.email, status="waitlisted")
    RegistrationFactory(event=gone, user=member, email=member.email)
    client.force_login(member)
    page = _main(client)
    upcoming = page[
        page.index('id="section-events-upcoming"') : page.index('id="section-events-waiting"')
    ]
    assert "Data spaces" in upcoming and "Mobility lab" not in upcoming
    assert "/en/events/registration/" in upcoming
    assert f"/en/events/{coming.slug}/calendar.ics" in upcoming
    waiting = page[
        page.index('id="section-events-waiting"') : page.index('id="section-events-past"')
    ]
    assert "Mobility lab" in waiting
    assert "Past mixer" in page[page.index('id="section-events-past"') :]


def test_saved_results_subscription_forwardings_and_assessments_appear(
    client: Client, member: Any, municipality: Any, thesaurus: None
) -> None:
    saved = SavedResult.objects.create(created_by=member, items=[{"slug": "a"}, {"slug": "b"}])
    Subscription.objects.create(user=member, frequency="monthly", language="de", kinds=["study"])
    resource = Resource.objects.create(
        slug="water-study", kind="study", title="Water study", title_en="Water study"
    )
    Forwarding.objects.create(resource=resource, organisation=municipality, note="For you")
    model = MaturityModel.objects.create(version="t1", name="Test", content_hash="x")
    Assessment.objects.create(organisation=municipality, maturity_model=model)
    client.force_login(member)
    page = _main(client)
    assert saved.get_absolute_url() in page
    assert "How often: Monthly. Language: German." in page
    assert "/en/library/subscription/" in page
    assert "Water study" in page
    assert "Self-assessment of Lindenau" in page


def test_an_outsider_sees_none_of_another_organisations_things(
    client: Client, member: Any, outsider: Any, municipality: Any
) -> None:
    resource = Resource.objects.create(
        slug="water-study", kind="study", title="Water study", title_en="Water study"
    )
    Forwarding.objects.create(resource=resource, organisation=municipality)
    RegistrationFactory(event=EventFactory(title="Data spaces"), user=member, email=member.email)
    saved = SavedResult.objects.create(created_by=member, items=[])
    client.force_login(outsider)
    page = _main(client)
    assert "Water study" not in page
    assert "Data spaces" not in page
    assert saved.get_absolute_url() not in page
    assert "Lindenau" not in page


def test_the_page_is_in_the_visitors_language(client: Client, member: Any) -> None:
    client.force_login(member)
    page = _main(client, "es")
    assert "Mi cityexchange" in page


def test_earlier_registrations_are_linked_once_the_person_confirms(
    client: Client, member: Any
) -> None:
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    mine = RegistrationFactory(email=member.email.upper(), user=None)
    other = RegistrationFactory(email="someone@else.example", user=None)
    client.force_login(member)
    assert "registration made with your e-mail address" in _main(client)
    # Shown, but not linked before the person says so.
    assert Registration.objects.get(pk=mine.pk).user is None
    response = client.post("/en/account/link-earlier/")
    assert response.status_code == 302
    assert Registration.objects.get(pk=mine.pk).user == member
    assert Registration.objects.get(pk=other.pk).user is None
    assert AuditEntry.objects.filter(action="user.link_earlier_records", actor=member).exists()
    assert "registration made with your e-mail address" not in _main(client)


def test_an_unverified_address_claims_nothing(client: Client, member: Any) -> None:
    EmailAddress.objects.create(user=member, email=member.email, verified=False, primary=True)
    theirs = RegistrationFactory(email=member.email, user=None)
    client.force_login(member)
    assert "registration made with your e-mail address" not in _main(client)
    response = client.post("/en/account/link-earlier/", follow=True)
    assert "verify your e-mail address" in response.content.decode()
    assert Registration.objects.get(pk=theirs.pk).user is None


def test_the_page_needs_a_sign_in(client: Client) -> None:
    response = client.get("/de/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/de/account/login/")


def test_the_page_asks_the_same_number_of_queries_however_much_it_shows(
    client: Client, member: Any, municipality: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/en/account/").status_code == 200
        return len(queries)

    client.force_login(member)
    RegistrationFactory(event=EventFactory(), user=member, email=member.email)
    SavedResult.objects.create(created_by=member, items=[])
    first = count()
    for _ in range(4):
        RegistrationFactory(event=EventFactory(), user=member, email=member.email)
        SavedResult.objects.create(created_by=member, items=[])
        resource = Resource.objects.create(
            slug=f"r-{Resource.objects.count()}", kind="study", title="R", title_en="R"
        )
        Forwarding.objects.create(resource=resource, organisation=municipality)
    assert count() == first
