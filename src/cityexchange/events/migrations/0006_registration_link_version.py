"""The personal link carries a version, raised when a cancelled registration is renewed.

Existing links (version 0) keep working.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_drop_seat_counters"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="link_version",
            field=models.PositiveIntegerField(default=0, verbose_name="personal link version"),
        ),
    ]
