"""Network staff may see memberships in the back office but no longer add, change or
delete them: a membership opens a municipality's data, which staff may look at and not
touch. Administrators keep every permission. (Syncing role groups only ever adds
permissions, so the three are taken away here.)"""

from django.db import migrations


def take_away(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    staff = Group.objects.filter(name="network_staff").first()
    if staff is None:
        return
    codenames = ["add_membership", "change_membership", "delete_membership"]
    staff.permissions.remove(
        *Permission.objects.filter(content_type__app_label="core", codename__in=codenames)
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(take_away, migrations.RunPython.noop)]
