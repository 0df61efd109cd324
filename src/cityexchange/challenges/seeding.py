"""Seeding the challenge programme: the shipped rounds, and demo content with ``--demo``.

Idempotent: a round already loaded is updated in place (stages, sizes and rules
are replaced by the file's), demo content is created once.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from cityexchange.challenges.models import (
    Challenge,
    ChallengeStatus,
    ConsortiumMember,
    ConsortiumRule,
    Criterion,
    IdeaStatus,
    InvitationStatus,
    Milestone,
    MilestoneStatus,
    PartnerRole,
    Pilot,
    PilotProposal,
    PilotReport,
    PilotSize,
    PilotStatus,
    ProposalStatus,
    Round,
    RuleKind,
    SolutionIdea,
    Stage,
    StageKind,
)
from cityexchange.challenges.services import RESEARCH_KINDS, round_offer_sync
from cityexchange.core.datafiles import DataFileError, load_yaml
from cityexchange.core.i18n import LANGUAGES
from cityexchange.core.models import Concept, Organisation

DATA = Path(__file__).resolve().parent / "data"
ROUNDS_FILE = DATA / "rounds.yaml"
DEMO_FILE = DATA / "demo.yaml"


def _translated(prefix: str, value: Any) -> dict[str, str]:
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict):
        return {}
    out = {f"{prefix}_{code}": str(value.get(code, "")) for code in LANGUAGES}
    out[prefix] = str(value.get("en") or next(iter(value.values()), ""))
    return out


def _day(path: Path, entry: str, value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise DataFileError(path, f"not a date: {value!r}", entry=entry) from exc


def _stages(
    path: Path, slug: str, entries: list[dict[str, Any]], zone: zoneinfo.ZoneInfo
) -> list[dict[str, Any]]:
    result = []
    previous_close: dt.datetime | None = None
    for item in entries:
        kind = item.get("kind")
        if kind not in StageKind.values:
            raise DataFileError(path, f"unknown stage {kind!r}", entry=slug, field="stages")
        closes_day = _day(path, slug, item.get("closes"))
        closes = dt.datetime.combine(closes_day, dt.time(23, 59, 59), tzinfo=zone)
        if item.get("opens"):
            opens = dt.datetime.combine(_day(path, slug, item["opens"]), dt.time(), tzinfo=zone)
        elif previous_close is not None:
            opens = dt.datetime.combine(
                previous_close.date() + dt.timedelta(days=1), dt.time(), tzinfo=zone
            )
        else:
            raise DataFileError(
                path, "the first stage needs an opening day", entry=slug, field="stages"
            )
        if closes < opens:
            raise DataFileError(path, f"stage {kind} closes before it opens", entry=slug)
        result.append(
            {
                "kind": kind,
                "opens_at": opens,
                "closes_at": closes,
                **_translated("note", item.get("note", "")),
            }
        )
        previous_close = closes
    return result


def load_rounds(path: Path = ROUNDS_FILE) -> list[str]:
    report = []
    for entry in load_yaml(path, key="rounds"):
        slug = str(entry.get("slug", ""))
        organiser = Organisation.objects.filter(slug=entry.get("organiser")).first()
        if organiser is None:
            report.append(
                f"round {slug}: skipped (organiser {entry.get('organiser')!r} not loaded)"
            )
            continue
        try:
            zone = zoneinfo.ZoneInfo(str(entry.get("timezone", "UTC")))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise DataFileError(path, "unknown time zone", entry=slug, field="timezone") from exc
        stages = _stages(path, slug, entry.get("stages", []), zone)
        try:
            sizes = [
                {
                    "key": s["key"],
                    "duration_months": int(s["duration_months"]),
                    "amount": Decimal(str(s["amount"])),
                    "count": int(s["count"]),
                    **_translated("name", s["name"]),
                }
                for s in entry.get("sizes", [])
            ]
        except (KeyError, ValueError, InvalidOperation) as exc:
            raise DataFileError(path, f"bad pilot size: {exc}", entry=slug, field="sizes") from exc
        rules = entry.get("rules", [])
        for rule in rules:
            if rule.get("kind") not in RuleKind.values:
                raise DataFileError(
                    path, f"unknown rule {rule.get('kind')!r}", entry=slug, field="rules"
                )
        budget = entry.get("budget")
        with transaction.atomic():
            round_, created = Round.objects.update_or_create(
                slug=slug,
                defaults={
                    "organiser": organiser,
                    "currency": entry.get("currency", "EUR"),
                    "time_zone": zone.key,
                    "budget": Decimal(str(budget)) if budget is not None else None,
                    "languages": list(entry.get("languages", [])),
                    "max_challenges_per_city": entry.get("max_challenges_per_city"),
                    "max_interests_per_city": entry.get("max_interests_per_city"),
                    **_translated("name", entry.get("name", slug)),
                    **_translated("description", entry.get("description", "")),
                },
            )
            for stage in stages:
                Stage.objects.update_or_create(round=round_, kind=stage["kind"], defaults=stage)
            Stage.objects.filter(round=round_).exclude(
                kind__in=[s["kind"] for s in stages]
            ).delete()
            for size in sizes:
                PilotSize.objects.update_or_create(round=round_, key=size["key"], defaults=size)
            ConsortiumRule.objects.filter(round=round_).delete()
            ConsortiumRule.objects.bulk_create(
                ConsortiumRule(
                    round=round_,
                    kind=rule["kind"],
                    count=int(rule.get("count", 1)),
                    country=str(rule.get("country", "")),
                )
                for rule in rules
            )
            round_.topics.set(Concept.objects.filter(key__in=entry.get("topics", [])))
            # The round's entry in the directory of offers, linking to the round page.
            round_offer_sync(round=round_, user=None)
        report.append(f"round {slug}: {'created' if created else 'updated'}")
    return report


def load_demo(path: Path = DEMO_FILE) -> str:
    """Invented challenges, an idea, a consortium and a pilot, all marked demo.

    Each part is created once: the challenges, idea and consortium together, the pilot
    on its own, so an installation seeded before the demo pilot existed gets it too.
    """
    import yaml

    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    round_ = Round.objects.filter(slug=document["round"]).first()
    if round_ is None:
        return "demo content: skipped (round not loaded)"
    orgs = {o.slug: o for o in Organisation.objects.all()}
    report = []
    if Challenge.objects.filter(round=round_, is_demo=True).exists():
        report.append("demo content: unchanged")
    else:
        report.append(_load_demo_content(round_, document, orgs))
    if document.get("pilot"):
        report.append(_load_demo_pilot(round_, path, document["pilot"], orgs))
    return "; ".join(report)


def _load_demo_content(
    round_: Round, document: dict[str, Any], orgs: dict[str, Organisation]
) -> str:
    with transaction.atomic():
        for position, item in enumerate(document.get("criteria", [])):
            Criterion.objects.update_or_create(
                round=round_,
                key=item["key"],
                defaults={
                    "position": position,
                    "is_demo": True,
                    **_translated("name", item["name"]),
                },
            )
        challenges = []
        for item in document.get("challenges", []):
            city = orgs.get(item["city"])
            if city is None:
                continue
            challenge = Challenge.objects.create(
                round=round_,
                city=city,
                title=item["title"],
                problem=item["problem"],
                affected=item.get("affected", ""),
                desired_outcome=item.get("desired_outcome", ""),
                population=city.population,
                status=ChallengeStatus.PUBLISHED,
                submitted_at=round_.stages.filter(kind=StageKind.CHALLENGES)
                .values_list("closes_at", flat=True)
                .first(),
                is_demo=True,
            )
            challenge.topics.set(Concept.objects.filter(key__in=item.get("topics", [])))
            challenges.append(challenge)
        ideas = []
        for item in document.get("ideas", []):
            organisation = orgs.get(item["organisation"])
            if organisation is None:
                continue
            idea = SolutionIdea.objects.create(
                round=round_,
                organisation=organisation,
                title=item["title"],
                approach=item["approach"],
                summary=item["approach"],
                status=IdeaStatus.SELECTED,
                is_demo=True,
            )
            idea.challenges.set(
                [challenges[i] for i in item.get("challenges", []) if i < len(challenges)]
            )
            ideas.append(idea)
        consortium = document.get("consortium")
        lead = orgs.get(consortium["lead"]) if consortium else None
        size = round_.sizes.filter(key=consortium["size"]).first() if consortium else None
        if consortium and lead and size:
            proposal = PilotProposal.objects.create(
                round=round_,
                lead=lead,
                size=size,
                idea=ideas[0] if ideas else None,
                title=consortium["title"],
                is_demo=True,
            )
            _demo_members(proposal, lead, consortium.get("partners", []), orgs)
    return f"demo content: {len(challenges)} challenges, {len(ideas)} ideas, 1 consortium"


def _demo_members(
    proposal: PilotProposal, lead: Organisation, partners: list[str], orgs: dict[str, Organisation]
) -> None:
    """The lead and the partners that are loaded, all accepted; research organisations
    join as research partners, the others as cities."""
    ConsortiumMember.objects.create(
        proposal=proposal,
        organisation=lead,
        role=PartnerRole.LEAD,
        status=InvitationStatus.ACCEPTED,
    )
    for slug in partners:
        partner = orgs.get(slug)
        if partner is None or partner == lead:
            continue
        ConsortiumMember.objects.create(
            proposal=proposal,
            organisation=partner,
            role=PartnerRole.RESEARCH if partner.kind in RESEARCH_KINDS else PartnerRole.CITY,
            status=InvitationStatus.ACCEPTED,
        )


def _load_demo_pilot(
    round_: Round, path: Path, entry: dict[str, Any], orgs: dict[str, Organisation]
) -> str:
    """The illustrative pilot: a funded demo proposal for the demo idea, with the
    pilot's plan, milestones and one report, as if staff had funded it."""
    if Pilot.objects.filter(proposal__round=round_, is_demo=True).exists():
        return "demo pilot: unchanged"
    lead = orgs.get(entry["lead"])
    size = round_.sizes.filter(key=entry["size"]).first()
    idea = SolutionIdea.objects.filter(round=round_, is_demo=True).order_by("pk").first()
    if lead is None or size is None or idea is None:
        return "demo pilot: skipped (its organisations, size or idea are not loaded)"
    stages = {s.kind: s for s in round_.stages.all()}
    handed_in = stages.get(StageKind.FULL_PROPOSALS) or stages.get(StageKind.PILOT_PROPOSALS)
    decided = stages.get(StageKind.DECISION) or stages.get(StageKind.EVALUATION)
    with transaction.atomic():
        proposal = PilotProposal.objects.create(
            round=round_,
            lead=lead,
            size=size,
            idea=idea,
            title=entry["title"],
            summary=entry.get("summary", ""),
            status=ProposalStatus.FUNDED,
            submitted_at=handed_in.closes_at if handed_in else None,
            decided_at=decided.closes_at if decided else None,
            is_demo=True,
        )
        _demo_members(proposal, lead, entry.get("partners", []), orgs)
        pilot = Pilot.objects.create(
            proposal=proposal,
            title=entry["title"],
            starts_on=_day(path, "pilot", entry["starts_on"]),
            ends_on=_day(path, "pilot", entry["ends_on"]),
            report_every_months=entry.get("report_every_months"),
            status=PilotStatus.RUNNING,
            is_demo=True,
        )
        for item in entry.get("milestones", []):
            reached = item.get("reached_on")
            Milestone.objects.create(
                pilot=pilot,
                title=item["title"],
                due_on=_day(path, "pilot", item["due_on"]),
                status=MilestoneStatus.DONE if reached else MilestoneStatus.PLANNED,
                reached_on=_day(path, "pilot", reached) if reached else None,
            )
        for item in entry.get("reports", []):
            day = _day(path, "pilot", item["handed_in"])
            PilotReport.objects.create(
                pilot=pilot,
                title=item["title"],
                text=item["text"],
                submitted_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC),
            )
    return "demo pilot: created"


def seed(*, demo: bool) -> list[str]:
    report = load_rounds()
    if demo:
        report.append(load_demo())
    return report
