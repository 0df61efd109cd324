"""Two team members on the same answer, and the staff overview, in a real browser.

The second member sees both answers and chooses with the keyboard; the
conflict page and the staff overview have no axe violations (German and
Portuguese).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cityexchange.core.tests.browser import axe_violations, describe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "src/cityexchange/assessments/tests/fixtures/small_model.yaml"
)


@pytest.fixture
def assessment(db: Any, owner: Any, municipality: Any) -> Any:
    from cityexchange.assessments.loading import load_model
    from cityexchange.assessments.services import assessment_start
    from cityexchange.core.models import Concept

    for key in ("governance", "open-data"):
        Concept.objects.get_or_create(key=key, defaults={"label": key})
    load_model(FIXTURE)
    return assessment_start(organisation=municipality, user=owner)


def _sign_in(page: Any, base: str, language: str, user: Any) -> None:
    page.goto(f"{base}/{language}/login/?next=/{language}/self-assessment/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", "correct horse battery")
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}/{language}/self-assessment/")


@pytest.mark.parametrize("language", ["de", "pt"])
def test_a_member_resolves_a_conflict_with_a_teammate_and_the_page_is_accessible(
    live_server: Any, page: Any, assessment: Any, owner: Any, member: Any, language: str
) -> None:
    from cityexchange.assessments.models import Answer, Indicator
    from cityexchange.assessments.services import AnswerInput, answers_save

    base = live_server.url
    _sign_in(page, base, language, member)
    page.goto(f"{base}/{language}/self-assessment/{assessment.pk}/answer/strategy-governance/")
    # While the member's page is open, the owner saves the budget answer.
    budget = Indicator.objects.get(key="budget")
    answers_save(
        assessment=assessment,
        answers=[AnswerInput(indicator=budget, level=2, dont_know=False, notes="Owner's note")],
        user=owner,
    )
    page.check("#budget-level-3")
    page.fill("#id_budget-notes", "Member's note")
    page.click("button[value=next]")
    page.wait_for_selector("#conflict-budget")
    assert "Owner's note" in page.locator("#conflict-budget").inner_text()
    screenshot(page, f"assessments-conflict-{language}")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    page.locator("#budget-resolve-mine").focus()
    page.keyboard.press("Space")
    page.click("button[value=next]")
    page.wait_for_url("**/answer/data-interoperability/")
    stored = Answer.objects.get(indicator=budget)
    assert (stored.level, stored.notes) == (3, "Member's note")


@pytest.mark.parametrize("language", ["de", "pt"])
def test_the_staff_overview_is_accessible(
    live_server: Any, page: Any, assessment: Any, staff: Any, language: str
) -> None:
    _sign_in(page, live_server.url, language, staff)
    page.goto(f"{live_server.url}/{language}/self-assessment/all/")
    assert page.locator("h1").count() == 1
    assert page.locator("table caption").count() == 1
    screenshot(page, f"assessments-staff-{language}")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
