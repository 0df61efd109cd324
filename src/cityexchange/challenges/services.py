"""Every write of the challenge programme: typed, keyword-only, atomic and audited.

Deadlines and limits are checked after the round's row is locked, in the same
transaction as the write: two cities submitting at the last second, or one city
submitting twice at once, are decided one after the other, so no limit is
exceeded and a submission that arrives after the deadline changes nothing. A
draft is saved whatever the date, so nothing a city wrote is lost.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.template.defaultfilters import floatformat
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from cityexchange.challenges.models import (
    COUNTED_STATUSES,
    Challenge,
    ChallengeAttachment,
    ChallengeStatus,
    Conflict,
    ConsortiumMember,
    Criterion,
    Evaluator,
    IdeaStatus,
    Interest,
    InvitationStatus,
    Milestone,
    MilestoneStatus,
    PartnerRole,
    Pilot,
    PilotFigure,
    PilotProposal,
    PilotReport,
    PilotSize,
    PilotStatus,
    ProposalStatus,
    Round,
    RuleKind,
    Score,
    SolutionIdea,
    Stage,
    StageKind,
)
from cityexchange.core.mail import render_message, send_after_commit
from cityexchange.core.models import Concept, Membership, Organisation, OrganisationKind, User
from cityexchange.core.rules import is_staff_or_admin
from cityexchange.core.services import audit_record, snapshot

CITY_KINDS = (OrganisationKind.MUNICIPALITY, OrganisationKind.REGION)
RESEARCH_KINDS = (OrganisationKind.RESEARCH, OrganisationKind.COMPANY)


class ChallengeError(ValueError):
    """A request the programme cannot take; the message is for the user. Nothing changed."""


# ---------------------------------------------------------------- helpers


def moment_text(moment: dt.datetime) -> str:
    """A date and time in the active language and the viewer's time zone, zone named."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def money_text(amount: Decimal, currency: str) -> str:
    return f"{number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)} {currency}"


def _is_member(user: User, organisation_id: int) -> bool:
    return Membership.objects.filter(user=user, organisation_id=organisation_id).exists()


def _require_member(user: User, organisation_id: int) -> None:
    if not _is_member(user, organisation_id):
        raise ChallengeError(_("You are not a member of this organisation."))


def _require_staff(user: User) -> None:
    if not is_staff_or_admin(user):
        raise ChallengeError(_("Only network staff can do this."))


def _lock_round(round_: Round) -> Round:
    return Round.objects.select_for_update().get(pk=round_.pk)


def require_stage_open(round_: Round, kind: str, *, now: dt.datetime | None = None) -> Stage:
    """The stage of ``kind``, if it is open now; otherwise a refusal naming its dates."""
    stage = Stage.objects.filter(round=round_, kind=kind).first()
    name = StageKind(kind).label
    if stage is None:
        raise ChallengeError(
            _("This round has no stage “%(stage)s”; nothing was changed.") % {"stage": name}
        )
    now = now or timezone.now()
    if now < stage.opens_at:
        raise ChallengeError(
            _("“%(stage)s” opens on %(when)s; nothing was changed.")
            % {"stage": name, "when": moment_text(stage.opens_at)}
        )
    if now >= stage.closes_at:
        raise ChallengeError(
            _("The deadline of “%(stage)s” was %(when)s; nothing was changed.")
            % {"stage": name, "when": moment_text(stage.closes_at)}
        )
    return stage


# ---------------------------------------------------------------- challenges


@dataclass(frozen=True)
class ChallengeInput:
    title: str
    problem: str
    affected: str = ""
    current_situation: str = ""
    data_available: str = ""
    tried: str = ""
    desired_outcome: str = ""
    constraints: str = ""
    population: int | None = None
    language: str = "en"
    topics: Sequence[Concept] = field(default_factory=list)


CHALLENGE_TEXT_FIELDS = (
    "title",
    "problem",
    "affected",
    "current_situation",
    "data_available",
    "tried",
    "desired_outcome",
    "constraints",
)


def _check_challenge_input(round_: Round, data: ChallengeInput) -> None:
    if not data.title.strip() or not data.problem.strip():
        raise ChallengeError(_("A challenge needs a title and a description of the problem."))
    if round_.languages and data.language not in round_.languages:
        raise ChallengeError(
            _("This round accepts challenges in: %(languages)s.")
            % {"languages": ", ".join(round_.languages)}
        )


def challenge_create(
    *, round: Round, city: Organisation, user: User, data: ChallengeInput
) -> Challenge:
    """A new draft of ``city``'s challenge; saved whatever the date."""
    if city.kind not in CITY_KINDS:
        raise ChallengeError(_("Only municipalities and regions can hand in challenges."))
    _require_member(user, city.pk)
    _check_challenge_input(round, data)
    with transaction.atomic():
        challenge = Challenge.objects.create(
            round=round,
            city=city,
            created_by=user,
            population=data.population if data.population else city.population,
            language=data.language,
            **{name: getattr(data, name).strip() for name in CHALLENGE_TEXT_FIELDS},
        )
        challenge.topics.set(data.topics)
        audit_record(
            actor=user, action="challenge.create", obj=challenge, after=snapshot(challenge)
        )
    return challenge


def challenge_update(*, challenge: Challenge, user: User, data: ChallengeInput) -> Challenge:
    """Change a draft (or a challenge sent back for revision); any date, nothing lost."""
    _require_member(user, challenge.city_id)
    _check_challenge_input(challenge.round, data)
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if not locked.is_editable:
            raise ChallengeError(
                _("Only a draft or a challenge sent back for revision can change.")
            )
        before = snapshot(locked)
        for name in CHALLENGE_TEXT_FIELDS:
            setattr(locked, name, getattr(data, name).strip())
        locked.population = data.population
        locked.language = data.language
        locked.save(update_fields=[*CHALLENGE_TEXT_FIELDS, "population", "language", "updated_at"])
        locked.topics.set(data.topics)
        audit_record(
            actor=user, action="challenge.update", obj=locked, before=before, after=snapshot(locked)
        )
    return locked


def challenge_submit(
    *, challenge: Challenge, user: User, now: dt.datetime | None = None
) -> Challenge:
    """Hand the challenge in: within the call for challenges and the city's limit.

    A challenge sent back for revision may be handed in again after the deadline:
    staff asked for it.
    """
    _require_member(user, challenge.city_id)
    with transaction.atomic():
        round_ = _lock_round(challenge.round)
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if locked.status == ChallengeStatus.DRAFT:
            require_stage_open(round_, StageKind.CHALLENGES, now=now)
            limit = round_.max_challenges_per_city
            if limit is not None:
                handed_in = Challenge.objects.filter(
                    round=round_, city_id=locked.city_id, status__in=COUNTED_STATUSES
                ).count()
                if handed_in >= limit:
                    raise ChallengeError(
                        ngettext(
                            "A city can hand in at most %(limit)d challenge in this round; "
                            "yours has reached it. Nothing was changed.",
                            "A city can hand in at most %(limit)d challenges in this round; "
                            "yours has reached the limit. Nothing was changed.",
                            limit,
                        )
                        % {"limit": limit}
                    )
        elif locked.status != ChallengeStatus.REVISION:
            raise ChallengeError(_("This challenge has already been handed in."))
        before = snapshot(locked, ["status", "submitted_at"])
        locked.status = ChallengeStatus.SUBMITTED
        locked.submitted_at = now or timezone.now()
        locked.submitted_by = user
        locked.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
        audit_record(
            actor=user,
            action="challenge.submit",
            obj=locked,
            before=before,
            after=snapshot(locked, ["status", "submitted_at"]),
        )
    return locked


