"""Registration, the waiting list and its promotion, approval, the personal link."""

from __future__ import annotations

import pytest
from django.core import mail

from cityexchange.core.models import AuditEntry
from cityexchange.events import services
from cityexchange.events.models import Registration, RegistrationStatus
from cityexchange.events.tests.factories import EventFactory, registration_data

pytestmark = pytest.mark.django_db(transaction=True)


def register(event, n):
    return services.registration_create(
        event=event, data=registration_data(email=f"person{n}@example.org", name=f"Person {n}")
    )[0]


def test_a_full_event_puts_the_next_person_on_the_waiting_list():
    event = EventFactory(capacity_online=2)
    statuses = [register(event, n).status for n in range(4)]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]


def test_cancelling_promotes_the_first_person_waiting_and_tells_them():
    event = EventFactory(capacity_online=1)
    first = register(event, 1)
    second = register(event, 2)
    third = register(event, 3)
    mail.outbox.clear()
    promoted = services.registration_cancel(registration=first)
    assert [r.pk for r in promoted] == [second.pk]
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == ("confirmed", "waitlisted")
    subjects = [m.subject for m in mail.outbox if m.to == [second.email]]
    assert any("free" in s.lower() or "livre" in s.lower() for s in subjects), subjects


def test_more_seats_promote_people_from_the_waiting_list_in_order():
    event = EventFactory(capacity_online=1)
    people = [register(event, n) for n in range(4)]
    services.event_capacity_change(event=event, capacity_online=3, capacity_onsite=None)
    statuses = [Registration.objects.get(pk=p.pk).status for p in people]
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted"]


def test_the_same_email_again_returns_the_existing_registration_not_a_second_seat():
    event = EventFactory(capacity_online=5)
    first, created = services.registration_create(event=event, data=registration_data())
    again, created_again = services.registration_create(
        event=event, data=registration_data(email="  ANA@recife.example ")
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert Registration.objects.filter(event=event).count() == 1


def test_confirmation_mail_is_in_the_participants_language_with_calendar_and_link():
    event = EventFactory()
    mail.outbox.clear()
    services.registration_create(event=event, data=registration_data(language="de"))
    message = mail.outbox[-1]
    assert "bestätigt" in message.subject.lower()
    assert "/de/events/registration/" in message.body
    assert event.join_url in message.body
    (name, content, mimetype) = message.attachments[0]
    assert name.endswith(".ics") and mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in content


def test_a_waitlisted_person_does_not_get_the_join_link():
    event = EventFactory(capacity_online=0)
    mail.outbox.clear()
    registration = register(event, 1)
    assert registration.status == "waitlisted"
    assert event.join_url not in mail.outbox[-1].body


def test_closed_cancelled_and_past_events_refuse_registration():
    import datetime as dt

    from django.utils import timezone

    for event in (
        EventFactory(status="cancelled"),
        EventFactory(starts_at=timezone.now() - dt.timedelta(hours=1)),
        EventFactory(registration_closes_at=timezone.now() - dt.timedelta(minutes=1)),
    ):
        with pytest.raises(services.RegistrationClosed):
            register(event, 1)
    assert not Registration.objects.exists()


def test_bad_input_saves_nothing():
    event = EventFactory()
    bad = [
        {"privacy_consent": False},
        {"privacy_notice_version": "1999-01"},
        {"interpretation_language": "fr"},
        {"country": "XX"},
        {"attendance": "onsite"},
        {"email": "not-an-address"},
    ]
    for overrides in bad:
        with pytest.raises(services.RegistrationError):
            services.registration_create(event=event, data=registration_data(**overrides))
    assert not Registration.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="registration").exists()


def test_members_only_editions_wait_for_approval_then_take_a_seat(staff):
    event = EventFactory(capacity_online=1, requires_approval=True)
    a = register(event, 1)
    b = register(event, 2)
    assert (a.status, b.status) == ("pending", "pending")
    assert (
        services.registration_decide(registration=a, approve=True, actor=staff).status
        == "confirmed"
    )
    assert (
        services.registration_decide(registration=b, approve=True, actor=staff).status
        == "waitlisted"
    )


def test_the_personal_link_opens_only_its_own_registration():
    event = EventFactory()
    registration = register(event, 1)
    token = services.registration_token(registration)
    assert services.registration_from_token(token).pk == registration.pk
    assert services.registration_from_token(token[:-2] + "xx") is None
    assert services.registration_from_token(f"{registration.pk}") is None


def test_erasure_frees_the_seat_removes_personal_data_and_is_audited():
    event = EventFactory(capacity_online=1)
    first = register(event, 1)
    waiting = register(event, 2)
    services.registration_delete(registration=first)
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.name, first.email, first.status) == ("", "", RegistrationStatus.CANCELLED)
    assert waiting.status == "confirmed"
    assert services.registration_from_token(services.registration_token(first)) is None
    entry = AuditEntry.objects.get(action="registration.erase")
    assert "Person 1" not in str(entry.before) + str(entry.after)
