"""The back office (Django admin) changes seats and events only through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.forms import MultiWidget
from django.utils import timezone

from cityexchange.core.models import AuditEntry
from cityexchange.core.tests.factories import UserFactory
from cityexchange.events import services
from cityexchange.events.models import Event, Registration
from cityexchange.events.tests.factories import EventFactory, registration_data

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN = "/en/admin/events"


@pytest.fixture
def admin_client(client: Any) -> Any:
    client.force_login(UserFactory(email="root@network.example", is_staff=True, is_superuser=True))
    return client


def _register(event: Event, *names: str) -> list[Registration]:
    return [
        services.registration_create(
            event=event, data=registration_data(email=f"{name}@x.example", name=name)
        ).registration
        for name in names
    ]


def _status(registration: Registration) -> str:
    return Registration.objects.get(pk=registration.pk).status


def _form_data(response: Any) -> dict[str, Any]:
    """What the admin's change form would post back unchanged, inlines included."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += list(formset.forms)
        for name, field in formset.management_form.fields.items():
            data[f"{formset.prefix}-{name}"] = formset.management_form.initial.get(
                name, field.initial
            )
    for form in forms:
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            widget = bound.field.widget
            if isinstance(widget, MultiWidget):
                # Times are shown, and read back, in the viewer's zone.
                with timezone.override(settings.CITYEXCHANGE_DEFAULT_VIEWER_TIMEZONE):
                    parts = value if isinstance(value, list) else widget.decompress(value)
                for suffix, sub, part in zip(
                    widget.widgets_names, widget.widgets, parts, strict=True
                ):
                    data[f"{bound.html_name}{suffix}"] = sub.format_value(part) or ""
            elif value is None or value is False:
                continue
            elif isinstance(value, list):
                data[bound.html_name] = [getattr(v, "pk", v) for v in value]
            else:
                data[bound.html_name] = getattr(value, "pk", value)
    return data


def test_deleting_a_registration_in_the_back_office_gives_the_seat_to_the_first_waiting(
    admin_client: Any,
) -> None:
    event = EventFactory(capacity_online=1)
    seated, first, second = _register(event, "seated", "first", "second")
    mail.outbox.clear()
    response = admin_client.post(f"{ADMIN}/registration/{seated.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    # Kept for the statistics, cancelled; the first person waiting has the seat.
    assert [_status(r) for r in (seated, first, second)] == ["cancelled", "confirmed", "waitlisted"]
    assert sorted(m.to[0] for m in mail.outbox) == ["first@x.example", "seated@x.example"]
    promoted_mail = next(m for m in mail.outbox if m.to == ["first@x.example"])
    assert event.join_url in promoted_mail.body
    cancel = AuditEntry.objects.get(action="registration.cancel", object_id=str(seated.pk))
    assert cancel.actor is not None and cancel.actor.email == "root@network.example"
    assert AuditEntry.objects.filter(
        action="registration.promote", object_id=str(first.pk)
    ).exists()


def test_the_delete_selected_action_cancels_and_promotes_in_order(admin_client: Any) -> None:
    event = EventFactory(capacity_online=2)
    people = _register(event, "a", "b", "c", "d", "e")
    response = admin_client.post(
        f"{ADMIN}/registration/",
        {
            "action": "delete_selected",
            "_selected_action": [people[0].pk, people[1].pk],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert [_status(r) for r in people] == [
        "cancelled",
        "cancelled",
        "confirmed",
        "confirmed",
        "waitlisted",
    ]
    assert Registration.objects.filter(event=event).count() == 5
    assert AuditEntry.objects.filter(action="registration.cancel").count() == 2


def test_fewer_seats_saved_in_the_back_office_confirm_nobody_over_the_new_limit(
    admin_client: Any,
) -> None:
    event = EventFactory(capacity_online=3)
    people = _register(event, "a", "b", "c", "d")
    url = f"{ADMIN}/event/{event.pk}/change/"
    data = _form_data(admin_client.get(url))
    data["capacity_online"] = 1
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action="event.capacity_change", object_id=str(event.pk))
    assert (entry.before, entry.after) == ({"capacity_online": 3}, {"capacity_online": 1})
    # Those confirmed keep the seat they were promised; a freed seat now goes to nobody.
    admin_client.post(f"{ADMIN}/registration/{people[0].pk}/delete/", {"post": "yes"})
    assert [_status(r) for r in people] == ["cancelled", "confirmed", "confirmed", "waitlisted"]
    late = _register(event, "late")[0]
    assert late.status == "waitlisted"
    assert Registration.objects.filter(event=event, status="confirmed").count() == 2


def test_more_seats_saved_in_the_back_office_promote_the_waiting_list_by_mail(
    admin_client: Any,
) -> None:
    event = EventFactory(capacity_online=1)
    people = _register(event, "a", "b", "c")
    url = f"{ADMIN}/event/{event.pk}/change/"
    data = _form_data(admin_client.get(url))
    data["capacity_online"] = 2
    mail.outbox.clear()
    assert admin_client.post(url, data).status_code == 302
    assert [_status(r) for r in people] == ["confirmed", "confirmed", "waitlisted"]
    assert [m.to for m in mail.outbox] == [["b@x.example"]]


def test_an_event_edited_in_the_back_office_is_audited_and_announced_to_other_apps(
    admin_client: Any,
) -> None:
    # Whole seconds: the form's date and time fields carry no microseconds.
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=7)
    event = EventFactory(title="Water", title_en="Water", starts_at=starts)
    url = f"{ADMIN}/event/{event.pk}/change/"
    data = _form_data(admin_client.get(url))
    version = cache.get("cityexchange:version:events")
    data["title_en"] = "Water and heat"
    assert admin_client.post(url, data).status_code == 302
    assert Event.objects.get(pk=event.pk).title_en == "Water and heat"
    entry = AuditEntry.objects.get(action="event.update", object_id=str(event.pk))
    assert (entry.before, entry.after) == ({"title_en": "Water"}, {"title_en": "Water and heat"})
    assert cache.get("cityexchange:version:events") != version
    # Saved again unchanged: nothing to record.
    assert admin_client.post(url, _form_data(admin_client.get(url))).status_code == 302
    assert AuditEntry.objects.filter(action="event.update").count() == 1
