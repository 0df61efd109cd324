"""Reminders for due next steps, and the account's personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail

from cityexchange.network import services
from cityexchange.network.models import NextStep, Partnership


def make_step(staff: Any, due: dt.date) -> NextStep:
    partnership = Partnership.objects.get(slug="iscn-oasc")
    return NextStep.objects.create(
        partnership=partnership, description="Send the minutes", owner=staff, due_on=due
    )


def test_a_due_step_is_mailed_once_in_the_owners_language(
    network_data: Any, staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    staff.language = "de"
    staff.save(update_fields=["language"])
    make_step(staff, dt.date(2025, 5, 2))
    make_step(staff, dt.date(2025, 5, 9))  # not due yet
    with django_capture_on_commit_callbacks(execute=True):
        assert services.next_steps_remind_due(today=dt.date(2025, 5, 2)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.next_steps_remind_due(today=dt.date(2025, 5, 2)) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [staff.email]
    assert "Nächster Schritt fällig" in mail.outbox[0].subject
    assert "Send the minutes" in mail.outbox[0].body


def test_a_done_step_is_not_reminded(network_data: Any, staff: Any) -> None:
    step = make_step(staff, dt.date(2025, 5, 2))
    services.next_step_done(actor=staff, step=step)
    assert services.next_steps_remind_due(today=dt.date(2025, 6, 1)) == 0


def test_personal_data_export_and_erasure(network_data: Any, staff: Any) -> None:
    from cityexchange.core.services import user_erase, user_personal_data

    step = make_step(staff, dt.date(2025, 5, 2))
    exported = user_personal_data(user=staff)
    assert "Send the minutes" in str(exported)
    user_erase(user=staff)
    step.refresh_from_db()
    assert step.owner is None


def test_amounts_are_parsed_as_decimals() -> None:
    import pytest
    from django.core.exceptions import ValidationError

    assert str(services.parse_amount("1.234.567,89")) == "1234567.89"
    assert str(services.parse_amount("73,000.00")) == "73000.00"
    assert str(services.parse_amount(2500.5)) == "2500.50"
    for bad in ("0", "-1", "NaN", "Infinity", "", None, "1" * 30):
        with pytest.raises(ValidationError):
            services.parse_amount(bad)


def test_my_cityexchange_lists_a_staff_members_open_steps(
    network_data: Any, staff: Any, member: Any
) -> None:
    from django.test import Client
    from django.urls import reverse

    make_step(staff, dt.date(2025, 5, 2))
    client = Client()
    client.force_login(staff)
    text = client.get(reverse("accounts:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My next steps in partnerships" in text and "Send the minutes" in text
    client.force_login(member)
    text = client.get(reverse("accounts:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My next steps in partnerships" not in text
