"""The directory's pages: Finder steps and results, lists, profiles and the staff page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from cityexchange.directory.models import MunicipalityProfile, SavedResult, SearchGap

pytestmark = pytest.mark.django_db


def test_the_finder_page_shows_three_steps_in_german(client: Client, catalogue: None) -> None:
    response = client.get("/de/finder/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Schritt 1 von 3" in html
    assert "Ihre Herausforderungen und Bedarfe" in html
    assert html.count("<h1") == 1


def test_submitting_the_finder_shows_ranked_offers_with_reasons(
    client: Client, catalogue: None
) -> None:
    response = client.post(
        "/en/finder/",
        {"description": "flooding and heat", "experience": "newcomer", "country": "DE"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Global exchange" in html
    assert "open to newcomers" in html
    assert "Save this list" in html


def test_an_empty_description_is_a_form_error_and_nothing_is_saved(
    client: Client, catalogue: None
) -> None:
    response = client.post("/en/finder/", {"description": "", "population": "-3"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html
    assert 'id="id_description_error"' in html
    assert SearchGap.objects.count() == 0
    assert client.post("/en/finder/save/", {"description": ""}).status_code == 400
    assert SavedResult.objects.count() == 0


def test_a_saved_list_has_a_shareable_page(client: Client, catalogue: None) -> None:
    response = client.post("/en/finder/save/", {"description": "local shops online marketplace"})
    assert response.status_code == 302
    result = SavedResult.objects.get()
    assert response["Location"] == f"/en/finder/results/{result.token}/"
    page = Client().get(f"/de/finder/results/{result.token}/")
    assert page.status_code == 200
    assert "Marktplatz-App für den Einzelhandel" in page.content.decode()
    assert Client().get("/en/finder/results/not-a-token/").status_code == 404


def test_the_directory_lists_and_filters_offers(client: Client, catalogue: None) -> None:
    html = client.get("/en/offers/?kind=tool").content.decode()
    assert "Marketplace app for local retail" in html
    assert "Global exchange" not in html
    detail = client.get("/en/offers/test-mixer/").content.decode()
    assert "about 30 minutes per edition" in detail
    assert "English; interpretation on demand: Spanish, Portuguese" in detail
    assert client.get("/en/offers/unknown/").status_code == 404
    organisation = client.get("/en/organisations/test-network/").content.decode()
    assert "Global exchange" in organisation


def test_the_team_can_edit_its_profile(
    client: Client, owner: Any, municipality: Any, thesaurus: None
) -> None:
    client.force_login(owner)
    url = f"/en/finder/profile/{municipality.slug}/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "country": "DE",
            "population": "8000",
            "experience": "newcomer",
            "challenges": "Heat in summer",
            "topics": ["heatwaves"],
            "goals": ["learn_examples"],
            "staff_time": "none",
            "languages": ["de"],
            "listed_as_peer": "on",
        },
    )
    assert response.status_code == 302
    profile = MunicipalityProfile.objects.get(organisation=municipality)
    assert profile.population == 8000
    assert [t.key for t in profile.topics.all()] == ["heatwaves"]
    # The Finder form is filled in from the team's profile.
    assert "Heat in summer" in client.get("/en/finder/").content.decode()


def test_a_member_may_edit_but_an_outsider_gets_404(
    client: Client, member: Any, outsider: Any, staff: Any, municipality: Any, thesaurus: None
) -> None:
    url = f"/en/finder/profile/{municipality.slug}/"
    assert client.get(url).status_code == 302  # anonymous: sign in first
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"population": "1"}).status_code == 404
    assert not MunicipalityProfile.objects.exists()
    client.force_login(member)
    assert client.get(url).status_code == 200
    client.force_login(staff)
    assert client.get(url).status_code == 200


def test_bad_profile_input_is_refused_and_nothing_saved(
    client: Client, owner: Any, municipality: Any, thesaurus: None
) -> None:
    client.force_login(owner)
    response = client.post(
        f"/en/finder/profile/{municipality.slug}/", {"population": "-1", "experience": "guru"}
    )
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not MunicipalityProfile.objects.exists()


def test_only_staff_see_what_searches_found_nothing(
    client: Client, catalogue: None, staff: Any, member: Any
) -> None:
    client.post("/en/finder/", {"description": "Origami und Kamelrennen"})
    gap = SearchGap.objects.get()
    assert gap.count == 1
    client.force_login(member)
    assert client.get("/en/finder/searches-without-results/").status_code == 404
    client.force_login(staff)
    html = client.get("/en/finder/searches-without-results/").content.decode()
    assert str(gap.get_outcome_display()) in html
    assert "Kamel" not in html
    assert "Offers whose facts need a review" in html
    assert "EU network for newcomers" in html  # last checked in January 2024


def test_an_unknown_filter_value_is_shown_as_a_form_error(client: Client, catalogue: None) -> None:
    response = client.get("/de/offers/?topic=floding&kind=tool")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="field field-error"' in html or "field-error" in html
    assert "floding" in html or "gültige Auswahl" in html
    # The filters that are right still apply: not the whole catalogue.
    assert "Marktplatz-App für den Einzelhandel" in html
    assert "Globaler Austausch" not in html


def test_the_finder_asks_for_memberships_and_fills_them_in_from_the_profile(
    client: Client, network_membership: Any, member: Any
) -> None:
    from cityexchange.core.models import Organisation

    page = client.get("/en/finder/").content.decode()
    assert "Networks you already belong to" in page
    assert 'value="test-network-membership"' in page
    organisation = Organisation.objects.get(memberships__user=member)
    profile = MunicipalityProfile.objects.create(organisation=organisation, country="FR")
    profile.memberships.set([network_membership])
    client.force_login(member)
    page = client.get("/en/finder/").content.decode()
    box = re.search(r'<input[^>]*value="test-network-membership"[^>]*>', page)
    assert box is not None and "checked" in box.group(0)
    results = client.post(
        "/en/finder/",
        {
            "description": "advice on digital twins",
            "country": "FR",
            "memberships": ["test-network-membership"],
        },
    ).content.decode()
    assert "Online advice for members" in results
    assert "open to you as a member of Test network membership" in results
    assert "you are already a member" in results
