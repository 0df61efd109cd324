"""People racing for the last seats: threads released together by a barrier.

Each thread has its own database connection, so the seat decision really competes:
on PostgreSQL through ``select_for_update`` on the event row, on SQLite (a file)
through IMMEDIATE transactions. Run on both engines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from cityexchange.core.tests.concurrency import race
from cityexchange.events import services
from cityexchange.events.models import Registration, RegistrationStatus
from cityexchange.events.tests.factories import EventFactory, registration_data

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def _registering(event: Any, n: int, **overrides: Any) -> Callable[[], Any]:
    data = registration_data(email=f"racer{n}@x.example", name=f"Racer {n}", **overrides)
    return lambda: services.registration_create(event=event, data=data)


def _confirmed(event: Any, attendance: str = "online") -> int:
    return Registration.objects.filter(
        event=event, status=RegistrationStatus.CONFIRMED, attendance=attendance
    ).count()


def test_two_people_for_the_last_seat_one_gets_it_the_other_waits_first_in_line() -> None:
    event = EventFactory(capacity_online=1)
    results = race([_registering(event, 1), _registering(event, 2)])
    assert all(isinstance(r, services.RegistrationOutcome) for r in results), results
    statuses = sorted(r.registration.status for r in results)
    assert statuses == ["confirmed", "waitlisted"]
    waiting = next(r for r in results if r.registration.status == "waitlisted")
    assert waiting.waitlist_position == 1
    assert _confirmed(event) == 1


def test_many_at_once_never_oversell_and_every_place_in_the_queue_is_given_once() -> None:
    capacity, racers = 5, 16
    event = EventFactory(capacity_online=capacity)
    mail.outbox.clear()
    results = race([_registering(event, n) for n in range(racers)])
    assert all(isinstance(r, services.RegistrationOutcome) for r in results), results
    assert _confirmed(event) == capacity
    places = sorted(r.waitlist_position for r in results if r.waitlist_position is not None)
    assert places == list(range(1, racers - capacity + 1))
    assert len(mail.outbox) == racers


def test_cancellations_racing_new_registrations_give_freed_seats_to_those_waiting_first() -> None:
    event = EventFactory(mode="hybrid", capacity_online=2, capacity_onsite=1)
    seated = [_registering(event, n)().registration for n in range(2)]
    waiting = [_registering(event, n)().registration for n in range(2, 4)]
    jobs: list[Callable[[], Any]] = [
        (lambda r=r: services.registration_cancel(registration=r)) for r in seated
    ]
    jobs += [_registering(event, n) for n in range(10, 16)]
    jobs += [_registering(event, n, attendance="onsite") for n in range(20, 23)]
    results = race(jobs)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert _confirmed(event) == 2 and _confirmed(event, "onsite") == 1
    # Those waiting before the race have the freed seats, never a newcomer.
    assert {Registration.objects.get(pk=r.pk).status for r in waiting} == {"confirmed"}
