"""``cityexchange compile-catalogues``: turn the .po files into .mo without GNU gettext."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.core.management.base import BaseCommand

import cityexchange


class Command(BaseCommand):
    help = "Compile every gettext catalogue of the package (pure Python, no msgfmt needed)."

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(cityexchange.__file__).resolve().parent
        count = 0
        for po_path in sorted(root.glob("**/locale/*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
        self.stdout.write(f"{count} catalogue(s) compiled.")
