"""Programme, event page, feeds, statistics, personal link and staff pages."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from cityexchange.core.tests.factories import PersonFactory, UserFactory
from cityexchange.events import links, services
from cityexchange.events.models import Registration, Speaker
from cityexchange.events.tests.factories import EventFactory, RegistrationFactory, registration_data

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


def test_registering_on_the_event_page_says_where_the_link_went_and_mails_the_state(
    client, django_capture_on_commit_callbacks
):
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/events/{event.slug}/register/", form_data(event), follow=True)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Check your inbox" in content and "lucia@lima.example" in content
    assert "/events/registration/" not in content
    assert Registration.objects.get().status == "confirmed"
    [sent] = mail.outbox
    assert sent.to == ["lucia@lima.example"]
    # In the language the person chose: Spanish.
    assert "Su lugar está confirmado" in sent.body and "/es/events/registration/" in sent.body


def test_a_registration_redirects_to_a_page_that_reloads_and_switches_language(client):
    """Post/Redirect/Get: the answer is a 303 to a page, never a page for the POST."""
    event = EventFactory()
    response = client.post(f"/en/events/{event.slug}/register/", form_data(event))
    assert response.status_code == 303
    assert response["Location"] == f"/en/events/{event.slug}/registered/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "lucia@lima.example" in page.content.decode()
    # Reloading and the language switcher lead to the same page, without the message.
    again = client.get(response["Location"])
    assert again.status_code == 200 and "lucia@lima.example" not in again.content.decode()
    german = client.get(response["Location"].replace("/en/", "/de/", 1))
    assert german.status_code == 200 and "Posteingang" in german.content.decode()
    assert Registration.objects.count() == 1


def test_a_user_signed_in_with_the_address_goes_on_to_the_registrations_page(client):
    client.force_login(UserFactory(email="lucia@lima.example"))
    event = EventFactory(capacity_online=0)
    response = client.post(f"/de/events/{event.slug}/register/", form_data(event), follow=True)
    assert response.redirect_chain[0][1] == 303
    assert response.redirect_chain[0][0].startswith("/de/events/registration/")
    assert "Warteliste" in response.content.decode()
    assert Registration.objects.get().user.email == "lucia@lima.example"
    # Again: the same page, told that they were registered already.
    response = client.post(f"/de/events/{event.slug}/register/", form_data(event), follow=True)
    assert response.redirect_chain[0][0].startswith("/de/events/registration/")
    assert "bereits" in response.content.decode()


def test_a_stale_privacy_notice_on_the_form_is_explained_on_the_consent_box(client):
    event = EventFactory()
    for version in ("", "1999-01"):
        response = client.post(
            f"/de/events/{event.slug}/register/",
            form_data(event, privacy_notice_version=version),
        )
        assert response.status_code == 400
        content = response.content.decode()
        assert "Datenschutzhinweise haben sich geändert" in content
        assert "Hidden field" not in content and "privacy_notice_version:" not in content
        assert 'id="id_privacy_consent_error"' in content
        # Shown again with the current version, so ticking the box once more is enough.
        assert f'value="{services.privacy_notice_version()}"' in content
    assert not Registration.objects.exists()


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


PROGRAMME_QUERIES = 5
# The page also reads the library pages that document the edition (one query).
EVENT_PAGE_QUERIES = 6
EVENT_API_QUERIES = 5


@pytest.mark.parametrize("size", [1, 12])
def test_programme_and_event_page_use_the_same_queries_whatever_the_data_size(
    client, django_assert_num_queries, size
):
    from cityexchange.core.models import Concept
    from cityexchange.events.models import Material

    topics = [Concept.objects.create(key=f"topic-{n}", label=f"Topic {n}") for n in range(3)]
    events = [EventFactory(capacity_online=100) for _ in range(size)]
    events.append(_date_only(slug="past-edition"))
    for event in events:
        event.topics.set(topics)
        for n in range(size):
            RegistrationFactory(event=event, listed=bool(n % 2), country="BR")
            Speaker.objects.create(event=event, person=PersonFactory(), position=n, country="IN")
            Material.objects.create(event=event, kind="summary", title=f"M{n}", published=True)
    with django_assert_num_queries(PROGRAMME_QUERIES):
        assert client.get("/en/events/").status_code == 200
    with django_assert_num_queries(EVENT_PAGE_QUERIES):
        assert client.get(f"/en/events/{events[0].slug}/").status_code == 200
    with django_assert_num_queries(EVENT_API_QUERIES):
        assert client.get(f"/api/v1/events/{events[0].slug}").status_code == 200


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
    registration, _created, _sent, _place = services.registration_create(
        event=event,
        data=services.RegistrationData(
            name="A",
            email="a@x.example",
            privacy_consent=True,
            privacy_notice_version=services.privacy_notice_version(),
        ),
    )
    url = f"/en/events/registration/{links.registration_token(registration)}/"
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


def _date_only(**overrides):
    import zoneinfo

    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    values = {
        "title": "Liveability in shrinking towns",
        "starts_at": dt.datetime(2023, 2, 21, tzinfo=berlin),
        "time_known": False,
        "status": "finished",
        "timezone": "Europe/Berlin",
    }
    values.update(overrides)
    return EventFactory(**values)


def test_a_date_only_edition_never_shows_an_invented_time(client):
    event = _date_only()
    for url in ("/en/events/", f"/en/events/{event.slug}/", "/de/events/"):
        content = client.get(url).content.decode()
        assert '<time datetime="2023-02-21">' in content, url
        assert "00:00" not in content and "midnight" not in content.lower(), url
        assert "a.m." not in content and "p.m." not in content, url
    page = client.get(f"/en/events/{event.slug}/").content.decode()
    assert "the start time is not recorded" in page
    assert '"startDate": "2023-02-21"' in page


def test_a_date_only_edition_is_an_all_day_calendar_entry(client):
    event = _date_only()
    for url in (f"/en/events/{event.slug}/calendar.ics", "/en/events/calendar.ics"):
        text = client.get(url).content.decode()
        assert "DTSTART;VALUE=DATE:20230221" in text, text
        assert "DTEND;VALUE=DATE:20230222" in text


def test_the_api_flags_date_only_editions(client):
    event = _date_only()
    timed = EventFactory()
    items = {i["slug"]: i for i in client.get("/api/v1/events").json()["items"]}
    assert items[event.slug]["time_known"] is False
    # Only the day is known: no moment that would read as the evening before in UTC.
    assert items[event.slug]["starts_at"] is None
    assert items[event.slug]["date"].startswith("2023-02-2")
    assert items[timed.slug]["time_known"] is True
    assert client.get(f"/api/v1/events/{event.slug}").json()["time_known"] is False


def test_only_consenting_confirmed_participants_appear_on_the_public_list(client):
    event = EventFactory(capacity_online=10)
    RegistrationFactory(
        event=event, name="Ana Listed", organisation="Recife", country="BR", listed=True
    )
    hidden = [
        RegistrationFactory(event=event, name="Bea Private", listed=False),
        RegistrationFactory(event=event, name="Carl Waiting", listed=True, status="waitlisted"),
        RegistrationFactory(event=event, name="Dora Pending", listed=True, status="pending"),
        RegistrationFactory(event=event, name="Emil Cancelled", listed=True, status="cancelled"),
    ]
    page = client.get(f"/en/events/{event.slug}/").content.decode()
    api = client.get(f"/api/v1/events/{event.slug}").json()
    assert "Ana Listed, Recife (Brazil)" in page
    assert api["participants"] == [
        {"name": "Ana Listed", "organisation": "Recife", "country": "BR"}
    ]
    for registration in hidden:
        assert registration.name not in page
        assert registration.name not in str(api)
    # Nothing beyond name, organisation and country: never an email address.
    assert "@example.org" not in page and "@example.org" not in str(api["participants"])


def test_the_german_registration_form_names_the_no_interpretation_choice(client):
    event = EventFactory(interpretation_languages=["es", "pt"])
    content = client.get(f"/de/events/{event.slug}/").content.decode()
    assert '<option value="" selected>Keine Dolmetschung nötig</option>' in content
    assert '<option value="">-</option>' not in content
    for language, label in (
        ("en", "No interpretation needed"),
        ("es", "No necesito interpretación"),
        ("pt", "Não preciso de interpretação"),
    ):
        assert label in client.get(f"/{language}/events/{event.slug}/").content.decode()


def _page_answer(client, event, email, **overrides):
    """The answer to a registration as the person sees it, their address blanked out."""
    response = client.post(
        f"/en/events/{event.slug}/register/", form_data(event, email=email, **overrides)
    )
    page = client.get(response["Location"])
    content = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page.content.decode())
    return response.status_code, response["Location"], content.replace(email, "<email>")


def test_the_page_answers_the_same_for_a_new_a_registered_and_a_cancelled_address(
    client, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity_online=1)
    victim = RegistrationFactory(event=event, email="victim@x.example", name="Victim")
    gone = RegistrationFactory(event=event, email="gone@x.example", name="Gone", status="cancelled")
    old_link = links.manage_url(gone)
    with django_capture_on_commit_callbacks(execute=True):
        new = _page_answer(client, event, "new@x.example")
        registered = _page_answer(client, event, "victim@x.example", name="Mallory")
        cancelled = _page_answer(client, event, "gone@x.example", name="Mallory")
        # A repeat within ten minutes of the last mail sends none; the answer is the same.
        registered_again = _page_answer(client, event, "victim@x.example", name="Mallory")
    assert new == registered == cancelled == registered_again
    assert new[0] == 303 and "/events/registration/" not in new[2]
    # The mails went to the addresses, and only there.
    assert [m.to for m in mail.outbox] == [
        ["new@x.example"],
        ["victim@x.example"],
        ["gone@x.example"],
    ]
    victim.refresh_from_db()
    assert victim.name == "Victim"
    # The cancelled registration was taken up again as a new one with a new link:
    # the old link no longer opens it.
    gone.refresh_from_db()
    assert gone.status == "waitlisted" and gone.name == "Mallory"
    assert client.get(urlsplit(old_link).path).status_code == 404
    assert client.get(urlsplit(links.manage_url(gone)).path).status_code == 200


def test_the_event_page_shows_one_time_row_when_the_viewer_shares_the_zone(client):
    event = EventFactory(timezone="Europe/Berlin")
    content = client.get(f"/de/events/{event.slug}/").content.decode()
    assert content.count("<dt>Wann") == 1
    client.cookies["cx_tz"] = "America/Lima"
    content = client.get(f"/de/events/{event.slug}/").content.decode()
    # Zones are named by their city and the offset on the event's day, not by code.
    assert "Wann (Ihre Zeitzone)" in content and "· Lima (UTC−5)" in content
    assert "· Berlin (UTC+1)" in content or "· Berlin (UTC+2)" in content
    shown = re.sub(r"<[^>]+>", " ", content)  # option values of the zone picker aside
    assert "America/Lima" not in shown and "Europe/Berlin" not in shown


def test_the_statistics_page_names_countries_in_the_viewers_language(client):
    from cityexchange.events.models import Speaker

    past = timezone.now() - dt.timedelta(days=2)
    event = EventFactory(starts_at=past)
    RegistrationFactory(event=event, country="DE", interpretation_language="es")
    Speaker.objects.create(event=event, person=PersonFactory(), country="BR")
    from cityexchange.network.models import ReportedFigure

    ReportedFigure.objects.create(
        key="s",
        kind="international_share",
        format=event.format,
        qualifier="more_than",
        value=60,
        unit="percent",
        countries=["MX", "EU"],
        source="Antwort zu Frage 2e",
    )
    content = client.get("/de/events/statistics/").content.decode()
    assert "Deutschland (1)" in content and "Brasilien (1)" in content
    assert "Mexiko" in content and "Spanisch (1)" in content
    assert "&gt;&nbsp;60&nbsp;%" in content  # the network's reported share, a lower bound
    assert ">DE (1)" not in content and "MX, EU" not in content
    api = client.get("/api/v1/events/statistics").json()["items"][0]
    assert api["years"][0]["participant_countries"] == {"DE": 1}
    assert api["reported_by_network"]["speaker_countries"] == ["MX", "EU"]


def test_the_statistics_page_charts_attendance_and_countries_with_tables(client):
    from cityexchange.events.models import Speaker

    past = timezone.now() - dt.timedelta(days=2)
    small = EventFactory(starts_at=past)
    big = EventFactory(starts_at=past - dt.timedelta(hours=5))
    for _n in range(2):
        RegistrationFactory(event=small, attended=True, country="BR")
    for n in range(6):
        RegistrationFactory(event=big, attended=True, country="MX" if n % 2 else "IN")
    Speaker.objects.create(event=big, person=PersonFactory(), country="PE")
    content = client.get("/en/events/statistics/").content.decode()
    for chart in ("editions", "attendance", "speakers", "participants"):
        chart_id = f"chart-global-mixer-{chart}"
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in content, chart
        assert (
            f'<title id="{chart_id}-title">' in content
            and f'<desc id="{chart_id}-desc">' in content
        )
    assert content.count('role="img"') == 4
    assert "minimum 2, mean 4, maximum 6" in content
    assert '<th scope="row">Peru</th><td>1</td>' in content
    assert '<th scope="row">Brazil</th><td>2</td>' in content
    assert "2 / 4.0 / 6" in content  # the same figures in the yearly table


def test_staff_add_seats_and_the_waiting_list_moves_up_with_mail(
    client, staff, outsider, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity_online=1)
    RegistrationFactory(event=event)
    waiting = [
        RegistrationFactory(event=event, status="waitlisted", email=f"w{n}@x.example")
        for n in range(3)
    ]
    url = f"/en/events/{event.slug}/participants/"
    client.force_login(outsider)
    assert client.post(url, {"capacity_online": "3"}).status_code == 404
    client.force_login(staff)
    assert client.post(url, {"capacity_online": "-1"}).status_code == 400
    event.refresh_from_db()
    assert event.capacity_online == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"capacity_online": "3"}, follow=True)
    assert "Moved up from the waiting list: 2." in response.content.decode()
    statuses = [Registration.objects.get(pk=w.pk).status for w in waiting]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert sorted(m.to[0] for m in mail.outbox) == ["w0@x.example", "w1@x.example"]


def test_the_xlsx_export_holds_every_registration_and_defuses_formulas(client, staff):
    import io

    from openpyxl import load_workbook

    event = EventFactory()
    RegistrationFactory(event=event, name="Ana", organisation="Recife", country="BR")
    RegistrationFactory(event=event, name="=cmd|' /C calc'!A0", status="waitlisted")
    client.force_login(staff)
    response = client.get(f"/en/events/{event.slug}/participants/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Name", "Email address", "Organisation")
    assert rows[1][0] == "Ana" and rows[1][2] == "Recife" and rows[1][4] == "BR"
    assert rows[2][0].startswith("'=")
    assert len(rows) == 3


def test_writing_to_all_participants_reaches_each_in_their_own_language(
    client, staff, django_capture_on_commit_callbacks
):
    event = EventFactory()
    RegistrationFactory(event=event, email="de@x.example", language="de")
    RegistrationFactory(event=event, email="es@x.example", language="es")
    RegistrationFactory(event=event, email="en@x.example", language="en")
    client.force_login(staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/en/events/{event.slug}/message/", {"subject": "Room change", "body": "New link."}
        )
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "Ihre Anmeldung:" in bodies["de@x.example"]
    assert "Su inscripción:" in bodies["es@x.example"]
    assert "Your registration:" in bodies["en@x.example"]


def test_a_staff_message_reaches_participants_as_typed_in_subject_and_text(
    client, staff, django_capture_on_commit_callbacks
):
    event = EventFactory(title="Wasser & Wärme <Ausgabe 3>")
    RegistrationFactory(event=event, email="de@x.example", language="de", name="O'Brien & Co")
    client.force_login(staff)
    mail.outbox.clear()
    subject = "<script>Tagesordnung & Zugang</script>"
    body = 'Bitte "Raum 3" & <b>Zugang B</b> nutzen.'
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/events/{event.slug}/message/", {"subject": subject, "body": body}
        )
    assert response.status_code == 302
    [sent] = mail.outbox
    # Plain-text mail: the text exactly as typed, no HTML escaping anywhere.
    assert sent.subject == subject
    assert body in sent.body and "Wasser & Wärme <Ausgabe 3>" in sent.body
    assert "&lt;" not in sent.subject + sent.body and "&amp;" not in sent.subject + sent.body
    assert not getattr(sent, "alternatives", [])


def test_event_titles_reach_mail_subjects_unescaped(django_capture_on_commit_callbacks):
    event = EventFactory(title="Wasser & Wärme <Ausgabe 3>")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(
            event=event, data=registration_data(email="r@x.example", language="en")
        )
    assert mail.outbox[0].subject == "Your seat is confirmed: Wasser & Wärme <Ausgabe 3>"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Spanisch, Portugiesisch"),
        ("pt", "espanhol, português"),
        ("es", "español, portugués"),
    ],
)
def test_interpretation_languages_are_named_as_the_pages_language_writes_them(
    client, language, expected
):
    event = EventFactory(interpretation_languages=["es", "pt"])
    page = client.get(f"/{language}/events/{event.slug}/").content.decode()
    assert expected in page
