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
        "past editions: 0 created, 0 changed",
    ]
    load_demo()
    assert Event.objects.filter(is_demo=True, starts_at__gt=timezone.now()).count() == 3


def test_staff_see_the_data_quality_warning_others_get_404(client, staff, outsider):
    EventFactory(title="Doubtful", data_quality_note="Date looks wrong.")
    client.force_login(outsider)
    assert client.get("/en/events/data-quality/").status_code == 404
    client.force_login(staff)
    assert "Date looks wrong." in client.get("/en/events/data-quality/").content.decode()
