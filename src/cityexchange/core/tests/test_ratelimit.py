"""Write limits: one count per client, shown the same way on pages and in the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_rate_window")]

# The Finder allows 30 searches a minute (in one window: see frozen_rate_window).
TRIES = 35


@pytest.fixture(autouse=True)
def _empty_counts() -> Any:
    cache.clear()
    yield
    cache.clear()


@override_settings(RATELIMIT_ENABLE=True)
def test_a_client_over_the_limit_is_told_to_wait_in_its_language(client: Client) -> None:
    responses = [client.post("/de/finder/", {}) for _ in range(TRIES)]
    assert responses[0].status_code != 429
    refused = [r for r in responses if r.status_code == 429]
    assert refused
    assert refused[0]["Retry-After"] == "60"
    assert "Bitte warten Sie eine Minute" in refused[0].content.decode()


@override_settings(RATELIMIT_ENABLE=True, BEHIND_PROXY=False)
def test_a_forged_forwarded_address_does_not_escape_the_limit(client: Client) -> None:
    codes = [
        client.post("/en/finder/", {}, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(TRIES)
    ]
    assert 429 in codes


@override_settings(RATELIMIT_ENABLE=True, BEHIND_PROXY=True, PROXY_HOPS=1)
def test_behind_a_proxy_each_client_address_has_its_own_count(client: Client) -> None:
    # The proxy appends the address it saw; whatever the client wrote before it is ignored.
    first = [
        client.post(
            "/en/finder/", {}, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7"
        ).status_code
        for n in range(TRIES)
    ]
    assert 429 in first
    other = client.post("/en/finder/", {}, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code != 429


@override_settings(RATELIMIT_ENABLE=True, BEHIND_PROXY=True, PROXY_HOPS=2)
def test_with_two_proxies_the_address_the_outer_one_saw_counts(client: Client) -> None:
    codes = [
        client.post(
            "/en/finder/", {}, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7, 10.0.0.2"
        ).status_code
        for n in range(TRIES)
    ]
    assert 429 in codes
    other = client.post("/en/finder/", {}, HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.2")
    assert other.status_code != 429
