"""The catalogue's word search goes through the library's cross-lingual analysis: a
query in one language finds a challenge written in another on the same topic."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cityexchange.challenges import selectors, services
from cityexchange.challenges.models import Challenge, Round
from cityexchange.challenges.tests.conftest import make_round
from cityexchange.core.models import Concept, Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(thesaurus: None) -> Round:
    return make_round(languages=["de", "en", "es", "pt"])


def _publish(round_: Round, city: Organisation, user: Any, staff: Any, **data: Any) -> Challenge:
    challenge = services.challenge_create(
        round=round_, city=city, user=user, data=services.ChallengeInput(**data)
    )
    services.challenge_submit(challenge=challenge, user=user)
    services.round_publish_challenges(round=round_, user=staff)
    challenge.refresh_from_db()
    return challenge


@pytest.fixture
def challenges(
    round_: Round,
    municipality: Organisation,
    owner: Any,
    tartu: Organisation,
    ee_member: Any,
    staff: Any,
) -> dict[str, Challenge]:
    german = _publish(
        round_,
        municipality,
        owner,
        staff,
        title="Wassermanagement in der Altstadt",
        problem="Alte Leitungen verlieren jeden Tag viel Trinkwasser.",
        language="de",
    )
    # Tagged with the topic, its words name it nowhere.
    tagged = _publish(
        round_,
        tartu,
        ee_member,
        staff,
        title="Leaky pipes under the market square",
        problem="We cannot tell where the network loses what it pumps.",
        language="en",
        topics=[Concept.objects.get(key="water-management")],
    )
    mobility = _publish(
        round_,
        tartu,
        ee_member,
        staff,
        title="Verkehrsberuhigung vor Schulen",
        problem="Eltern fahren ihre Kinder bis vor die Tür.",
        language="de",
    )
    return {"german": german, "tagged": tagged, "mobility": mobility}


def test_a_spanish_query_finds_the_german_and_the_tagged_challenge_on_water_management(
    round_: Round, challenges: dict[str, Challenge]
) -> None:
    found = selectors.catalogue(round_=round_, query="gestión del agua")
    assert {c.pk for c in found} == {challenges["german"].pk, challenges["tagged"].pk}


def test_a_german_query_finds_a_challenge_written_in_english(
    round_: Round, challenges: dict[str, Challenge]
) -> None:
    found = selectors.catalogue(round_=round_, query="Wasserwirtschaft")
    assert challenges["tagged"] in found and challenges["mobility"] not in found


def test_every_word_must_match_and_nonsense_finds_nothing(
    round_: Round, challenges: dict[str, Challenge]
) -> None:
    assert selectors.catalogue(round_=round_, query="Wassermanagement Schulen") == []
    assert selectors.catalogue(round_=round_, query="xqzvw") == []
    # Stop words alone filter nothing.
    assert len(selectors.catalogue(round_=round_, query="der die das")) == 3


@pytest.mark.parametrize("language", ["es", "de"])
def test_the_catalogue_page_searches_across_languages(
    round_: Round, challenges: dict[str, Challenge], language: str
) -> None:
    url = f"/{language}/challenges/rounds/{round_.slug}/challenges/"
    with translation.override(language):  # the request's language stays with this test
        html = Client().get(url, {"q": "gestión del agua"}).content.decode()
    assert "Wassermanagement in der Altstadt" in html
    assert "Leaky pipes under the market square" in html
    assert "Verkehrsberuhigung vor Schulen" not in html


@pytest.mark.parametrize("query", ["\x00", "a" * 5000, "%%%", "🙂" * 50, "ü" * 300])
def test_odd_queries_never_fail(
    round_: Round, challenges: dict[str, Challenge], query: str
) -> None:
    response = Client().get(
        reverse("challenges:catalogue", kwargs={"slug": round_.slug}), {"q": query}
    )
    assert response.status_code in (200, 400)


def test_a_city_without_the_country_filter_still_combines_with_words(
    round_: Round, challenges: dict[str, Challenge]
) -> None:
    found = selectors.catalogue(round_=round_, country="EE", query="gestión hídrica")
    assert [c.pk for c in found] == [challenges["tagged"].pk]
