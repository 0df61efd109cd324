"""The shipped catalogue loads with the shipped organisations and thesaurus, and ranks well."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from cityexchange.directory.models import Offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped() -> None:
    from cityexchange.core.seeding import load_organisations, load_thesaurus
    from cityexchange.directory.seeding import load_offers

    load_thesaurus()
    load_organisations()
    load_offers()


def test_the_shipped_catalogue_loads_in_four_languages(shipped: None) -> None:
    assert Offer.objects.count() >= 30
    for offer in Offer.objects.all():
        for language in ("de", "en", "es", "pt"):
            assert getattr(offer, f"name_{language}"), f"{offer.slug} lacks name_{language}"
            assert getattr(offer, f"description_{language}"), offer.slug
        assert offer.topics.exists(), f"{offer.slug} has no topics"


def test_the_finder_reaches_its_relevance_target_on_the_shipped_scenarios(shipped: None) -> None:
    out = io.StringIO()
    call_command("eval-finder", stdout=out)
    found = re.search(r"hit@3: ([0-9.]+)", out.getvalue())
    assert found, out.getvalue()
    hit_at_3 = float(found.group(1))
    assert hit_at_3 >= 0.9, out.getvalue()
    count = re.search(r"scenarios: (\d+) \((\d+) negative", out.getvalue())
    assert count and int(count.group(1)) >= 104 and int(count.group(2)) >= 10, out.getvalue()
    mrr = re.search(r"MRR: ([0-9.]+)", out.getvalue())
    assert mrr and float(mrr.group(1)) >= 0.8, out.getvalue()
