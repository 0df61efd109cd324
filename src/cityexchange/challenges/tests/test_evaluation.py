"""The committee scores, declares conflicts; the panel shows mean, spread and disagreement;
staff decide within the budget and the number of pilots, and applicants get mail."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cityexchange.challenges import selectors, services
from cityexchange.challenges.models import Criterion, Pilot, ProposalStatus, Score
from cityexchange.challenges.tests.conftest import full_consortium
from cityexchange.core.models import Organisation, User

pytestmark = pytest.mark.django_db


def _scores(round_: Any, values: tuple[int, int]) -> list[services.ScoreInput]:
    criteria = list(Criterion.objects.filter(round=round_))
    return [
        services.ScoreInput(criterion=c, value=v, comment=f"c{v}")
        for c, v in zip(criteria, values, strict=True)
    ]


def test_an_evaluator_with_a_conflict_neither_sees_nor_scores_the_proposal(
    submitted_proposal: Any, evaluator: Any, evaluator2: Any
) -> None:
    round_ = submitted_proposal.round
    services.scores_save(
        proposal=submitted_proposal, user=evaluator, scores=_scores(round_, (4, 4))
    )
    assert evaluator.has_perm("challenges.view_proposal", submitted_proposal)
    services.conflict_declare(
        proposal=submitted_proposal, user=evaluator, reason="I advised the lead."
    )
    # The scores given before the declaration no longer count.
    assert not Score.objects.filter(evaluator__user=evaluator).exists()
    assert not evaluator.has_perm("challenges.view_proposal", submitted_proposal)
    with pytest.raises(services.ChallengeError, match="conflict"):
        services.scores_save(
            proposal=submitted_proposal, user=evaluator, scores=_scores(round_, (1, 1))
        )
    assert evaluator2.has_perm("challenges.evaluate_proposal", submitted_proposal)


def test_scores_outside_the_scale_or_by_someone_off_the_committee_are_refused(
    submitted_proposal: Any, evaluator: Any, outsider: Any
) -> None:
    round_ = submitted_proposal.round
    with pytest.raises(services.ChallengeError, match="between 0 and 5"):
        services.scores_save(
            proposal=submitted_proposal, user=evaluator, scores=_scores(round_, (6, 1))
        )
    with pytest.raises(services.ChallengeError, match="committee"):
        services.scores_save(
            proposal=submitted_proposal, user=outsider, scores=_scores(round_, (1, 1))
        )
    assert not Score.objects.exists()


def test_a_draft_proposal_is_not_shown_to_evaluators(proposal: Any, evaluator: Any) -> None:
    assert not evaluator.has_perm("challenges.view_proposal", proposal)


def test_the_panel_shows_mean_spread_and_flags_disagreement(
    submitted_proposal: Any, evaluator: Any, evaluator2: Any
) -> None:
    round_ = submitted_proposal.round
    round_.disagreement_margin = Decimal("3")
    round_.save()
    services.scores_save(
        proposal=submitted_proposal, user=evaluator, scores=_scores(round_, (5, 5))
    )
    services.scores_save(
        proposal=submitted_proposal, user=evaluator2, scores=_scores(round_, (2, 3))
    )
    [row] = selectors.panel(round_)
    assert row.totals == [5, 10]
    assert row.mean == Decimal("7.5") and row.spread == 5
    assert row.disagree is True
    round_.disagreement_margin = Decimal("5")
    round_.save()
    assert selectors.panel(round_)[0].disagree is False


def _row_cells(page: str, pk: int) -> list[str]:
    """The texts of the cells of the panel's row for proposal ``pk``."""
    match = re.search(rf'<tr id="panel-{pk}">(.*?)</tr>', page, re.S)
    assert match is not None
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells]


