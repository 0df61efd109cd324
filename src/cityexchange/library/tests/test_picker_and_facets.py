"""The digest form's grouped topic picker and the search page's foldable facets."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cityexchange.library.models import Subscription

pytestmark = pytest.mark.django_db


def url(name: str, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse(name)


def test_the_digest_form_groups_topics_as_checkboxes_under_broader_concepts(
    client: Client, thesaurus: None, member: Any
) -> None:
    client.force_login(member)
    page = client.get(url("library:subscription", "pt")).content.decode()
    assert 'select name="topics"' not in page and "Ctrl" not in page
    assert "data-topic-picker" in page and 'class="topic-group"' in page
    assert 'type="checkbox" name="topics" value="urban-data-platform"' in page
    assert "Ainda não escolheu nenhum tema." in page
    assert "topic-picker.js" in page


def test_chosen_topics_are_saved_and_shown_as_chosen_next_time(
    client: Client, thesaurus: None, member: Any
) -> None:
    client.force_login(member)
    response = client.post(
        url("library:subscription", "de"),
        {"topics": ["urban-data-platform", "water-management"], "frequency": "weekly"},
    )
    assert response.status_code == 302
    saved = Subscription.objects.get(user=member)
    assert set(saved.topics.values_list("key", flat=True)) == {
        "urban-data-platform",
        "water-management",
    }
    page = client.get(url("library:subscription", "de")).content.decode()
    summary = page[page.index("data-summary") :]
    summary = summary[: summary.index("</p>")]
    assert "Urbane Datenplattform" in summary
    assert 'value="urban-data-platform" id="id_topics_' in page


@pytest.mark.parametrize("topics", [["no-such-topic"], ["x" * 5000], ["99999999999999999999999"]])
def test_an_unknown_topic_is_a_form_error(
    client: Client, thesaurus: None, member: Any, topics: list[str]
) -> None:
    client.force_login(member)
    response = client.post(url("library:subscription"), {"topics": topics, "frequency": "weekly"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not Subscription.objects.exists()


def test_the_facets_sit_in_a_panel_that_is_open_without_javascript(
    client: Client, corpus: dict
) -> None:
    page = client.get(url("library:search", "de"), {"q": "Wasser"}).content.decode()
    panel = page[page.index("<details") :]
    assert panel.startswith('<details class="facet-panel" open data-facets>')
    assert "Filter anzeigen" in panel
    assert "facets.js" in panel
    assert page.index("<details") < page.index('class="facet"')


def test_the_panel_says_how_many_filters_are_chosen(client: Client, corpus: dict) -> None:
    page = client.get(url("library:search", "pt"), {"q": "water", "kind": "good_practice"})
    assert "Mostrar os filtros (1 escolhido)" in page.content.decode()
