"""A consortium forms under the round's rules; every unmet rule is named; budgets add up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from cityexchange.challenges import services
from cityexchange.challenges.models import (
    ConsortiumMember,
    PilotProposal,
    ProposalStatus,
    StageKind,
)
from cityexchange.challenges.tests.conftest import close_stage

pytestmark = pytest.mark.django_db


def _missing(proposal: PilotProposal) -> list[str]:
    return [c.missing for c in services.consortium_check(proposal) if not c.met]


def test_the_rules_are_checked_as_the_consortium_forms(
    round_: Any,
    owner: Any,
    municipality: Any,
    tartu: Any,
    ee_member: Any,
    research: Any,
    researcher: Any,
) -> None:
    size = round_.sizes.get(key="large")
    proposal = services.proposal_create(
        round=round_, lead=municipality, size=size, user=owner, title="Pilot"
    )
    assert _missing(proposal) == [
        "at least 2 cities are needed (1 so far)",
        "at least 1 city from Estonia is needed",
        "at least 1 research or development organisation is needed",
    ]
    invitation = services.member_invite(proposal=proposal, organisation=tartu, user=owner)
    # An invitation counts only once a member of the invited city accepts it.
    assert len(_missing(proposal)) == 3
    with pytest.raises(services.ChallengeError):
        services.member_answer(member=invitation, user=owner, accept=True)
    services.member_answer(
        member=invitation, user=ee_member, accept=True, commitment="Tartu commits staff."
    )
    assert _missing(proposal) == ["at least 1 research or development organisation is needed"]
    with translation.override("de"):
        assert _missing(proposal) == [
            "mindestens 1 Forschungs- oder Entwicklungseinrichtung wird benötigt"
        ]
    research_invite = services.member_invite(proposal=proposal, organisation=research, user=owner)
    services.member_answer(member=research_invite, user=researcher, accept=True)
    assert _missing(proposal) == []


def test_a_consortium_of_estonian_cities_only_misses_the_other_country(
    round_: Any, tartu: Any, ee_member: Any, research: Any, researcher: Any
) -> None:
    from cityexchange.core.services import membership_add
    from cityexchange.core.tests.factories import OrganisationFactory

    narva = OrganisationFactory(name="Narva test", country="EE")
    membership_add(user=ee_member, organisation=narva)
    proposal = services.proposal_create(
        round=round_,
        lead=tartu,
        size=round_.sizes.get(key="large"),
        user=ee_member,
        title="EE only",
    )
    services.member_answer(
        member=services.member_invite(proposal=proposal, organisation=narva, user=ee_member),
        user=ee_member,
        accept=True,
    )
    services.member_answer(
        member=services.member_invite(proposal=proposal, organisation=research, user=ee_member),
        user=researcher,
        accept=True,
    )
    with translation.override("es"):
        assert _missing(proposal) == [
            "se necesita al menos 1 ciudad de un país distinto de Estonia"
        ]


def test_a_proposal_breaking_the_rules_is_refused_and_stays_a_draft(
    round_: Any, owner: Any, municipality: Any
) -> None:
    proposal = services.proposal_create(
        round=round_,
        lead=municipality,
        size=round_.sizes.get(key="large"),
        user=owner,
        title="Alone",
    )
    with pytest.raises(services.ChallengeError, match="at least 1 city from Estonia is needed"):
        services.proposal_submit(proposal=proposal, user=owner)
    assert PilotProposal.objects.get(pk=proposal.pk).status == ProposalStatus.DRAFT


def test_a_proposal_meeting_the_rules_is_handed_in_and_then_fixed(
    proposal: Any, owner: Any, outsider: Any
) -> None:
    services.proposal_submit(proposal=proposal, user=owner)
    assert PilotProposal.objects.get(pk=proposal.pk).status == ProposalStatus.SUBMITTED
    with pytest.raises(services.ChallengeError, match="fixed"):
        services.member_invite(
            proposal=proposal, organisation=outsider.memberships.get().organisation, user=owner
        )


def test_a_late_proposal_is_refused(proposal: Any, owner: Any) -> None:
    close_stage(proposal.round, StageKind.PILOT_PROPOSALS)
    with pytest.raises(services.ChallengeError, match="deadline"):
        services.proposal_submit(proposal=proposal, user=owner)
    assert PilotProposal.objects.get(pk=proposal.pk).status == ProposalStatus.DRAFT


def test_budgets_may_add_up_to_the_sizes_amount_but_never_more(
    proposal: Any, owner: Any, researcher: Any
) -> None:
    lead = proposal.members.get(role="lead")
    # mid-sized: 860,000; the partners hold 2 × 100,000.
    services.member_budget_set(member=lead, user=owner, budget=Decimal("660000"))
    with pytest.raises(services.ChallengeError, match="more than"):
        services.member_budget_set(member=lead, user=owner, budget=Decimal("660000.01"))
    assert ConsortiumMember.objects.get(pk=lead.pk).budget == Decimal("660000")
    with pytest.raises(services.ChallengeError):
        services.member_budget_set(member=lead, user=researcher, budget=Decimal("1"))
    with pytest.raises(services.ChallengeError):
        services.member_budget_set(member=lead, user=owner, budget=Decimal("-1"))


def test_only_the_invited_organisation_answers_and_only_once(
    round_: Any, owner: Any, municipality: Any, tartu: Any, ee_member: Any, outsider: Any
) -> None:
    proposal = services.proposal_create(
        round=round_, lead=municipality, size=round_.sizes.get(key="large"), user=owner, title="P"
    )
    invitation = services.member_invite(proposal=proposal, organisation=tartu, user=owner)
    with pytest.raises(services.ChallengeError):
        services.member_answer(member=invitation, user=outsider, accept=True)
    services.member_answer(member=invitation, user=ee_member, accept=False)
    with pytest.raises(services.ChallengeError, match="already been answered"):
        services.member_answer(member=invitation, user=ee_member, accept=True)
    # A declined organisation can be invited again.
    again = services.member_invite(proposal=proposal, organisation=tartu, user=owner)
    assert again.status == "invited"


def test_consortium_members_see_the_proposal_and_outsiders_do_not(
    proposal: Any,
    owner: Any,
    member: Any,
    ee_member: Any,
    researcher: Any,
    outsider: Any,
    staff: Any,
) -> None:
    for user in (owner, member, ee_member, researcher, staff):
        assert user.has_perm("challenges.view_proposal", proposal), user
    assert not outsider.has_perm("challenges.view_proposal", proposal)
    assert owner.has_perm("challenges.change_proposal", proposal)
    assert not ee_member.has_perm("challenges.change_proposal", proposal)
