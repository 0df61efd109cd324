"""The shipped library loads idempotently and its search meets the relevance target."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityexchange.core.datafiles import DataFileError
from cityexchange.library.models import Resource
from cityexchange.library.seeding import load_resources

pytestmark = pytest.mark.django_db


def test_the_shipped_resources_load_once_and_a_second_run_changes_nothing(thesaurus: None) -> None:
    created, changed, _warnings = load_resources()
    assert created >= 40 and changed == 0
    again = load_resources()
    assert again[:2] == (0, 0)
    assert Resource.objects.filter(status="published").count() == created


def test_hit_at_5_of_the_evaluation_queries_reaches_the_target(thesaurus: None) -> None:
    from cityexchange.library.evaluation import evaluate

    load_resources()
    hit, mrr, misses = evaluate()
    assert hit >= 0.9, misses
    assert mrr >= 0.7


def test_unknown_references_are_skipped_with_a_warning(tmp_path: Path, thesaurus: None) -> None:
    path = tmp_path / "resources.yaml"
    path.write_text(
        "version: 1\nresources:\n"
        "  - slug: x\n    kind: tool\n"
        "    title: {de: T, en: T, es: T, pt: T}\n    summary: {de: S, en: S, es: S, pt: S}\n"
        "    languages: [en]\n    topics: [no-such-topic]\n    organisations: [nobody]\n"
        "    event: no-such-event\n",
        encoding="utf-8",
    )
    _created, _changed, warnings = load_resources(path)
    assert len(warnings) == 3 and "no-such-topic" in warnings[0]


@pytest.mark.parametrize(
    ("entry", "where"),
    [
        (
            "kind: novel\n    title: {de: T, en: T, es: T, pt: T}\n    summary: {de: S, en: S, es: S, pt: S}",
            "'kind'",
        ),
        (
            "kind: tool\n    title: {de: T, en: T, es: T}\n    summary: {de: S, en: S, es: S, pt: S}",
            "'title.pt'",
        ),
    ],
)
def test_a_wrong_kind_or_missing_translation_is_an_error_naming_the_field(
    tmp_path: Path, thesaurus: None, entry: str, where: str
) -> None:
    path = tmp_path / "resources.yaml"
    path.write_text(f"version: 1\nresources:\n  - slug: x\n    {entry}\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_resources(path)
    assert "resources.yaml" in str(info.value) and where in str(info.value)
    assert not Resource.objects.exists()
