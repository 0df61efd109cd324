"""The pages: start, answer one dimension per page, review, submit, results, roadmap, exports."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cityexchange.assessments.forms import fingerprint
from cityexchange.assessments.models import Answer, Assessment, AssessmentStatus, RoadmapItem
from cityexchange.assessments.services import assessment_submit

from .conftest import answer_all

GOVERNANCE = "strategy-governance"
DATA = "data-interoperability"


def _client(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _page_urls(assessment: Any) -> list[str]:
    pk = assessment.pk
    return [
        reverse("assessments:review", kwargs={"id": pk}),
        reverse("assessments:answer", kwargs={"id": pk, "dimension": GOVERNANCE}),
        reverse("assessments:results", kwargs={"id": pk}),
        reverse("assessments:roadmap", kwargs={"id": pk}),
        reverse("assessments:roadmap_csv", kwargs={"id": pk}),
        reverse("assessments:roadmap_pdf", kwargs={"id": pk}),
    ]


def _post_page(
    client: Client, assessment: Any, dimension: str, answers: dict[str, Any], action: str = "next"
) -> Any:
    """Post a dimension page as a browser would: every indicator's fields with their original."""
    page = client.get(
        reverse("assessments:answer", kwargs={"id": assessment.pk, "dimension": dimension})
    )
    form_data: dict[str, str] = {"action": action}
    for row in page.context["rows"]:
        key = row["indicator"].key
        form = row["form"]
        form_data[f"{key}-choice"] = form["choice"].value() or ""
        form_data[f"{key}-notes"] = form["notes"].value() or ""
        form_data[f"{key}-evidence"] = form["evidence"].value() or ""
        form_data[f"{key}-original"] = form["original"].value()
    for key, values in answers.items():
        for field, value in values.items():
            form_data[f"{key}-{field}"] = value
    return client.post(
        reverse("assessments:answer", kwargs={"id": assessment.pk, "dimension": dimension}),
        form_data,
    )


def test_the_start_page_explains_and_asks_visitors_to_sign_in(
    client: Client, maturity_model: Any
) -> None:
    response = client.get(reverse("assessments:start"))
    assert response.status_code == 200
    assert b"Strategy and governance" in response.content
    assert b"Sign in to start" in response.content


def test_a_member_starts_an_assessment_for_the_municipality(
    maturity_model: Any, member: Any, municipality: Any
) -> None:
    client = _client(member)
    response = client.post(reverse("assessments:start"), {"organisation": municipality.slug})
    assessment = Assessment.objects.get()
    assert assessment.organisation == municipality and assessment.maturity_model == maturity_model
    assert response.url == reverse(
        "assessments:answer", kwargs={"id": assessment.pk, "dimension": GOVERNANCE}
    )
    listing = client.get(reverse("assessments:start"))
    assert b"Continue the draft of Lindenau" in listing.content


def test_nobody_starts_an_assessment_for_a_municipality_they_do_not_belong_to(
    maturity_model: Any, outsider: Any, staff: Any, municipality: Any
) -> None:
    response = _client(outsider).post(
        reverse("assessments:start"), {"organisation": municipality.slug}
    )
    assert response.status_code == 400
    staff_response = _client(staff).post(
        reverse("assessments:start"), {"organisation": municipality.slug}
    )
    assert staff_response.status_code == 400
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize("index", range(6))
def test_every_page_is_open_to_the_team_and_staff_and_hidden_from_outsiders(
    assessment: Any, owner: Any, member: Any, outsider: Any, staff: Any, index: int
) -> None:
    assessment_submit(assessment=assessment, user=owner)
    url = _page_urls(assessment)[index]
    assert _client(owner).get(url).status_code == 200
    assert _client(member).get(url).status_code == 200
    assert _client(staff).get(url).status_code == 200
    assert _client(outsider).get(url).status_code == 404
    assert _client(None).get(url).status_code == 302


def test_writes_are_refused_to_outsiders_with_404_and_to_staff_with_403(
    assessment: Any, outsider: Any, staff: Any
) -> None:
    url = reverse("assessments:answer", kwargs={"id": assessment.pk, "dimension": GOVERNANCE})
    data = {"smart-city-strategy-choice": "3", "action": "next"}
    assert _client(outsider).post(url, data).status_code == 404
    assert _client(staff).post(url, data).status_code == 403
    submit = reverse("assessments:submit", kwargs={"id": assessment.pk})
    assert _client(outsider).post(submit).status_code == 404
    assert _client(staff).post(submit).status_code == 403
    assert not Answer.objects.exists()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT


