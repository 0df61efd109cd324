"""Issue 16 in a real browser, in German and Portuguese, axe-core clean: the Finder's
topic picker (filter, summary), its results in bands with notes and its advice when
nothing fits (points 8 and 13), and the roadmap's summary and year-by-year view (point 9).
One browser for the module (the session's), two flows per language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cityexchange.core.tests.browser import axe_violations, describe_violations, screenshot
from cityexchange.directory.tests.catalogue import load_test_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALL_MODEL = (
    Path(__file__).resolve().parents[2]
    / "src/cityexchange/assessments/tests/fixtures/small_model.yaml"
)
WORDS = {
    "de": {
        "filter": "Hochw",
        "topic": "Hochwasser",
        "chosen": "Gewählt:",
        "need": "Hochwasser und Hitze in unserer Kleinstadt",
        "submit": "Passende Angebote zeigen",
        "bands": ("passt sehr gut", "passt gut", "passt vielleicht"),
        "nothing": "Wir suchen einen Caterer für das Stadtfest",
        "change": "Was Sie ändern können",
        "glance": "Auf einen Blick",
        "years": "Jahr für Jahr",
    },
    "pt": {
        "filter": "inunda",
        "topic": "Inundações",
        "chosen": "Escolhidos:",
        "need": "enchentes e ondas de calor na cidade",
        "submit": "Mostrar ofertas adequadas",
        "bands": ("encaixa muito bem", "encaixa bem", "pode encaixar"),
        "nothing": "Precisamos de uma banda para a festa junina",
        "change": "O que pode mudar",
        "glance": "Num relance",
        "years": "Ano a ano",
    },
}


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)


@pytest.fixture
def catalogue(transactional_db: Any) -> None:
    load_test_catalogue()


@pytest.mark.parametrize("language", ["de", "pt"])
def test_topics_are_picked_by_filter_and_results_are_shown_in_words(
    live_server: Any, page: Any, catalogue: None, language: str
) -> None:
    words = WORDS[language]
    page.goto(f"{live_server.url}/{language}/finder/")
    picker = page.locator("[data-topic-picker]")
    filter_box = picker.locator("[data-filter]")
    assert filter_box.is_visible()  # shown by the script; hidden without JavaScript
    filter_box.fill(words["filter"])
    visible_groups = picker.locator("details[data-group]:visible")
    assert 0 < visible_groups.count() < picker.locator("details[data-group]").count()
    picker.get_by_label(words["topic"], exact=True).check()
    assert words["topic"] in picker.locator("[data-summary]").inner_text()
    assert picker.locator("[data-summary]").inner_text().startswith(words["chosen"])
    screenshot(page, f"finder-topic-picker-{language}")
    assert_accessible(page)

    page.fill("#id_description", words["need"])
    page.get_by_role("button", name=words["submit"]).first.click()
    page.wait_for_selector("ol.results")
    first = page.locator("ol.results li.result").first
    assert first.locator(".fit").inner_text() in words["bands"]
    assert "0." not in first.locator(".result-meta").inner_text()
    assert_accessible(page)

    page.goto(f"{live_server.url}/{language}/finder/")
    page.fill("#id_description", words["nothing"])
    page.get_by_role("button", name=words["submit"]).first.click()
    page.wait_for_selector("ul.advice")
    assert words["change"] in page.locator("main").inner_text()
    assert page.locator("ol.results").count() == 0
    screenshot(page, f"finder-nothing-fits-{language}")
    assert_accessible(page)


@pytest.mark.parametrize("language", ["de", "pt"])
def test_the_roadmap_opens_with_this_year_and_reads_year_by_year(
    live_server: Any, page: Any, owner: Any, municipality: Any, language: str
) -> None:
    from cityexchange.assessments.loading import load_model
    from cityexchange.assessments.services import assessment_start, assessment_submit
    from cityexchange.assessments.tests.conftest import answer_all
    from cityexchange.core.models import Concept

    for key in ("governance", "open-data"):
        Concept.objects.get_or_create(key=key, defaults={"label": key})
    load_model(SMALL_MODEL)
    assessment = assessment_start(organisation=municipality, user=owner)
    answer_all(
        assessment,
        owner,
        {
            "smart-city-strategy": 0,
            "digital-lead": 0,
            "budget": 0,
            "open-data": 0,
            "data-platform": 0,
        },
    )
    assessment_submit(assessment=assessment, user=owner)

    page.goto(f"{live_server.url}/{language}/login/")
    page.fill("#id_login", owner.email)
    page.fill("#id_password", "correct horse battery")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/{language}/self-assessment/{assessment.pk}/roadmap/")
    main = page.locator("main").inner_text()
    assert words_in_order(main, WORDS[language]["glance"], WORDS[language]["years"])
    assert page.locator("table.roadmap-overview tbody tr").count() >= 1
    screenshot(page, f"roadmap-summary-{language}")
    assert_accessible(page)


def words_in_order(text: str, *parts: str) -> bool:
    positions = [text.find(part) for part in parts]
    return all(p >= 0 for p in positions) and positions == sorted(positions)
