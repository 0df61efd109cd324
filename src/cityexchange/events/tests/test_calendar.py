"""The calendar files attached to participant mails, read back with the icalendar parser."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from icalendar import Calendar

from cityexchange.events import services
from cityexchange.events.models import EventStatus
from cityexchange.events.tests.factories import EventFactory, registration_data

pytestmark = pytest.mark.django_db(transaction=True)


def _register(event: Any, n: int) -> Any:
    return services.registration_create(
        event=event, data=registration_data(email=f"person{n}@example.org", name=f"Person {n}")
    )[0]


def _entries(message: Any) -> list[tuple[str, Any]]:
    """(METHOD, VEVENT) of every calendar attached to one mail."""
    found = []
    for filename, content, mimetype in message.attachments:
        assert filename.endswith(".ics")
        assert mimetype.startswith("text/calendar")
        calendar = Calendar.from_ical(content)
        for item in calendar.walk("VEVENT"):
            found.append((str(calendar["METHOD"]), item))
    return found


def _mails_to(address: str) -> list[Any]:
    return [m for m in mail.outbox if m.to == [address]]


def test_a_confirmed_seat_is_published_and_its_cancellation_withdraws_the_same_entry() -> None:
    event = EventFactory(capacity_online=5)
    registration = _register(event, 1)
    services.registration_cancel(registration=registration)
    confirmation, cancellation = _mails_to("person1@example.org")
    [(method, added)] = _entries(confirmation)
    assert (method, str(added["STATUS"])) == ("PUBLISH", "CONFIRMED")
    [(method, withdrawn)] = _entries(cancellation)
    assert (method, str(withdrawn["STATUS"])) == ("CANCEL", "CANCELLED")
    assert str(withdrawn["UID"]) == str(added["UID"])
    assert int(withdrawn["SEQUENCE"]) > int(added["SEQUENCE"])
    # A withdrawn entry carries no join link.
    assert "secret-room" not in cancellation.attachments[0][1]


def test_a_waiting_place_and_its_cancellation_carry_no_calendar_entry() -> None:
    event = EventFactory(capacity_online=1)
    _register(event, 1)
    waiting = _register(event, 2)
    assert waiting.status == "waitlisted"
    services.registration_cancel(registration=waiting)
    mails = _mails_to("person2@example.org")
    assert len(mails) == 2
    assert [m.attachments for m in mails] == [[], []]


def test_a_place_awaiting_approval_carries_no_entry_until_it_is_confirmed(staff: Any) -> None:
    event = EventFactory(capacity_online=5, requires_approval=True)
    pending = _register(event, 1)
    assert pending.status == "pending"
    services.registration_decide(registration=pending, approve=True, actor=staff)
    pending_mail, confirmed_mail = _mails_to("person1@example.org")
    assert pending_mail.attachments == []
    [(method, item)] = _entries(confirmed_mail)
    assert (method, str(item["STATUS"])) == ("PUBLISH", "CONFIRMED")


def test_a_promotion_from_the_waiting_list_adds_the_entry() -> None:
    event = EventFactory(capacity_online=1)
    first = _register(event, 1)
    _register(event, 2)
    services.registration_cancel(registration=first)
    waiting_mail, promoted_mail = _mails_to("person2@example.org")
    assert waiting_mail.attachments == []
    [(method, item)] = _entries(promoted_mail)
    assert (method, str(item["STATUS"])) == ("PUBLISH", "CONFIRMED")


def test_a_changed_event_gets_a_higher_sequence_under_the_same_uid(staff: Any) -> None:
    event = EventFactory(capacity_online=5)
    _register(event, 1)
    services.event_update(event=event, actor=staff, title="A new title", title_en="A new title")
    services.event_message_participants(
        event=event, subject="Changed", body="The title changed.", actor=staff
    )
    before, after = (_entries(m)[0][1] for m in _mails_to("person1@example.org"))
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert str(after["SUMMARY"]) == "A new title"
    # A change nobody sees in a calendar does not raise it.
    services.event_update(event=event, actor=staff, capacity_online=9)
    event.refresh_from_db()
    assert event.sequence == 1


def test_a_cancelled_event_is_withdrawn_from_the_calendar_of_those_told(staff: Any) -> None:
    event = EventFactory(capacity_online=5)
    _register(event, 1)
    services.event_update(event=event, actor=staff, status=EventStatus.CANCELLED)
    services.event_message_participants(
        event=event, subject="Cancelled", body="We had to cancel.", actor=staff
    )
    first, second = (_entries(m)[0] for m in _mails_to("person1@example.org"))
    assert first[0] == "PUBLISH"
    assert (second[0], str(second[1]["STATUS"])) == ("CANCEL", "CANCELLED")
    assert int(second[1]["SEQUENCE"]) > int(first[1]["SEQUENCE"])


def test_taking_a_cancelled_place_up_again_publishes_above_the_cancellation() -> None:
    event = EventFactory(capacity_online=5)
    registration = _register(event, 1)
    services.registration_cancel(registration=registration)
    _register(event, 1)
    sequences = [
        (method, int(item["SEQUENCE"]))
        for m in _mails_to("person1@example.org")
        for method, item in _entries(m)
    ]
    assert [method for method, _n in sequences] == ["PUBLISH", "CANCEL", "PUBLISH"]
    numbers = [n for _method, n in sequences]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