def challenge_withdraw(
    *, challenge: Challenge, user: User, now: dt.datetime | None = None
) -> Challenge:
    """Take a handed-in challenge back, until the call's deadline."""
    _require_member(user, challenge.city_id)
    with transaction.atomic():
        round_ = _lock_round(challenge.round)
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if locked.status not in (ChallengeStatus.SUBMITTED, ChallengeStatus.REVISION):
            raise ChallengeError(_("Only a handed-in challenge can be withdrawn."))
        require_stage_open(round_, StageKind.CHALLENGES, now=now)
        locked.status = ChallengeStatus.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=user, action="challenge.withdraw", obj=locked, after={"status": "withdrawn"}
        )
    return locked


def challenge_request_revision(*, challenge: Challenge, user: User, note: str) -> Challenge:
    """Staff send a handed-in challenge back to its city with what to change."""
    _require_staff(user)
    if not note.strip():
        raise ChallengeError(_("Say what should be revised."))
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if locked.status != ChallengeStatus.SUBMITTED:
            raise ChallengeError(_("Only a handed-in challenge can be sent back for revision."))
        locked.status = ChallengeStatus.REVISION
        locked.revision_note = note.strip()
        locked.save(update_fields=["status", "revision_note", "updated_at"])
        audit_record(
            actor=user,
            action="challenge.request_revision",
            obj=locked,
            after={"status": "revision"},
        )
    return locked


def round_publish_challenges(*, round: Round, user: User) -> int:
    """Staff publish every handed-in challenge of the round; returns how many."""
    _require_staff(user)
    with transaction.atomic():
        _lock_round(round)
        ids = list(
            Challenge.objects.filter(round=round, status=ChallengeStatus.SUBMITTED).values_list(
                "pk", flat=True
            )
        )
        Challenge.objects.filter(pk__in=ids).update(
            status=ChallengeStatus.PUBLISHED, updated_at=timezone.now()
        )
        audit_record(
            actor=user, action="round.publish_challenges", obj=round, after={"published": ids}
        )
    return len(ids)


# ---------------------------------------------------------------- interest


def interest_add(
    *,
    challenge: Challenge,
    city: Organisation,
    user: User,
    note: str = "",
    now: dt.datetime | None = None,
) -> Interest:
    """``city`` shows interest in another city's published challenge, within the round's
    window and limit."""
    if city.kind not in CITY_KINDS:
        raise ChallengeError(_("Only municipalities and regions can show interest."))
    _require_member(user, city.pk)
    if challenge.city_id == city.pk:
        raise ChallengeError(_("A city cannot show interest in its own challenge."))
    with transaction.atomic():
        round_ = _lock_round(challenge.round)
        # Read after the lock: the status the city saw may have changed since.
        if Challenge.objects.get(pk=challenge.pk).status != ChallengeStatus.PUBLISHED:
            raise ChallengeError(_("Interest can only be shown in a published challenge."))
        require_stage_open(round_, StageKind.INTEREST, now=now)
        if Interest.objects.filter(challenge=challenge, city=city).exists():
            raise ChallengeError(_("Your city has already shown interest in this challenge."))
        limit = round_.max_interests_per_city
        if limit is not None:
            shown = Interest.objects.filter(challenge__round=round_, city=city).count()
            if shown >= limit:
                raise ChallengeError(
                    ngettext(
                        "A city can show interest in at most %(limit)d challenge in this round; "
                        "yours has reached it. Nothing was changed.",
                        "A city can show interest in at most %(limit)d challenges in this round; "
                        "yours has reached the limit. Nothing was changed.",
                        limit,
                    )
                    % {"limit": limit}
                )
        interest = Interest.objects.create(
            challenge=challenge, city=city, created_by=user, note=note.strip()[:500]
        )
        audit_record(
            actor=user,
            action="interest.add",
            obj=interest,
            after={"challenge": challenge.pk, "city": city.slug},
        )
    return interest


def interest_remove(*, interest: Interest, user: User, now: dt.datetime | None = None) -> None:
    _require_member(user, interest.city_id)
    with transaction.atomic():
        round_ = _lock_round(interest.challenge.round)
        require_stage_open(round_, StageKind.INTEREST, now=now)
        audit_record(
            actor=user,
            action="interest.remove",
            obj=interest,
            before={"challenge": interest.challenge_id, "city": interest.city_id},
        )
        interest.delete()


# ---------------------------------------------------------------- solution ideas


@dataclass(frozen=True)
class IdeaInput:
    title: str
    approach: str
    novelty: str = ""
    team: str = ""
    expected_results: str = ""
    scalability: str = ""
    summary: str = ""
    challenges: Sequence[Challenge] = field(default_factory=list)


IDEA_TEXT_FIELDS = (
    "title",
    "approach",
    "novelty",
    "team",
    "expected_results",
    "scalability",
    "summary",
)


def idea_create(
    *, round: Round, organisation: Organisation, user: User, data: IdeaInput
) -> SolutionIdea:
    """A draft solution idea of a team (anyone signed in with an organisation)."""
    _require_member(user, organisation.pk)
    if not data.title.strip() or not data.approach.strip():
        raise ChallengeError(_("An idea needs a title and an approach."))
    wrong = [
        c
        for c in data.challenges
        if c.round_id != round.pk or c.status != ChallengeStatus.PUBLISHED
    ]
    if wrong:
        raise ChallengeError(_("An idea can only address published challenges of its round."))
    with transaction.atomic():
        idea = SolutionIdea.objects.create(
            round=round,
            organisation=organisation,
            created_by=user,
            **{name: getattr(data, name).strip() for name in IDEA_TEXT_FIELDS},
        )
        idea.challenges.set(data.challenges)
        audit_record(actor=user, action="idea.create", obj=idea, after=snapshot(idea))
    return idea


def idea_submit(*, idea: SolutionIdea, user: User, now: dt.datetime | None = None) -> SolutionIdea:
    _require_member(user, idea.organisation_id)
    with transaction.atomic():
        round_ = _lock_round(idea.round)
        locked = SolutionIdea.objects.select_for_update().get(pk=idea.pk)
        if locked.status != IdeaStatus.DRAFT:
            raise ChallengeError(_("This idea has already been handed in."))
        require_stage_open(round_, StageKind.IDEAS, now=now)
        if not locked.challenges.exists():
            raise ChallengeError(_("Name at least one challenge the idea addresses."))
        locked.status = IdeaStatus.SUBMITTED
        locked.submitted_at = now or timezone.now()
        locked.save(update_fields=["status", "submitted_at"])
        audit_record(actor=user, action="idea.submit", obj=locked, after={"status": "submitted"})
    return locked


