"""Tandem matching: partners abroad ranked and explained; existing ties left out."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

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
