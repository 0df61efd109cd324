"""``cityexchange compile-catalogues``: turn the .po files into .mo without GNU gettext.

It also builds one overlay catalogue per language in ``LOCALE_PATHS``, because
Django merges app catalogues in ``INSTALLED_APPS`` order and the contrib apps come
first: where cityexchange and Django translate the same message ("Skip to main
content", "Filter", "Email address"), Django's wording would win. The overlay holds
every message of cityexchange's apps (the first app in ``INSTALLED_APPS`` order wins
among them) and, for ``pt``, Django's and django-countries' own ``pt_BR`` messages
below them: cityexchange's Portuguese is Brazilian Portuguese under the language
code ``pt`` (the URLs and content columns say ``pt``), while those packages translate
``pt`` as European Portuguese ("utilizador", "palavra-passe").
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand

import cityexchange

# Packages whose pt_BR catalogues replace their pt ones.
BRAZILIAN_SOURCES = ("django", "django_countries", "modeltranslation", "allauth")
OVERLAY_DIR = "locale_overlay"

Entry = Any  # polib.POEntry or polib.MOEntry (polib has no type hints)


def _key(entry: Entry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def _write(save: Callable[[str], None], path: Path) -> None:
    """Write a catalogue whole or not at all: a process reading it meanwhile (a test
    run beside this one) sees the old file or the new one, never half of one."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    save(str(partial))
    os.replace(partial, path)


class Command(BaseCommand):
    help = "Compile every gettext catalogue of the package (pure Python, no msgfmt needed)."

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(cityexchange.__file__).resolve().parent
        count = 0
        po_paths = sorted(root.glob("**/locale/*/LC_MESSAGES/*.po"))
        for po_path in po_paths:
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            _write(polib.pofile(str(po_path)).save_as_mofile, mo_path)
            count += 1
        sizes = []
        for language in sorted({p.parts[-3] for p in po_paths}):
            size = self._overlay(root, language)
            sizes.append(f"{language} {size}")
        self.stdout.write(
            f"{count} catalogue(s) compiled; overlays: {', '.join(sizes)} message(s)."
        )

    def _overlay(self, root: Path, language: str) -> int:
        overlay = polib.MOFile()
        seen: set[tuple[str | None, str]] = set()
        plural_rule: str | None = None

        def add(entries: list[Entry], rule: str | None) -> None:
            for entry in entries:
                key = _key(entry)
                if not entry.msgid or key in seen or not (entry.msgstr or entry.msgstr_plural):
                    continue
                if entry.msgid_plural and rule != plural_rule:
                    continue  # a different plural rule cannot share this catalogue
                seen.add(key)
                overlay.append(entry)

        # The project catalogue (locale/) stays in LOCALE_PATHS above the overlay.
        apps = [
            a.rsplit(".", 1)[-1] for a in settings.INSTALLED_APPS if a.startswith("cityexchange.")
        ]
        for app in apps:
            path = root / app / "locale" / language / "LC_MESSAGES" / "django.po"
            if not path.exists():
                continue
            catalogue = polib.pofile(str(path))
            if plural_rule is None:
                plural_rule = catalogue.metadata.get("Plural-Forms")
                overlay.metadata = {
                    "Content-Type": "text/plain; charset=UTF-8",
                    "Language": language,
                    "Plural-Forms": plural_rule or "nplurals=2; plural=(n != 1);",
                }
            add(catalogue.translated_entries(), catalogue.metadata.get("Plural-Forms"))
        if language == "pt":
            for package in BRAZILIAN_SOURCES:
                base = Path(importlib.import_module(package).__file__ or "").resolve().parent
                for mo_path in sorted(base.glob("**/locale/pt_BR/LC_MESSAGES/django.mo")):
                    catalogue = polib.mofile(str(mo_path))
                    add(list(catalogue), catalogue.metadata.get("Plural-Forms"))
        target = root / OVERLAY_DIR / language / "LC_MESSAGES"
        target.mkdir(parents=True, exist_ok=True)
        _write(overlay.save, target / "django.mo")
        return len(overlay)