def idea_select(*, idea: SolutionIdea, user: User, selected: bool) -> SolutionIdea:
    _require_staff(user)
    with transaction.atomic():
        locked = SolutionIdea.objects.select_for_update().get(pk=idea.pk)
        if locked.status not in (
            IdeaStatus.SUBMITTED,
            IdeaStatus.SELECTED,
            IdeaStatus.NOT_SELECTED,
        ):
            raise ChallengeError(_("Only a handed-in idea can be selected."))
        locked.status = IdeaStatus.SELECTED if selected else IdeaStatus.NOT_SELECTED
        locked.save(update_fields=["status"])
        audit_record(actor=user, action="idea.select", obj=locked, after={"status": locked.status})
    return locked


# ---------------------------------------------------------------- pilot proposals


def role_for(organisation: Organisation) -> str:
    if organisation.kind in CITY_KINDS:
        return PartnerRole.CITY
    if organisation.kind in RESEARCH_KINDS:
        return PartnerRole.RESEARCH
    return PartnerRole.PARTNER


def proposal_create(
    *,
    round: Round,
    lead: Organisation,
    size: PilotSize,
    user: User,
    title: str,
    summary: str = "",
    idea: SolutionIdea | None = None,
) -> PilotProposal:
    """A draft proposal; the lead organisation is its first (accepted) member."""
    _require_member(user, lead.pk)
    if size.round_id != round.pk:
        raise ChallengeError(_("This pilot size belongs to another round."))
    if idea is not None and idea.round_id != round.pk:
        raise ChallengeError(_("This idea belongs to another round."))
    if not title.strip():
        raise ChallengeError(_("A proposal needs a title."))
    with transaction.atomic():
        proposal = PilotProposal.objects.create(
            round=round,
            lead=lead,
            size=size,
            idea=idea,
            title=title.strip(),
            summary=summary.strip(),
            created_by=user,
        )
        ConsortiumMember.objects.create(
            proposal=proposal,
            organisation=lead,
            role=PartnerRole.LEAD,
            status=InvitationStatus.ACCEPTED,
            invited_by=user,
            answered_by=user,
            answered_at=timezone.now(),
        )
        audit_record(actor=user, action="proposal.create", obj=proposal, after=snapshot(proposal))
    return proposal


def _lock_draft_proposal(proposal: PilotProposal) -> PilotProposal:
    locked = PilotProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.DRAFT:
        raise ChallengeError(_("This proposal has been handed in and its consortium is fixed."))
    return locked


def member_invite(
    *,
    proposal: PilotProposal,
    organisation: Organisation,
    user: User,
    budget: Decimal = Decimal(0),
) -> ConsortiumMember:
    """The lead invites an organisation; a member of that organisation must accept."""
    _require_member(user, proposal.lead_id)
    with transaction.atomic():
        locked = _lock_draft_proposal(proposal)
        existing = ConsortiumMember.objects.filter(
            proposal=locked, organisation=organisation
        ).first()
        if existing is not None and existing.status != InvitationStatus.DECLINED:
            raise ChallengeError(_("This organisation is already part of the consortium."))
        _check_budget(locked, add=budget, exclude=existing)
        if existing is not None:
            existing.delete()
        member = ConsortiumMember.objects.create(
            proposal=locked,
            organisation=organisation,
            role=role_for(organisation),
            budget=budget,
            invited_by=user,
        )
        audit_record(
            actor=user,
            action="consortium.invite",
            obj=member,
            after={"proposal": locked.pk, "organisation": organisation.slug, "budget": str(budget)},
        )
    return member


def member_answer(
    *, member: ConsortiumMember, user: User, accept: bool, commitment: str = ""
) -> ConsortiumMember:
    """A member of the invited organisation accepts (with a letter of commitment) or declines."""
    _require_member(user, member.organisation_id)
    with transaction.atomic():
        _lock_draft_proposal(member.proposal)
        locked = ConsortiumMember.objects.select_for_update().get(pk=member.pk)
        if locked.status != InvitationStatus.INVITED:
            raise ChallengeError(_("This invitation has already been answered."))
        locked.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
        locked.commitment = commitment.strip()[:3000]
        locked.answered_by = user
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "commitment", "answered_by", "answered_at"])
        audit_record(
            actor=user, action="consortium.answer", obj=locked, after={"status": locked.status}
        )
    return locked


def member_remove(*, member: ConsortiumMember, user: User) -> None:
    _require_member(user, member.proposal.lead_id)
    if member.role == PartnerRole.LEAD:
        raise ChallengeError(_("The lead organisation cannot leave its own proposal."))
    with transaction.atomic():
        _lock_draft_proposal(member.proposal)
        audit_record(
            actor=user,
            action="consortium.remove",
            obj=member,
            before={"organisation": member.organisation_id},
        )
        member.delete()


def member_budget_set(*, member: ConsortiumMember, user: User, budget: Decimal) -> ConsortiumMember:
    """Set a partner's share; the shares may add up to the size's amount, never more."""
    _require_member(user, member.proposal.lead_id)
    if budget < 0:
        raise ChallengeError(_("A budget cannot be negative."))
    with transaction.atomic():
        proposal = _lock_draft_proposal(member.proposal)
        locked = ConsortiumMember.objects.select_for_update().get(pk=member.pk)
        _check_budget(proposal, add=budget, exclude=locked)
        before = {"budget": str(locked.budget)}
        locked.budget = budget
        locked.save(update_fields=["budget"])
        audit_record(
            actor=user,
            action="consortium.budget",
            obj=locked,
            before=before,
            after={"budget": str(budget)},
        )
    return locked


def _check_budget(
    proposal: PilotProposal, *, add: Decimal, exclude: ConsortiumMember | None
) -> None:
    others = ConsortiumMember.objects.filter(proposal=proposal).exclude(
        status=InvitationStatus.DECLINED
    )
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    total = (others.aggregate(total=Sum("budget"))["total"] or Decimal(0)) + add
    size = proposal.size
    if total > size.amount:
        raise ChallengeError(
            _(
                "The partners' budgets would add up to %(total)s, more than the %(amount)s "
                "of a %(size)s pilot. Nothing was changed."
            )
            % {
                "total": money_text(total, proposal.round.currency),
                "amount": money_text(size.amount, proposal.round.currency),
                "size": size.name,
            }
        )


@dataclass(frozen=True)
class RuleCheck:
    """One consortium rule and whether the accepted members meet it."""

    kind: str
    met: bool
    message: str  # what the rule asks, in the active language
    missing: str  # what is still needed, in the active language; empty when met


def _country_name(code: str) -> str:
    return str(dict(countries).get(code, code))


def consortium_check(proposal: PilotProposal) -> list[RuleCheck]:
    """The round's rules applied to the consortium's accepted members, each named."""
    accepted = [
        m.organisation
        for m in proposal.members.select_related("organisation")
        if m.status == InvitationStatus.ACCEPTED
    ]
    return rules_check(proposal.round, accepted)


def round_rules(round_: Round) -> list[RuleCheck]:
    """The round's rules, described (as if for an empty consortium)."""
    return rules_check(round_, [])


