"""The format's reported figures move to network.ReportedFigure (network 0002 copies
them first, so no figure is lost)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0009_material_length_and_captions"),
        ("network", "0002_reported_figures_from_formats"),
    ]

    operations = [
        migrations.RemoveField(model_name="format", name="reported_participants_min"),
        migrations.RemoveField(model_name="format", name="reported_participants_max"),
        migrations.RemoveField(model_name="format", name="reported_international_share"),
        migrations.RemoveField(model_name="format", name="reported_share_is_lower_bound"),
        migrations.RemoveField(model_name="format", name="reported_speaker_countries"),
    ]
