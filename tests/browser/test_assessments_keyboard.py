"""A municipal team member completes a self-assessment with the keyboard only.

Tab, Space, the arrow keys and Enter through every radio group and button of
each dimension page, then submit; the results page has no axe violations.
Run in German and Spanish.
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
def maturity_model(db: Any) -> Any:
    from cityexchange.assessments.loading import load_model
    from cityexchange.core.models import Concept

    for key in ("governance", "open-data"):
        Concept.objects.get_or_create(key=key, defaults={"label": key})
    model, _what = load_model(FIXTURE)
    return model


def _tab_to(page: Any, script: str, limit: int = 80) -> None:
    """Press Tab until ``script`` (a JS expression on ``el``) is true for the focused element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            f"(() => {{ const el = document.activeElement; return !!({script}); }})()"
        ):
            return
    raise AssertionError(f"Tab never reached an element where {script}")


def _sign_in(page: Any, base: str, language: str, user: Any) -> None:
    page.goto(f"{base}/{language}/login/?next=/{language}/self-assessment/")
    page.locator("#id_login").focus()
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/{language}/self-assessment/")


@pytest.mark.parametrize("language", ["de", "es"])
def test_a_member_completes_an_assessment_with_the_keyboard_only(
    live_server: Any, page: Any, maturity_model: Any, member: Any, language: str
) -> None:
    from cityexchange.assessments.models import Answer

    base = live_server.url
    _sign_in(page, base, language, member)
    screenshot(page, f"assessments-start-{language}")
    _tab_to(page, "el.tagName === 'BUTTON' && el.type === 'submit' && el.closest('main')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/answer/strategy-governance/")

    chosen: dict[str, str] = {}
    for dimension_page in range(2):
        assert page.locator("html").get_attribute("lang") == language
        keys = page.locator("section.indicator").evaluate_all(
            "sections => sections.map(s => s.querySelector('input[type=radio]').name.replace('-choice', ''))"
        )
        for index, key in enumerate(keys):
            _tab_to(page, f"el.type === 'radio' && el.name === '{key}-choice'")
            page.keyboard.press("Space")  # selects level 0, the focused first radio
            if index == 1:
                page.keyboard.press("ArrowUp")  # wraps round to "don't know"
                chosen[key] = "unknown"
            else:
                for _ in range(index % 4 + 1):
                    page.keyboard.press("ArrowDown")
                chosen[key] = str(index % 4 + 1)
            if index == 0:
                page.keyboard.press("Tab")
                page.keyboard.type("Beschluss 2024" if language == "de" else "Acuerdo 2024")
        if dimension_page == 0:
            screenshot(page, f"assessments-answer-{language}")
        _tab_to(page, "el.tagName === 'BUTTON' && el.value === 'next'")
        # Wait for the next page itself: the old one can still answer for a moment.
        with page.expect_navigation():
            page.keyboard.press("Enter")

    page.wait_for_url("**/self-assessment/*/")
    saved = {
        a.indicator.key: "unknown" if a.dont_know else str(a.level)
        for a in Answer.objects.select_related("indicator")
    }
    assert saved == chosen
    assert Answer.objects.get(indicator__key="smart-city-strategy").notes.endswith("2024")

    _tab_to(page, "el.tagName === 'BUTTON' && el.closest('form[action$=\"/submit/\"]')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/results/")
    assert page.locator("h1").count() == 1
    assert page.locator("svg[role=img] title").first.text_content()
    screenshot(page, f"assessments-results-{language}")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    page.goto(page.url.replace("/results/", "/roadmap/"))
    screenshot(page, f"assessments-roadmap-{language}")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)


def test_results_and_roadmap_of_the_shipped_model_are_accessible_in_portuguese(
    live_server: Any, page: Any, thesaurus: None, owner: Any, municipality: Any
) -> None:
    from cityexchange.assessments.loading import load_model
    from cityexchange.assessments.models import Indicator
    from cityexchange.assessments.services import (
        AnswerInput,
        answers_save,
        assessment_start,
        assessment_submit,
    )

    model, _what = load_model()
    assessment = assessment_start(organisation=municipality, user=owner)
    indicators = Indicator.objects.filter(maturity_model=model).order_by("position")
    answers_save(
        assessment=assessment,
        answers=[
            AnswerInput(indicator=i, level=(n * 5) % 4, dont_know=n % 9 == 4)
            for n, i in enumerate(indicators)
        ],
        user=owner,
    )
    assessment_submit(assessment=assessment, user=owner)
    _sign_in(page, live_server.url, "pt", owner)
    page.goto(f"{live_server.url}/pt/self-assessment/{assessment.pk}/results/")
    assert page.locator("svg[role=img] .radar-label").count() == 7
    screenshot(page, "assessments-results-shipped-pt")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    page.goto(f"{live_server.url}/pt/self-assessment/{assessment.pk}/answer/strategy-governance/")
    screenshot(page, "assessments-answer-shipped-pt")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
