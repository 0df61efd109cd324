"""Who may see and change what in the challenge programme.

A challenge belongs to its city: the city's members edit it, everyone sees it
once published. A proposal is seen by the members of its consortium (invited
or accepted), by staff, and by evaluators of the round who are not conflicted
on it; scores are seen by staff only. Everyone else gets a 404.
"""

from __future__ import annotations

from typing import Any

import rules

from cityexchange.core.models import Membership
from cityexchange.core.rules import is_staff_or_admin


def _organisations_of(user: Any) -> set[int]:
    # Cached on the user object: one query per request, however many checks.
    cached = getattr(user, "_challenges_organisations", None)
    if cached is None:
        cached = set(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
        user._challenges_organisations = cached
    return cached


def member_of(user: Any, organisation_id: int | None) -> bool:
    if not user.is_authenticated or organisation_id is None:
        return False
    return organisation_id in _organisations_of(user)


@rules.predicate
def is_city_member(user: Any, challenge: Any) -> bool:
    return challenge is not None and member_of(user, challenge.city_id)


@rules.predicate
def is_published(user: Any, challenge: Any) -> bool:
    return challenge is not None and challenge.status == "published"


@rules.predicate
def is_idea_member(user: Any, idea: Any) -> bool:
    return idea is not None and member_of(user, idea.organisation_id)


@rules.predicate
def is_selected_idea(user: Any, idea: Any) -> bool:
    return idea is not None and idea.status == "selected"


@rules.predicate
def is_lead_member(user: Any, proposal: Any) -> bool:
    return proposal is not None and member_of(user, proposal.lead_id)


@rules.predicate
def is_consortium_member(user: Any, proposal: Any) -> bool:
    if proposal is None or not user.is_authenticated:
        return False
    mine = _organisations_of(user)
    if proposal.lead_id in mine:
        return True
    return any(m.organisation_id in mine and m.status != "declined" for m in proposal.members.all())


@rules.predicate
def is_unconflicted_evaluator(user: Any, proposal: Any) -> bool:
    if proposal is None or not user.is_authenticated or proposal.status in ("draft", "withdrawn"):
        return False
    from cityexchange.challenges.models import Evaluator

    evaluator = Evaluator.objects.filter(round_id=proposal.round_id, user=user).first()
    if evaluator is None:
        return False
    return not evaluator.conflicts.filter(proposal=proposal).exists()


rules.add_perm("challenges.view_challenge", is_published | is_city_member | is_staff_or_admin)
rules.add_perm("challenges.change_challenge", is_city_member)
rules.add_perm("challenges.view_interests", is_city_member | is_staff_or_admin)
rules.add_perm("challenges.review_challenge", is_staff_or_admin)
rules.add_perm("challenges.view_idea", is_selected_idea | is_idea_member | is_staff_or_admin)
rules.add_perm("challenges.change_idea", is_idea_member)
rules.add_perm(
    "challenges.view_proposal",
    is_consortium_member | is_staff_or_admin | is_unconflicted_evaluator,
)
rules.add_perm("challenges.change_proposal", is_lead_member)
rules.add_perm("challenges.evaluate_proposal", is_unconflicted_evaluator)
rules.add_perm("challenges.manage_round", is_staff_or_admin)


@rules.predicate
def is_pilot_member(user: Any, pilot: Any) -> bool:
    """A member of an organisation that carries out the pilot (lead or accepted partner)."""
    if pilot is None or not user.is_authenticated:
        return False
    mine = _organisations_of(user)
    proposal = pilot.proposal
    if proposal.lead_id in mine:
        return True
    return any(m.organisation_id in mine and m.status == "accepted" for m in proposal.members.all())


@rules.predicate
def is_pilot_lead(user: Any, pilot: Any) -> bool:
    return pilot is not None and member_of(user, pilot.proposal.lead_id)


# Pilots are public; their reports are the consortium's and staff's business.
rules.add_perm("challenges.view_pilot_reports", is_pilot_member | is_staff_or_admin)
rules.add_perm("challenges.change_pilot", is_pilot_member | is_staff_or_admin)
rules.add_perm("challenges.report_pilot", is_pilot_member)
rules.add_perm("challenges.publish_pilot", is_pilot_lead | is_staff_or_admin)
