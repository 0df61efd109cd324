from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def network_data(db: Any) -> None:
    """The shipped data the report is computed from, loaded as `cityexchange seed` would."""
    from django.conf import settings
    from django.utils import translation

    from cityexchange.core.seeding import load_organisations
    from cityexchange.events.seeding import load_past_editions
    from cityexchange.network.seeding import load

    with translation.override(settings.LANGUAGE_CODE):
        load_organisations()
        load_past_editions()
        load()


@pytest.fixture(autouse=True)
def _language_back_to_default() -> Any:
    """A page fetched in German leaves German active in the test's thread (the locale
    middleware activates it): later tests would reverse German addresses."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)
