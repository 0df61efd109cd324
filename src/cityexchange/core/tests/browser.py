"""Helpers for browser tests: screenshots and axe-core checks (WCAG 2.1 A and AA)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

SCREENSHOTS = Path(os.environ.get("CITYEXCHANGE_SCREENSHOTS", "var/screenshots"))


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
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
