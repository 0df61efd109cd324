"""Seats are counted from the registrations under the event lock; the counters go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_registration_fewer_indexes"),
    ]

    operations = [
        migrations.RemoveField(model_name="event", name=name)
        for name in ("seats_taken_online", "seats_taken_onsite", "waiting_online", "waiting_onsite")
    ]
