"""`cityexchange seed` loads the shipped data once; a second run changes nothing."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings

from cityexchange.core.datafiles import DataFileError
from cityexchange.core.models import AuditEntry, Concept, ConceptLabel, Organisation
from cityexchange.core.seeding import load_organisations, load_thesaurus

pytestmark = pytest.mark.django_db


def run_seed(*args: str) -> str:
    """The core app's part of `cityexchange seed` (the other apps test their own)."""
    from cityexchange.core.seeding import seed

    return "\n".join(seed(demo="--demo" in args))


def test_a_second_full_seed_of_every_app_changes_nothing() -> None:
    first, second = StringIO(), StringIO()
    call_command("seed", stdout=first)
    call_command("seed", stdout=second)
    assert "Seed complete." in second.getvalue()
    for line in second.getvalue().splitlines():
        # Every app reports its counts; on a second run every "created" count is 0.
        for number, _word in re.findall(r"(\d+) (?:\w+ )?(created|changed)", line):
            assert number == "0", f"not idempotent: {line}"


def test_a_second_seed_changes_nothing() -> None:
    first = run_seed()
    counts = (Concept.objects.count(), ConceptLabel.objects.count(), Organisation.objects.count())
    second = run_seed()
    assert "concepts created" in first
    assert counts == (
        Concept.objects.count(),
        ConceptLabel.objects.count(),
        Organisation.objects.count(),
    )
    assert "thesaurus: 0 concepts created, 0 changed" in second
    assert "organisations: 0 created, 0 changed" in second


def test_seed_restores_an_edited_organisation_to_the_shipped_text() -> None:
    run_seed()
    iscn = Organisation.objects.get(slug="iscn")
    shipped = iscn.name_de
    Organisation.objects.filter(pk=iscn.pk).update(name_de="Falscher Name")
    assert "organisations: 0 created, 1 changed" in run_seed()
    iscn.refresh_from_db()
    assert iscn.name_de == shipped


def test_the_network_lists_its_core_member_countries() -> None:
    run_seed()
    iscn = Organisation.objects.get(slug="iscn")
    assert sorted(iscn.member_countries) == ["BR", "DE", "IN", "MX", "PE"]
    assert Organisation.objects.get(slug="bmwsb").kind == "ministry"


def test_demo_content_is_marked_and_added_once(tmp_path: Path, settings: Settings) -> None:
    settings.VAR_DIR = tmp_path
    run_seed("--demo")
    demo = Organisation.objects.filter(is_demo=True).count()
    assert demo >= 3
    run_seed("--demo")
    assert Organisation.objects.filter(is_demo=True).count() == demo
    credentials = (tmp_path / "demo-credentials.txt").read_text()
    assert credentials.count("@demo.invalid") == 2


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_translation_names_file_entry_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
organisations:
  - slug: half-done
    kind: network
    name: {de: Netz, en: Network, es: Red}
    description: {de: a, en: b, es: c, pt: d}
""",
    )
    with pytest.raises(DataFileError) as error:
        load_organisations(path)
    assert (
        str(error.value) == "broken.yaml, entry 'half-done', field 'name.pt': is missing or empty"
    )
    assert not Organisation.objects.filter(slug="half-done").exists()


def test_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
organisations:
  - slug: odd
    kind: spaceship
    name: {de: a, en: b, es: c, pt: d}
    description: {de: a, en: b, es: c, pt: d}
""",
    )
    with pytest.raises(
        DataFileError, match=r"entry 'odd', field 'kind': 'spaceship' is not one of"
    ):
        load_organisations(path)


def test_a_broken_reference_in_the_thesaurus_is_refused_and_nothing_is_saved(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        """
concepts:
  - id: water
    labels: {de: {pref: Wasser}, en: {pref: Water}, es: {pref: Agua}, pt: {pref: Água}}
  - id: drought
    broader: climat
    labels: {de: {pref: Dürre}, en: {pref: Drought}, es: {pref: Sequía}, pt: {pref: Seca}}
""",
    )
    with pytest.raises(DataFileError, match=r"entry 'drought', field 'broader': names 'climat'"):
        load_thesaurus(path)
    assert Concept.objects.count() == 0


def test_invalid_yaml_is_reported_with_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "concepts: [unclosed")
    with pytest.raises(DataFileError, match=r"^broken.yaml: not valid YAML"):
        load_thesaurus(path)


def test_seed_writes_no_audit_noise_on_a_second_run() -> None:
    run_seed()
    before = AuditEntry.objects.count()
    run_seed()
    assert AuditEntry.objects.count() == before


def test_the_seed_gives_the_same_result_whatever_language_is_active() -> None:
    from django.utils import translation

    with translation.override("de"):
        run_seed()
    with translation.override("pt"):
        second = run_seed()
    assert "thesaurus: 0 concepts created, 0 changed" in second
    assert "organisations: 0 created, 0 changed" in second
    iscn = Organisation.objects.get(slug="iscn")
    assert iscn.name_pt != iscn.name_de
