"""Helpers for browser tests: screenshots and axe-core checks (WCAG 2.1 A and AA)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

SCREENSHOTS = Path(os.environ.get("CITYEXCHANGE_SCREENSHOTS", "var/screenshots"))


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot for people to look at; it is a record, not a check.

    Chromium sometimes never reports the page's fonts as loaded while the machine
    is busy, and Playwright's screenshot waits for that. One such stall must not
    abort a walk whose assertions are about the page itself, so the screenshot is
    tried twice and then left out with a warning that names it.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    for attempt in (1, 2):
        try:
            page.screenshot(path=str(path), full_page=True, timeout=15_000)
            return path
        except PlaywrightTimeout:
            if attempt == 2:
                warnings.warn(f"screenshot {name} not taken: it timed out twice", stacklevel=2)
    return path


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.1 A/AA rules) on the page; returns the violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        },
    )
    return list(results.response.get("violations", []))


def describe_violations(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    )


def follow(target: Any) -> None:
    """Click a link or a submit button and wait for the page it leads to.

    Playwright's ``click`` returns as soon as the navigation has started, while
    the old page is still shown; a check right after it reads the old page when
    the server is busy (two test processes, a slow CI machine). Every click that
    loads a new page goes through here.
    """
    with target.page.expect_navigation():
        target.click()


def assert_accessible(page: Any, name: str) -> None:
    """Screenshot the page as ``name`` and fail on any axe-core violation."""
    violations = axe_violations(page)
    screenshot(page, name)
    assert violations == [], describe_violations(violations)


def signed_in_page(browser: Any, base: str, user: Any | None) -> Any:
    """A desktop-sized page signed in as ``user`` through a session Django's test client
    made (``None``: a visitor)."""
    from django.test import Client

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
        )
    return context.new_page()
