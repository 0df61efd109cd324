"""Derived data is rebuilt after a change, in every process, and not before."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from cityexchange.core import caching

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean() -> None:
    cache.clear()
    caching.forget_all()


def test_a_value_is_built_once_until_its_data_changes() -> None:
    builds: list[int] = []

    def build() -> int:
        builds.append(1)
        return len(builds)

    assert caching.cached("numbers", build) == 1
    assert caching.cached("numbers", build) == 1
    caching.bump("numbers")
    assert caching.cached("numbers", build) == 2
    assert caching.cached("numbers", build) == 2


def test_a_change_announced_by_another_process_is_seen() -> None:
    # Another process bumps through the shared cache; this process's memory is stale.
    value = {"n": 1}
    assert caching.cached("shared", lambda: dict(value)) == {"n": 1}
    value["n"] = 2
    cache.delete("cityexchange:version:shared")
    assert caching.cached("shared", lambda: dict(value)) == {"n": 2}


@pytest.mark.django_db(transaction=True)
def test_a_change_is_announced_again_after_its_transaction_commits() -> None:
    data = {"n": 1}
    with transaction.atomic():
        caching.bump("late")
        # Another process rebuilds from the rows as they were before the commit.
        assert caching.cached("late", lambda: data["n"]) == 1
        data["n"] = 2
    assert caching.cached("late", lambda: data["n"]) == 2


def test_names_do_not_share_values() -> None:
    assert caching.cached("a", lambda: "a") == "a"
    assert caching.cached("b", lambda: "b") == "b"
    caching.bump("a")
    assert caching.cached("b", lambda: "other") == "b"


def test_a_value_is_rebuilt_when_data_it_depends_on_changes() -> None:
    builds: list[int] = []

    def build() -> int:
        builds.append(1)
        return len(builds)

    assert caching.cached("lists", build, depends_on=("events", "library")) == 1
    caching.bump("library")
    assert caching.cached("lists", build, depends_on=("events", "library")) == 2
    caching.bump("unrelated")
    assert caching.cached("lists", build, depends_on=("events", "library")) == 2


def test_a_request_sees_one_state_and_the_next_request_sees_a_change_from_elsewhere() -> None:
    value = {"n": 1}
    with caching.versions_kept():  # one request
        assert caching.cached("shared", lambda: dict(value)) == {"n": 1}
        value["n"] = 2
        cache.set("cityexchange:version:shared", "set by another process", timeout=None)
        assert caching.cached("shared", lambda: dict(value)) == {"n": 1}
    with caching.versions_kept():  # the next one
        assert caching.cached("shared", lambda: dict(value)) == {"n": 2}


def test_a_request_sees_its_own_change_at_once() -> None:
    data = {"n": 1}
    with caching.versions_kept():
        assert caching.cached("own", lambda: data["n"]) == 1
        data["n"] = 2
        caching.bump("own")
        assert caching.cached("own", lambda: data["n"]) == 2
