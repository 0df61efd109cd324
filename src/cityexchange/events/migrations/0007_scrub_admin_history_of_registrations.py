"""The admin's own history named registrations by the person ("Name – Event").

It now names them by kind and id, as the audit log does; the entries written
before are renamed the same way.
"""

from typing import Any

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat


def scrub(apps: Any, schema_editor: Any) -> None:
    LogEntry = apps.get_model("admin", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    kind = ContentType.objects.filter(app_label="events", model="registration").first()
    if kind is None:
        return
    LogEntry.objects.filter(content_type=kind).update(
        object_repr=Concat(Value("registration "), "object_id")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_registration_link_version"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
