"""Every interface string of every app is translated into German, Spanish and Portuguese."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

import cityexchange

PACKAGE = Path(cityexchange.__file__).resolve().parent
APPS = ["core", "directory", "events", "library", "assessments"]


def catalogues() -> list[Path]:
    return sorted(PACKAGE.glob("**/locale/*/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("app", APPS)
def test_each_app_has_catalogues_for_de_es_pt(app: str) -> None:
    for language in ("de", "es", "pt"):
        assert (PACKAGE / app / "locale" / language / "LC_MESSAGES" / "django.po").exists(), (
            f"{app} has no {language} catalogue"
        )


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_string_is_left_untranslated_or_fuzzy(path: Path) -> None:
    catalogue = polib.pofile(str(path))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [], f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_placeholders_survive_translation(path: Path) -> None:
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
    for entry in polib.pofile(str(path)).translated_entries():
        if entry.msgid_plural:
            continue
        assert sorted(pattern.findall(entry.msgid)) == sorted(pattern.findall(entry.msgstr)), (
            f"{path.parent.parent.name}: placeholders differ in {entry.msgid!r}"
        )
