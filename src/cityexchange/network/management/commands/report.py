"""``cityexchange report``: the programme report for a period, as PDF, XLSX or DOCX."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cityexchange.core.i18n import LANGUAGES
from cityexchange.network.exports import FORMATS


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a YYYY-MM-DD date") from exc


class Command(BaseCommand):
    help = "Write the network's programme report for a period, computed from the data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--lang", default="en", choices=LANGUAGES)
        parser.add_argument("--format", dest="fmt", default="pdf", choices=FORMATS)
        parser.add_argument("--output", required=True, help="file to write")

    def handle(
        self, *args: Any, start: str, end: str, lang: str, fmt: str, output: str, **options: Any
    ) -> None:
        from cityexchange.network.report import report_file

        first, last = _date(start), _date(end)
        if last < first:
            raise CommandError("--to is before --from: dates must be in order")
        content, _name = report_file(start=first, end=last, language=lang, fmt=fmt)
        Path(output).write_bytes(content)
        self.stdout.write(f"{output}: {len(content)} bytes")