def rules_check(round_: Round, accepted: Sequence[Organisation]) -> list[RuleCheck]:
    cities = [o for o in accepted if o.kind in CITY_KINDS]
    research = [o for o in accepted if o.kind in RESEARCH_KINDS]
    checks: list[RuleCheck] = []
    for rule in round_.rules.all():
        n = rule.count
        country = _country_name(rule.country)
        if rule.kind == RuleKind.MIN_CITIES:
            have = len(cities)
            message = ngettext("At least %(count)d city", "At least %(count)d cities", n) % {
                "count": n
            }
            missing = ngettext(
                "at least %(count)d city is needed (%(have)d so far)",
                "at least %(count)d cities are needed (%(have)d so far)",
                n,
            ) % {"count": n, "have": have}
        elif rule.kind == RuleKind.MIN_CITIES_FROM:
            have = sum(1 for o in cities if str(o.country) == rule.country)
            message = ngettext(
                "At least %(count)d city from %(country)s",
                "At least %(count)d cities from %(country)s",
                n,
            ) % {"count": n, "country": country}
            missing = ngettext(
                "at least %(count)d city from %(country)s is needed",
                "at least %(count)d cities from %(country)s are needed",
                n,
            ) % {"count": n, "country": country}
        elif rule.kind == RuleKind.MIN_CITIES_OUTSIDE:
            have = sum(1 for o in cities if str(o.country) != rule.country)
            message = ngettext(
                "At least %(count)d city from a country other than %(country)s",
                "At least %(count)d cities from countries other than %(country)s",
                n,
            ) % {"count": n, "country": country}
            missing = ngettext(
                "at least %(count)d city from a country other than %(country)s is needed",
                "at least %(count)d cities from countries other than %(country)s are needed",
                n,
            ) % {"count": n, "country": country}
        else:
            have = len(research)
            message = ngettext(
                "At least %(count)d research or development organisation",
                "At least %(count)d research or development organisations",
                n,
            ) % {"count": n}
            missing = ngettext(
                "at least %(count)d research or development organisation is needed",
                "at least %(count)d research or development organisations are needed",
                n,
            ) % {"count": n}
        met = have >= n
        checks.append(
            RuleCheck(kind=rule.kind, met=met, message=message, missing="" if met else missing)
        )
    return checks


def proposal_submit(
    *, proposal: PilotProposal, user: User, now: dt.datetime | None = None
) -> PilotProposal:
    """Hand the proposal in: within the stage, only when every rule is met."""
    _require_member(user, proposal.lead_id)
    with transaction.atomic():
        round_ = _lock_round(proposal.round)
        locked = _lock_draft_proposal(proposal)
        require_stage_open(round_, StageKind.PILOT_PROPOSALS, now=now)
        unmet = [c.missing for c in consortium_check(locked) if not c.met]
        if unmet:
            raise ChallengeError(
                _(
                    "The consortium does not meet the round's rules yet: %(rules)s. Nothing was changed."
                )
                % {"rules": "; ".join(unmet)}
            )
        if locked.members.filter(status=InvitationStatus.INVITED).exists():
            raise ChallengeError(
                _("Some invitations have not been answered yet; remove them or wait for an answer.")
            )
        _check_budget(locked, add=Decimal(0), exclude=None)
        locked.status = ProposalStatus.SUBMITTED
        locked.submitted_at = now or timezone.now()
        locked.save(update_fields=["status", "submitted_at"])
        audit_record(
            actor=user, action="proposal.submit", obj=locked, after={"status": "submitted"}
        )
    return locked


# ---------------------------------------------------------------- evaluation


def evaluator_appoint(*, round: Round, evaluator: User, user: User) -> Evaluator:
    _require_staff(user)
    with transaction.atomic():
        appointed, created = Evaluator.objects.get_or_create(round=round, user=evaluator)
        if created:
            audit_record(
                actor=user, action="evaluator.appoint", obj=appointed, after={"round": round.slug}
            )
    return appointed


def _evaluator_for(proposal: PilotProposal, user: User) -> Evaluator:
    evaluator = Evaluator.objects.filter(round_id=proposal.round_id, user=user).first()
    if evaluator is None:
        raise ChallengeError(_("You are not on this round's evaluation committee."))
    return evaluator


def conflict_declare(*, proposal: PilotProposal, user: User, reason: str = "") -> Conflict:
    """The evaluator steps aside: any score they gave this proposal is removed."""
    evaluator = _evaluator_for(proposal, user)
    with transaction.atomic():
        conflict, created = Conflict.objects.get_or_create(
            evaluator=evaluator, proposal=proposal, defaults={"reason": reason.strip()[:500]}
        )
        Score.objects.filter(evaluator=evaluator, proposal=proposal).delete()
        if created:
            audit_record(
                actor=user,
                action="evaluation.conflict",
                obj=conflict,
                after={"proposal": proposal.pk},
            )
    return conflict


@dataclass(frozen=True)
class ScoreInput:
    criterion: Criterion
    value: int
    comment: str = ""


def scores_save(
    *,
    proposal: PilotProposal,
    user: User,
    scores: Sequence[ScoreInput],
    now: dt.datetime | None = None,
) -> list[Score]:
    """Save an evaluator's scores, criterion by criterion.

    Each evaluator writes only their own rows, so two evaluators saving at once
    never overwrite each other.
    """
    evaluator = _evaluator_for(proposal, user)
    for item in scores:
        if item.criterion.round_id != proposal.round_id:
            raise ChallengeError(_("This criterion belongs to another round."))
        if not 0 <= item.value <= item.criterion.max_score:
            raise ChallengeError(
                _("A score for “%(criterion)s” must be between 0 and %(max)d.")
                % {"criterion": item.criterion.name, "max": item.criterion.max_score}
            )
    if Stage.objects.filter(round_id=proposal.round_id, kind=StageKind.EVALUATION).exists():
        require_stage_open(proposal.round, StageKind.EVALUATION, now=now)
    saved = []
    with transaction.atomic():
        # Read inside the transaction: a decision or a declared conflict may have come since.
        if PilotProposal.objects.get(pk=proposal.pk).status != ProposalStatus.SUBMITTED:
            raise ChallengeError(_("Only a handed-in proposal can be scored."))
        if Conflict.objects.filter(evaluator=evaluator, proposal=proposal).exists():
            raise ChallengeError(_("You declared a conflict of interest for this proposal."))
        for item in scores:
            score, _created = Score.objects.update_or_create(
                evaluator=evaluator,
                proposal=proposal,
                criterion=item.criterion,
                defaults={"value": item.value, "comment": item.comment.strip()[:4000]},
            )
            saved.append(score)
        audit_record(
            actor=user,
            action="evaluation.score",
            obj=proposal,
            after={"criteria": [s.criterion.key for s in scores]},
        )
    return saved


