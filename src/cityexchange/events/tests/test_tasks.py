"""Reminders, attendance import, anonymisation and the shipped historical programme."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cityexchange.core.models import Organisation
from cityexchange.events import services
from cityexchange.events.models import Event, Registration
from cityexchange.events.seeding import load_demo, load_past_editions
from cityexchange.events.tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_reminders_go_out_once_with_the_join_link_and_never_twice():
    now = timezone.now()
    event = EventFactory(starts_at=now + dt.timedelta(hours=20))
    RegistrationFactory(event=event, email="a@x.example")
    RegistrationFactory(event=event, email="w@x.example", status="waitlisted")
    mail.outbox.clear()
    assert services.reminders_send_due(now=now) == 1
    assert services.reminders_send_due(now=now) == 0
    assert [m.to for m in mail.outbox] == [["a@x.example"]]
    assert event.join_url in mail.outbox[0].body
    # The 1-hour reminder is a different one and goes out when due.
    assert services.reminders_send_due(now=event.starts_at - dt.timedelta(minutes=50)) == 1
    call_command("send-reminders")
    assert len(mail.outbox) == 2


def test_attendance_import_matches_emails_sums_rejoins_and_reports_the_rest(staff):
    event = EventFactory(timezone="Europe/Berlin")
    RegistrationFactory(event=event, email="ana@x.example")
    report = services.attendance_import(
        event=event,
        content=(
            "Name;User Email;Join Time;Leave Time\n"
            "Ana;ANA@x.example;2024-03-20 14:00:00;2024-03-20 14:20:00\n"
            "Ana;ana@x.example;2024-03-20 14:25:00;2024-03-20 14:30:00\n"
            "Bob;bob@x.example;2024-03-20 14:00:00;2024-03-20 14:30:00\n"
            "Nobody;;;\n"
        ),
        actor=staff,
    )
    registration = Registration.objects.get(email="ana@x.example")
    assert registration.attended and registration.minutes_attended == 25
    assert registration.joined_at.isoformat() == "2024-03-20T13:00:00+00:00"
    assert report.participants == 1
    assert sorted(p[1] for p in report.problems) == ["", "bob@x.example"]


def test_a_report_without_an_email_column_is_refused(staff):
    event = EventFactory()
    with pytest.raises(services.RegistrationError):
        services.attendance_import(event=event, content="Name,Minutes\nAna,20\n", actor=staff)


def test_personal_data_is_anonymised_after_the_retention_period(settings):
    settings.CITYEXCHANGE_RETENTION_DAYS = 30
    old = EventFactory(starts_at=timezone.now() - dt.timedelta(days=40))
    recent = EventFactory(starts_at=timezone.now() - dt.timedelta(days=5))
    RegistrationFactory(event=old, name="Old Person", country="MX")
    RegistrationFactory(event=recent, name="Recent Person")
    call_command("anonymise-registrations")
    gone = Registration.objects.get(event=old)
    assert (gone.name, gone.email, str(gone.country)) == ("", "", "MX")
    assert Registration.objects.get(event=recent).name == "Recent Person"


def test_the_historical_programme_loads_idempotently_with_the_global_mixer_10_warning():
    assert "not found" in load_past_editions()[0]
    assert not Event.objects.exists()
    Organisation.objects.create(slug="iscn", name="ISCN", kind="network")
    load_past_editions()
    assert Event.objects.count() == 29
    assert Event.objects.filter(format__slug="global-mixer").count() == 13
    assert Event.objects.filter(format__slug="symposium").count() == 3
    gm10 = Event.objects.get(slug="global-mixer-10")
    assert gm10.starts_on == dt.date(2023, 2, 21)
    # The source gives the day only: no edition pretends to know its start time.
    assert not Event.objects.filter(time_known=True).exists()
    assert gm10.has_data_quality_warning
    assert load_past_editions() == [
        "formats: 0 created, 0 changed",
        "past editions: 0 created, 0 changed, 0 given topics",
    ]
    load_demo()
    assert Event.objects.filter(is_demo=True, starts_at__gt=timezone.now()).count() == 3


def test_demo_editions_speak_four_languages_and_start_at_an_hour_people_can_attend():
    import zoneinfo

    Organisation.objects.create(slug="iscn", name="ISCN", kind="network")
    load_past_editions()
    load_demo()
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    for event in Event.objects.filter(is_demo=True):
        assert event.starts_at.astimezone(berlin).time() == dt.time(15, 0), event.slug
        for language in ("de", "en", "es", "pt"):
            assert getattr(event, f"title_{language}"), (event.slug, language)
            assert getattr(event, f"abstract_{language}"), (event.slug, language)
        assert event.title_de != event.title_en and event.abstract_pt != event.abstract_en
    # Loading again changes nothing.
    assert load_demo() == "demo editions: 0 created, 0 with updated texts"


def test_staff_see_the_data_quality_warning_others_get_404(client, staff, outsider):
    EventFactory(title="Doubtful", data_quality_note="Date looks wrong.")
    client.force_login(outsider)
    assert client.get("/en/events/data-quality/").status_code == 404
    client.force_login(staff)
    assert "Date looks wrong." in client.get("/en/events/data-quality/").content.decode()


def test_two_concurrent_reminder_runs_never_send_anyone_a_reminder_twice():
    import threading

    from django.db import connection

    from cityexchange.events.models import ReminderSent

    now = timezone.now()
    event = EventFactory(starts_at=now + dt.timedelta(hours=20), capacity_online=None)
    people = [RegistrationFactory(event=event, email=f"r{n}@x.example") for n in range(30)]
    mail.outbox.clear()
    start = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(services.reminders_send_due(now=now))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sum(results) == len(people)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert ReminderSent.objects.count() == len(people)


def test_anonymisation_waits_the_default_twelve_months_after_the_event(settings):
    settings.CITYEXCHANGE_RETENTION_DAYS = 365
    now = timezone.now()
    kept = RegistrationFactory(event=EventFactory(starts_at=now - dt.timedelta(days=360)))
    gone = RegistrationFactory(event=EventFactory(starts_at=now - dt.timedelta(days=370)))
    assert services.registrations_anonymise_expired() == 1
    kept.refresh_from_db()
    gone.refresh_from_db()
    assert kept.email and kept.anonymised_at is None
    assert gone.email == "" and gone.anonymised_at is not None
    # A second run finds nothing more to do.
    assert services.registrations_anonymise_expired() == 0


def test_a_reload_turns_editions_loaded_with_an_invented_time_into_date_only():
    import zoneinfo

    Organisation.objects.create(slug="iscn", name="ISCN", kind="network")
    load_past_editions()
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    # As an earlier loader stored it: the source's day at an invented 14:00.
    Event.objects.filter(slug="global-mixer-01").update(
        time_known=True,
        starts_at=dt.datetime.combine(
            Event.objects.get(slug="global-mixer-01").starts_on, dt.time(14), tzinfo=berlin
        ),
    )
    # A time staff entered on purpose is theirs and stays.
    corrected = dt.datetime(2023, 3, 1, 15, 30, tzinfo=berlin)
    Event.objects.filter(slug="global-mixer-02").update(time_known=True, starts_at=corrected)
    assert load_past_editions()[1] == "past editions: 0 created, 1 changed, 0 given topics"
    first = Event.objects.get(slug="global-mixer-01")
    assert not first.time_known and first.starts_at_reference.time() == dt.time(0)
    second = Event.objects.get(slug="global-mixer-02")
    assert second.time_known and second.starts_at == corrected
