"""Programme, event page, feeds, statistics, personal link and staff pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from cityexchange.core.tests.factories import PersonFactory
from cityexchange.events import services
from cityexchange.events.models import Registration, Speaker
from cityexchange.events.tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def form_data(event, **overrides):
    data = {
        "name": "Lucía Pérez",
        "email": "lucia@lima.example",
        "language": "es",
        "attendance": "online",
        "privacy_consent": "on",
        "privacy_notice_version": services.privacy_notice_version(),
    }
    data.update(overrides)
    return data


def test_registering_on_the_event_page_confirms_the_seat(client):
    event = EventFactory()
    response = client.post(f"/en/events/{event.slug}/register/", form_data(event))
    assert response.status_code == 201
    assert b"Your seat is confirmed" in response.content
    assert Registration.objects.get().status == "confirmed"


def test_a_missing_consent_shows_an_error_tied_to_the_field(client):
    event = EventFactory()
    response = client.post(
        f"/en/events/{event.slug}/register/", form_data(event, privacy_consent="")
    )
    assert response.status_code == 400
    assert b'id="id_privacy_consent_error"' in response.content
    assert not Registration.objects.exists()


def test_the_event_page_never_shows_the_join_link_and_has_json_ld(client):
    event = EventFactory()
    content = client.get(f"/en/events/{event.slug}/").content.decode()
    assert event.join_url not in content
    assert '"@type": "Event"' in content


def test_the_programme_groups_upcoming_and_past_editions(client):
    EventFactory(title="Coming up")
    EventFactory(title="Long ago", starts_at=timezone.now() - dt.timedelta(days=400))
    content = client.get("/en/events/").content.decode()
    assert content.index("Coming up") < content.index("Past editions") < content.index("Long ago")


@pytest.mark.parametrize("size", [1, 10])
def test_programme_and_event_page_use_constant_queries(client, django_assert_max_num_queries, size):
    events = [EventFactory() for _ in range(size)]
    for event in events:
        for n in range(size):
            RegistrationFactory(event=event)
            Speaker.objects.create(event=event, person=PersonFactory(), position=n)
    with django_assert_max_num_queries(8):
        client.get("/en/events/")
    with django_assert_max_num_queries(8):
        client.get(f"/en/events/{events[0].slug}/")


def test_feeds_and_the_event_calendar_are_icalendar(client):
    event = EventFactory()
    for url in (
        "/en/events/calendar.ics",
        f"/en/events/formats/{event.format.slug}/calendar.ics",
        f"/en/events/{event.slug}/calendar.ics",
    ):
        response = client.get(url)
        assert response["Content-Type"].startswith("text/calendar")
        assert event.title in response.content.decode()
        assert event.join_url not in response.content.decode()


def test_the_personal_link_shows_the_join_link_and_can_cancel(client):
    event = EventFactory()
    registration, _created, _sent = services.registration_create(
        event=event,
        data=services.RegistrationData(
            name="A",
            email="a@x.example",
            privacy_consent=True,
            privacy_notice_version=services.privacy_notice_version(),
        ),
    )
    url = f"/en/events/registration/{services.registration_token(registration)}/"
    assert event.join_url in client.get(url).content.decode()
    export = client.get(url + "export.json").json()
    assert export["email"] == "a@x.example"
    client.post(url + "cancel/")
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert client.get("/en/events/registration/forged-token/").status_code == 404


def test_staff_export_participants_as_csv_and_xlsx_outsiders_get_404(client, staff, outsider):
    event = EventFactory()
    RegistrationFactory(event=event, name="=HYPERLINK(evil)")
    client.force_login(outsider)
    assert client.get(f"/en/events/{event.slug}/participants/export.csv").status_code == 404
    assert client.get(f"/en/events/{event.slug}/participants/").status_code == 404
    client.force_login(staff)
    csv_text = client.get(f"/en/events/{event.slug}/participants/export.csv").content.decode()
    assert "'=HYPERLINK(evil)" in csv_text
    xlsx = client.get(f"/en/events/{event.slug}/participants/export.xlsx")
    assert xlsx.content[:2] == b"PK"


def test_staff_write_to_all_participants_in_their_language(
    client, staff, django_capture_on_commit_callbacks
):
    event = EventFactory()
    RegistrationFactory(event=event, email="one@x.example")
    RegistrationFactory(event=event, email="gone@x.example", status="cancelled")
    client.force_login(staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/en/events/{event.slug}/message/",
            {"subject": "Room change", "body": "New link soon."},
        )
    assert [m.to for m in mail.outbox] == [["one@x.example"]]


def test_the_statistics_page_has_a_chart_and_a_table(client):
    EventFactory(starts_at=timezone.now() - dt.timedelta(days=2))
    content = client.get("/en/events/statistics/").content.decode()
    assert "<svg" in content and "<caption>" in content and 'scope="col"' in content


def test_the_programme_in_german_is_german(client):
    EventFactory()
    content = client.get("/de/events/").content.decode()
    assert "Vergangene Ausgaben" in content
