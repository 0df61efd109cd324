"""Many people at once for the last seats, through a real server and real connections.

Runs on whichever database the suite uses: SQLite (a file; IMMEDIATE transactions)
or PostgreSQL (select_for_update on the event row).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from cityexchange.events import services
from cityexchange.events.models import Registration
from cityexchange.events.tests.factories import EventFactory

pytestmark = [pytest.mark.django_db(transaction=True)]

CLIENTS = 24
CAPACITY = 5


@pytest.fixture(autouse=True)
def _no_ratelimit(settings):
    settings.RATELIMIT_ENABLE = False


def _post(url: str, n: int) -> int:
    body = {
        "name": f"Racer {n}",
        "email": f"racer{n}@example.org",
        "privacy_consent": True,
        "privacy_notice_version": services.privacy_notice_version(),
    }
    response = requests.post(url, json=body, timeout=60)
    # The answer never tells the seat (anyone can send any address): count them below.
    assert set(response.json()) == {"event", "email", "message"}
    return response.status_code


def test_concurrent_registrations_never_exceed_the_capacity_and_promote_in_order(live_server):
    event = EventFactory(capacity_online=CAPACITY)
    url = f"{live_server.url}/api/v1/events/{event.slug}/registrations"
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(lambda n: _post(url, n), range(CLIENTS)))
    assert results == [202] * CLIENTS, results
    assert Registration.objects.filter(event=event, status="confirmed").count() == CAPACITY
    waiting = list(
        Registration.objects.filter(event=event, status="waitlisted").order_by("created_at", "id")
    )
    assert len(waiting) == CLIENTS - CAPACITY
    # Two cancellations: the two who waited longest get the seats, nobody else.
    for registration in Registration.objects.filter(event=event, status="confirmed")[:2]:
        services.registration_cancel(registration=registration)
    promoted = set(
        Registration.objects.filter(event=event, status="confirmed").values_list("pk", flat=True)
    )
    assert {waiting[0].pk, waiting[1].pk} <= promoted
    assert len(promoted) == CAPACITY


def test_one_email_sent_many_times_at_once_gets_one_place_and_one_mail(live_server):
    from django.core import mail

    event = EventFactory(capacity_online=CAPACITY)
    url = f"{live_server.url}/api/v1/events/{event.slug}/registrations"
    body = {
        "name": "Same Person",
        "email": "same@example.org",
        "privacy_consent": True,
        "privacy_notice_version": services.privacy_notice_version(),
    }
    mail.outbox.clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(
            pool.map(lambda _n: requests.post(url, json=body, timeout=60).status_code, range(8))
        )
    # The same answer for the first and the repeats: nothing tells which one won.
    assert codes == [202] * 8, codes
    assert Registration.objects.filter(event=event).count() == 1
    # The first answer mailed the link; the repeats within ten minutes did not.
    assert [m.to for m in mail.outbox] == [["same@example.org"]]
