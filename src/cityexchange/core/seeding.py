"""Loading the core app's shipped data: the thesaurus and the organisations.

Loading is idempotent: entries are matched on their key, only changed rows are
written, and a second run reports nothing changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from cityexchange.core import caching
from cityexchange.core.datafiles import LANGUAGES, DataFileError, Entry, load_yaml
from cityexchange.core.models import Concept, ConceptLabel, Organisation, OrganisationKind, Person

DATA_DIR = Path(__file__).resolve().parent / "data"


def _set_fields(obj: Any, values: dict[str, Any]) -> list[str]:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _translated(field: str, texts: dict[str, str]) -> dict[str, str]:
    # Only the per-language columns: the bare field name means "the active language"
    # under django-modeltranslation, so writing it would depend on who runs the seed.
    return {f"{field}_{lang}": texts.get(lang, "") for lang in LANGUAGES}


def load_thesaurus(path: Path | None = None) -> tuple[int, int]:
    """Load the thesaurus; returns (concepts created, concepts changed)."""
    path = path or DATA_DIR / "thesaurus.yaml"
    raw_entries = load_yaml(path, key="concepts")
    entries = [Entry(path, raw, id_field="id") for raw in raw_entries]
    keys = [e.id for e in entries]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise DataFileError(path, f"duplicate ids: {', '.join(sorted(duplicates))}")
    parsed: list[tuple[Entry, dict[str, str], dict[str, list[str]], str]] = []
    for entry in entries:
        labels = entry.data.get("labels")
        if not isinstance(labels, dict):
            raise entry.error("labels", "must map each of de, en, es, pt to {pref, alt}")
        prefs: dict[str, str] = {}
        alts: dict[str, list[str]] = {}
        for lang in LANGUAGES:
            item = labels.get(lang)
            if not isinstance(item, dict) or not str(item.get("pref") or "").strip():
                raise entry.error(f"labels.{lang}.pref", "is missing or empty")
            prefs[lang] = str(item["pref"]).strip()
            alt = item.get("alt") or []
            if not isinstance(alt, list) or not all(isinstance(a, str) for a in alt):
                raise entry.error(f"labels.{lang}.alt", "must be a list of texts")
            alts[lang] = [a.strip() for a in alt if a.strip()]
        broader = entry.text("broader", required=False)
        if broader and broader not in keys:
            raise entry.error("broader", f"names {broader!r}, which is not in the file")
        parsed.append((entry, prefs, alts, broader))

    created = changed = 0
    with transaction.atomic():
        existing = {c.key: c for c in Concept.objects.all()}
        new_concepts: list[Concept] = []
        for entry, prefs, _alts, _broader in parsed:
            values = {**_translated("label", prefs), "scope": entry.text("scope", required=False)}
            concept = existing.get(entry.id)
            if concept is None:
                new_concepts.append(Concept(key=entry.id, **values))
            elif fields := _set_fields(concept, values):
                concept.save(update_fields=fields)
                changed += 1
        # One statement for a first load instead of one per concept.
        for concept in Concept.objects.bulk_create(new_concepts, batch_size=500):
            existing[concept.key] = concept
        created = len(new_concepts)
        labels_now = {
            (row.concept_id, row.language, row.text): row for row in ConceptLabel.objects.all()
        }
        wanted: set[tuple[int, str, str]] = set()
        new_labels: list[ConceptLabel] = []
        moved: list[Concept] = []
        for entry, prefs, alts, broader in parsed:
            concept = existing[entry.id]
            broader_id = existing[broader].pk if broader else None
            if concept.broader_id != broader_id:
                concept.broader_id = broader_id
                moved.append(concept)
            for lang in LANGUAGES:
                for text, preferred in [(prefs[lang], True)] + [(a, False) for a in alts[lang]]:
                    key = (concept.pk, lang, text)
                    if key in wanted:
                        continue
                    wanted.add(key)
                    row = labels_now.get(key)
                    if row is None:
                        new_labels.append(
                            ConceptLabel(
                                concept=concept, language=lang, text=text, preferred=preferred
                            )
                        )
                    elif row.preferred != preferred:
                        row.preferred = preferred
                        row.save(update_fields=["preferred"])
        Concept.objects.bulk_update(moved, ["broader"], batch_size=500)
        # A broader link set on a concept created in this run is part of creating it.
        created_keys = {c.key for c in new_concepts}
        changed += sum(1 for concept in moved if concept.key not in created_keys)
        ConceptLabel.objects.bulk_create(new_labels, batch_size=500)
        stale = [row.pk for key, row in labels_now.items() if key not in wanted]
        if stale:
            ConceptLabel.objects.filter(pk__in=stale).delete()
        caching.bump("thesaurus")
    return created, changed


def load_organisations(path: Path | None = None) -> tuple[int, int]:
    """Load the organisations; returns (created, changed)."""
    path = path or DATA_DIR / "organisations.yaml"
    entries = [Entry(path, raw, id_field="slug") for raw in load_yaml(path, key="organisations")]
    slugs = [e.id for e in entries]
    duplicates = {s for s in slugs if slugs.count(s) > 1}
    if duplicates:
        raise DataFileError(path, f"duplicate slugs: {', '.join(sorted(duplicates))}")
    rows: list[tuple[Entry, dict[str, Any], str]] = []
    for entry in entries:
        values: dict[str, Any] = {
            "kind": entry.choice("kind", OrganisationKind.values),
            "short_name": entry.text("short_name", required=False),
            "country": entry.text("country", required=False).upper(),
            "website": entry.text("website", required=False),
            "population": entry.integer("population", minimum=1),
            "member_countries": [c.upper() for c in entry.text_list("members")],
            **_translated("name", entry.translations("name")),
            **_translated("description", entry.translations("description")),
        }
        from django_countries import countries

        for code in [values["country"], *values["member_countries"]]:
            if code and code not in countries:
                raise entry.error("country", f"{code!r} is not an ISO 3166 country code")
        parent = entry.text("parent", required=False)
        if parent and parent not in slugs:
            raise entry.error("parent", f"names {parent!r}, which is not in the file")
        rows.append((entry, values, parent))

    created = changed = 0
    with transaction.atomic():
        existing = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
        for entry, values, _parent in rows:
            org = existing.get(entry.id)
            if org is None:
                existing[entry.id] = Organisation.objects.create(slug=entry.id, **values)
                created += 1
            elif fields := _set_fields(org, values):
                org.save(update_fields=fields)
                changed += 1
        for entry, _values, parent in rows:
            org = existing[entry.id]
            parent_id = existing[parent].pk if parent else None
            if org.parent_id != parent_id:
                org.parent_id = parent_id
                org.save(update_fields=["parent"])
                changed += 1
    return created, changed


def load_demo() -> int:
    """Demo municipalities and people, marked ``is_demo`` so they are easy to remove."""
    demo_path = DATA_DIR / "demo.yaml"
    created = 0
    for raw in load_yaml(demo_path, key="organisations"):
        entry = Entry(demo_path, raw, id_field="slug")
        _org, was_created = Organisation.objects.get_or_create(
            slug=entry.id,
            defaults={
                "kind": entry.choice("kind", OrganisationKind.values),
                "country": entry.text("country"),
                "population": entry.integer("population", minimum=1),
                "experience": entry.text("experience", required=False),
                **_translated("name", entry.translations("name")),
                **_translated("description", entry.translations("description")),
                "is_demo": True,
            },
        )
        created += int(was_created)
    for raw in load_yaml(demo_path, key="people"):
        entry = Entry(demo_path, raw, id_field="name")
        org_slug = entry.text("organisation", required=False)
        _person, was_created = Person.objects.get_or_create(
            name=entry.id,
            is_demo=True,
            defaults={
                "job_title": entry.text("job_title", required=False),
                "country": entry.text("country", required=False),
                "organisation": Organisation.objects.filter(slug=org_slug).first(),
                "public_profile": True,
            },
        )
        created += int(was_created)
    return created


def seed(*, demo: bool) -> list[str]:
    report = []
    created, changed = load_thesaurus()
    report.append(f"thesaurus: {created} concepts created, {changed} changed")
    created, changed = load_organisations()
    report.append(f"organisations: {created} created, {changed} changed")
    if demo:
        report.append(f"demo organisations and people: {load_demo()} created")
        report.append(load_demo_accounts())
    return report


DEMO_ACCOUNTS = [
    ("staff@demo.invalid", "Demo network staff", ["network_staff"], None),
    ("member@demo.invalid", "Demo municipal member", ["municipal_member"], "demo-lindenau"),
]


def load_demo_accounts() -> str:
    """Demo sign-ins with a password generated on this machine (never in the repository)."""
    import secrets

    from django.conf import settings

    from cityexchange.core.models import User
    from cityexchange.core.services import membership_add, user_create

    credentials = Path(settings.VAR_DIR) / "demo-credentials.txt"
    if all(User.objects.filter(email=email).exists() for email, *_ in DEMO_ACCOUNTS):
        return f"demo accounts: unchanged (passwords in {credentials})"
    lines = []
    for email, name, roles, org_slug in DEMO_ACCOUNTS:
        if User.objects.filter(email=email).exists():
            continue
        password = secrets.token_urlsafe(12)
        user = user_create(email=email, password=password, full_name=name, roles=roles)
        organisation = Organisation.objects.filter(slug=org_slug).first() if org_slug else None
        if organisation is not None:
            membership_add(user=user, organisation=organisation)
        lines.append(f"{email} {password}")
    credentials.parent.mkdir(parents=True, exist_ok=True)
    with credentials.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    credentials.chmod(0o600)
    return f"demo accounts: {len(lines)} created; sign-ins written to {credentials}"
