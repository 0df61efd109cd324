"""Loading the directory's shipped catalogue (``data/offers.yaml``) idempotently.

Entries are matched on their slug and only changed rows are written, so a
second run reports nothing changed. The catalogue names organisations and
thesaurus concepts by key; both ship with core and are loaded first, so an
unknown key is an error in the file, reported with file, entry and field.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import transaction
from django_countries import countries

from cityexchange.core.datafiles import DataFileError, Entry, load_yaml
from cityexchange.core.i18n import LANGUAGES
from cityexchange.core.models import Concept, Organisation, OrganisationKind
from cityexchange.directory.enums import (
    Budget,
    Cost,
    Effort,
    Eligibility,
    Format,
    Goal,
    Level,
    OfferKind,
    OfferStatus,
    Region,
    Role,
    StaffTime,
)
from cityexchange.directory.models import MunicipalityProfile, Offer
from cityexchange.directory.services import directory_changed

DATA_DIR = Path(__file__).resolve().parent / "data"
TRANSLATED = ("name", "summary", "description", "time_commitment", "recurrence")


def _date(entry: Entry, field: str) -> dt.date | None:
    value = entry.data.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        raise entry.error(field, "must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise entry.error(field, f"{value!r} is not a date (YYYY-MM-DD)") from exc
    raise entry.error(field, f"must be a date (YYYY-MM-DD), not {value!r}")


def _choices(entry: Entry, field: str, allowed: list[str]) -> list[str]:
    values = entry.text_list(field)
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise entry.error(field, f"{', '.join(wrong)} not one of {', '.join(allowed)}")
    return values


def _countries(entry: Entry, field: str) -> list[str]:
    codes = [c.upper() for c in entry.text_list(field)]
    wrong = [c for c in codes if c not in countries]
    if wrong:
        raise entry.error(field, f"{', '.join(wrong)} not ISO 3166 country codes")
    return codes


def _translated(field: str, texts: dict[str, str]) -> dict[str, str]:
    values = {f"{field}_{lang}": texts.get(lang, "") for lang in LANGUAGES}
    values[field] = texts.get("en", "")
    return values


def parse_offer(entry: Entry, *, organisations: set[str], concepts: set[str]) -> dict[str, Any]:
    """The model values of one catalogue entry, checked field by field."""
    languages = list(LANGUAGES)
    values: dict[str, Any] = {
        "kind": entry.choice("kind", OfferKind.values),
        "audience_levels": _choices(entry, "audience_levels", Level.values),
        "audience_roles": _choices(entry, "audience_roles", Role.values),
        "eligibility": entry.choice("eligibility", Eligibility.values, required=False)
        or Eligibility.OPEN,
        "eligible_countries": _countries(entry, "eligible_countries"),
        "region": entry.choice("region", Region.values, required=False) or Region.GLOBAL,
        "languages": _choices(entry, "languages", languages),
        "interpretation_languages": _choices(entry, "interpretation_languages", languages),
        "format": entry.choice("format", Format.values),
        "cost": entry.choice("cost", Cost.values, required=False) or Cost.FREE,
        "effort": entry.choice("effort", Effort.values),
        "duration_minutes": entry.integer("duration_minutes", minimum=1),
        "starts_on": _date(entry, "starts_on"),
        "ends_on": _date(entry, "ends_on"),
        "deadline": _date(entry, "deadline"),
        "goals": _choices(entry, "goals", Goal.values),
        "url": entry.text("url", required=False),
        "contact": entry.text("contact", required=False),
        "events_format": entry.text("events_format", required=False),
        "status": entry.choice("status", OfferStatus.values, required=False) or OfferStatus.ACTIVE,
        "reviewed_on": _date(entry, "reviewed_on"),
    }
    if values["starts_on"] and values["ends_on"] and values["ends_on"] < values["starts_on"]:
        raise entry.error("ends_on", "is before starts_on")
    if values["url"] and not values["url"].startswith(("https://", "http://")):
        raise entry.error("url", "must start with https://")
    for field in TRANSLATED:
        required = field in ("name", "summary", "description")
        values.update(_translated(field, entry.translations(field, required=required)))
    organisers = entry.text_list("organisers")
    unknown = [slug for slug in organisers if slug not in organisations]
    if unknown:
        raise entry.error("organisers", f"unknown organisation slugs: {', '.join(unknown)}")
    topics = entry.text_list("topics")
    unknown = [key for key in topics if key not in concepts]
    if unknown:
        raise entry.error("topics", f"unknown thesaurus concepts: {', '.join(unknown)}")
    values["_organisers"] = organisers
    values["_topics"] = topics
    return values


def load_offers(path: Path | None = None) -> tuple[int, int]:
    """Load the catalogue; returns (offers created, offers changed)."""
    path = path or DATA_DIR / "offers.yaml"
    entries = [Entry(path, raw, id_field="slug") for raw in load_yaml(path, key="offers")]
    slugs = [e.id for e in entries]
    duplicates = {s for s in slugs if slugs.count(s) > 1}
    if duplicates:
        raise DataFileError(path, f"duplicate slugs: {', '.join(sorted(duplicates))}")
    organisations = dict(Organisation.objects.values_list("slug", "pk"))
    concepts = dict(Concept.objects.values_list("key", "pk"))
    parsed = [
        (entry, parse_offer(entry, organisations=set(organisations), concepts=set(concepts)))
        for entry in entries
    ]

    created = changed = 0
    with transaction.atomic():
        existing = {o.slug: o for o in Offer.objects.prefetch_related("organisers", "topics")}
        for entry, values in parsed:
            organisers = {organisations[s] for s in values.pop("_organisers")}
            topics = {concepts[k] for k in values.pop("_topics")}
            offer = existing.get(entry.id)
            if offer is None:
                offer = Offer.objects.create(slug=entry.id, **values)
                offer.organisers.set(organisers)
                offer.topics.set(topics)
                created += 1
                continue
            fields = [name for name, value in values.items() if getattr(offer, name) != value]
            for name in fields:
                setattr(offer, name, values[name])
            relations_changed = False
            if {o.pk for o in offer.organisers.all()} != organisers:
                offer.organisers.set(organisers)
                relations_changed = True
            if {t.pk for t in offer.topics.all()} != topics:
                offer.topics.set(topics)
                relations_changed = True
            if fields or relations_changed:
                offer.save(update_fields=[*fields, "updated_at"])
                changed += 1
        if created or changed:
            directory_changed()
    return created, changed


# Demo profiles for the demo towns of core/data/demo.yaml (loaded with --demo).
DEMO_PROFILES: list[dict[str, Any]] = [
    {
        "organisation": "demo-lindenau",
        "experience": Level.NEWCOMER,
        "challenges": "Hitze im Sommer, erste Schritte zur Digitalisierung ohne eigenes Team.",
        "topics": ["heatwaves", "climate-adaptation", "smart-city-strategy"],
        "goals": [Goal.LEARN_EXAMPLES, Goal.TRAIN_STAFF],
        "staff_time": StaffTime.NONE,
        "budget": Budget.SMALL,
        "languages": ["de", "en"],
    },
    {
        "organisation": "demo-villa-sol",
        "experience": Level.INTERMEDIATE,
        "challenges": "Sistema de alerta temprana de inundaciones con sensores.",
        "topics": ["flooding", "disaster-risk", "sensors"],
        "goals": [Goal.PEER_EXCHANGE, Goal.EXPERT_ADVICE],
        "staff_time": StaffTime.SOME,
        "budget": Budget.SMALL,
        "languages": ["es", "en"],
    },
    {
        "organisation": "demo-hafenberg",
        "experience": Level.EXPERIENCED,
        "challenges": "Urban data platform and a digital twin for flooding and heat.",
        "topics": ["digital-twin", "urban-data-platform", "flooding"],
        "goals": [Goal.CO_DEVELOP_PILOT, Goal.INTERNATIONAL_VISIBILITY],
        "staff_time": StaffTime.TEAM,
        "budget": Budget.AVAILABLE,
        "languages": ["de", "en"],
    },
    {
        "organisation": "demo-serra-azul",
        "experience": Level.NEWCOMER,
        "challenges": "Digitalizar o comércio local com um marketplace.",
        "topics": ["local-retail", "online-marketplace"],
        "goals": [Goal.DIGITISE_RETAIL, Goal.LEARN_EXAMPLES],
        "staff_time": StaffTime.SOME,
        "budget": Budget.NONE,
        "languages": ["pt", "es"],
    },
]


def load_demo_profiles() -> int:
    """Finder profiles for the demo towns; topics missing from the thesaurus are skipped."""
    created = 0
    with transaction.atomic():
        for data in DEMO_PROFILES:
            organisation = Organisation.objects.filter(
                slug=data["organisation"], kind=OrganisationKind.MUNICIPALITY
            ).first()
            if organisation is None:
                continue
            profile, was_created = MunicipalityProfile.objects.get_or_create(
                organisation=organisation,
                defaults={
                    "country": organisation.country,
                    "population": organisation.population,
                    "experience": data["experience"],
                    "challenges": data["challenges"],
                    "goals": data["goals"],
                    "staff_time": data["staff_time"],
                    "budget": data["budget"],
                    "languages": data["languages"],
                    "listed_as_peer": True,
                },
            )
            if was_created:
                profile.topics.set(Concept.objects.filter(key__in=data["topics"]))
                created += 1
        if created:
            directory_changed()
    return created


def seed(*, demo: bool) -> list[str]:
    report = []
    path = DATA_DIR / "offers.yaml"
    if path.exists():
        created, changed = load_offers(path)
        report.append(f"offers: {created} created, {changed} changed")
    else:
        report.append("offers: data/offers.yaml not found, nothing loaded")
    if demo:
        report.append(f"demo municipality profiles: {load_demo_profiles()} created")
    return report
