"""Demo data loads once and makes sense; deadline reminders go out once, three days ahead."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cityexchange.consultations import seeding, services
from cityexchange.consultations.models import Comment, Consultation, ReminderSent

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_with_comments_in_several_languages_and_a_published_report(
    client: Any, staff: Any
) -> None:
    from cityexchange.core.seeding import load_demo

    load_demo()
    report = seeding.seed(demo=True)
    assert all("created" in line for line in report), report
    assert seeding.seed(demo=True)[0].endswith("unchanged")
    assert seeding.seed(demo=False) == []
    open_one = Consultation.objects.get(slug="demo-people-centred-guidelines")
    closed = Consultation.objects.get(slug="demo-network-data-principles")
    assert open_one.phase == "open" and closed.phase == "responded"
    assert set(
        Comment.objects.filter(consultation=open_one).values_list("language", flat=True)
    ) == {
        "de",
        "en",
        "es",
        "pt",
    }
    assert Comment.objects.filter(consultation=closed, response__isnull=False).count() == 3
    page = client.get("/de/consultations/demo-network-data-principles/report/").content.decode()
    assert "Teilweise übernommen" in page and "Datengrundsätze" in page
    assert client.get("/pt/consultations/demo-people-centred-guidelines/").status_code == 200


def test_reminders_go_out_three_days_before_the_deadline_once_in_each_language(
    consultation: Any, comment: Any, django_capture_on_commit_callbacks: Any
) -> None:
    consultation.closes_at = timezone.now() + dt.timedelta(days=2)
    consultation.save(update_fields=["closes_at"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send_due() == 1
        assert services.reminders_send_due() == 0
    assert [m.to for m in mail.outbox] == [[comment.author.email]]
    assert "Quedan tres días" in mail.outbox[0].subject
    assert "-05" in mail.outbox[0].body  # the deadline in Lima's time zone
    assert ReminderSent.objects.count() == 1


def test_no_reminder_while_the_deadline_is_far(consultation: Any, comment: Any) -> None:
    assert services.reminders_send_due() == 0
