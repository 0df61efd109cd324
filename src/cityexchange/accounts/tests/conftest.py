"""Each account test starts with empty rate-limit counters (allauth counts in the cache)."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_limits() -> None:
    cache.clear()
