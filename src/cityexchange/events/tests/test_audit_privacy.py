"""The audit log keeps no trace of a person once their registration is anonymised or erased."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.utils import timezone

from cityexchange.core.models import AuditEntry
from cityexchange.core.services import user_erase
from cityexchange.core.tests.factories import UserFactory
from cityexchange.events import services
from cityexchange.events.models import Event, Registration
from cityexchange.events.tests.factories import EventFactory, registration_data
from cityexchange.events.tests.test_back_office import _form_data

pytestmark = pytest.mark.django_db(transaction=True)

NAME, EMAIL, NEEDS = "Aiyana Whitehorse", "aiyana@whitehorse.example", "sign-language interpreting"
# What staff and the person themselves changed later: gone just as well.
LATER = ("Aiyana W. Whitehorse", "step-free access please")


@pytest.fixture
def admin_client(client: Any) -> Any:
    client.force_login(UserFactory(email="root@network.example", is_staff=True, is_superuser=True))
    return client


def _traces(registration: Registration) -> str:
    """Everything the audit log and the admin's own history keep about one registration."""
    entries = AuditEntry.objects.filter(
        object_type="events.registration", object_id=str(registration.pk)
    )
    history = LogEntry.objects.filter(object_id=str(registration.pk))
    return " ".join(
        [f"{e.object_repr} {e.before} {e.after}" for e in entries]
        + [f"{e.object_repr} {e.change_message}" for e in history]
    )


def _correct_name_in_the_back_office(client: Any, registration: Registration, name: str) -> None:
    url = f"/en/admin/events/registration/{registration.pk}/change/"
    data = _form_data(client.get(url))
    data["name"] = name
    # Followed, so the "changed successfully" notice is shown now and not on a later page.
    assert client.post(url, data, follow=True).redirect_chain[0][1] == 302
    registration.refresh_from_db()
    assert registration.name == name


def _live_through_a_registration(client: Any, *, user: Any = None) -> Registration:
    """Register (waiting), change the needs, be corrected by staff, move up to a seat."""
    event = EventFactory(capacity_online=1)
    blocker = services.registration_create(
        event=event, data=registration_data(email="first@x.example")
    ).registration
    registration = services.registration_create(
        event=event,
        data=registration_data(name=NAME, email=EMAIL, accessibility_needs=NEEDS),
        user=user,
    ).registration
    services.registration_update(
        registration=registration,
        interpretation_language="",
        accessibility_needs=LATER[1],
        listed=True,
        language="en",
    )
    _correct_name_in_the_back_office(client, registration, LATER[0])
    services.registration_cancel(registration=blocker)
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    return registration


def _assert_no_trace(client: Any, registration: Registration) -> None:
    traces = _traces(registration)
    assert AuditEntry.objects.filter(object_id=str(registration.pk)).count() >= 4
    audit_list = client.get("/en/admin/core/auditentry/").content.decode()
    recent = client.get("/en/admin/").content.decode()
    for value in (NAME, EMAIL, NEEDS, *LATER, "aiyana", "Aiyana"):
        assert value not in traces
        assert value not in audit_list
        assert value not in recent


def test_after_anonymisation_no_audit_entry_or_back_office_list_shows_the_person(admin_client):
    registration = _live_through_a_registration(admin_client)
    Event.objects.filter(pk=registration.event_id).update(
        starts_at=timezone.now() - dt.timedelta(days=services.retention_days() + 10)
    )
    out = io.StringIO()
    call_command("anonymise-registrations", stdout=out)
    assert "2 registration(s) anonymised" in out.getvalue()
    registration.refresh_from_db()
    assert (registration.name, registration.email, registration.accessibility_needs) == ("", "", "")
    _assert_no_trace(admin_client, registration)


def test_after_account_erasure_no_audit_entry_shows_the_signed_in_registrant(admin_client):
    user = UserFactory(email=EMAIL, full_name=NAME)
    registration = _live_through_a_registration(admin_client, user=user)
    assert registration.user == user
    user_erase(user=user)
    registration.refresh_from_db()
    assert (registration.name, registration.email, registration.accessibility_needs) == ("", "", "")
    assert registration.user is None and registration.status == "cancelled"
    _assert_no_trace(admin_client, registration)
