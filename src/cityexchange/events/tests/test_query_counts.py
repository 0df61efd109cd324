"""Pages, the API and the seat decision cost the same queries whatever the data size."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from cityexchange.events.models import Registration
from cityexchange.events.tests.factories import EventFactory, RegistrationFactory
from cityexchange.events.tests.test_api import payload

pytestmark = pytest.mark.django_db

# Rate limit off (conftest). A registration: the event, BEGIN, its lock, the seat count,
# the insert, the audit entry, COMMIT; its mail is rendered from the row just written.
REGISTRATION_QUERIES = 7
PARTICIPANTS_PAGE_QUERIES = 5
EVENT_LIST_API_QUERIES = 3


@pytest.mark.django_db(transaction=True)  # the mail goes out after a real commit
@pytest.mark.parametrize("size", [2, 30])
def test_a_registration_costs_the_same_queries_however_many_came_before(
    client: Any, django_assert_num_queries: Any, size: int
) -> None:
    event = EventFactory(capacity_online=10)
    for n in range(size):
        RegistrationFactory(event=event, status="confirmed" if n < 10 else "waitlisted")
    mail.outbox.clear()
    with django_assert_num_queries(REGISTRATION_QUERIES):
        answer = client.post(
            f"/api/v1/events/{event.slug}/registrations", payload(), content_type="application/json"
        )
    assert answer.status_code == 202
    status = Registration.objects.get(event=event, email="rahul@pune.example").status
    assert status == ("confirmed" if size < 10 else "waitlisted")
    assert [m.to for m in mail.outbox] == [["rahul@pune.example"]]


@pytest.mark.parametrize("size", [2, 20])
def test_the_participants_page_costs_the_same_queries_whatever_the_number_registered(
    client: Any, staff: Any, django_assert_num_queries: Any, size: int
) -> None:
    event = EventFactory(capacity_online=5)
    for n in range(size):
        RegistrationFactory(event=event, status="confirmed" if n < 5 else "waitlisted")
    client.force_login(staff)
    with django_assert_num_queries(PARTICIPANTS_PAGE_QUERIES):
        response = client.get(f"/en/events/{event.slug}/participants/")
    assert response.status_code == 200
    assert response.content.decode().count("Participant ") >= size
    assert Registration.objects.filter(event=event).count() == size


@pytest.mark.parametrize("size", [2, 12])
def test_the_event_list_api_costs_the_same_queries_whatever_the_number_of_events(
    client: Any, django_assert_num_queries: Any, size: int
) -> None:
    for _ in range(size):
        RegistrationFactory(event=EventFactory())
    with django_assert_num_queries(EVENT_LIST_API_QUERIES):
        assert client.get("/api/v1/events").json()["count"] == size