def consensus_set(
    *, proposal: PilotProposal, user: User, score: Decimal, comment: str
) -> PilotProposal:
    _require_staff(user)
    if score < 0:
        raise ChallengeError(_("A score cannot be negative."))
    top = sum(c.max_score for c in proposal.round.criteria.all())
    if top and score > top:
        raise ChallengeError(_("The consensus score can be at most %(max)d.") % {"max": top})
    with transaction.atomic():
        locked = PilotProposal.objects.select_for_update().get(pk=proposal.pk)
        before = snapshot(locked, ["consensus_score", "consensus_comment"])
        locked.consensus_score = score
        locked.consensus_comment = comment.strip()
        locked.save(update_fields=["consensus_score", "consensus_comment"])
        audit_record(
            actor=user,
            action="proposal.consensus",
            obj=locked,
            before=before,
            after=snapshot(locked, ["consensus_score", "consensus_comment"]),
        )
    return locked


def proposal_decide(*, proposal: PilotProposal, user: User, funded: bool) -> PilotProposal:
    """Fund or decline a proposal, within the budget and the number of pilots per size.

    The applicants (the lead organisation's members) get the consensus feedback by
    mail, each in their own language.
    """
    _require_staff(user)
    with transaction.atomic():
        round_ = _lock_round(proposal.round)
        locked = (
            PilotProposal.objects.select_for_update().select_related("size").get(pk=proposal.pk)
        )
        if locked.status != ProposalStatus.SUBMITTED:
            raise ChallengeError(_("Only a handed-in proposal can be decided."))
        if funded:
            funded_here = PilotProposal.objects.filter(round=round_, status=ProposalStatus.FUNDED)
            if funded_here.filter(size=locked.size).count() >= locked.size.count:
                raise ChallengeError(
                    _("All %(count)d pilots of the size “%(size)s” are funded already.")
                    % {"count": locked.size.count, "size": locked.size.name}
                )
            spent = funded_here.aggregate(total=Sum("size__amount"))["total"] or Decimal(0)
            if round_.budget is not None and spent + locked.size.amount > round_.budget:
                raise ChallengeError(
                    _("Funding this pilot would exceed the round's budget of %(budget)s.")
                    % {"budget": money_text(round_.budget, round_.currency)}
                )
        locked.status = ProposalStatus.FUNDED if funded else ProposalStatus.NOT_FUNDED
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        if funded:
            Pilot.objects.create(proposal=locked, title=locked.title, is_demo=locked.is_demo)
        audit_record(
            actor=user, action="proposal.decide", obj=locked, after={"status": locked.status}
        )
        _mail_decision(locked)
    return locked


def _mail_decision(proposal: PilotProposal) -> None:
    for member in Membership.objects.filter(organisation_id=proposal.lead_id).select_related(
        "user"
    ):
        recipient = member.user
        if not recipient.is_active:
            continue
        with translation.override(recipient.language):
            send_after_commit(
                render_message(
                    to=recipient.email,
                    language=recipient.language,
                    template="challenges/mail/decision",
                    context={
                        "proposal": proposal,
                        "funded": proposal.status == ProposalStatus.FUNDED,
                    },
                )
            )


# ---------------------------------------------------------------- personal data


def personal_data_of(*, user: User) -> dict[str, Any]:
    """The programme's part of a person's data export. Challenges, ideas and proposals
    belong to their organisations; what is personal is what the person wrote or
    scored and their seat on a committee."""
    return {
        "challenges_created": list(
            Challenge.objects.filter(created_by=user).values("pk", "title", "status")
        ),
        "challenges_submitted": list(
            Challenge.objects.filter(submitted_by=user).values_list("pk", flat=True)
        ),
        "attachments_uploaded": list(
            ChallengeAttachment.objects.filter(uploaded_by=user).values("challenge_id", "title")
        ),
        "interests": list(
            Interest.objects.filter(created_by=user).values("challenge_id", "city__slug")
        ),
        "ideas_created": list(SolutionIdea.objects.filter(created_by=user).values("pk", "title")),
        "proposals_created": list(
            PilotProposal.objects.filter(created_by=user).values("pk", "title")
        ),
        "evaluator_of": list(
            Evaluator.objects.filter(user=user).values_list("round__slug", flat=True)
        ),
        "scores": [
            {
                "proposal": s.proposal_id,
                "criterion": s.criterion.key,
                "value": s.value,
                "comment": s.comment,
            }
            for s in Score.objects.filter(evaluator__user=user).select_related("criterion")
        ],
        "conflicts": list(
            Conflict.objects.filter(evaluator__user=user).values("proposal_id", "reason")
        ),
        "pilot_reports": list(
            PilotReport.objects.filter(submitted_by=user).values(
                "pilot_id", "title", "submitted_at"
            )
        ),
    }


def personal_data_erase(*, user: User) -> None:
    """Erasure: the organisations keep what they handed in, no longer linked to the
    person; the person's scores stay with the committee's result, unnamed."""
    Challenge.objects.filter(created_by=user).update(created_by=None)
    Challenge.objects.filter(submitted_by=user).update(submitted_by=None)
    ChallengeAttachment.objects.filter(uploaded_by=user).update(uploaded_by=None)
    Interest.objects.filter(created_by=user).update(created_by=None)
    SolutionIdea.objects.filter(created_by=user).update(created_by=None)
    PilotProposal.objects.filter(created_by=user).update(created_by=None)
    ConsortiumMember.objects.filter(invited_by=user).update(invited_by=None)
    ConsortiumMember.objects.filter(answered_by=user).update(answered_by=None)
    Conflict.objects.filter(evaluator__user=user).update(reason="")
    Score.objects.filter(evaluator__user=user).update(comment="")
    PilotReport.objects.filter(submitted_by=user).update(submitted_by=None)


# ---------------------------------------------------------------- reminders

REMINDER_DAYS = (7, 1)


def reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Remind the teams of cities with a draft a week and a day before the call for
    challenges closes; returns how many mails were queued. Idempotent: each reminder
    is recorded before its mail is queued, so a second run sends nothing again."""
    from django.db import IntegrityError

    from cityexchange.challenges.models import ReminderSent

    now = now or timezone.now()
    sent = 0
    stages = Stage.objects.filter(
        kind=StageKind.CHALLENGES,
        opens_at__lte=now,
        closes_at__gt=now,
        closes_at__lte=now + dt.timedelta(days=max(REMINDER_DAYS)),
    ).select_related("round")
    for stage in stages:
        left = stage.closes_at - now
        days = min(d for d in REMINDER_DAYS if left <= dt.timedelta(days=d))
        drafts = Challenge.objects.filter(
            round=stage.round, status=ChallengeStatus.DRAFT
        ).select_related("city")
        for draft in drafts:
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(stage=stage, challenge=draft, days_before=days)
                    for membership in Membership.objects.filter(
                        organisation_id=draft.city_id, user__is_active=True
                    ).select_related("user"):
                        recipient = membership.user
                        with timezone.override(zoneinfo_for(recipient)):
                            send_after_commit(
                                render_message(
                                    to=recipient.email,
                                    language=recipient.language,
                                    template="challenges/mail/reminder",
                                    context={
                                        "challenge": draft,
                                        "stage": stage,
                                        "closes": stage.closes_at,
                                    },
                                )
                            )
                        sent += 1
            except IntegrityError:
                continue  # recorded by an earlier run
    return sent


def _closing_soon(kind: str, now: dt.datetime) -> list[tuple[Stage, int]]:
    """Open stages of ``kind`` that close within a week, each with its reminder (7 or 1)."""
    stages = Stage.objects.filter(
        kind=kind,
        opens_at__lte=now,
        closes_at__gt=now,
        closes_at__lte=now + dt.timedelta(days=max(REMINDER_DAYS)),
    ).select_related("round")
    found = []
    for stage in stages:
        left = stage.closes_at - now
        found.append((stage, min(d for d in REMINDER_DAYS if left <= dt.timedelta(days=d))))
    return found


def _remind_once(
    *, key: str, recipients: Sequence[User], template: str, context: dict[str, Any]
) -> int:
    """Queue one mail per recipient, in their language and time zone, unless ``key`` was
    recorded by an earlier run; returns how many were queued."""
    from django.db import IntegrityError

    from cityexchange.challenges.models import ReminderLog

    try:
        with transaction.atomic():
            ReminderLog.objects.create(key=key)
            for recipient in recipients:
                with timezone.override(zoneinfo_for(recipient)):
                    send_after_commit(
                        render_message(
                            to=recipient.email,
                            language=recipient.language,
                            template=template,
                            context=context,
                        )
                    )
    except IntegrityError:
        return 0  # recorded by an earlier run
    return len(recipients)


def _members(organisation_ids: Sequence[int] | set[int]) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation_id__in=organisation_ids, is_active=True
        ).distinct()
    )


def proposal_reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Remind the lead organisation of a draft pilot proposal a week and a day before
    the pilot proposals' deadline."""
    now = now or timezone.now()
    sent = 0
    for stage, days in _closing_soon(StageKind.PILOT_PROPOSALS, now):
        for proposal in PilotProposal.objects.filter(
            round=stage.round, status=ProposalStatus.DRAFT
        ):
            sent += _remind_once(
                key=f"proposal:{stage.pk}:{proposal.pk}:{days}",
                recipients=_members([proposal.lead_id]),
                template="challenges/mail/proposal_reminder",
                context={"proposal": proposal, "stage": stage, "closes": stage.closes_at},
            )
    return sent


def idea_reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Remind the team of a draft solution idea a week and a day before the call for
    solution ideas closes."""
    now = now or timezone.now()
    sent = 0
    for stage, days in _closing_soon(StageKind.IDEAS, now):
        for idea in SolutionIdea.objects.filter(
            round=stage.round, status=IdeaStatus.DRAFT
        ).select_related("organisation", "round"):
            sent += _remind_once(
                key=f"idea:{stage.pk}:{idea.pk}:{days}",
                recipients=_members([idea.organisation_id]),
                template="challenges/mail/idea_reminder",
                context={"idea": idea, "stage": stage, "closes": stage.closes_at},
            )
    return sent


def evaluation_reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Remind each evaluator who has proposals left to score (not conflicted) a week and
    a day before the evaluation closes."""
    now = now or timezone.now()
    sent = 0
    for stage, days in _closing_soon(StageKind.EVALUATION, now):
        criteria = Criterion.objects.filter(round=stage.round).count()
        proposals = list(
            PilotProposal.objects.filter(
                round=stage.round, status=ProposalStatus.SUBMITTED
            ).values_list("pk", flat=True)
        )
        if not criteria or not proposals:
            continue
        for evaluator in Evaluator.objects.filter(
            round=stage.round, user__is_active=True
        ).select_related("user"):
            conflicted = set(evaluator.conflicts.values_list("proposal_id", flat=True))
            done = {
                pid
                for pid, n in Score.objects.filter(evaluator=evaluator)
                .values_list("proposal_id")
                .annotate(n=Count("pk"))
                .values_list("proposal_id", "n")
                if n >= criteria
            }
            left = [pid for pid in proposals if pid not in conflicted and pid not in done]
            if not left:
                continue
            sent += _remind_once(
                key=f"evaluation:{stage.pk}:{evaluator.pk}:{days}",
                recipients=[evaluator.user],
                template="challenges/mail/evaluation_reminder",
                context={
                    "round": stage.round,
                    "left": len(left),
                    "stage": stage,
                    "closes": stage.closes_at,
                },
            )
    return sent


def pilot_report_reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Remind a running pilot's consortium a week and a day before its next report is due."""
    from cityexchange.challenges.selectors import pilot_progress

    today = timezone.localdate(now or timezone.now())
    sent = 0
    pilots = (
        Pilot.objects.filter(
            status=PilotStatus.RUNNING,
            starts_on__isnull=False,
            report_every_months__isnull=False,
        )
        .select_related("proposal__round")
        .prefetch_related("reports", "milestones")
    )
    for pilot in pilots:
        due = pilot_progress(pilot, today=today).next_report_due
        if due is None or not today <= due <= today + dt.timedelta(days=max(REMINDER_DAYS)):
            continue
        days = min(d for d in REMINDER_DAYS if due - today <= dt.timedelta(days=d))
        sent += _remind_once(
            key=f"pilot-report:{pilot.pk}:{due.isoformat()}:{days}",
            recipients=_members(pilot_organisation_ids(pilot)),
            template="challenges/mail/report_reminder",
            context={"pilot": pilot, "due": due},
        )
    return sent


