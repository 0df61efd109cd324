"""Registration, the waiting list and its promotion, approval, the personal link."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from cityexchange.core.models import AuditEntry
from cityexchange.events import links, selectors, services
from cityexchange.events.models import Event, Registration, RegistrationStatus
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
    first, created, _sent, _place = services.registration_create(
        event=event, data=registration_data()
    )
    again, created_again, _sent_again, _place_again = services.registration_create(
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
    token = links.registration_token(registration)
    assert selectors.registration_from_token(token).pk == registration.pk
    assert selectors.registration_from_token(token[:-2] + "xx") is None
    assert selectors.registration_from_token(f"{registration.pk}") is None


def test_erasure_frees_the_seat_removes_personal_data_and_is_audited():
    event = EventFactory(capacity_online=1)
    first = register(event, 1)
    waiting = register(event, 2)
    services.registration_delete(registration=first)
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.name, first.email, first.status) == ("", "", RegistrationStatus.CANCELLED)
    assert waiting.status == "confirmed"
    assert selectors.registration_from_token(links.registration_token(first)) is None
    entry = AuditEntry.objects.get(action="registration.erase")
    assert "Person 1" not in str(entry.before) + str(entry.after)


def test_a_repeat_within_ten_minutes_returns_the_registration_without_another_mail():
    event = EventFactory(capacity_online=5)
    first = services.registration_create(event=event, data=registration_data())
    assert first.created and first.link_sent
    mail.outbox.clear()
    again = services.registration_create(event=event, data=registration_data())
    assert again.registration.pk == first.registration.pk
    assert (again.created, again.link_sent) == (False, False)
    assert mail.outbox == []
    # Ten minutes later the link may go out once more, and only once.
    Registration.objects.filter(pk=first.registration.pk).update(
        link_sent_at=timezone.now() - dt.timedelta(minutes=11)
    )
    later = services.registration_create(event=event, data=registration_data())
    assert later.link_sent and len(mail.outbox) == 1
    assert "/pt/events/registration/" in mail.outbox[0].body
    assert not services.registration_create(event=event, data=registration_data()).link_sent
    assert len(mail.outbox) == 1
    assert Registration.objects.filter(event=event).count() == 1


def test_a_repeat_mails_the_state_and_the_place_on_the_waiting_list(client):
    event = EventFactory(capacity_online=1)
    register(event, 1)
    waiting = services.registration_create(
        event=event, data=registration_data(email="person2@example.org", language="en")
    ).registration
    Registration.objects.filter(pk=waiting.pk).update(
        link_sent_at=timezone.now() - dt.timedelta(minutes=11)
    )
    mail.outbox.clear()
    again = services.registration_create(
        event=event, data=registration_data(email="person2@example.org", language="de")
    )
    assert not again.created and again.link_sent
    [sent] = mail.outbox
    assert sent.to == ["person2@example.org"]
    assert "registered this email address for the event again" in sent.body
    assert "Your place on the waiting list: 1." in sent.body
    # The personal link opens this registration (its signature carries the second it
    # was made, so it is followed rather than compared).
    link = re.search(r"https?://\S+/registration/\S+/", sent.body).group(0)
    assert link.startswith(links.manage_url(waiting).split("/registration/")[0])
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200 and "person2@example.org" in page.content.decode()


def test_a_renewed_registration_gets_a_new_link_and_only_the_new_data():
    event = EventFactory(capacity_online=5)
    first = services.registration_create(
        event=event,
        data=registration_data(email="anna@example.org", name="Anna", accessibility_needs="ramp"),
    ).registration
    Registration.objects.filter(pk=first.pk).update(attended=True, minutes_attended=50)
    old_token = links.registration_token(first)
    services.registration_cancel(registration=first)
    renewed = services.registration_create(
        event=event, data=registration_data(email="anna@example.org", name="Someone else")
    ).registration
    assert renewed.pk == first.pk
    renewed.refresh_from_db()
    assert (renewed.name, renewed.accessibility_needs) == ("Someone else", "")
    assert (renewed.attended, renewed.minutes_attended) == (False, None)
    # The links mailed for the cancelled registration no longer open it; the new one does.
    assert selectors.registration_from_token(old_token) is None
    assert selectors.registration_from_token(links.registration_token(renewed)).pk == first.pk


def test_mail_is_rendered_after_commit_from_the_registration_id(monkeypatch, settings):
    """With a broker the seat transaction only queues ids; a rolled-back one sends nothing."""
    from cityexchange.events import mails, tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued: list[dict] = []
    monkeypatch.setattr(tasks.send_registration_mail, "delay", lambda **kw: queued.append(kw))
    rendered: list[int] = []
    original = mails.render
    monkeypatch.setattr(mails, "render", lambda r, **kw: rendered.append(r.pk) or original(r, **kw))
    event = EventFactory()
    registration = register(event, 1)
    assert rendered == []  # nothing rendered inside the request's transaction
    assert queued == [
        {
            "registration_id": registration.pk,
            "template": "registration",
            "status": "confirmed",
            "extra": {"repeated": False, "waitlist_position": None},
        }
    ]
    with pytest.raises(RuntimeError), transaction.atomic():
        register(event, 2)
        raise RuntimeError("rolled back")
    assert len(queued) == 1


def test_the_mail_describes_the_change_not_a_later_state_and_drops_the_join_link():
    """A confirmation rendered after the person cancelled carries no join link."""
    from cityexchange.events import mails

    event = EventFactory()
    registration = register(event, 1)
    services.registration_cancel(registration=registration)
    registration.refresh_from_db()
    message = mails.render(
        registration, template="registration", status="confirmed", extra={"repeated": False}
    )
    assert message is not None
    assert event.join_url not in message.body
    assert event.join_url not in message.attachments[0].content


def test_approval_mode_end_to_end_pending_then_approved_with_the_join_link(client, staff):
    event = EventFactory(capacity_online=1, requires_approval=True)
    mail.outbox.clear()
    response = client.post(
        f"/en/events/{event.slug}/register/",
        {
            "name": "Maria Silva",
            "email": "maria@curitiba.example",
            "language": "pt",
            "attendance": "online",
            "privacy_consent": "on",
            "privacy_notice_version": services.privacy_notice_version(),
        },
        follow=True,
    )
    assert response.redirect_chain[0][1] == 303
    assert b"Check your inbox" in response.content
    registration = Registration.objects.get()
    assert registration.status == "pending"
    assert mail.outbox[-1].to == ["maria@curitiba.example"]
    assert event.join_url not in mail.outbox[-1].body
    # Outsiders cannot decide; staff approve on the participants page.
    url = f"/en/events/{event.slug}/participants/{registration.pk}/"
    assert client.post(url, {"action": "approve"}).status_code in (302, 404)
    registration.refresh_from_db()
    assert registration.status == "pending"
    client.force_login(staff)
    mail.outbox.clear()
    assert client.post(url, {"action": "approve"}).status_code == 302
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert [m.to for m in mail.outbox] == [["maria@curitiba.example"]]
    assert event.join_url in mail.outbox[0].body
    assert "confirmad" in mail.outbox[0].subject.lower()  # Portuguese, her language
    assert AuditEntry.objects.filter(action="registration.approve", actor=staff).exists()


def test_an_outsider_cannot_approve_a_pending_registration(client, outsider):
    event = EventFactory(requires_approval=True)
    registration = register(event, 1)
    client.force_login(outsider)
    url = f"/en/events/{event.slug}/participants/{registration.pk}/"
    assert client.post(url, {"action": "approve"}).status_code == 404
    registration.refresh_from_db()
    assert registration.status == "pending"


def test_more_seats_saved_in_the_back_office_promote_the_waiting_list(staff, rf):
    from types import SimpleNamespace

    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage

    from cityexchange.events.admin import EventAdmin
    from cityexchange.events.models import Event

    event = EventFactory(capacity_online=1)
    people = [register(event, n) for n in range(3)]
    request = rf.post("/admin/")
    request.user = staff
    request.session = {}
    request._messages = FallbackStorage(request)
    obj = Event.objects.get(pk=event.pk)
    obj.capacity_online = 2
    form = SimpleNamespace(changed_data=["capacity_online"], initial={"capacity_online": 1})
    EventAdmin(Event, admin.site).save_model(request, obj, form, change=True)
    assert [Registration.objects.get(pk=p.pk).status for p in people] == [
        "confirmed",
        "confirmed",
        "waitlisted",
    ]
    assert AuditEntry.objects.filter(action="event.capacity_change", actor=staff).exists()


def test_waiting_people_are_told_their_place_in_the_queue():
    event = EventFactory(capacity_online=1)
    places = [
        services.registration_create(
            event=event, data=registration_data(email=f"q{n}@example.org")
        ).waitlist_position
        for n in range(4)
    ]
    assert places == [None, 1, 2, 3]


def test_someone_who_cancelled_can_register_again_and_joins_the_end_of_the_queue():
    event = EventFactory(capacity_online=1)
    first = register(event, 1)
    waiting = register(event, 2)
    services.registration_cancel(registration=first)
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED
    again = services.registration_create(
        event=event, data=registration_data(email="person1@example.org", name="Person 1")
    )
    assert again.created and again.registration.pk == first.pk
    assert again.registration.status == RegistrationStatus.WAITLISTED
    assert again.waitlist_position == 1
    assert Registration.objects.filter(event=event).count() == 2
    assert AuditEntry.objects.filter(action="registration.renew").count() == 1


def test_a_repeat_while_registered_leaves_seats_and_queue_unchanged():
    event = EventFactory(capacity_online=1)
    register(event, 1)
    register(event, 2)
    repeat = services.registration_create(
        event=event, data=registration_data(email="person2@example.org", name="Person 2")
    )
    assert not repeat.created and repeat.registration.status == RegistrationStatus.WAITLISTED
    assert Registration.objects.filter(event=event).count() == 2
    assert AuditEntry.objects.filter(action="registration.create").count() == 2


def _seats(event: Event) -> dict[str, int]:
    def count(status: str, attendance: str) -> int:
        return Registration.objects.filter(
            event=event, status=status, attendance=attendance
        ).count()

    return {
        "confirmed_online": count("confirmed", "online"),
        "confirmed_onsite": count("confirmed", "onsite"),
        "waiting_online": count("waitlisted", "online"),
        "waiting_onsite": count("waitlisted", "onsite"),
    }


def test_seats_and_queue_stay_right_through_every_change_of_a_registration(staff):
    """Registration, cancel, promotion, more and fewer seats, approval, erasure, renewal."""
    event = EventFactory(mode="hybrid", capacity_online=2, capacity_onsite=1)
    people = [
        services.registration_create(
            event=event,
            data=registration_data(email=f"p{n}@x.example", attendance=attendance),
        ).registration
        for n, attendance in enumerate(["online"] * 4 + ["onsite"] * 2)
    ]
    assert _seats(event) == {
        "confirmed_online": 2,
        "confirmed_onsite": 1,
        "waiting_online": 2,
        "waiting_onsite": 1,
    }
    services.registration_cancel(registration=people[0])  # promotes the first waiting
    assert _seats(event)["confirmed_online"] == 2 and _seats(event)["waiting_online"] == 1
    services.event_capacity_change(event=event, capacity_online=4, capacity_onsite=1)
    assert _seats(event)["confirmed_online"] == 3 and _seats(event)["waiting_online"] == 0
    services.event_capacity_change(event=event, capacity_online=1, capacity_onsite=1)
    # Fewer seats take nobody's seat away, and a cancellation then frees none.
    services.registration_cancel(registration=people[1])
    assert _seats(event)["confirmed_online"] == 2
    services.registration_delete(registration=people[4])  # on site: the waiting one moves up
    assert _seats(event)["confirmed_onsite"] == 1 and _seats(event)["waiting_onsite"] == 0
    # Taken up again after a cancellation: the end of the queue, counted once.
    again = services.registration_create(event=event, data=registration_data(email="p0@x.example"))
    assert again.created and again.registration.status == "waitlisted"
    assert again.waitlist_position == 1
    approval = EventFactory(capacity_online=1, requires_approval=True)
    pending = [
        services.registration_create(
            event=approval, data=registration_data(email=f"a{n}@x.example")
        ).registration
        for n in range(2)
    ]
    for registration in pending:
        services.registration_decide(registration=registration, approve=True, actor=staff)
    assert _seats(approval)["confirmed_online"] == 1 and _seats(approval)["waiting_online"] == 1


def test_a_newcomer_to_a_full_event_is_told_their_place_behind_those_already_waiting():
    event = EventFactory(capacity_online=2)
    register(event, 1)
    register(event, 2)
    third = register(event, 3)
    assert third.status == "waitlisted"
    outcome = services.registration_create(event=event, data=registration_data(email="q@x.example"))
    assert outcome.registration.status == "waitlisted" and outcome.waitlist_position == 2
    assert selectors.waitlist_position(outcome.registration) == 2


def test_the_mail_calendar_is_shared_briefly_but_never_outlives_an_edit():
    from cityexchange.events.ical import mail_calendar

    event = EventFactory(title="Water", title_en="Water")
    first = mail_calendar(event, language="en", join_url="https://meet.example.org/a")
    assert mail_calendar(event, language="en", join_url="https://meet.example.org/a") is first
    assert "meet.example.org/a" not in mail_calendar(event, language="en")
    event.title_en = "Water and heat"
    assert "SUMMARY:Water and heat" in mail_calendar(
        event, language="en", join_url="https://meet.example.org/a"
    )
