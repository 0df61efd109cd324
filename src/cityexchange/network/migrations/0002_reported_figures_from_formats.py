"""The network's reported figures per format get one place: ``ReportedFigure``.

Before, the events ``Format`` also held a participation range, an international
share and the speakers' countries. This copies any of those the network does not
already hold (with its source) into ``ReportedFigure``, before events 0010 drops the
format's fields. Where the network already has a figure of that kind for the
format, it stands: it carries the source citation. Backwards, the figures are copied
onto the format again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

NO_SOURCE = "Copied from the events format record (no source was recorded there)"


def _free_key(Figure: Any, key: str) -> str:
    candidate, n = key, 1
    while Figure.objects.filter(key=candidate).exists():
        n += 1
        candidate = f"{key}-{n}"
    return candidate


def to_figures(apps: Any, schema_editor: Any) -> None:
    Format = apps.get_model("events", "Format")
    Figure = apps.get_model("network", "ReportedFigure")
    for fmt in Format.objects.all():
        low, high = fmt.reported_participants_min, fmt.reported_participants_max
        if (low is not None or high is not None) and not Figure.objects.filter(
            format=fmt, kind="participants"
        ).exists():
            Figure.objects.create(
                key=_free_key(Figure, f"participants-{fmt.slug}"),
                kind="participants",
                format=fmt,
                qualifier="range" if low is not None and high is not None else "exact",
                value=low if low is not None else high,
                value_max=high if low is not None else None,
                unit="persons",
                source=NO_SOURCE,
            )
        share, countries = fmt.reported_international_share, list(fmt.reported_speaker_countries or [])
        if share is None and not countries:
            continue
        existing = Figure.objects.filter(format=fmt, kind="international_share").first()
        if existing is None:
            Figure.objects.create(
                key=_free_key(Figure, f"international-{fmt.slug}"),
                kind="international_share",
                format=fmt,
                qualifier="more_than" if fmt.reported_share_is_lower_bound else "exact",
                value=share,
                unit="percent",
                countries=countries,
                source=NO_SOURCE,
            )
        elif not existing.countries and countries:
            existing.countries = countries
            existing.save(update_fields=["countries"])


def to_formats(apps: Any, schema_editor: Any) -> None:
    Format = apps.get_model("events", "Format")
    Figure = apps.get_model("network", "ReportedFigure")
    for fmt in Format.objects.all():
        participants = Figure.objects.filter(format=fmt, kind="participants").order_by("key").first()
        share = Figure.objects.filter(format=fmt, kind="international_share").order_by("key").first()
        if participants is not None:
            fmt.reported_participants_min = participants.value
            fmt.reported_participants_max = participants.value_max or participants.value
        if share is not None:
            fmt.reported_international_share = share.value
            fmt.reported_share_is_lower_bound = share.qualifier == "more_than"
            fmt.reported_speaker_countries = list(share.countries or [])
        fmt.save()


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0001_initial"),
        ("events", "0009_material_length_and_captions"),
    ]

    operations = [migrations.RunPython(to_figures, to_formats)]
