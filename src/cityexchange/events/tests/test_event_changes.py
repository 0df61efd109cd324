"""Changes to events: audited, and announced to other apps through core.caching."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db.models import ProtectedError

import cityexchange
from cityexchange.core.models import AuditEntry, Concept
from cityexchange.events import services
from cityexchange.events.models import Event, EventStatus
from cityexchange.events.tests.factories import EventFactory, FormatFactory, registration_data

pytestmark = pytest.mark.django_db(transaction=True)


def _version() -> Any:
    return cache.get("cityexchange:version:events")


def test_creating_publishing_retitling_and_cancelling_an_event_tell_other_apps(
    staff: Any,
) -> None:
    seen = [_version()]
    event = services.event_create(
        event=Event(
            slug="water-2031",
            format=FormatFactory(),
            title="Water",
            starts_at=EventFactory.build().starts_at,
            duration_minutes=60,
        ),
        actor=staff,
    )
    seen.append(_version())
    services.event_update(event=event, actor=staff, status=EventStatus.PUBLISHED)
    seen.append(_version())
    services.event_update(event=event, actor=staff, title_en="Water and heat")
    seen.append(_version())
    services.event_update(event=event, actor=staff, status=EventStatus.CANCELLED)
    seen.append(_version())
    assert len(set(seen)) == len(seen), seen
    actions = list(
        AuditEntry.objects.filter(object_type="events.event", object_id=str(event.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["event.create", "event.update", "event.update", "event.update"]


def test_a_change_nobody_outside_the_back_office_sees_announces_nothing(staff: Any) -> None:
    event = EventFactory()
    before = _version()
    services.event_update(event=event, actor=staff, join_url="https://meet.example.org/new")
    assert _version() == before
    assert Event.objects.get(pk=event.pk).join_url == "https://meet.example.org/new"
    assert AuditEntry.objects.filter(action="event.update").exists()


def test_new_topics_are_audited_and_announced(staff: Any) -> None:
    event = EventFactory()
    topic = Concept.objects.create(key="energy", label="Energy")
    before = _version()
    services.event_topics_set(event=event, topics=[topic], actor=staff)
    assert _version() != before
    assert list(event.topics.values_list("key", flat=True)) == ["energy"]
    entry = AuditEntry.objects.get(action="event.topics_set")
    assert (entry.before, entry.after) == ({"topics": []}, {"topics": [topic.pk]})
    unchanged = _version()
    services.event_topics_set(event=event, topics=[topic], actor=staff)
    assert _version() == unchanged


def test_more_seats_through_an_event_update_promote_the_waiting_list(staff: Any) -> None:
    event = EventFactory(capacity_online=1)
    for n in range(3):
        services.registration_create(event=event, data=registration_data(email=f"{n}@x.example"))
    promoted = services.event_update(event=event, actor=staff, capacity_online=2)
    assert [r.email for r in promoted] == ["1@x.example"]
    with pytest.raises(services.RegistrationError):
        services.event_update(event=event, actor=staff, capacity_online=-1)


def test_deleting_an_event_is_audited_and_announced_but_registrations_protect_it(
    staff: Any,
) -> None:
    empty = EventFactory()
    before = _version()
    services.event_delete(event=empty, actor=staff)
    assert _version() != before
    assert not Event.objects.filter(pk=empty.pk).exists()
    assert AuditEntry.objects.get(action="event.delete").before["slug"] == empty.slug
    taken = EventFactory()
    services.registration_create(event=taken, data=registration_data())
    with pytest.raises(ProtectedError):
        services.event_delete(event=taken, actor=staff)
    assert Event.objects.filter(pk=taken.pk).exists()
    assert AuditEntry.objects.filter(action="event.delete").count() == 1


@pytest.mark.parametrize(
    "module",
    [
        "cityexchange.events.mails",
        "cityexchange.events.services",
        "cityexchange.events.tasks",
        "cityexchange.events.links",
        "cityexchange.events.selectors",
        "cityexchange.core.mail",
        "cityexchange.core.tasks",
    ],
)
def test_each_module_imports_on_its_own_in_a_fresh_interpreter(module: str) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cityexchange.settings_test",
        "PYTHONPATH": str(Path(cityexchange.__file__).resolve().parents[1]),
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and module names
        [sys.executable, "-c", f"import django; django.setup(); import {module}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
