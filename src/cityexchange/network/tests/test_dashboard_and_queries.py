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
