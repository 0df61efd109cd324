"""The Finder's ranking: meaning of the text, hard filters, soft fit and the reasons."""

from __future__ import annotations

import datetime as dt

import pytest

from cityexchange.directory.finder import FinderQuery, finder_run, rank
from cityexchange.directory.models import Offer
from cityexchange.directory.selectors import offers_for_topics

pytestmark = pytest.mark.django_db


def slugs(query: FinderQuery, *, limit: int = 10, today: dt.date | None = None) -> list[str]:
    return [r.profile.slug for r in rank(query, limit=limit, today=today).ranked]


@pytest.mark.parametrize(
    "description",
    [
        "Hochwasserschutz und Hitze in unserer Stadt",
        "We keep getting floods and heat waves",
        "inundaciones y olas de calor en el municipio",
        "enchentes e ondas de calor na cidade",
    ],
)
def test_a_need_in_any_language_finds_the_offer_on_that_topic(
    catalogue: None, description: str
) -> None:
    assert slugs(FinderQuery(description=description))[0] == "test-mixer"


def test_eu_only_offers_are_not_shown_to_a_town_in_peru(catalogue: None) -> None:
    query = "Kleine Gemeinde am Anfang, digitale Reife und Schulung"
    assert "test-eu-newcomers" in slugs(FinderQuery(description=query, country="DE"))
    assert "test-eu-newcomers" not in slugs(FinderQuery(description=query, country="PE"))


def test_members_only_offers_are_not_shown_to_non_member_countries(catalogue: None) -> None:
    query = "Beratung zu digitalen Zwillingen"
    assert "test-members-advice" in slugs(FinderQuery(description=query, country="MX"))
    assert "test-members-advice" not in slugs(FinderQuery(description=query, country="FR"))


def test_offers_in_none_of_the_users_languages_are_left_out(catalogue: None) -> None:
    # The challenge is held in English only; the mixer has Spanish interpretation.
    found = slugs(FinderQuery(description="agua, inundaciones, sensores", languages=("es",)))
    assert "test-challenge" not in found
    assert "test-mixer" in found


def test_offers_past_their_deadline_are_left_out(catalogue: None) -> None:
    query = FinderQuery(description="Stellungnahme zu Leitlinien für Smart Cities")
    assert "test-consultation" in slugs(query, today=dt.date(2024, 11, 1))
    assert "test-consultation" not in slugs(query, today=dt.date(2024, 11, 18))


def test_a_town_without_staff_time_gets_low_effort_offers_first(catalogue: None) -> None:
    need = "Wassermanagement, Sensoren, Hochwasser"
    with_team = slugs(FinderQuery(description=need, staff_time="team", experience="experienced"))
    alone = slugs(FinderQuery(description=need + ". Wir haben kein Personal dafür."))
    # The demanding pilot programme drops in the list, or below the threshold.
    assert "test-challenge" in with_team
    assert "test-challenge" not in alone or with_team.index("test-challenge") < alone.index(
        "test-challenge"
    )
    assert alone[0] == "test-mixer"


def test_goals_and_experience_lift_the_offers_made_for_them(catalogue: None) -> None:
    found = slugs(
        FinderQuery(
            description="Wir fangen gerade erst an",
            country="DE",
            experience="newcomer",
            goals=("train_staff", "learn_examples"),
        )
    )
    assert found[0] == "test-eu-newcomers"


def test_every_result_says_why_in_the_users_language(catalogue: None) -> None:
    answer = finder_run(
        FinderQuery(description="Hochwasser und Hitze", experience="newcomer", languages=("es",)),
        language="es",
        record_gaps=False,
    )
    first = answer["items"][0]
    assert first["offer"]["slug"] == "test-mixer"
    assert first["offer"]["url"] == "/es/offers/test-mixer/"
    reasons = " | ".join(first["reasons"])
    assert "inundaciones" in reasons.lower()  # the matched topic, in Spanish
    assert "30 minutos" in reasons
    english = finder_run(
        FinderQuery(description="Hochwasser und Hitze", experience="newcomer"),
        language="en",
        record_gaps=False,
    )["items"][0]["reasons"]
    assert "open to newcomers" in english
    assert "online, 30 minutes" in english
    assert "in English with Spanish, Portuguese interpretation on demand" in english


def test_an_offer_reviewed_by_staff_is_still_found(catalogue: None, staff: object) -> None:
    from cityexchange.directory.services import offer_mark_reviewed

    query = FinderQuery(description="Hochwasser", country="DE")
    assert slugs(query)[0] == "test-mixer"
    offer_mark_reviewed(offer=Offer.objects.get(slug="test-mixer"), actor=staff)
    assert slugs(query)[0] == "test-mixer"


def test_a_search_that_finds_nothing_is_counted_without_its_text(catalogue: None) -> None:
    from cityexchange.directory.models import SearchGap

    text = "Origami und Kamelrennen am Wochenende"
    finder_run(FinderQuery(description=text, country="DE"), language="de")
    finder_run(FinderQuery(description=text, country="DE"), language="de")
    gap = SearchGap.objects.get()
    assert gap.count == 2
    assert gap.country == "DE"
    stored = " ".join(str(v) for v in SearchGap.objects.values().get().values())
    assert "Kamel" not in stored and "Origami" not in stored


