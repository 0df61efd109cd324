"""The events API contract: list, detail, registration, statistics."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from cityexchange.core.tests.factories import UserFactory
from cityexchange.events import selectors
from cityexchange.events.models import Registration
from cityexchange.events.services import privacy_notice_version
from cityexchange.events.tests.factories import EventFactory, FormatFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

CONTRACT = {
    "slug",
    "title",
    "format",
    "edition",
    "starts_at",
    "ends_at",
    "duration_minutes",
    "mode",
    "languages",
    "interpretation_languages",
    "capacity",
    "seats_left",
    "status",
    "url",
    "time_known",
    "date",
}


def payload(**overrides):
    body = {
        "name": "Rahul Mehta",
        "email": "rahul@pune.example",
        "organisation": "Pune Smart City",
        "organisation_kind": "municipality",
        "country": "IN",
        "interpretation_language": "",
        "accessibility_needs": "",
        "privacy_consent": True,
        "privacy_notice_version": privacy_notice_version(),
        "participant_list_consent": False,
    }
    body.update(overrides)
    return body


def test_the_list_has_the_contract_fields_and_never_the_join_link(client):
    event = EventFactory(capacity_online=3)
    RegistrationFactory(event=event)
    response = client.get("/api/v1/events")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    item = data["items"][0]
    assert set(item) == CONTRACT
    assert item["seats_left"] == 2 and item["capacity"] == 3 and item["format"] == "global-mixer"
    detail = client.get(f"/api/v1/events/{event.slug}").content.decode()
    assert event.join_url not in response.content.decode() + detail


def test_the_list_filters_by_format_and_upcoming(client):
    EventFactory(slug="soon")
    EventFactory(slug="gone", starts_at=timezone.now() - dt.timedelta(days=3))
    EventFactory(
        slug="other",
        format=FormatFactory(slug="symposium", name="Symposium", default_duration_minutes=180),
    )
    slugs = lambda url: [i["slug"] for i in client.get(url).json()["items"]]  # noqa: E731
    assert slugs("/api/v1/events?format=global-mixer&upcoming=true") == ["soon"]
    assert slugs("/api/v1/events?upcoming=false") == ["gone"]
    assert set(slugs("/api/v1/events?format=symposium")) == {"other"}


def test_drafts_are_404_for_the_public(client):
    EventFactory(slug="secret", status="draft")
    assert client.get("/api/v1/events/secret").status_code == 404
    assert (
        client.post(
            "/api/v1/events/secret/registrations", payload(), content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get("/api/v1/events").json()["count"] == 0


def test_a_registration_answers_202_and_mails_the_link_and_state_to_the_address(
    client, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity_online=1)
    url = f"/api/v1/events/{event.slug}/registrations"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, payload(), content_type="application/json")
    assert first.status_code == 202
    assert set(first.json()) == {"event", "email", "message"}
    assert first.json()["email"] == "rahul@pune.example"
    assert "/registration/" not in first.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        other = client.post(url, payload(email="b@x.example"), content_type="application/json")
    assert other.status_code == 202
    # The seats are decided all the same; the state travels by mail.
    assert Registration.objects.get(email="rahul@pune.example").status == "confirmed"
    assert Registration.objects.get(email="b@x.example").status == "waitlisted"
    assert [m.to for m in mail.outbox] == [["rahul@pune.example"], ["b@x.example"]]
    assert "Your seat is confirmed" in mail.outbox[0].body
    assert "waiting list" in mail.outbox[1].body and "waiting list: 1." in mail.outbox[1].body
    assert "/registration/" in mail.outbox[0].body


def _answer(client, url, body):
    response = client.post(url, body, content_type="application/json")
    return response.status_code, response.content.decode().replace(body["email"], "<email>")


def test_the_answer_is_the_same_for_a_new_a_registered_and_a_cancelled_address(client):
    event = EventFactory(capacity_online=1)
    url = f"/api/v1/events/{event.slug}/registrations"
    RegistrationFactory(event=event, email="victim@x.example", name="Victim", status="confirmed")
    gone = RegistrationFactory(event=event, email="gone@x.example", name="Gone", status="cancelled")
    new = _answer(client, url, payload(email="new@x.example"))
    registered = _answer(client, url, payload(email="victim@x.example"))
    cancelled = _answer(client, url, payload(email="gone@x.example"))
    # Within ten minutes of the last mail (no mail goes out), still the same answer.
    registered_again = _answer(client, url, payload(email="victim@x.example"))
    assert new == registered == cancelled == registered_again
    assert new[0] == 202 and "/registration/" not in new[1]
    # Nothing of the earlier registrations was taken over by the answer.
    assert Registration.objects.get(email="victim@x.example").name == "Victim"
    assert Registration.objects.get(pk=gone.pk).name == "Rahul Mehta"


def test_a_user_signed_in_with_the_address_gets_the_registration_and_its_link(client):
    user = UserFactory(email="rahul@pune.example")
    client.force_login(user)
    event = EventFactory(capacity_online=1)
    url = f"/api/v1/events/{event.slug}/registrations"
    first = client.post(url, payload(), content_type="application/json")
    assert first.status_code == 201
    assert first.json()["status"] == "confirmed" and first.json()["manage_url"]
    again = client.post(url, payload(), content_type="application/json")
    assert again.status_code == 200 and again.json()["created"] is False
    # The same registration (a link is signed afresh, with the time, on every answer).
    tokens = [r.json()["manage_url"].rstrip("/").rsplit("/", 1)[1] for r in (first, again)]
    opened = {selectors.registration_from_token(t).pk for t in tokens}
    assert opened == {Registration.objects.get(email="rahul@pune.example").pk}
    # Signed in, but for somebody else's address: the neutral answer.
    other = client.post(url, payload(email="b@x.example"), content_type="application/json")
    assert other.status_code == 202 and "manage_url" not in other.json()
    assert Registration.objects.get(email="b@x.example").user is None


def test_invalid_registrations_get_a_readable_4xx_and_save_nothing(client):
    event = EventFactory()
    url = f"/api/v1/events/{event.slug}/registrations"
    for body, status in [
        (payload(privacy_consent=False), 400),
        (payload(privacy_notice_version="old"), 400),
        (payload(interpretation_language="fr"), 400),
        ({"name": "x"}, 422),
    ]:
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == status, response.content
        assert response.json()["detail"]
    response = client.post(url, "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert not Registration.objects.exists()


def test_closed_events_answer_409(client):
    event = EventFactory(status="cancelled")
    response = client.post(
        f"/api/v1/events/{event.slug}/registrations", payload(), content_type="application/json"
    )
    assert response.status_code == 409 and "closed" in response.json()["detail"]


@pytest.mark.usefixtures("frozen_rate_window")
def test_too_many_registrations_from_one_address_get_429(client, settings):
    settings.RATELIMIT_ENABLE = True
    cache.clear()
    event = EventFactory(capacity_online=None)
    url = f"/api/v1/events/{event.slug}/registrations"
    codes = [
        client.post(
            url, payload(email=f"r{n}@x.example"), content_type="application/json"
        ).status_code
        for n in range(25)
    ]
    assert codes[0] == 202 and codes[-1] == 429
    assert client.post(url, payload(email="z@x.example"), content_type="application/json").json()[
        "detail"
    ]
    cache.clear()


def test_statistics_report_the_networks_figures_and_counted_ones(client):
    from cityexchange.network.models import ReportedFigure

    fmt = FormatFactory()
    # What the network reported lives, with its source, in the network app.
    ReportedFigure.objects.create(
        key="p",
        kind="participants",
        format=fmt,
        qualifier="range",
        value=15,
        value_max=30,
        unit="persons",
        source="Antwort zu Frage 2d",
    )
    ReportedFigure.objects.create(
        key="s",
        kind="international_share",
        format=fmt,
        value=40,
        unit="percent",
        source="Antwort zu Frage 2e",
    )
    event = EventFactory(format=fmt, starts_at=timezone.now() - dt.timedelta(days=1))
    RegistrationFactory(event=event, country="BR", interpretation_language="pt", attended=True)
    RegistrationFactory(event=event, country="DE", attended=True)
    RegistrationFactory(event=event, country="DE", attended=False)
    data = client.get("/api/v1/events/statistics").json()
    entry = data["items"][0]
    assert entry["reported_by_network"]["participants_min"] == 15
    assert entry["reported_by_network"]["participants_max"] == 30
    assert entry["reported_by_network"]["international_speaker_share"] == 40
    assert entry["reported_by_network"]["share_is_lower_bound"] is False
    year = entry["years"][0]
    assert year["editions"] == 1 and year["registrations"] == 3
    assert year["attendance_min"] == 2 and year["participant_countries"] == {"DE": 2, "BR": 1}
    assert year["interpretation_requests"] == {"pt": 1}


@pytest.mark.parametrize("size", [2, 12])
def test_the_list_costs_the_same_queries_whatever_the_data_size(
    client, django_assert_max_num_queries, size
):
    for _event_number in range(size):
        event = EventFactory()
        for _ in range(3):
            RegistrationFactory(event=event)
    with django_assert_max_num_queries(4):
        assert client.get("/api/v1/events").json()["count"] == size


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/events/statistics?year=-5",
        "/api/v1/events/statistics?year=10000",
        "/api/v1/events/statistics?year=99999999999999999999999",
        "/api/v1/events/statistics?year=abc",
        "/api/v1/events?year=-5",
        "/api/v1/events?year=99999999999999999999999",
        "/api/v1/events?year=abc",
        "/api/v1/events?upcoming=maybe",
        "/api/v1/events?page=0",
        "/api/v1/events?page=-3",
        "/api/v1/events?page=abc",
        "/api/v1/events?page=99999999999999999999999",
    ],
)
def test_bad_query_values_get_a_readable_4xx_never_a_500(client, query):
    EventFactory()
    response = client.get(query)
    assert 400 <= response.status_code < 500, (query, response.status_code)
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]


def test_statistics_of_a_year_without_editions_are_empty_not_an_error(client):
    EventFactory(starts_at=timezone.now() - dt.timedelta(days=1))
    response = client.get("/api/v1/events/statistics?year=2001")
    assert response.status_code == 200
    assert all(item["years"] == [] for item in response.json()["items"])


def test_a_missing_or_stale_privacy_notice_version_is_explained_in_the_users_language(client):
    event = EventFactory()
    url = f"/api/v1/events/{event.slug}/registrations"
    body = payload()
    del body["privacy_notice_version"]
    missing = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="de")
    assert missing.status_code == 400
    assert missing.json()["field"] == "privacy_notice_version"
    assert "Version der Datenschutzhinweise" in missing.json()["detail"]
    assert privacy_notice_version() in missing.json()["detail"]
    stale = client.post(
        url,
        payload(privacy_notice_version="2019-01"),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="pt",
    )
    assert stale.status_code == 400 and stale.json()["field"] == "privacy_notice_version"
    assert "aviso de privacidade" in stale.json()["detail"]
    assert not Registration.objects.exists()


def test_the_schema_documents_the_privacy_notice_version_and_the_api_tells_it(client):
    schema = client.get("/api/v1/openapi.json").json()
    field = schema["components"]["schemas"]["RegistrationIn"]["properties"][
        "privacy_notice_version"
    ]
    assert "privacy notice" in field["description"] and field["examples"]
    notice = client.get("/api/v1/events/privacy-notice").json()
    assert notice["version"] == privacy_notice_version() and notice["url"]


def test_a_date_only_edition_comes_out_as_its_own_day_not_the_evening_before_in_utc(client):
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    EventFactory(
        slug="mixer-2021",
        starts_at=dt.datetime(2021, 4, 27, tzinfo=berlin),
        time_known=False,
        timezone="Europe/Berlin",
    )
    EventFactory(
        slug="timed",
        starts_at=dt.datetime(2021, 4, 28, 0, 30, tzinfo=berlin),
        timezone="Europe/Berlin",
    )
    items = {e["slug"]: e for e in client.get("/api/v1/events").json()["items"]}
    assert items["mixer-2021"]["date"] == "2021-04-27"
    assert items["mixer-2021"]["starts_at"] is None and items["mixer-2021"]["ends_at"] is None
    detail = client.get("/api/v1/events/mixer-2021").json()
    assert (detail["date"], detail["starts_at"], detail["time_known"]) == (
        "2021-04-27",
        None,
        False,
    )
    # A timed edition keeps its moment (UTC) and names its own day in its zone.
    assert items["timed"]["date"] == "2021-04-28"
    assert items["timed"]["starts_at"].startswith("2021-04-27T22:30:00")


def test_the_schema_documents_the_date_and_that_a_start_may_be_unknown(client):
    schema = client.get("/api/v1/openapi.json").json()
    fields = schema["components"]["schemas"]["EventOut"]["properties"]
    assert fields["date"]["format"] == "date" and "time zone" in fields["date"]["description"]
    starts = fields["starts_at"]
    assert {"type": "null"} in starts["anyOf"] and "null" in starts["description"]
