import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def verify_existing_addresses(apps, schema_editor):
    """Accounts from before sign-up existed were created by the network (admin, command
    line) with an address it entered: they keep signing in without a verification mail."""
    User = apps.get_model("core", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    known = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=pk, email=email.lower(), verified=True, primary=True)
            for pk, email in User.objects.exclude(email__endswith="@invalid").values_list(
                "pk", "email"
            )
            if pk not in known
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("account", "0009_emailaddress_unique_primary_email"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PrivacyConsent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("notice_version", models.CharField(max_length=20, verbose_name="privacy notice version")),
                ("given_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="given at")),
                ("context", models.CharField(default="signup", max_length=20, verbose_name="given when")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="privacy_consents", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "privacy consent",
                "verbose_name_plural": "privacy consents",
                "ordering": ["-given_at"],
            },
        ),
        migrations.RunPython(verify_existing_addresses, migrations.RunPython.noop),
    ]
