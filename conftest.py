"""Fixtures shared by every app's tests: the owner/member/outsider set, staff, the browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cityexchange.core.roles import Role

CHROMIUM = os.environ.get("CITYEXCHANGE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _fresh_process_indexes() -> None:
    """Each test starts without the thesaurus and offer indexes a previous test built.

    In production a reload is announced after its commit; a test's data is rolled back
    instead, so an index built in one test would otherwise answer in the next.
    """
    from django.core.cache import caches

    from cityexchange.core import caching

    caching.forget_all()
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the default language.

    A page asked for as ``/de/...`` leaves German active in the test's thread, so a
    later test in the same process would otherwise read German where it expects
    English, depending on which tests ran before it.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def frozen_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rate limits count per minute of the clock; a slow machine must not spread a
    test's burst over two windows. django-ratelimit's clock stands still instead."""
    import time
    import types

    now = time.time()
    monkeypatch.setattr("django_ratelimit.core.time", types.SimpleNamespace(time=lambda: now))


@pytest.fixture
def municipality(db: Any) -> Any:
    from cityexchange.core.tests.factories import OrganisationFactory

    return OrganisationFactory(name="Lindenau", name_en="Lindenau", population=8000)


@pytest.fixture
def owner(municipality: Any) -> Any:
    """An administrator of the municipality's team."""
    from cityexchange.core.services import membership_add
    from cityexchange.core.tests.factories import UserFactory

    user = UserFactory(email="owner@lindenau.example", roles=[Role.MUNICIPAL_MEMBER])
    membership_add(user=user, organisation=municipality, role="admin")
    return user


@pytest.fixture
def member(municipality: Any) -> Any:
    """An ordinary member of the same municipality's team."""
    from cityexchange.core.services import membership_add
    from cityexchange.core.tests.factories import UserFactory

    user = UserFactory(email="member@lindenau.example", roles=[Role.MUNICIPAL_MEMBER])
    membership_add(user=user, organisation=municipality)
    return user


@pytest.fixture
def outsider(db: Any) -> Any:
    """A signed-up member of another municipality: must never see the first one's data."""
    from cityexchange.core.services import membership_add
    from cityexchange.core.tests.factories import OrganisationFactory, UserFactory

    user = UserFactory(email="outsider@elsewhere.example", roles=[Role.MUNICIPAL_MEMBER])
    membership_add(user=user, organisation=OrganisationFactory(name="Elsewhere"))
    return user


@pytest.fixture
def staff(db: Any) -> Any:
    """Network staff: runs events, curates library and directory."""
    from cityexchange.core.tests.factories import UserFactory

    return UserFactory(email="staff@network.example", roles=[Role.NETWORK_STAFF])


@pytest.fixture
def staff_token(staff: Any) -> str:
    from cityexchange.core.services import api_token_create

    _token, raw = api_token_create(user=staff, name="tests")
    return raw


@pytest.fixture
def thesaurus(db: Any) -> None:
    """The shipped thesaurus, loaded as `cityexchange seed` would."""
    from cityexchange.core.seeding import load_thesaurus

    load_thesaurus()


def browser_available() -> tuple[bool, str]:
    if not Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is None:
        return False, f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False, "Playwright for Python is not installed (pip install -e '.[test]')"
    return True, ""


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    ok, reason = browser_available()
    if not ok:
        if os.environ.get("CITYEXCHANGE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Browser tests are required here but cannot run: {reason}")
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; Django's ORM must still work.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
