"""Loading the library's shipped data (resources.yaml) and its evaluation queries.

Idempotent: resources are matched on their slug, only changed rows are written
and re-indexed, and a second run reports nothing changed. References to other
modules' data (organisations, events, offers, topics) that are not loaded are
skipped with a warning line; a wrong kind or a missing translation is an error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import transaction
from django_countries import countries as all_countries

from cityexchange.core.datafiles import LANGUAGES, DataFileError, Entry, load_yaml
from cityexchange.core.models import Concept, Organisation
from cityexchange.core.services import audit_record
from cityexchange.library.models import (
    PopulationClass,
    Resource,
    ResourceKind,
    ResourceStatus,
    Visibility,
)
from cityexchange.library.services import resource_index

DATA_DIR = Path(__file__).resolve().parent / "data"


def _translated(field: str, texts: dict[str, str]) -> dict[str, str]:
    values = {f"{field}_{lang}": texts.get(lang, "") for lang in LANGUAGES}
    values[field] = texts.get("en", "")
    return values


@dataclass
class _Parsed:
    entry: Entry
    values: dict[str, Any]
    topics: list[str]
    organisations: list[str]
    event: str
    offers: list[str]


def _parse(path: Path) -> list[_Parsed]:
    entries = [Entry(path, raw, id_field="slug") for raw in load_yaml(path, key="resources")]
    slugs = [e.id for e in entries]
    duplicates = {s for s in slugs if slugs.count(s) > 1}
    if duplicates:
        raise DataFileError(path, f"duplicate slugs: {', '.join(sorted(duplicates))}")
    parsed = []
    for entry in entries:
        languages = entry.text_list("languages")
        bad = [lang for lang in languages if lang not in LANGUAGES]
        if bad:
            raise entry.error("languages", f"unknown codes {', '.join(bad)}")
        raw_date = entry.data.get("published_on")
        if isinstance(raw_date, dt.date):
            published_on: dt.date | None = raw_date
        elif raw_date in (None, ""):
            published_on = None
        else:
            try:
                published_on = dt.date.fromisoformat(str(raw_date))
            except ValueError as exc:
                raise entry.error("published_on", "must be a date YYYY-MM-DD") from exc
        countries = [c.upper() for c in entry.text_list("countries")]
        for code in countries:
            if code not in all_countries:
                raise entry.error("countries", f"{code!r} is not an ISO 3166 country code")
        values: dict[str, Any] = {
            "kind": entry.choice("kind", ResourceKind.values),
            **_translated("title", entry.translations("title")),
            **_translated("summary", entry.translations("summary")),
            "body": entry.text("body", required=False),
            "languages": languages,
            "published_on": published_on,
            "authors": entry.text_list("authors"),
            "countries": countries,
            "city": entry.text("city", required=False),
            "population_class": entry.choice(
                "population_class", PopulationClass.values, required=False
            ),
            "licence": entry.text("licence", required=False),
            "source_url": entry.text("source_url", required=False),
            "status": ResourceStatus.PUBLISHED,
            "visibility": Visibility.PUBLIC,
        }
        parsed.append(
            _Parsed(
                entry,
                values,
                entry.text_list("topics"),
                entry.text_list("organisations"),
                entry.text("event", required=False),
                entry.text_list("offers"),
            )
        )
    return parsed


def load_resources(path: Path | None = None) -> tuple[int, int, list[str]]:
    """Load resources.yaml; returns (created, changed, warnings)."""
    path = path or DATA_DIR / "resources.yaml"
    parsed = _parse(path)
    warnings: list[str] = []
    concepts = {c.key: c for c in Concept.objects.all()}
    organisations = {o.slug: o for o in Organisation.objects.all()}
    events: dict[str, Any] = {}
    if apps.is_installed("cityexchange.events"):
        event_model = apps.get_model("events", "Event")
        wanted = {p.event for p in parsed if p.event}
        events = {e.slug: e for e in event_model.objects.filter(slug__in=wanted)}
    offer_model = apps.get_model("directory", "Offer")
    wanted_offers = {slug for p in parsed for slug in p.offers}
    offers = {o.slug: o for o in offer_model.objects.filter(slug__in=wanted_offers)}

    def resolve(kind: str, slug: str, keys: list[str], table: dict[str, Any]) -> list[Any]:
        found = []
        for key in keys:
            if key in table:
                found.append(table[key])
            else:
                warnings.append(f"{path.name}, entry {slug!r}: {kind} {key!r} not loaded; skipped")
        return found

    created = changed = 0
    with transaction.atomic():
        existing = {
            r.slug: r
            for r in Resource.objects.filter(
                slug__in=[p.entry.id for p in parsed]
            ).prefetch_related("topics", "organisations", "offers")
        }
        for item in parsed:
            slug = item.entry.id
            topic_objs = resolve("topic", slug, item.topics, concepts)
            org_objs = resolve("organisation", slug, item.organisations, organisations)
            offer_objs = resolve("offer", slug, item.offers, offers)
            event = None
            if item.event:
                event = events.get(item.event)
                if event is None:
                    warnings.append(
                        f"{path.name}, entry {slug!r}: event {item.event!r} not loaded; skipped"
                    )
            values = {**item.values, "event_id": event.pk if event else None}
            resource = existing.get(slug)
            if resource is None:
                resource = Resource.objects.create(slug=slug, **values)
                is_new, dirty = True, True
            else:
                is_new = False
                fields = [n for n, v in values.items() if getattr(resource, n) != v]
                for name in fields:
                    setattr(resource, name, values[name])
                if fields:
                    resource.save(update_fields=fields)
                dirty = bool(fields)
            for relation, objs in (
                ("topics", topic_objs),
                ("organisations", org_objs),
                ("offers", offer_objs),
            ):
                manager = getattr(resource, relation)
                if is_new or {o.pk for o in manager.all()} != {o.pk for o in objs}:
                    manager.set(objs)
                    dirty = True
            if dirty:
                fresh = Resource.objects.prefetch_related("topics", "attachments").get(
                    pk=resource.pk
                )
                resource_index(resource=fresh)
                audit_record(
                    actor=None,
                    action="library.resource_seed",
                    obj=resource,
                    after={"slug": slug, "created": is_new},
                )
                created += int(is_new)
                changed += int(not is_new)
    return created, changed, warnings


@dataclass
class EvalQuery:
    q: str
    lang: str
    expected: list[str]
    note: str


def load_eval_queries(path: Path | None = None) -> list[EvalQuery]:
    path = path or DATA_DIR / "eval_queries.yaml"
    result = []
    for index, raw in enumerate(load_yaml(path, key="queries"), start=1):
        entry = Entry(path, {**raw, "_id": f"#{index}"}, id_field="_id")
        expected = entry.text_list("expected")
        if not expected:
            raise entry.error("expected", "must name at least one resource")
        result.append(
            EvalQuery(
                q=entry.text("q"),
                lang=entry.choice("lang", LANGUAGES),
                expected=expected,
                note=entry.text("note", required=False),
            )
        )
    return result


def seed(*, demo: bool) -> list[str]:
    created, changed, warnings = load_resources()
    return [f"resources: {created} created, {changed} changed", *warnings]