@pytest.mark.parametrize(
    ("language", "mean", "flag"),
    [("de", "7,5", "Gutachtende uneinig"), ("es", "7,5", "Los evaluadores discrepan")],
)
def test_the_panel_page_shows_totals_mean_spread_the_flag_and_conflicts(
    submitted_proposal: Any,
    evaluator: Any,
    evaluator2: Any,
    staff: Any,
    language: str,
    mean: str,
    flag: str,
) -> None:
    round_ = submitted_proposal.round
    round_.disagreement_margin = Decimal("3")
    round_.save()
    services.scores_save(
        proposal=submitted_proposal, user=evaluator, scores=_scores(round_, (5, 5))
    )
    services.scores_save(
        proposal=submitted_proposal, user=evaluator2, scores=_scores(round_, (2, 3))
    )
    quiet = full_consortium(
        round_,
        lead_user=submitted_proposal.created_by,
        lead=submitted_proposal.lead,
        tartu=Organisation.objects.get(slug="tartu-test"),
        ee_member=User.objects.get(email="member@tartu.example"),
        research=Organisation.objects.get(slug="institute"),
        researcher=User.objects.get(email="researcher@institute.example"),
        title="Second proposal",
    )
    services.proposal_submit(proposal=quiet, user=submitted_proposal.created_by)
    services.conflict_declare(proposal=quiet, user=evaluator2, reason="I advised them.")
    client = Client()
    client.force_login(staff)
    with translation.override(language):
        url = reverse("challenges:panel", kwargs={"slug": round_.slug})
    page = client.get(url).content.decode()
    first, second = (_row_cells(page, p.pk) for p in (submitted_proposal, quiet))
    assert first[1].startswith("Flood pilot")
    # Rank, proposal, totals, mean, spread, disagreement, conflicts, consensus.
    assert [first[0], *first[2:]] == ["1", "5, 10", mean, "5", flag, "0", "–"]
    assert second[1].startswith("Second proposal")
    assert second[2:5] == ["–", "–", "–"] and second[6] == "1"
    assert page.count('class="flag"') == 1


def test_funding_respects_the_number_of_pilots_per_size_and_mails_the_applicants(
    submitted_proposal: Any,
    staff: Any,
    owner: Any,
    member: Any,
    round_: Any,
    tartu: Any,
    ee_member: Any,
    research: Any,
    researcher: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from cityexchange.core.models import User

    User.objects.filter(pk=member.pk).update(language="de")
    services.consensus_set(
        proposal=submitted_proposal, user=staff, score=Decimal("8"), comment="Strong team."
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_decide(proposal=submitted_proposal, user=staff, funded=True)
    assert Pilot.objects.filter(proposal=submitted_proposal).exists()
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2
    assert any("gefördert" in s for s in subjects), subjects
    assert any("will be funded" in s for s in subjects), subjects
    assert all("Strong team." in m.body for m in mail.outbox)
    # The round has one mid-sized pilot only.
    second = full_consortium(
        round_,
        lead_user=owner,
        lead=submitted_proposal.lead,
        tartu=tartu,
        ee_member=ee_member,
        research=research,
        researcher=researcher,
        title="Second",
    )
    services.proposal_submit(proposal=second, user=owner)
    with pytest.raises(services.ChallengeError, match="funded already"):
        services.proposal_decide(proposal=second, user=staff, funded=True)
    assert second.__class__.objects.get(pk=second.pk).status == ProposalStatus.SUBMITTED
    with pytest.raises(services.ChallengeError):
        services.proposal_decide(proposal=second, user=owner, funded=False)


def test_the_budget_of_the_round_is_never_exceeded(
    submitted_proposal: Any, staff: Any, round_: Any
) -> None:
    round_.budget = Decimal("500000")
    round_.save()
    with pytest.raises(services.ChallengeError, match="budget"):
        services.proposal_decide(proposal=submitted_proposal, user=staff, funded=True)
    assert not Pilot.objects.exists()


def test_scores_after_the_evaluation_deadline_are_refused(
    submitted_proposal: Any, evaluator: Any
) -> None:
    from cityexchange.challenges.models import StageKind
    from cityexchange.challenges.tests.conftest import close_stage

    close_stage(submitted_proposal.round, StageKind.EVALUATION)
    with pytest.raises(services.ChallengeError, match="deadline"):
        services.scores_save(
            proposal=submitted_proposal,
            user=evaluator,
            scores=_scores(submitted_proposal.round, (3, 3)),
        )
    assert not Score.objects.exists()