def test_offers_for_topics_serves_other_apps(catalogue: None) -> None:
    found = offers_for_topics(topics=["flooding", "water-management"], limit=5)
    assert {o.slug for o in found} == {"test-mixer", "test-challenge"}
    assert [o.slug for o in offers_for_topics(topics=["flooding"], level="newcomer")] == [
        "test-mixer"
    ]
    assert offers_for_topics(topics=["water-management"], kinds=["tool"]) == []
    assert offers_for_topics(topics=[]) == []


def test_offers_for_another_region_rank_lower_but_stay_visible(catalogue: None) -> None:
    need = "Pilotprojekt mit Forschenden zu Wassermanagement, Sensoren und Hochwasser"
    german = {
        r.profile.slug: r.score for r in rank(FinderQuery(description=need, country="DE")).ranked
    }
    brazilian = {
        r.profile.slug: r.score for r in rank(FinderQuery(description=need, country="BR")).ranked
    }
    assert 0 < brazilian["test-challenge"] < german["test-challenge"]  # a European programme
    heat = "Hochwasser und Hitze"
    german = {
        r.profile.slug: r.score for r in rank(FinderQuery(description=heat, country="DE")).ranked
    }
    brazilian = {
        r.profile.slug: r.score for r in rank(FinderQuery(description=heat, country="BR")).ranked
    }
    assert brazilian["test-mixer"] == german["test-mixer"]  # a worldwide one


def test_a_mayor_named_in_the_text_lifts_offers_for_mayors(catalogue: None) -> None:
    plain = rank(FinderQuery(description="Kleine Gemeinde, digitale Reife")).ranked
    mayor = rank(FinderQuery(description="Unser Bürgermeister: kleine Gemeinde, digitale Reife"))
    before = {r.profile.slug: r.score for r in plain}
    after = {r.profile.slug: r.score for r in mayor.ranked}
    assert "mayor" in mayor.understanding.roles
    assert after["test-eu-newcomers"] > before["test-eu-newcomers"]  # addresses mayors


@pytest.mark.parametrize(
    ("language", "goal", "format_reason"),
    [
        ("de", "hilft Ihnen: Personal qualifizieren, von Beispielen lernen", "online, 30 Minuten"),
        ("en", "helps you: train staff, learn from examples", "online, 30 minutes"),
        ("es", "le ayuda a: capacitar al personal, aprender de ejemplos", "en línea, 30 minutos"),
        ("pt", "ajuda você a: capacitar a equipe, aprender com exemplos", "online, 30 minutos"),
    ],
)
def test_reasons_keep_each_languages_capitals(
    catalogue: None, language: str, goal: str, format_reason: str
) -> None:
    # German nouns inside a reason keep their capital letter ("Personal", not "personal").
    from cityexchange.directory.finder import reasons_text

    reasons = reasons_text(
        [("goals", ["train_staff", "learn_examples"]), ("format", "online", 30)], language
    )
    assert reasons == [goal, format_reason]
    assert reasons_text([("format", "on_site", None)], "de") == ["vor Ort"]


def test_a_network_the_town_belongs_to_is_marked_and_ranked_lower(
    catalogue: None, network_membership: Offer
) -> None:
    need = "Beratung zu digitalen Zwillingen, Austausch mit anderen Städten"
    outside = rank(FinderQuery(description=need, country="DE")).ranked
    member = rank(
        FinderQuery(description=need, country="DE", memberships=("test-network-membership",))
    ).ranked
    score = {r.profile.slug: r.score for r in outside}
    score_member = {r.profile.slug: r.score for r in member}
    assert score_member["test-network-membership"] < score["test-network-membership"]
    position = [r.profile.slug for r in member].index("test-network-membership")
    assert position > [r.profile.slug for r in outside].index("test-network-membership")
    reasons = {r.profile.slug: r.reasons for r in member}
    assert ("member", "membership_network") in reasons["test-network-membership"]
    answer = finder_run(
        FinderQuery(description=need, country="DE", memberships=("test-network-membership",)),
        language="de",
        record_gaps=False,
    )
    item = next(i for i in answer["items"] if i["offer"]["slug"] == "test-network-membership")
    assert item["reasons"][0] == "Sie sind bereits Mitglied"


def test_a_membership_opens_the_networks_members_only_offers(
    catalogue: None, network_membership: Offer
) -> None:
    need = "Beratung zu digitalen Zwillingen"
    # A French town is outside the member countries: the members-only advice is hidden...
    assert "test-members-advice" not in slugs(FinderQuery(description=need, country="FR"))
    # ...unless it belongs to the network that offers it.
    query = FinderQuery(description=need, country="FR", memberships=("test-network-membership",))
    ranked = {r.profile.slug: r for r in rank(query).ranked}
    assert "test-members-advice" in ranked
    assert ("member_access", "test-network-membership") in ranked["test-members-advice"].reasons
    answer = finder_run(query, language="en", record_gaps=False)
    item = next(i for i in answer["items"] if i["offer"]["slug"] == "test-members-advice")
    assert "open to you as a member of Test network membership" in item["reasons"]
    assert "for members of the network" not in item["reasons"]
    # Taking part in another of the network's offers is no membership: it opens nothing.
    other = FinderQuery(description=need, country="FR", memberships=("test-retail-app",))
    assert "test-members-advice" not in slugs(other)
