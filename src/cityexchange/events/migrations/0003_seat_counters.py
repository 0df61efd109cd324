"""Seat and queue counters on the event row, filled from the registrations."""

from typing import Any

from django.db import migrations, models
from django.db.models import Count, Q


def fill_counters(apps: Any, schema_editor: Any) -> None:
    Event = apps.get_model("events", "Event")
    Registration = apps.get_model("events", "Registration")
    rows = (
        Registration.objects.filter(status__in=["confirmed", "waitlisted"])
        .values("event_id")
        .annotate(
            seats_taken_online=Count("id", filter=Q(status="confirmed", attendance="online")),
            seats_taken_onsite=Count("id", filter=Q(status="confirmed", attendance="onsite")),
            waiting_online=Count("id", filter=Q(status="waitlisted", attendance="online")),
            waiting_onsite=Count("id", filter=Q(status="waitlisted", attendance="onsite")),
        )
    )
    for row in rows:
        event_id = row.pop("event_id")
        Event.objects.filter(pk=event_id).update(**row)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_date_only_editions_and_link_resend"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="seats_taken_online",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="event",
            name="seats_taken_onsite",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="event",
            name="waiting_online",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="event",
            name="waiting_onsite",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(fill_counters, migrations.RunPython.noop),
    ]
