"""Issue 16, point 13: the 157 topics as grouped checkboxes with a summary, not a Ctrl-click list."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cityexchange.directory.widgets import topic_choices

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped_thesaurus() -> None:
    from cityexchange.core.seeding import load_thesaurus

    load_thesaurus()


def test_every_concept_is_in_exactly_one_group_under_its_top_concept(
    shipped_thesaurus: None,
) -> None:
    from cityexchange.core.models import Concept

    groups = topic_choices("de")
    keys = [key for _label, options in groups for key, _name in options]
    assert len(keys) == len(set(keys)) == Concept.objects.count() == 157
    tops = Concept.objects.filter(broader__isnull=True).count()
    assert len(groups) == tops
    # The group's first option is its own top concept; a narrower one sits under it.
    by_first = {options[0][0]: [k for k, _n in options] for _label, options in groups}
    assert "flooding" in next(ks for ks in by_first.values() if "flooding" in ks)
    assert all(Concept.objects.get(key=first).broader is None for first in by_first)


@pytest.mark.parametrize("language", ["de", "pt"])
def test_the_finder_form_shows_grouped_checkboxes_and_a_summary(
    shipped_thesaurus: None, language: str
) -> None:
    html = Client().get(f"/{language}/finder/").content.decode()
    assert '<select name="topics"' not in html
    assert len(re.findall(r'type="checkbox" name="topics"', html)) == 157
    assert html.count('<details class="topic-group"') == len(topic_choices(language))
    assert "topic-picker.js" in html
    assert "data-filter-wrap" in html and "hidden data-filter-wrap" in html  # JS shows it
    none_chosen = {"de": "Noch kein Thema gewählt.", "pt": "Ainda não escolheu nenhum tema."}
    assert none_chosen[language] in html


def test_chosen_topics_are_summarised_and_their_groups_open(shipped_thesaurus: None) -> None:
    response = Client().post(
        "/de/finder/",
        {"description": "Hochwasser in der Altstadt", "topics": ["flooding", "local-retail"]},
    )
    html = response.content.decode()
    assert response.status_code == 200
    summary = re.search(r"data-summary>([^<]*)<", html)
    assert summary and summary.group(1).startswith("Gewählt:")
    assert "Hochwasser" in summary.group(1)
    assert re.search(r'<details class="topic-group" data-group open>', html)


def test_an_unknown_topic_is_a_form_error_not_a_crash(shipped_thesaurus: None) -> None:
    response = Client().post("/en/finder/", {"description": "x", "topics": ["no-such-topic"]})
    assert response.status_code in (200, 400)
    assert "no-such-topic is not one of the available choices" in response.content.decode()
