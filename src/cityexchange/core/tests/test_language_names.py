"""Language names in running text follow each language's orthography."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation


def render(source: str, **context: object) -> str:
    return Template("{% load languages %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("pt", "Idioma: alemão, português"),
        ("es", "Idioma: alemán, portugués"),
        ("de", "Sprache: Deutsch, Portugiesisch"),
        ("en", "Language: German, Portuguese"),
    ],
)
def test_names_inside_a_sentence_are_lower_case_in_portuguese_and_spanish(
    language: str, expected: str
) -> None:
    with translation.override(language):
        label = {"pt": "Idioma", "es": "Idioma", "de": "Sprache", "en": "Language"}[language]
        text = render(label + ": {{ codes|language_names }}", codes=["de", "pt"])
    assert text == expected


def test_a_text_that_starts_with_the_names_capitalises_the_first() -> None:
    with translation.override("pt"):
        assert render('{{ codes|language_names:"start" }}', codes=["es", "en"]) == (
            "Espanhol, inglês"
        )


def test_an_unknown_code_stays_as_it_is_and_nothing_gives_nothing() -> None:
    with translation.override("pt"):
        assert render("{{ codes|language_names }}", codes=["XX", "en"]) == "XX, inglês"
        assert render("{{ codes|language_names }}", codes=[]) == ""
        assert render("{{ code|language_names }}", code="es") == "espanhol"
