"""Loading the shipped network data (``data/network.yaml``), idempotently.

Every entry is matched on a natural key, so a second load changes nothing, and a
value staff changed on a payment or a meeting (its row already exists) is kept.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from cityexchange.core.datafiles import Entry, load_yaml
from cityexchange.core.models import Organisation
from cityexchange.network.models import (
    Body,
    BudgetLine,
    FigureKind,
    Meeting,
    MemberRole,
    Membership,
    Partnership,
    PartnershipKind,
    PartnershipStatus,
    Payment,
    Qualifier,
    ReportedFigure,
    StatusChange,
)

DATA_FILE = Path(__file__).parent / "data" / "network.yaml"


def _translated(field: str, texts: dict[str, str]) -> dict[str, str]:
    values = {f"{field}_{language}": text for language, text in texts.items()}
    if "en" in texts:
        values[field] = texts["en"]
    return values


def _organisations(path: Path, entry: Entry, field: str) -> list[Organisation]:
    slugs = entry.text_list(field)
    found = {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise entry.error(field, f"unknown organisations: {', '.join(missing)}")
    return [found[s] for s in slugs]


def _organisation(entry: Entry, field: str) -> Organisation:
    slug = entry.text(field)
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise entry.error(field, f"unknown organisation {slug!r}")
    return organisation


def _decimal(entry: Entry, field: str, *, required: bool = False) -> Decimal | None:
    raw = entry.data.get(field)
    if raw is None:
        if required:
            raise entry.error(field, "is required")
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation as exc:
        raise entry.error(field, f"is not a number: {raw!r}") from exc


def _set(obj: Any, values: dict[str, Any]) -> bool:
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for k in changed:
        setattr(obj, k, values[k])
    if changed and obj.pk:
        obj.save(update_fields=changed)
    return bool(changed)


def load_members(path: Path) -> tuple[int, int]:
    created = changed = 0
    for index, raw in enumerate(load_yaml(path, key="members")):
        entry = Entry(path, {**raw, "_id": f"member #{index + 1}"}, id_field="_id")
        role = entry.choice("role", MemberRole.values)
        values: dict[str, Any] = {
            "role": role,
            "source": entry.text("source", required=False),
            **_translated("note", entry.translations("note", required=False)),
        }
        if entry.data.get("organisation"):
            organisation = _organisation(entry, "organisation")
            member, was_created = Membership.objects.get_or_create(
                organisation=organisation, defaults=values
            )
        else:
            country = entry.text("country").upper()
            member, was_created = Membership.objects.get_or_create(country=country, defaults=values)
        created += was_created
        changed += (not was_created) and _set(member, values)
    return created, changed


def load_partnerships(path: Path) -> tuple[int, int]:
    from cityexchange.directory.models import Offer

    created = changed = 0
    for raw in load_yaml(path, key="partnerships"):
        entry = Entry(path, raw, id_field="slug")
        organisations = _organisations(path, entry, "organisations")
        funding_slugs = entry.text_list("funding_options")
        # Linked where the directory's catalogue is loaded; a later load adds the link.
        offers = list(Offer.objects.filter(slug__in=funding_slugs, kind="funding"))
        status = entry.choice("status", PartnershipStatus.values)
        values: dict[str, Any] = {
            "kind": entry.choice("kind", PartnershipKind.values),
            "counterpart_countries": [c.upper() for c in entry.text_list("counterpart_countries")],
            "is_public": bool(entry.data.get("public", False)),
            "source": entry.text("source", required=False),
            **_translated("title", entry.translations("title")),
            **_translated("public_description", entry.translations("description", required=False)),
        }
        partnership = Partnership.objects.filter(slug=entry.id).first()
        if partnership is None:
            partnership = Partnership.objects.create(slug=entry.id, status=status, **values)
            partnership.organisations.set(organisations)
            partnership.funding_options.set(offers)
            # The answer names the stage reached but not when: the change has no date.
            StatusChange.objects.create(
                partnership=partnership, status=status, note=values["source"]
            )
            created += 1
        else:
            # The status is staff's to move on; the file only sets where it started.
            changed += _set(partnership, values)
            if offers:
                partnership.funding_options.add(*offers)
    return created, changed


def load_bodies(path: Path) -> tuple[int, int]:
    created = changed = 0
    for raw in load_yaml(path, key="bodies"):
        entry = Entry(path, raw, id_field="slug")
        values = {
            "source": entry.text("source", required=False),
            **_translated("name", entry.translations("name")),
            **_translated("description", entry.translations("description", required=False)),
            **_translated("cadence", entry.translations("cadence", required=False)),
        }
        body, was_created = Body.objects.get_or_create(slug=entry.id, defaults=values)
        changed += (not was_created) and _set(body, values)
        created += was_created
        for index, meeting_raw in enumerate(entry.data.get("meetings") or []):
            m = Entry(
                path, {**meeting_raw, "_id": f"{entry.id} meeting #{index + 1}"}, id_field="_id"
            )
            try:
                held_on = dt.date.fromisoformat(m.text("date"))
            except ValueError as exc:
                raise m.error("date", f"is not a YYYY-MM-DD date: {exc}") from exc
            _meeting, made = Meeting.objects.get_or_create(
                body=body,
                held_on=held_on,
                defaults={"number": m.integer("number", minimum=1), "source": values["source"]},
            )
            created += made
    return created, changed


def load_budget(path: Path) -> tuple[int, int]:
    created = changed = 0
    for index, raw in enumerate(load_yaml(path, key="budget_lines")):
        entry = Entry(path, {**raw, "_id": f"line #{index + 1}"}, id_field="_id")
        values = {
            "source": entry.text("source", required=False),
            **_translated("name", entry.translations("name")),
        }
        line, was_created = BudgetLine.objects.get_or_create(
            chapter=entry.text("chapter"), title_code=entry.text("title"), defaults=values
        )
        created += was_created
        changed += (not was_created) and _set(line, values)
        for p_index, payment_raw in enumerate(entry.data.get("payments") or []):
            p = Entry(
                path, {**payment_raw, "_id": f"{entry.id} payment #{p_index + 1}"}, id_field="_id"
            )
            reference = p.text("reference")
            if Payment.objects.filter(line=line, reference=reference).exists():
                continue  # loaded before; staff may have corrected it since
            programme = _organisation(p, "programme")
            amount = _decimal(p, "amount", required=True)
            if amount is None or amount <= 0:
                raise p.error("amount", "must be above zero")
            Payment.objects.create(
                line=line,
                year=p.integer("year", required=True, minimum=1900) or 0,
                programme=programme,
                amount=amount,
                currency=p.text("currency", default="EUR", required=False),
                reference=reference,
                source=p.text("source", required=False),
            )
            created += 1
    return created, changed


def load_figures(path: Path) -> tuple[int, int]:
    from cityexchange.events.models import Format

    created = changed = 0
    lines = {f"{line.chapter}/{line.title_code}": line for line in BudgetLine.objects.all()}
    formats = {f.slug: f for f in Format.objects.all()}
    for raw in load_yaml(path, key="reported_figures"):
        entry = Entry(path, raw, id_field="key")
        format_slug = entry.text("format", required=False)
        line_key = entry.text("line", required=False)
        if format_slug and format_slug not in formats:
            raise entry.error("format", f"unknown format {format_slug!r} (events data loaded?)")
        if line_key and line_key not in lines:
            raise entry.error("line", f"unknown budget line {line_key!r}")
        values: dict[str, Any] = {
            "kind": entry.choice("kind", FigureKind.values),
            "format": formats.get(format_slug),
            "line": lines.get(line_key),
            "qualifier": entry.choice("qualifier", Qualifier.values),
            "value": _decimal(entry, "value", required=True),
            "value_max": _decimal(entry, "value_max"),
            "unit": entry.choice("unit", ["persons", "percent"]),
            "countries": [c.upper() for c in entry.text_list("countries")],
            "year": entry.integer("year"),
            "source": entry.text("source"),
            **_translated("period_note", entry.translations("period", required=False)),
        }
        figure, was_created = ReportedFigure.objects.get_or_create(key=entry.id, defaults=values)
        created += was_created
        changed += (not was_created) and _set(figure, values)
    return created, changed


def load(path: Path | None = None) -> list[str]:
    path = path or DATA_FILE
    if not Organisation.objects.filter(slug="iscn").exists():
        return ["organisations not loaded; network data was not loaded"]
    report = []
    with transaction.atomic():
        for name, loader in (
            ("members", load_members),
            ("partnerships", load_partnerships),
            ("bodies and meetings", load_bodies),
            ("budget", load_budget),
            ("reported figures", load_figures),
        ):
            created, changed = loader(path)
            report.append(f"{name}: {created} created, {changed} changed")
    return report


DEMO_SLUG = "demo-tandem-lindenau-villa-sol"
DEMO_TITLE = {
    "de": "Demo: Tandem Lindenau – Villa Sol",
    "en": "Demo: tandem Lindenau – Villa Sol",
    "es": "Demo: tándem Lindenau – Villa Sol",
    "pt": "Demo: tandem Lindenau – Villa Sol",
}


def load_demo() -> str:
    """A demo city tandem with a call and a next step, to try the pipeline and reminders."""
    from django.utils import timezone

    from cityexchange.core.models import User
    from cityexchange.network.models import Activity, NextStep

    if Partnership.objects.filter(slug=DEMO_SLUG).exists():
        return "demo tandem: already there"
    towns = list(Organisation.objects.filter(slug__in=["demo-lindenau", "demo-villa-sol"]))
    if len(towns) != 2:
        return "demo tandem: demo towns not loaded"
    today = timezone.localdate()
    with transaction.atomic():
        partnership = Partnership.objects.create(
            slug=DEMO_SLUG,
            kind=PartnershipKind.CITY_TANDEM,
            status=PartnershipStatus.CONTACT,
            is_demo=True,
            notes="Demo content.",
            **_translated("title", DEMO_TITLE),
        )
        partnership.organisations.set(towns)
        StatusChange.objects.create(
            partnership=partnership,
            status=PartnershipStatus.CONTACT,
            on=today - dt.timedelta(days=14),
        )
        activity = Activity.objects.create(
            partnership=partnership,
            kind="call",
            on=today - dt.timedelta(days=7),
            notes="Demo call.",
        )
        NextStep.objects.create(
            partnership=partnership,
            activity=activity,
            description="Demo: agree on a first topic",
            owner=User.objects.filter(email="staff@demo.invalid").first(),
            due_on=today + dt.timedelta(days=5),
        )
    return "demo tandem: created"


def seed(*, demo: bool) -> list[str]:
    report = load()
    if demo:
        report.append(load_demo())
    return report
