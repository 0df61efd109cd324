"""The shipped thesaurus: complete in four languages and able to bridge them."""

from __future__ import annotations

import pytest
from django.db.models import Count, Q

from cityexchange.core import text
from cityexchange.core.models import Concept
from cityexchange.core.text import fold, stems

pytestmark = pytest.mark.django_db


def test_it_has_at_least_80_concepts_with_a_preferred_label_in_every_language(
    thesaurus: None,
) -> None:
    concepts = Concept.objects.annotate(
        **{
            f"n_{lang}": Count("labels", filter=Q(labels__language=lang, labels__preferred=True))
            for lang in ("de", "en", "es", "pt")
        }
    )
    assert concepts.count() >= 80
    for concept in concepts:
        for lang in ("de", "en", "es", "pt"):
            assert getattr(concept, f"n_{lang}") == 1, f"{concept.key} lacks a {lang} label"
            assert getattr(concept, f"label_{lang}"), f"{concept.key} has no {lang} label field"


@pytest.mark.parametrize(
    ("query", "concept"),
    [
        ("Wassermanagement", "water-management"),
        ("gestión del agua en la ciudad", "water-management"),
        ("gestão da água", "water-management"),
        ("Digitale Zwillinge für Regionen", "digital-twin"),
        ("gemelos digitales", "digital-twin"),
        ("Hochwasserschutzkonzept", "flooding"),
        ("ciberseguridad municipal", "cyber-security"),
        ("Bürgerbeteiligung", "citizen-participation"),
    ],
)
def test_a_query_in_any_language_finds_its_concept(
    thesaurus: None, query: str, concept: str
) -> None:
    found = {match.concept for match in text.thesaurus().find(query)}
    assert concept in found, f"{query!r} found {sorted(found)}"


def test_short_words_do_not_match_inside_unrelated_words(thesaurus: None) -> None:
    # "KI" (German for AI) must not be found in "Kita" or "Kino".
    found = {match.concept for match in text.thesaurus().find("Kita und Kino im Quartier")}
    assert "artificial-intelligence" not in found


def test_folding_and_stemming_join_spellings() -> None:
    assert fold("Gestão Hídrica") == "gestao hidrica"
    assert stems("Plattformen", "de") == stems("Plattform", "de")
    assert stems("cities", "en") == stems("city", "en")
