"""The staff dashboard, and query counts that do not grow with the data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cityexchange.core.tests.factories import OrganisationFactory
from cityexchange.network.models import MemberRole, Membership, NextStep, Partnership


def queries(callable_: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


def test_the_dashboard_shows_due_steps_pipeline_budget_and_participation(
    network_data: Any, staff: Any
) -> None:
    from cityexchange.events.models import Event
    from cityexchange.events.tests.factories import RegistrationFactory

    NextStep.objects.create(
        partnership=Partnership.objects.get(slug="iscn-oasc"),
        description="Send the minutes",
        owner=staff,
        due_on=dt.date.today() - dt.timedelta(days=1),  # noqa: DTZ011 - a calendar day
    )
    for n in range(12):
        RegistrationFactory(
            event=Event.objects.get(format__slug="global-mixer", edition=1),
            attended=True,
            name=f"P{n}",
        )
    client = Client()
    client.force_login(staff)
    text = client.get(reverse("network:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Send the minutes" in text and "(overdue)" in text
    assert "Participation per format" in text
    assert "Reported: 15–30 participants per edition" in text
    assert 'aria-labelledby="trend-global-mixer-title trend-global-mixer-desc"' in text
    assert "2023: minimum 12, mean 12, maximum 12" in text


def test_the_members_page_and_api_cost_the_same_queries_with_more_members(
    network_data: Any, client: Client
) -> None:
    def both() -> None:
        client.get(reverse("network:home"))
        client.get("/api/v1/network/members")
        client.get("/api/v1/network/partnerships/public")

    both()  # warm the session and caches
    before = queries(both)
    for n in range(5):
        org = OrganisationFactory(name=f"Member town {n}")
        Membership.objects.create(organisation=org, role=MemberRole.MEMBER_CITY)
        p = Partnership.objects.create(
            slug=f"p{n}", title=f"P{n}", kind="city_network", is_public=True, public_description="x"
        )
        p.organisations.add(org)
    assert queries(both) == before


def test_the_report_costs_the_same_queries_with_more_data(network_data: Any) -> None:
    from cityexchange.network.selectors import programme_report

    def build() -> None:
        programme_report(start=dt.date(2021, 1, 1), end=dt.date(2024, 4, 30))

    before = queries(build)
    for n in range(5):
        Partnership.objects.create(slug=f"x{n}", title=f"X{n}", kind="city_tandem")
    assert queries(build) == before


def test_meeting_action_items_have_an_owner_and_show_on_the_dashboard(
    network_data: Any, staff: Any
) -> None:
    from cityexchange.core.roles import Role
    from cityexchange.core.tests.factories import UserFactory
    from cityexchange.network.models import ActionItem, Body

    colleague = UserFactory(
        email="c@network.example", full_name="Ada Colleague", roles=[Role.NETWORK_STAFF]
    )
    today = dt.date.today()  # noqa: DTZ011 - a calendar day
    client = Client()
    client.force_login(staff)
    response = client.post(
        reverse("network:meetings"),
        {
            "body": Body.objects.get().pk,
            "held_on": (today - dt.timedelta(days=2)).isoformat(),
            "network_on_agenda": "unknown",
            "action": "Circulate the minutes",
            "action_due": (today + dt.timedelta(days=5)).isoformat(),
            "action_owner": colleague.pk,
        },
    )
    assert response.status_code == 302
    assert ActionItem.objects.get(description="Circulate the minutes").owner == colleague
    assert "Ada Colleague" in client.get(reverse("network:meetings")).content.decode()
    text = client.get(reverse("network:dashboard")).content.decode()
    section = text[text.index('id="actions-title"') : text.index('id="pipeline-title"')]
    assert "Circulate the minutes" in section and "Ada Colleague" in section
    # The page's title is the title only (it once carried a whole section of the page).
    title = text[text.index("<title>") : text.index("</title>")]
    assert "<section" not in title and text.count('id="trend-title"') == 1


def test_an_action_item_without_owner_is_given_to_the_one_who_records_it(
    network_data: Any, staff: Any
) -> None:
    from cityexchange.network.models import ActionItem, Body

    client = Client()
    client.force_login(staff)
    client.post(
        reverse("network:meetings"),
        {
            "body": Body.objects.get().pk,
            "held_on": "2024-06-01",
            "network_on_agenda": "unknown",
            "action": "Book a room",
            "action_due": "2024-06-10",
        },
    )
    assert ActionItem.objects.get(description="Book a room").owner == staff
