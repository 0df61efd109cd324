"""Loading the events app's shipped data: formats and the historical programme; demo editions.

Idempotent: formats are matched on their slug, editions on format and number;
only changed rows are written and a second run reports nothing changed.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from cityexchange.core import caching
from cityexchange.core.datafiles import LANGUAGES, Entry, load_yaml
from cityexchange.core.models import Concept, Organisation, Person
from cityexchange.events.models import (
    Event,
    EventStatus,
    Format,
    Mode,
    Series,
    Speaker,
    SpeakerRole,
)
from cityexchange.events.services import EVENTS_CACHE

DATA_DIR = Path(__file__).resolve().parent / "data"
ORGANISER_SLUG = "iscn"
REFERENCE_ZONE = "Europe/Berlin"
# Earlier versions of this loader invented these start times for the date-only
# sources. A stored edition still at exactly that time on the source's day was
# loaded by them, not corrected by staff, and is turned into a date-only edition.
LEGACY_INVENTED_STARTS = {
    "global-mixer": dt.time(14, 0),
    "advisory-programme": dt.time(14, 0),
    "symposium": dt.time(10, 0),
}


def _translated(field: str, texts: dict[str, str]) -> dict[str, str]:
    # Only the per-language columns: reading the bare field answers in the active
    # language, which would make every reload look like a change.
    return {f"{field}_{lang}": texts.get(lang, "") for lang in LANGUAGES}


def _apply(obj: Any, values: dict[str, Any]) -> list[str]:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _format_values(entry: Entry, organiser: Organisation) -> dict[str, Any]:
    if "reported" in entry.data:
        # The network's reported figures have one place, with their source:
        # network/data/network.yaml (reported_figures).
        raise entry.error("reported", "belongs in network/data/network.yaml")
    interpretation = entry.text_list("interpretation")
    for code in interpretation:
        if code not in ("es", "pt"):
            raise entry.error("interpretation", f"{code!r} is not es or pt")
    return {
        "organiser": organiser,
        "position": entry.integer("position", minimum=0) or 0,
        "default_duration_minutes": entry.integer("duration", required=True, minimum=1),
        "mode": entry.choice("mode", Mode.values),
        "interpretation_languages": interpretation,
        **_translated("name", entry.translations("name")),
        **_translated("description", entry.translations("description")),
        **_translated("language_policy", entry.translations("language_policy")),
        **_translated("cadence", entry.translations("cadence")),
    }


def load_past_editions(path: Path | None = None) -> list[str]:
    path = path or DATA_DIR / "past_editions.yaml"
    organiser = Organisation.objects.filter(slug=ORGANISER_SLUG).first()
    if organiser is None:
        return [
            f"organiser {ORGANISER_SLUG!r} not found (core organisations not loaded?); "
            "formats and past editions were not loaded"
        ]
    format_entries = [Entry(path, raw, id_field="slug") for raw in load_yaml(path, key="formats")]
    raw_editions = load_yaml(path, key="editions")
    slugs = {e.id for e in format_entries}
    format_values = {}
    for entry in format_entries:
        format_values[entry.id] = _format_values(entry, organiser)
    zone = zoneinfo.ZoneInfo(REFERENCE_ZONE)
    editions: list[tuple[str, int, dict[str, Any]]] = []
    edition_topics: dict[tuple[str, int], list[str]] = {}
    seen: set[tuple[str, int]] = set()
    for index, raw in enumerate(raw_editions):
        entry = Entry(path, {**raw, "_id": f"#{index + 1}"}, id_field="_id")
        fmt = entry.choice("format", slugs)
        number = entry.integer("number", required=True, minimum=1)
        assert number is not None  # noqa: S101 - required above
        if (fmt, number) in seen:
            raise entry.error("number", f"{fmt} {number} appears twice")
        seen.add((fmt, number))
        try:
            day = dt.date.fromisoformat(entry.text("date"))
        except ValueError as exc:
            raise entry.error("date", f"is not a YYYY-MM-DD date: {exc}") from exc
        title = entry.text("title")
        edition_topics[(fmt, number)] = entry.text_list("topics")
        editions.append(
            (
                fmt,
                number,
                {
                    "slug": f"{fmt}-{number:02d}",
                    "title_en": title,
                    # The sources give the day only: stored as the start of that day in
                    # the reference zone and flagged, so no page shows a time.
                    "starts_at": dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone),
                    "time_known": False,
                    "data_quality_note": entry.text("data_quality", required=False),
                },
            )
        )

    created_formats = changed_formats = created = changed = 0
    with transaction.atomic():
        formats = {f.slug: f for f in Format.objects.filter(slug__in=slugs)}
        for slug, values in format_values.items():
            fmt_obj = formats.get(slug)
            if fmt_obj is None:
                formats[slug] = Format.objects.create(slug=slug, **values)
                created_formats += 1
            elif fields := _apply(fmt_obj, values):
                fmt_obj.save(update_fields=fields)
                changed_formats += 1
        existing = {
            (e.format.slug, e.edition): e
            for e in Event.objects.filter(
                format__slug__in=slugs, edition__isnull=False
            ).select_related("format")
        }
        for slug, number, values in editions:
            fmt_obj = formats[slug]
            event = existing.get((slug, number))
            if event is None:
                Event.objects.create(
                    format=fmt_obj,
                    edition=number,
                    organiser=organiser,
                    duration_minutes=fmt_obj.default_duration_minutes,
                    mode=fmt_obj.mode,
                    language="en",
                    interpretation_languages=fmt_obj.interpretation_languages,
                    timezone=REFERENCE_ZONE,
                    status=EventStatus.FINISHED,
                    **values,
                )
                created += 1
                continue
            legacy = LEGACY_INVENTED_STARTS.get(slug)
            loaded_with_invented_time = (
                event.time_known
                and legacy is not None
                and event.starts_at
                == dt.datetime.combine(values["starts_at"].date(), legacy, tzinfo=zone)
            )
            # Staff may have confirmed or corrected a value: a reload keeps their decision.
            if not loaded_with_invented_time and (
                event.data_quality_confirmed_at is not None
                or event.starts_at != values["starts_at"]
                or event.time_known != values["time_known"]
            ):
                values = {
                    k: v
                    for k, v in values.items()
                    if k not in ("starts_at", "time_known", "data_quality_note")
                }
            if fields := _apply(event, values):
                event.save(update_fields=fields)
                changed += 1
        with_topics = _load_topics(path, edition_topics)
        if created_formats or changed_formats or created or changed or with_topics:
            caching.bump(EVENTS_CACHE)
    return [
        f"formats: {created_formats} created, {changed_formats} changed",
        f"past editions: {created} created, {changed} changed, {with_topics} given topics",
    ]


def _load_topics(path: Path, wanted: dict[tuple[str, int], list[str]]) -> int:
    """Give the shipped topics to editions that have none; staff's choices are kept.

    Unknown concept ids are a data error, named with the file (the thesaurus must
    be loaded first: core seeds before events).
    """
    concepts = {
        c.key: c
        for c in Concept.objects.filter(key__in={k for keys in wanted.values() for k in keys})
    }
    if not concepts:
        return 0
    for (fmt, number), keys in wanted.items():
        unknown = [k for k in keys if k not in concepts]
        if unknown:
            raise ValueError(f"{path.name}: {fmt} {number}: unknown topics {unknown}")
    events = Event.objects.filter(
        format__slug__in={fmt for fmt, _n in wanted}, edition__isnull=False, topics__isnull=True
    ).select_related("format")
    given = 0
    for event in events:
        keys = wanted.get((event.format.slug, event.edition or 0), [])
        if keys:
            event.topics.set([concepts[k] for k in keys])
            given += 1
    return given


# The demo editions start at 15:00 in Berlin: mid-morning in Brazil, Mexico and Peru,
# early evening in India, so the network's whole audience could take part.
DEMO_START = dt.time(15, 0)
DEMO_ABSTRACT = {
    "en": (
        "A demo edition to try registration, the waiting list and reminders. "
        "It does not take place."
    ),
    "de": (
        "Eine Demo-Ausgabe zum Ausprobieren von Anmeldung, Warteliste und Erinnerungen. "
        "Sie findet nicht statt."
    ),
    "es": (
        "Una edición de demostración para probar la inscripción, la lista de espera y los "
        "recordatorios. No se celebra."
    ),
    "pt": (
        "Uma edição de demonstração para experimentar a inscrição, a lista de espera e os "
        "lembretes. Ela não acontece."
    ),
}
DEMO_SEASON = {
    "en": "[Demo] Global Mixer season",
    "de": "[Demo] Global-Mixer-Staffel",
    "es": "[Demo] Temporada del Global Mixer",
    "pt": "[Demo] Temporada do Global Mixer",
}


@dataclass(frozen=True)
class DemoEdition:
    format: str
    slug: str
    title: dict[str, str]
    days_ahead: int
    capacity_online: int | None
    capacity_onsite: int | None
    requires_approval: bool
    topics: tuple[str, ...] = ()
    # (name of a demo person from core/data/demo.yaml, role)
    speakers: tuple[tuple[str, str], ...] = ()


DEMO = [
    DemoEdition(
        "global-mixer",
        "demo-global-mixer",
        {
            "en": "[Demo] Heat action plans in mid-sized towns",
            "de": "[Demo] Hitzeaktionspläne in Mittelstädten",
            "es": "[Demo] Planes de acción contra el calor en ciudades medianas",
            "pt": "[Demo] Planos de ação contra o calor em cidades médias",
        },
        14,
        5,
        None,
        False,
        topics=("heatwaves", "climate-adaptation", "resilience"),
        speakers=(("Anna Beispiel (Demo)", SpeakerRole.SPEAKER),),
    ),
    DemoEdition(
        "advisory-programme",
        "demo-advisory-programme",
        {
            "en": "[Demo] Open urban data platforms for small municipalities",
            "de": "[Demo] Offene urbane Datenplattformen für kleine Kommunen",
            "es": "[Demo] Plataformas abiertas de datos urbanos para municipios pequeños",
            "pt": "[Demo] Plataformas abertas de dados urbanos para municípios pequenos",
        },
        30,
        8,
        None,
        False,
        topics=("urban-data-platform", "open-data", "small-towns"),
        speakers=(
            ("Lucía Ejemplo (Demo)", SpeakerRole.SPEAKER),
            ("Anna Beispiel (Demo)", SpeakerRole.MODERATOR),
        ),
    ),
    DemoEdition(
        "symposium",
        "demo-symposium",
        {
            "en": "[Demo] Smart regions beyond the big cities",
            "de": "[Demo] Smarte Regionen jenseits der Großstädte",
            "es": "[Demo] Regiones inteligentes más allá de las grandes ciudades",
            "pt": "[Demo] Regiões inteligentes além das grandes cidades",
        },
        60,
        10,
        4,
        True,
        topics=("smart-region", "rural-areas", "small-towns"),
        speakers=(
            ("Anna Beispiel (Demo)", SpeakerRole.PANELLIST),
            ("Lucía Ejemplo (Demo)", SpeakerRole.PANELLIST),
        ),
    ),
]


def demo_start(days_ahead: int, *, now: dt.datetime | None = None) -> dt.datetime:
    """``days_ahead`` days from today at DEMO_START in the reference zone (DST included)."""
    zone = zoneinfo.ZoneInfo(REFERENCE_ZONE)
    today = (now or timezone.now()).astimezone(zone).date()
    return dt.datetime.combine(today + dt.timedelta(days=days_ahead), DEMO_START, tzinfo=zone)


def load_demo() -> str:
    """Upcoming demo editions, texts in all four languages; existing ones get the texts only."""
    formats = {f.slug: f for f in Format.objects.filter(slug__in=[d.format for d in DEMO])}
    if not formats:
        return "demo editions: skipped (no formats loaded)"
    created = updated = 0
    with transaction.atomic():
        for demo in DEMO:
            fmt = formats.get(demo.format)
            if fmt is None:
                continue
            texts = {
                **_translated("title", demo.title),
                "title": demo.title["en"],
                **_translated("abstract", DEMO_ABSTRACT),
                "abstract": DEMO_ABSTRACT["en"],
            }
            series = None
            if demo.format == "global-mixer":
                series, _ = Series.objects.get_or_create(
                    slug="demo-global-mixer-season",
                    defaults={"format": fmt, **_translated("title", DEMO_SEASON)},
                )
                if _apply(series, _translated("title", DEMO_SEASON)):
                    series.save()
            existing = Event.objects.filter(slug=demo.slug, is_demo=True).first()
            if existing is not None:
                # Staff may have moved the date or the seats; only the texts are ours.
                changed = _apply(existing, _translated("title", demo.title))
                changed += _apply(existing, _translated("abstract", DEMO_ABSTRACT))
                if changed:
                    existing.save(update_fields=[*changed, "updated_at"])
                    updated += 1
                if _demo_people_and_topics(existing, demo):
                    updated += 1
                continue
            if Event.objects.filter(slug=demo.slug).exists():
                continue
            event = Event.objects.create(
                slug=demo.slug,
                format=fmt,
                series=series,
                organiser=fmt.organiser,
                **texts,
                starts_at=demo_start(demo.days_ahead),
                timezone=REFERENCE_ZONE,
                duration_minutes=fmt.default_duration_minutes,
                mode=fmt.mode,
                venue="Demo venue, Berlin" if fmt.mode == Mode.HYBRID else "",
                join_url="https://meeting.example.invalid/demo",
                interpretation_languages=fmt.interpretation_languages,
                capacity_online=demo.capacity_online,
                capacity_onsite=demo.capacity_onsite,
                requires_approval=demo.requires_approval,
                status=EventStatus.PUBLISHED,
                is_demo=True,
            )
            _demo_people_and_topics(event, demo)
            created += 1
        if created or updated:
            caching.bump(EVENTS_CACHE)
    return f"demo editions: {created} created, {updated} with updated texts"


def _demo_people_and_topics(event: Event, demo: DemoEdition) -> bool:
    """Topics and the demo people as speakers, where the demo edition has none yet."""
    changed = False
    if demo.topics and not event.topics.exists():
        concepts = list(Concept.objects.filter(key__in=demo.topics))
        if concepts:
            event.topics.set(concepts)
            changed = True
    if demo.speakers and not event.speakers.exists():
        people = {p.name: p for p in Person.objects.filter(is_demo=True)}
        for position, (name, role) in enumerate(demo.speakers):
            person = people.get(name)
            if person is not None:
                Speaker.objects.create(
                    event=event,
                    person=person,
                    role=role,
                    country=person.country,
                    position=position,
                )
                changed = True
    return changed


def seed(*, demo: bool) -> list[str]:
    report = load_past_editions()
    if demo:
        report.append(load_demo())
    return report
