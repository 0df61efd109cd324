"""Topics and funding options are edited on the partnership page, by network staff only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cityexchange.core.models import AuditEntry, Concept
from cityexchange.core.roles import Role
from cityexchange.core.tests.factories import UserFactory
from cityexchange.network import services
from cityexchange.network.models import Partnership


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(language: str = "en") -> str:
    with translation.override(language):
        return reverse("network:partnership", kwargs={"slug": "iscn-oasc"})


@pytest.fixture
def offers(db: Any) -> dict[str, Any]:
    from cityexchange.directory.models import Offer

    return {
        "funding": Offer.objects.create(
            slug="t-fund",
            kind="funding",
            name_en="Town twinning fund",
            format="online",
            effort="low",
        ),
        "other": Offer.objects.create(
            slug="t-fund-2", kind="funding", name_en="Pilot fund", format="online", effort="low"
        ),
        "tool": Offer.objects.create(
            slug="t-tool", kind="tool", name_en="Dashboard kit", format="online", effort="low"
        ),
    }


@pytest.fixture
def topics(db: Any) -> list[Concept]:
    return [
        Concept.objects.create(key="t-heat", label="Heat", label_de="Hitze"),
        Concept.objects.create(key="t-water", label="Water", label_de="Wasser"),
    ]


def test_staff_set_topics_and_funding_options_on_the_partnership_page(
    network_data: Any, staff: Any, offers: dict[str, Any], topics: list[Concept]
) -> None:
    client = signed_in(staff)
    page = client.get(url("de")).content.decode()
    assert "Themen und Fördermöglichkeiten" in page and "Town twinning fund" in page
    assert "Dashboard kit" not in page  # only funding offers are offered

    response = client.post(
        url("de"),
        {
            "action": "topics",
            "topics": [t.pk for t in topics],
            "funding_options": [offers["funding"].pk, offers["other"].pk],
        },
    )

    assert response.status_code == 302
    partnership = Partnership.objects.get(slug="iscn-oasc")
    assert set(partnership.topics.all()) == set(topics)
    assert set(partnership.funding_options.all()) == {offers["funding"], offers["other"]}
    shown = client.get(url("de")).content.decode()
    assert (
        "Hitze, Wasser" in shown
        and "Die Themen und Fördermöglichkeiten wurden gespeichert." in shown
    )
    entry = AuditEntry.objects.get(action="partnership_set_topics")
    assert entry.actor == staff
    assert entry.before == {"topics": [], "funding_options": []}
    assert entry.after["funding_options"] == sorted([offers["funding"].pk, offers["other"].pk])

    # Taking one away is a change too; saving the same again writes no audit entry.
    client.post(url(), {"action": "topics", "funding_options": [offers["other"].pk]})
    client.post(url(), {"action": "topics", "funding_options": [offers["other"].pk]})
    assert list(partnership.funding_options.all()) == [offers["other"]]
    assert not partnership.topics.exists()
    assert AuditEntry.objects.filter(action="partnership_set_topics").count() == 2


@pytest.mark.parametrize(
    "bad",
    [
        {"funding_options": ["tool"]},  # an offer that is not funding
        {"funding_options": ["999999"]},
        {"funding_options": ["abc"]},
        {"funding_options": ["1\x00"]},
        {"funding_options": ["99999999999999999999999"]},
        {"topics": ["-1"]},
        {"topics": ["9" * 40]},
        {"topics": ["\x00"]},
    ],
)
def test_bad_choices_are_refused_in_the_users_language_and_change_nothing(
    network_data: Any, staff: Any, offers: dict[str, Any], topics: list[Concept], bad: Any
) -> None:
    data = {k: [offers["tool"].pk if v == "tool" else v for v in vs] for k, vs in bad.items()}
    response = signed_in(staff).post(url("de"), {"action": "topics", **data})
    assert response.status_code == 400
    text = response.content.decode()
    assert any(
        message in text
        for message in ("ist keine gültige Auswahl", "ist kein gültiger Wert", "ein NUL-Zeichen")
    )
    partnership = Partnership.objects.get(slug="iscn-oasc")
    assert not partnership.topics.exists() and not partnership.funding_options.exists()
    assert not AuditEntry.objects.filter(action="partnership_set_topics").exists()


def test_the_service_refuses_an_offer_that_is_not_funding(
    network_data: Any, staff: Any, offers: dict[str, Any]
) -> None:
    partnership = Partnership.objects.get(slug="iscn-oasc")
    with translation.override("pt"), pytest.raises(ValidationError) as refused:
        services.partnership_set_topics(
            actor=staff, partnership=partnership, topics=[], funding_options=[offers["tool"]]
        )
    assert "Somente ofertas do tipo financiamento" in refused.value.messages[0]
    assert not partnership.funding_options.exists()


@pytest.mark.parametrize("who", ["anonymous", "outsider", "member", "expert"])
def test_only_network_staff_and_admins_may_change_topics(
    network_data: Any, offers: dict[str, Any], who: str, request: Any
) -> None:
    if who == "anonymous":
        client = Client()
    elif who == "expert":
        client = signed_in(UserFactory(email="expert@example.org", roles=[Role.EXPERT]))
    else:
        client = signed_in(request.getfixturevalue(who))
    response = client.post(url(), {"action": "topics", "funding_options": [offers["funding"].pk]})
    assert response.status_code == 404
    assert not Partnership.objects.get(slug="iscn-oasc").funding_options.exists()
    assert not AuditEntry.objects.filter(action="partnership_set_topics").exists()


def test_an_administrator_may_change_topics(network_data: Any, offers: dict[str, Any]) -> None:
    admin = UserFactory(email="admin@example.org", roles=[Role.ADMIN])
    response = signed_in(admin).post(
        url(), {"action": "topics", "funding_options": [offers["funding"].pk]}
    )
    assert response.status_code == 302
    assert list(Partnership.objects.get(slug="iscn-oasc").funding_options.all()) == [
        offers["funding"]
    ]
