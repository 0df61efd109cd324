"""Loading the catalogue: idempotent, and every error names file, entry and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from cityexchange.core.datafiles import DataFileError
from cityexchange.directory.models import MunicipalityProfile, Offer
from cityexchange.directory.seeding import load_demo_profiles, load_offers

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def _write(tmp_path: Path, change: dict[str, Any]) -> Path:
    document = yaml.safe_load((FIXTURES / "offers.yaml").read_text(encoding="utf-8"))
    document["offers"][0].update(change)
    path = tmp_path / "offers.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_loading_twice_changes_nothing_the_second_time(thesaurus: None, organisers: Any) -> None:
    assert load_offers(FIXTURES / "offers.yaml") == (7, 0)
    assert load_offers(FIXTURES / "offers.yaml") == (0, 0)
    offer = Offer.objects.get(slug="test-mixer")
    assert offer.name_de == "Globaler Austausch"
    assert offer.name_pt == "Intercâmbio global"
    assert sorted(t.key for t in offer.topics.all()) == ["flooding", "good-practice", "heatwaves"]
    assert [o.slug for o in offer.organisers.all()] == ["test-network"]


def test_a_changed_entry_is_updated_in_place(
    thesaurus: None, organisers: Any, tmp_path: Path
) -> None:
    load_offers(FIXTURES / "offers.yaml")
    path = _write(tmp_path, {"effort": "medium", "topics": ["flooding"]})
    assert load_offers(path) == (0, 1)
    offer = Offer.objects.get(slug="test-mixer")
    assert offer.effort == "medium"
    assert [t.key for t in offer.topics.all()] == ["flooding"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"organisers": ["no-such-body"]}, "organisers"),
        ({"topics": ["no-such-topic"]}, "topics"),
        ({"kind": "party"}, "kind"),
        ({"deadline": "17.11.2024"}, "deadline"),
        ({"languages": ["fr"]}, "languages"),
        ({"eligible_countries": ["XX"]}, "eligible_countries"),
    ],
)
def test_an_error_names_file_entry_and_field_and_nothing_is_saved(
    thesaurus: None, organisers: Any, tmp_path: Path, change: dict[str, Any], field: str
) -> None:
    path = _write(tmp_path, change)
    with pytest.raises(DataFileError) as error:
        load_offers(path)
    assert "offers.yaml" in str(error.value)
    assert "'test-mixer'" in str(error.value)
    assert error.value.field == field
    assert Offer.objects.count() == 0


def test_a_missing_translation_is_reported_with_its_language(
    thesaurus: None, organisers: Any, tmp_path: Path
) -> None:
    path = _write(tmp_path, {"summary": {"de": "x", "en": "y", "es": "z"}})
    with pytest.raises(DataFileError, match="summary.pt"):
        load_offers(path)


def test_demo_profiles_are_added_for_the_demo_towns(thesaurus: None) -> None:
    from cityexchange.core.seeding import load_demo

    load_demo()
    assert load_demo_profiles() == 4
    assert load_demo_profiles() == 0
    profile = MunicipalityProfile.objects.get(organisation__slug="demo-villa-sol")
    assert "flooding" in {t.key for t in profile.topics.all()}