def zoneinfo_for(user: User) -> Any:
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(user.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


# ---------------------------------------------------------------- attachments

MAX_ATTACHMENTS = 5


def check_pdf(upload: Any) -> int:
    """The upload's size, if it is within the limit and really a readable PDF."""
    from django.conf import settings
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    limit = settings.CITYEXCHANGE_MAX_UPLOAD_BYTES
    size = int(upload.size or 0)
    if size == 0 or size > limit:
        raise ChallengeError(
            _("A file must not be empty or larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if not data.startswith(b"%PDF-"):
        raise ChallengeError(_("Only PDF files can be attached."))
    try:
        PdfReader(io.BytesIO(data)).pages[0]  # noqa: B018 - reading the first page is the check
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, OSError) as exc:
        raise ChallengeError(_("This PDF cannot be read.")) from exc
    return size


def attachment_add(
    *, challenge: Challenge, user: User, upload: Any, title: str = ""
) -> ChallengeAttachment:
    """Attach a PDF to a draft: size within the limit, content really a readable PDF."""
    _require_member(user, challenge.city_id)
    size = check_pdf(upload)
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if not locked.is_editable:
            raise ChallengeError(
                _("Only a draft or a challenge sent back for revision can change.")
            )
        if ChallengeAttachment.objects.filter(challenge=locked).count() >= MAX_ATTACHMENTS:
            raise ChallengeError(
                _("A challenge can have at most %(count)d attachments.")
                % {"count": MAX_ATTACHMENTS}
            )
        attachment = ChallengeAttachment(
            challenge=locked,
            title=(title.strip() or upload.name or "file")[:200],
            size=size,
            uploaded_by=user,
        )
        attachment.file.save(upload.name or "file.pdf", upload, save=False)
        attachment.save()
        audit_record(
            actor=user,
            action="challenge.attach",
            obj=attachment,
            after={"challenge": locked.pk, "size": size},
        )
    return attachment


def attachment_remove(*, attachment: ChallengeAttachment, user: User) -> None:
    _require_member(user, attachment.challenge.city_id)
    if not attachment.challenge.is_editable:
        raise ChallengeError(_("Only a draft or a challenge sent back for revision can change."))
    with transaction.atomic():
        audit_record(
            actor=user,
            action="challenge.detach",
            obj=attachment,
            before={"title": attachment.title},
        )
        attachment.file.delete(save=False)
        attachment.delete()


# ---------------------------------------------------------------- pilots


def pilot_organisation_ids(pilot: Pilot) -> set[int]:
    """The organisations that carry out the pilot: the lead and every accepted partner."""
    ids = set(
        ConsortiumMember.objects.filter(
            proposal_id=pilot.proposal_id, status=InvitationStatus.ACCEPTED
        ).values_list("organisation_id", flat=True)
    )
    ids.add(pilot.proposal.lead_id)
    return ids


def is_pilot_member(user: Any, pilot: Pilot) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user, organisation_id__in=pilot_organisation_ids(pilot)
    ).exists()


def _require_pilot_member(user: User, pilot: Pilot) -> None:
    if not is_pilot_member(user, pilot):
        raise ChallengeError(_("Only the pilot's consortium can do this."))


def _require_pilot_member_or_staff(user: User, pilot: Pilot) -> None:
    if not (is_staff_or_admin(user) or is_pilot_member(user, pilot)):
        raise ChallengeError(_("Only the pilot's consortium and network staff can do this."))


def pilot_plan_set(
    *,
    pilot: Pilot,
    user: User,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    report_every_months: int | None,
) -> Pilot:
    """Set the pilot's start, end and how often the consortium reports."""
    _require_pilot_member_or_staff(user, pilot)
    if starts_on and ends_on and ends_on < starts_on:
        raise ChallengeError(_("A pilot cannot end before it starts."))
    if report_every_months is not None and not 1 <= report_every_months <= 36:
        raise ChallengeError(_("A report is due every 1 to 36 months."))
    fields = ["starts_on", "ends_on", "report_every_months"]
    with transaction.atomic():
        locked = Pilot.objects.select_for_update().get(pk=pilot.pk)
        before = snapshot(locked, fields)
        locked.starts_on, locked.ends_on = starts_on, ends_on
        locked.report_every_months = report_every_months
        locked.save(update_fields=fields)
        audit_record(
            actor=user,
            action="pilot.plan",
            obj=locked,
            before=before,
            after=snapshot(locked, fields),
        )
    return locked


def milestone_add(*, pilot: Pilot, user: User, title: str, due_on: dt.date) -> Milestone:
    _require_pilot_member_or_staff(user, pilot)
    if not title.strip():
        raise ChallengeError(_("A milestone needs a title."))
    with transaction.atomic():
        milestone = Milestone.objects.create(pilot=pilot, title=title.strip()[:200], due_on=due_on)
        audit_record(
            actor=user, action="pilot.milestone_add", obj=milestone, after=snapshot(milestone)
        )
    return milestone


def milestone_set_status(*, milestone: Milestone, user: User, status: str) -> Milestone:
    """Mark a milestone reached (today), dropped, or planned again."""
    _require_pilot_member_or_staff(user, milestone.pilot)
    if status not in MilestoneStatus.values:
        raise ChallengeError(_("Choose one of the listed states."))
    fields = ["status", "reached_on"]
    with transaction.atomic():
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        before = snapshot(locked, fields)
        locked.status = status
        locked.reached_on = timezone.localdate() if status == MilestoneStatus.DONE else None
        locked.save(update_fields=fields)
        audit_record(
            actor=user,
            action="pilot.milestone_status",
            obj=locked,
            before=before,
            after=snapshot(locked, fields),
        )
    return locked


def report_add(
    *, pilot: Pilot, user: User, title: str, text: str, upload: Any = None
) -> PilotReport:
    """A periodic report of the consortium, with an optional PDF checked by its content."""
    _require_pilot_member(user, pilot)
    if not title.strip() or not text.strip():
        raise ChallengeError(_("A report needs a title and a text."))
    size = check_pdf(upload) if upload is not None else 0
    with transaction.atomic():
        report = PilotReport(
            pilot=pilot,
            title=title.strip()[:200],
            text=text.strip()[:20000],
            size=size,
            submitted_by=user,
        )
        if upload is not None:
            report.file.save(upload.name or "report.pdf", upload, save=False)
        report.save()
        audit_record(
            actor=user,
            action="pilot.report",
            obj=report,
            after={"pilot": pilot.pk, "title": report.title, "size": size},
        )
    return report


def outcomes_save(
    *, pilot: Pilot, user: User, results: str, lessons: str, languages: Sequence[str]
) -> Pilot:
    """The consortium writes down what the pilot achieved and learnt, and in which languages."""
    from cityexchange.core.datafiles import LANGUAGES

    _require_pilot_member(user, pilot)
    unknown = [lang for lang in languages if lang not in LANGUAGES]
    if unknown:
        raise ChallengeError(_("Choose languages from the list."))
    fields = ["outcomes", "lessons", "languages"]
    with transaction.atomic():
        locked = Pilot.objects.select_for_update().get(pk=pilot.pk)
        before = snapshot(locked, fields)
        locked.outcomes = results.strip()[:20000]
        locked.lessons = lessons.strip()[:8000]
        locked.languages = list(dict.fromkeys(languages))
        locked.save(update_fields=fields)
        audit_record(
            actor=user,
            action="pilot.outcomes",
            obj=locked,
            before=before,
            after=snapshot(locked, fields),
        )
    return locked


MAX_FIGURES = 30


def figure_add(
    *, pilot: Pilot, user: User, label: str, value: Decimal, unit: str = ""
) -> PilotFigure:
    _require_pilot_member(user, pilot)
    if not label.strip():
        raise ChallengeError(_("Say what the figure measures."))
    if abs(value) > Decimal("99999999999999.99"):
        raise ChallengeError(_("This number is too large."))
    with transaction.atomic():
        Pilot.objects.select_for_update().get(pk=pilot.pk)
        if PilotFigure.objects.filter(pilot=pilot).count() >= MAX_FIGURES:
            raise ChallengeError(
                _("A pilot can have at most %(count)d figures.") % {"count": MAX_FIGURES}
            )
        figure = PilotFigure.objects.create(
            pilot=pilot, label=label.strip()[:200], value=value, unit=unit.strip()[:40]
        )
        audit_record(actor=user, action="pilot.figure_add", obj=figure, after=snapshot(figure))
    return figure


def figure_remove(*, figure: PilotFigure, user: User) -> None:
    _require_pilot_member(user, figure.pilot)
    with transaction.atomic():
        audit_record(actor=user, action="pilot.figure_remove", obj=figure, before=snapshot(figure))
        figure.delete()


def pilot_topics(pilot: Pilot) -> list[Concept]:
    """The topics of the challenges the pilot answers; the round's focus when it names none."""
    proposal = pilot.proposal
    topics: list[Concept] = []
    if proposal.idea_id is not None:
        topics = list(
            Concept.objects.filter(challenges__ideas=proposal.idea_id).distinct().order_by("key")
        )
    return topics or list(proposal.round.topics.order_by("key"))


def pilot_url(pilot: Pilot, language: str) -> str:
    from django.conf import settings
    from django.urls import reverse

    with translation.override(language):
        path = reverse("challenges:pilot", kwargs={"pk": pilot.pk})
    return f"{settings.SITE_URL}{path}"


def round_url(round_: Round, language: str) -> str:
    from django.conf import settings
    from django.urls import reverse

    with translation.override(language):
        path = reverse("challenges:round", kwargs={"slug": round_.slug})
    return f"{settings.SITE_URL}{path}"


def _results_text(pilot: Pilot, figures: Sequence[PilotFigure]) -> str:
    """The library page's text: results, lessons and the figures as the consortium gave them."""
    parts = [pilot.outcomes.strip()]
    if pilot.lessons.strip():
        parts.append(pilot.lessons.strip())
    parts.extend(f"- {f.label}: {floatformat(f.value, '-2')} {f.unit}".rstrip() for f in figures)
    return "\n\n".join(p for p in parts if p)


def pilot_publish_results(*, pilot: Pilot, user: User) -> Pilot:
    """Publish the pilot's results: its library page is made or brought up to date in the
    same transaction, in the pilot's languages, with the challenges' topics, the
    consortium as organisations and the round's directory offer; the page names the
    pilot page as its source and the pilot links to the page. The pilot is finished.
    """
    from cityexchange.library.models import Resource, ResourceKind, ResourceStatus, Visibility
    from cityexchange.library.services import resource_create, resource_update

    if not (is_staff_or_admin(user) or _is_member(user, pilot.proposal.lead_id)):
        raise ChallengeError(_("Only the lead organisation and network staff can do this."))
    with transaction.atomic():
        locked = (
            # Only the pilot's row; its library page is read after the lock (a join read
            # with the lock would give a second publisher the page as it was before).
            Pilot.objects.select_for_update(of=("self",))
            .select_related("proposal__round", "proposal__lead")
            .get(pk=pilot.pk)
        )
        if not locked.outcomes.strip():
            raise ChallengeError(_("Write the results down before publishing them."))
        if not locked.languages:
            raise ChallengeError(_("Say in which languages the results are written."))
        figures = list(locked.figures.all())
        organisations = list(
            Organisation.objects.filter(pk__in=pilot_organisation_ids(locked)).order_by("name")
        )
        round_ = locked.proposal.round
        now = timezone.now()
        values: dict[str, Any] = {
            "title": {lang: locked.title for lang in locked.languages},
            "summary": {locked.languages[0]: locked.outcomes.strip()[:600]},
            "topics": pilot_topics(locked),
            "organisations": organisations,
            "offers": [round_.offer] if round_.offer_id else [],
            "body": _results_text(locked, figures),
            "languages": list(locked.languages),
            "countries": sorted(
                {str(o.country) for o in organisations if o.country and o.kind in CITY_KINDS}
            ),
            "source_url": pilot_url(locked, locked.languages[0]),
            "status": ResourceStatus.PUBLISHED,
        }
        existing = (
            Resource.objects.filter(pk=locked.resource_id).first()
            if locked.resource_id is not None
            else None
        )
        if existing is None:
            resource = resource_create(
                actor=user,
                slug=_free_resource_slug(f"pilot-{round_.slug}-{locked.pk}"),
                kind=ResourceKind.STUDY,
                visibility=Visibility.PUBLIC,
                published_on=now.date(),
                is_demo=locked.is_demo,
                **values,
            )
        else:
            resource = resource_update(resource=existing, actor=user, announced_at=now, **values)
        before = snapshot(locked, ["status", "resource", "results_published_at"])
        locked.resource = resource
        locked.results_published_at = now
        locked.status = PilotStatus.FINISHED
        locked.save(update_fields=["resource", "results_published_at", "status"])
        audit_record(
            actor=user,
            action="pilot.publish_results",
            obj=locked,
            before=before,
            after=snapshot(locked, ["status", "resource", "results_published_at"]),
        )
    return locked


def _free_resource_slug(base: str) -> str:
    from cityexchange.library.models import Resource

    slug, n = base[:110], 2
    while Resource.objects.filter(slug=slug).exists():
        slug, n = f"{base[:105]}-{n}", n + 1
    return slug


# ---------------------------------------------------------------- the round in the directory


def round_offer_sync(*, round: Round, user: Any) -> Any:
    """The round's offer in the directory, made or brought up to date from the round's own
    facts (names, description, organiser, topics, languages, dates, rules' countries); it
    links to the round page. A challenge round asks for months of work and pays pilots."""
    from cityexchange.core.datafiles import LANGUAGES
    from cityexchange.directory.enums import Cost, Effort, Format, OfferKind, OfferStatus
    from cityexchange.directory.models import Offer
    from cityexchange.directory.services import directory_changed

    if user is not None:
        _require_staff(user)
    with transaction.atomic():
        locked = _lock_round(round)
        stages = list(locked.stages.all())
        starts = min((s.opens_at for s in stages), default=None)
        ends = max((s.closes_at for s in stages), default=None)
        calls = [s for s in stages if s.kind == StageKind.CHALLENGES]
        now = timezone.now()
        fields: dict[str, Any] = {
            "kind": OfferKind.CHALLENGE,
            "languages": list(locked.languages),
            "format": Format.MIXED,
            "cost": Cost.FUNDED if locked.sizes.exists() else Cost.FREE,
            "effort": Effort.HIGH,
            "starts_on": timezone.localdate(starts) if starts else None,
            "ends_on": timezone.localdate(ends) if ends else None,
            "deadline": timezone.localdate(calls[0].closes_at) if calls else None,
            "url": round_url(locked, locked.languages[0] if locked.languages else "en"),
            "status": OfferStatus.ENDED if ends and ends <= now else OfferStatus.ACTIVE,
        }
        for lang in LANGUAGES:
            fields[f"name_{lang}"] = (getattr(locked, f"name_{lang}", "") or "")[:250]
            fields[f"description_{lang}"] = getattr(locked, f"description_{lang}", "") or ""
        fields["name"] = (locked.name or locked.slug)[:250]
        fields["description"] = locked.description
        offer = locked.offer
        if offer is None:
            slug = f"round-{locked.slug}"[:80]
            offer = Offer.objects.filter(slug=slug).first()
        before = snapshot(offer) if offer is not None else None
        if offer is None:
            offer = Offer(slug=f"round-{locked.slug}"[:80], **fields)
        else:
            for name, value in fields.items():
                setattr(offer, name, value)
        offer.save()
        offer.organisers.set([locked.organiser])
        offer.topics.set(list(locked.topics.all()))
        audit_record(
            actor=user,
            action="directory.offer_update" if before else "directory.offer_create",
            obj=offer,
            before=before,
            after=snapshot(offer),
        )
        if locked.offer_id != offer.pk:
            locked.offer = offer
            locked.save(update_fields=["offer"])
            audit_record(actor=user, action="round.offer", obj=locked, after={"offer": offer.slug})
        directory_changed()
    round.offer = offer
    return offer
