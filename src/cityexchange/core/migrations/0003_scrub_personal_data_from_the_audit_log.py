"""Audit entries written before the log stopped keeping personal data lose it now.

From here on ``audit_record`` never stores personal values; this rewrites the older
entries the same way: personal fields read "[personal data]", and rows about a person
are named by their kind and id. The lists are copied here so that the migration
keeps meaning the same thing when the models change later.
"""

from django.db import migrations

PERSONAL = "[personal data]"
FIELDS = {
    "core.user": {"email", "full_name", "password", "last_login"},
    "core.person": {"name", "job_title"},
    "core.apitoken": {"key_hash"},
    "core.membership": set(),
    "events.registration": {"name", "email", "organisation", "accessibility_needs"},
}


def scrub(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    entries = AuditEntry.objects.filter(object_type__in=list(FIELDS)).iterator(chunk_size=2000)
    for entry in entries:
        personal = FIELDS[entry.object_type]
        kind = entry.object_type.split(".", 1)[1]
        changed = False
        for side in ("before", "after"):
            values = getattr(entry, side)
            if isinstance(values, dict):
                cleaned = {
                    k: PERSONAL if k in personal and v not in (None, "") else v
                    for k, v in values.items()
                }
                if cleaned != values:
                    setattr(entry, side, cleaned)
                    changed = True
        name = f"{kind} {entry.object_id}"
        if entry.object_repr != name:
            entry.object_repr = name
            changed = True
        if changed:
            entry.save(update_fields=["before", "after", "object_repr"])


class Migration(migrations.Migration):
    dependencies = [("core", "0002_staff_view_memberships_only")]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
