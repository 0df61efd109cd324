"""Tandem matching: partners abroad ranked and explained; existing ties left out."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cityexchange.core.models import Concept, Organisation
from cityexchange.core.tests.factories import OrganisationFactory
from cityexchange.network.matching import suggest_tandems
from cityexchange.network.models import Partnership


def profile(town: Organisation, topics: list[Concept], languages: list[str]) -> None:
    from cityexchange.directory.models import MunicipalityProfile

    p = MunicipalityProfile.objects.create(organisation=town, languages=languages)
    p.topics.set(topics)


def assessed(town: Organisation, scores: dict[str, float]) -> None:
    from cityexchange.assessments.models import Assessment, Dimension, MaturityModel

    model, _ = MaturityModel.objects.get_or_create(
        version="t", defaults={"name": "T", "content_hash": "x"}
    )
    for position, key in enumerate(scores):
        Dimension.objects.get_or_create(
            maturity_model=model, key=key, defaults={"position": position, "name": key.title()}
        )
    Assessment.objects.create(
        organisation=town,
        maturity_model=model,
        status="submitted",
        submitted_at=timezone.now(),
        dimension_scores=scores,
    )


def towns(db: Any) -> dict[str, Organisation]:
    heat = Concept.objects.create(key="heat", label="Heat")
    data = Concept.objects.create(key="data", label="Data")
    home = OrganisationFactory(name="Lindenau", country="DE", population=20000)
    near = OrganisationFactory(name="Cusco", country="PE", population=30000)
    far = OrganisationFactory(name="Pune", country="IN", population=3000000)
    same = OrganisationFactory(name="Bergdorf", country="DE", population=20000)
    profile(home, [heat, data], ["en", "es"])
    profile(near, [heat], ["es"])
    profile(far, [heat, data], ["en"])
    profile(same, [heat, data], ["de"])
    assessed(home, {"data": 1.0, "governance": 3.0})
    assessed(near, {"data": 3.0, "governance": 3.0})
    assessed(far, {"data": 1.0, "governance": 1.5})
    return {"home": home, "near": near, "far": far, "same": same}


def test_partners_abroad_are_ranked_and_explained(db: Any) -> None:
    t = towns(db)
    suggestions = suggest_tandems(municipality=t["home"])
    names = [s.organisation.name for s in suggestions]
    assert names == ["Pune", "Cusco"]  # Bergdorf is in the same country
    pune, cusco = suggestions
    assert pune.score == 3 * 2 + 2 + 2  # two topics, English, Lindenau strong in governance
    assert "Shared topics: Data, Heat" in pune.reasons
    assert "Lindenau is strong in “Governance” where this partner is weaker" in pune.reasons
    assert "Strong in “Data” where Lindenau is weaker" in cusco.reasons
    assert "Similar size" in cusco.reasons and "Similar size" not in pune.reasons


def test_an_existing_tie_is_left_out_and_staff_start_a_tandem(db: Any, staff: Any) -> None:
    t = towns(db)
    client = Client()
    client.force_login(staff)
    url = reverse("network:tandems")
    page = client.get(url, {"municipality": t["home"].slug}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Pune" in page.content.decode()
    response = client.post(url, {"municipality": t["home"].slug, "partner": t["far"].slug})
    created = Partnership.objects.get(kind="city_tandem")
    assert response.status_code == 302
    assert set(created.organisations.all()) == {t["home"], t["far"]}
    assert [s.organisation.name for s in suggest_tandems(municipality=t["home"])] == ["Cusco"]


def test_matching_is_staff_only(db: Any, client: Client, outsider: Any) -> None:
    t = towns(db)
    url = reverse("network:tandems")
    assert client.get(url, {"municipality": t["home"].slug}).status_code == 404
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"municipality": t["home"].slug, "partner": t["far"].slug}).status_code
        == 404
    )
    assert not Partnership.objects.exists()


def challenge(
    town: Organisation, title: str, topics: list[Concept], status: str = "published"
) -> Any:
    from cityexchange.challenges.models import Challenge, Round

    round_ = Round.objects.first() or Round.objects.create(
        slug="round", name="Round", organiser=OrganisationFactory(name="Organiser")
    )
    item = Challenge.objects.create(
        round=round_, city=town, title=title, problem="…", status=status
    )
    item.topics.set(topics)
    return item


def interested(town: Organisation, item: Any) -> None:
    from cityexchange.challenges.models import Interest

    Interest.objects.create(challenge=item, city=town)


def test_challenge_interests_raise_a_partner_and_are_explained_in_the_page_language(
    db: Any, staff: Any
) -> None:
    """Same challenge beats similar topics; related topics (same broader concept) count too."""
    climate = Concept.objects.create(key="climate", label="Climate", label_de="Klima")
    heat = Concept.objects.create(key="heat", label="Heat", label_de="Hitze", broader=climate)
    flood = Concept.objects.create(
        key="flood", label="Floods", label_de="Hochwasser", broader=climate
    )
    mobility = Concept.objects.create(key="mobility", label="Mobility", label_de="Mobilität")
    home = OrganisationFactory(name="Lindenau", country="DE", population=None)
    cusco = OrganisationFactory(name="Cusco", country="PE", population=None)
    pune = OrganisationFactory(name="Pune", country="IN", population=None)
    lima = OrganisationFactory(name="Lima", country="PE", population=None)
    quiet = OrganisationFactory(name="Quito", country="EC", population=None)
    shade = challenge(home, "Shade for the market square", [heat])
    challenge(pune, "Cool bus stops", [heat, mobility])
    challenge(lima, "River banks that hold", [flood])
    interested(cusco, shade)
    draft = challenge(quiet, "Shade in a draft", [heat], status="draft")
    interested(home, draft)  # drafts are their city's own business: not counted

    with translation.override("en"):
        suggestions = suggest_tandems(municipality=home)

    assert [s.organisation.name for s in suggestions] == ["Cusco", "Pune", "Lima"]
    cusco_s, pune_s, lima_s = suggestions
    assert cusco_s.reasons == [
        "Both want to solve the same challenge: “Shade for the market square”",
        "Interested in challenges on the same topics: Heat",
    ]
    assert pune_s.reasons == ["Interested in challenges on the same topics: Heat"]
    assert lima_s.reasons == ["Interested in challenges on related topics (Climate)"]
    assert (cusco_s.score, pune_s.score, lima_s.score) == (3 + 2, 2, 1)

    client = Client()
    client.force_login(staff)
    with translation.override("de"):
        url = reverse("network:tandems")
    page = client.get(url, {"municipality": home.slug})
    text = page.content.decode()
    assert "Shade for the market square" in text
    assert "Beide wollen dieselbe Challenge lösen" in text
    assert "Hitze" in text and "Klima" in text


def test_a_shared_challenge_topic_is_not_counted_twice_with_the_profile(db: Any) -> None:
    heat = Concept.objects.create(key="heat", label="Heat")
    home = OrganisationFactory(name="Lindenau", country="DE", population=None)
    pune = OrganisationFactory(name="Pune", country="IN", population=None)
    profile(home, [heat], [])
    profile(pune, [heat], [])
    challenge(home, "Shade", [heat])
    challenge(pune, "Cool stops", [heat])
    with translation.override("en"):
        (suggestion,) = suggest_tandems(municipality=home)
    assert suggestion.reasons == ["Shared topics: Heat"]


def test_common_languages_are_named_not_coded(db: Any) -> None:
    home = OrganisationFactory(name="Lindenau", country="DE", population=None)
    pune = OrganisationFactory(name="Pune", country="IN", population=None)
    profile(home, [], ["en", "es"])
    profile(pune, [], ["en"])
    with translation.override("de"):
        (suggestion,) = suggest_tandems(municipality=home)
    assert suggestion.reasons == ["Gemeinsame Arbeitssprache: Englisch"]


def test_matching_reads_the_same_number_of_queries_with_more_challenges(db: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    heat = Concept.objects.create(key="heat", label="Heat")
    home = OrganisationFactory(name="Lindenau", country="DE", population=None)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            suggest_tandems(municipality=home)
        return len(captured)

    first = challenge(home, "Shade", [heat])
    interested(OrganisationFactory(country="IN"), first)
    before = queries()
    for n in range(4):
        town = OrganisationFactory(country="PE")
        interested(town, challenge(town, f"Heat {n}", [heat]))
        interested(town, first)
    assert queries() == before


def test_a_tandem_started_from_a_suggestion_carries_the_shared_topics(db: Any, staff: Any) -> None:
    heat = Concept.objects.create(key="heat", label="Heat")
    water = Concept.objects.create(key="water", label="Water")
    only_mine = Concept.objects.create(key="noise", label="Noise")
    home = OrganisationFactory(name="Lindenau", country="DE", population=None)
    pune = OrganisationFactory(name="Pune", country="IN", population=None)
    profile(home, [heat, only_mine], [])
    profile(pune, [heat], [])
    challenge(home, "Dry summers", [water])
    challenge(pune, "Monsoon storage", [water])
    client = Client()
    client.force_login(staff)
    response = client.post(
        reverse("network:tandems"), {"municipality": home.slug, "partner": pune.slug}
    )
    assert response.status_code == 302
    created = Partnership.objects.get(kind="city_tandem")
    assert set(created.topics.all()) == {heat, water}
