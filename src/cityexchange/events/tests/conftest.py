from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_ratelimit(settings: Any) -> None:
    """Rate limits are tested on purpose where they matter; elsewhere they get in the way."""
    settings.RATELIMIT_ENABLE = False
