"""Every interface string of every app is translated into German, Spanish and Portuguese."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import polib
import pytest

import cityexchange

PACKAGE = Path(cityexchange.__file__).resolve().parent
APPS = [
    "core",
    "directory",
    "events",
    "library",
    "assessments",
    "accounts",
    "network",
    "challenges",
    "consultations",
    "marketplace",
]


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
def test_only_one_of_a_thing_is_counted_in_the_singular(path: Path) -> None:
    # A catalogue's own plural rule decides its messages: Brazilian Portuguese's
    # "n > 1" made "0 comentário" of "0 comentários" on the Portuguese pages.
    rule = polib.pofile(str(path)).metadata["Plural-Forms"].split("plural=")[1].rstrip(";")
    form = gettext.c2py(rule)
    assert [n for n in range(0, 102) if form(n) == 0] == [1], rule


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


TRANSLATE_TAG = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(["'])(.+?)\1(?:\s+context\s+(["'])(.+?)\3)?"""
)
GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}


def _source_messages(app: str) -> set[tuple[str | None, str, str]]:
    """Literal messages of an app's templates and code: (context, msgid, where)."""
    found: set[tuple[str | None, str, str]] = set()
    for template in (PACKAGE / app).glob("templates/**/*.*"):
        for match in TRANSLATE_TAG.finditer(template.read_text(encoding="utf-8")):
            found.add((match.group(4), match.group(2), template.name))
    for module in (PACKAGE / app).glob("**/*.py"):
        if "tests" in module.parts or "migrations" in module.parts:
            continue
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in GETTEXT_CALLS or not node.args:
                continue
            literals = [a.value for a in node.args if isinstance(a, ast.Constant)]
            if not all(isinstance(v, str) for v in literals) or not literals:
                continue
            if node.func.id.startswith("pgettext") and len(literals) >= 2:
                found.add((literals[0], literals[1], module.name))
            elif not node.func.id.startswith("pgettext"):
                found.add((None, literals[0], module.name))
    return found


@pytest.mark.parametrize("app", APPS)
def test_every_literal_message_is_in_the_apps_catalogues(app: str) -> None:
    """A string added to a template or module but never put in the catalogue shows in English."""
    messages = _source_messages(app)
    assert messages, f"no messages found in {app}: the extraction is broken"
    project = {
        (e.msgctxt, e.msgid)
        for e in polib.pofile(str(PACKAGE / "locale" / "de" / "LC_MESSAGES" / "django.po"))
    }
    for language in ("de", "es", "pt"):
        path = PACKAGE / app / "locale" / language / "LC_MESSAGES" / "django.po"
        known = {(e.msgctxt, e.msgid) for e in polib.pofile(str(path))} | project
        # Other apps' catalogues count too: Django merges them into one at run time.
        for other in APPS:
            other_path = PACKAGE / other / "locale" / language / "LC_MESSAGES" / "django.po"
            known |= {(e.msgctxt, e.msgid) for e in polib.pofile(str(other_path))}
        missing = sorted(
            f"{where}: {msgid!r}"
            for context, msgid, where in messages
            if (context, msgid) not in known
        )
        assert missing == [], f"{app}/{language}: {len(missing)} missing, e.g. {missing[:8]}"