def test_save_and_continue_saves_the_draft_and_opens_the_next_dimension(
    assessment: Any, member: Any
) -> None:
    client = _client(member)
    response = _post_page(
        client,
        assessment,
        GOVERNANCE,
        {
            "smart-city-strategy": {"choice": "2", "notes": "Council decision 2024"},
            "digital-lead": {"choice": "unknown"},
        },
    )
    assert response.status_code == 302
    assert response.url.endswith(f"/answer/{DATA}/")
    strategy = Answer.objects.get(indicator__key="smart-city-strategy")
    assert (strategy.level, strategy.notes, strategy.updated_by) == (
        2,
        "Council decision 2024",
        member,
    )
    assert Answer.objects.get(indicator__key="digital-lead").dont_know
    # Untouched indicators are not written at all.
    assert not Answer.objects.filter(indicator__key="budget").exists()
    back = _post_page(client, assessment, DATA, {"open-data": {"choice": "1"}}, action="back")
    assert back.url.endswith(f"/answer/{GOVERNANCE}/")
    assert Answer.objects.get(indicator__key="open-data").level == 1


def test_a_validation_error_keeps_everything_typed_and_saves_the_valid_answers(
    assessment: Any, member: Any
) -> None:
    client = _client(member)
    response = _post_page(
        client,
        assessment,
        GOVERNANCE,
        {
            "smart-city-strategy": {"choice": "3", "notes": "Adopted in May"},
            "digital-lead": {"choice": "1", "notes": "Half a post", "evidence": "not a link"},
        },
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Half a post" in content and "not a link" in content
    assert "is not a web address" in content
    assert 'id="digital-lead-level-1" name="digital-lead-choice" value="1" checked' in content
    assert Answer.objects.get(indicator__key="smart-city-strategy").level == 3
    assert not Answer.objects.filter(indicator__key="digital-lead").exists()


def test_two_members_saving_the_same_page_do_not_overwrite_each_others_answers(
    assessment: Any, owner: Any, member: Any
) -> None:
    url = reverse("assessments:answer", kwargs={"id": assessment.pk, "dimension": GOVERNANCE})
    # Both open the empty page; the owner answers the strategy, the member the budget.
    blank = fingerprint("", "", "")
    base = {f"{key}-original": blank for key in ("smart-city-strategy", "digital-lead", "budget")}
    _client(owner).post(url, {**base, "smart-city-strategy-choice": "4", "action": "save"})
    _client(member).post(url, {**base, "budget-choice": "2", "action": "save"})
    levels = dict(Answer.objects.values_list("indicator__key", "level"))
    assert levels == {"smart-city-strategy": 4, "budget": 2}


def test_a_submitted_assessment_is_read_only(assessment: Any, owner: Any) -> None:
    answer_all(assessment, owner, {"smart-city-strategy": 1})
    assessment_submit(assessment=assessment, user=owner)
    client = _client(owner)
    page = client.get(
        reverse("assessments:answer", kwargs={"id": assessment.pk, "dimension": GOVERNANCE})
    )
    assert b'<fieldset class="levels" disabled>' in page.content
    response = client.post(
        reverse("assessments:answer", kwargs={"id": assessment.pk, "dimension": GOVERNANCE}),
        {"smart-city-strategy-choice": "4", "smart-city-strategy-original": "x", "action": "next"},
    )
    assert response.status_code == 302
    assert Answer.objects.get(indicator__key="smart-city-strategy").level == 1
    again = client.post(reverse("assessments:submit", kwargs={"id": assessment.pk}))
    assert again.status_code == 302


def test_submitting_freezes_the_scores_and_plans_a_roadmap(assessment: Any, member: Any) -> None:
    answer_all(assessment, member, {"smart-city-strategy": 2, "digital-lead": 0, "open-data": None})
    response = _client(member).post(reverse("assessments:submit", kwargs={"id": assessment.pk}))
    assert response.url == reverse("assessments:results", kwargs={"id": assessment.pk})
    assessment.refresh_from_db()
    assert assessment.is_submitted and assessment.submitted_by == member
    assert assessment.dimension_scores == {GOVERNANCE: 0.7, DATA: 0.0}
    assert assessment.overall_score == 0.3
    assert RoadmapItem.objects.filter(assessment=assessment).exists()


def test_the_results_page_shows_the_rule_an_accessible_chart_and_its_table(
    assessment: Any, member: Any
) -> None:
    answer_all(assessment, member, {"smart-city-strategy": 4, "digital-lead": 2, "budget": None})
    response = _client(member).get(reverse("assessments:results", kwargs={"id": assessment.pk}))
    content = response.content.decode()
    assert "How the scores are calculated" in content
    assert 'role="img"' in content and '<title id="radar-title">' in content
    assert '<desc id="radar-desc">' in content
    assert "<caption>Score, target and certainty per dimension (scale 0–4)</caption>" in content
    assert "<td>2.0</td>" in content  # (4 + 2 + 0) / 3
    assert "Preliminary results" in content


def test_the_results_page_is_german_in_german(assessment: Any, member: Any) -> None:
    url = reverse("assessments:results", kwargs={"id": assessment.pk}).replace("/en/", "/de/")
    content = _client(member).get(url).content.decode()
    assert "So werden die Werte berechnet" in content
    assert "Strategy and governance (de)" in content


def test_members_set_targets_and_the_roadmap_follows(assessment: Any, owner: Any) -> None:
    answer_all(
        assessment,
        owner,
        {
            k: 1
            for k in ("smart-city-strategy", "digital-lead", "budget", "open-data", "data-platform")
        },
    )
    assessment_submit(assessment=assessment, user=owner)
    planned = set(RoadmapItem.objects.values_list("activity__key", flat=True))
    assert "publish-open-data" in planned  # default target 2 > level 1
    client = _client(owner)
    response = client.post(
        reverse("assessments:results", kwargs={"id": assessment.pk}),
        {GOVERNANCE: "3", DATA: "1"},
    )
    assert response.status_code == 302
    planned = set(RoadmapItem.objects.values_list("activity__key", flat=True))
    assert "publish-open-data" not in planned and "adopt-strategy" in planned
    bad = client.post(
        reverse("assessments:results", kwargs={"id": assessment.pk}), {GOVERNANCE: "7", DATA: "1"}
    )
    assert bad.status_code == 400
    assert assessment.targets.get(dimension__key=GOVERNANCE).level == 3


def test_answers_sent_after_the_session_ended_come_back_after_signing_in(
    assessment: Any, member: Any
) -> None:
    url = reverse("assessments:answer", kwargs={"id": assessment.pk, "dimension": GOVERNANCE})
    client = Client()  # the session has ended: nobody is signed in any more
    response = client.post(
        url,
        {
            "smart-city-strategy-choice": "3",
            "smart-city-strategy-notes": "Typed before the session ended",
            "smart-city-strategy-original": fingerprint("", "", ""),
            "action": "next",
        },
    )
    assert response.status_code == 302 and "/login/" in response.url
    assert not Answer.objects.exists()
    client.force_login(member)
    page = client.get(url).content.decode()
    assert "Typed before the session ended" in page
    assert (
        'id="smart-city-strategy-level-3" name="smart-city-strategy-choice" value="3" checked'
        in page
    )
    assert "Your session had ended" in page
    # Given back once: the next visit shows what is stored.
    assert "Typed before the session ended" not in client.get(url).content.decode()


@pytest.mark.parametrize(
    "model_name", ["maturitymodel", "dimension", "indicator", "activity", "assessment"]
)
def test_the_back_office_lists_the_model_and_assessments(
    admin_client: Client, assessment: Any, model_name: str
) -> None:
    response = admin_client.get(f"/en/admin/assessments/{model_name}/")
    assert response.status_code == 200
    from cityexchange.assessments.models import Indicator

    indicator = Indicator.objects.first()
    assert (
        admin_client.get(f"/en/admin/assessments/indicator/{indicator.pk}/change/").status_code
        == 200
    )


def test_an_error_is_announced_with_its_field(assessment: Any, member: Any) -> None:
    response = _post_page(
        _client(member), assessment, GOVERNANCE, {"budget": {"evidence": "ftp://old.example"}}
    )
    content = response.content.decode()
    assert 'aria-invalid="true"' in content
    assert 'aria-describedby="id_budget-evidence_error id_budget-evidence_helptext"' in content
    assert 'id="id_budget-evidence_error"' in content


def test_assessing_again_shows_the_history(assessment: Any, owner: Any, municipality: Any) -> None:
    from cityexchange.assessments.services import assessment_start

    answer_all(assessment, owner, {"smart-city-strategy": 1})
    assessment_submit(assessment=assessment, user=owner)
    second = assessment_start(organisation=municipality, user=owner)
    answer_all(second, owner, {"smart-city-strategy": 4, "open-data": 3})
    assessment_submit(assessment=second, user=owner)
    content = (
        _client(owner)
        .get(reverse("assessments:results", kwargs={"id": second.pk}))
        .content.decode()
    )
    assert "<caption>Overall score of each submitted assessment</caption>" in content
    assert 'class="history-chart"' in content and '<title id="history-title">' in content
    assert content.count("<td>test.1</td>") == 2


def test_the_openapi_document_lists_the_assessment_endpoints(db: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/assessments/model",
        "/api/v1/assessments",
        "/api/v1/assessments/{assessment_id}/answers/{indicator_key}",
        "/api/v1/assessments/{assessment_id}/roadmap",
    } <= paths


def test_an_anonymous_post_cannot_grow_the_session(client: Client, assessment: Any) -> None:
    from django.contrib.sessions.models import Session

    url = f"/en/self-assessment/{assessment.pk}/answer/{assessment.maturity_model.dimensions.first().key}/"
    padding = "x" * 100_000
    for n in range(8):
        client.post(
            url + f"?n={n}",
            {
                "smart-city-strategy-notes": "Kept, " + padding,
                **{f"junk-{i}": padding for i in range(4)},
                "unrelated": padding,
            },
        )
    stored = Session.objects.get(session_key=client.session.session_key)
    assert len(stored.session_data) < 100_000
    data = client.session["assessments:pending_answers"]
    kept = next(iter(data.values()))
    assert set(kept) == {"action", "smart-city-strategy-notes"}
    assert len(kept["smart-city-strategy-notes"]) == 4000


def test_a_body_larger_than_any_form_needs_is_refused(client: Client, assessment: Any) -> None:
    url = f"/en/self-assessment/{assessment.pk}/answer/smart-city-strategy/"
    response = client.post(url, {"smart-city-strategy-notes": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
