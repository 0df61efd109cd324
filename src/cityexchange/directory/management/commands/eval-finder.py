"""``cityexchange eval-finder``: hit@3 and MRR of the Finder over the evaluation scenarios.

Each scenario's request is posted to ``/api/v1/finder`` through Django's test
client, so the numbers measure exactly what API users get. Everything runs in
a transaction that is rolled back: the evaluation leaves no search statistics.

A scenario with ``expected: []`` is a negative one: nothing in the catalogue
fits, and it counts as a hit (reciprocal rank 1) only when the Finder shows
nothing. ``--file`` runs another set, for example one kept outside the
repository, against the same API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test import Client, override_settings

from cityexchange.core.datafiles import DataFileError, Entry, load_yaml

DEFAULT = Path(__file__).resolve().parents[2] / "data" / "eval_scenarios.yaml"


class Command(BaseCommand):
    help = "Evaluate the Finder on the shipped scenarios: prints hit@3 and MRR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=DEFAULT, help="scenario file")
        parser.add_argument(
            "--show", action="store_true", help="print the top three of every scenario"
        )

    def handle(self, *args: Any, file: Path, show: bool = False, **options: Any) -> None:
        try:
            scenarios = [
                Entry(file, raw, id_field="id") for raw in load_yaml(file, key="scenarios")
            ]
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
        if not scenarios:
            raise CommandError(f"{file.name}: no scenarios")
        host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost"
        client = Client(HTTP_HOST=host if host != "*" else "localhost")
        hits = 0
        negatives = 0
        per_language: dict[str, list[int]] = {}
        reciprocal = 0.0
        misses: list[str] = []
        with override_settings(RATELIMIT_ENABLE=False), transaction.atomic():
            for scenario in scenarios:
                request = scenario.data.get("request")
                expected = scenario.text_list("expected")
                if not isinstance(request, dict) or "expected" not in scenario.data:
                    raise CommandError(f"{file.name}, entry {scenario.id!r}: request/expected")
                response = client.post(
                    "/api/v1/finder",
                    request,
                    content_type="application/json",
                    HTTP_ACCEPT_LANGUAGE=str(scenario.data.get("lang") or "en"),
                )
                if response.status_code != 200:
                    raise CommandError(
                        f"{scenario.id}: HTTP {response.status_code} {response.content[:300]!r}"
                    )
                ranked = [item["offer"]["slug"] for item in response.json()["items"]]
                language = str(scenario.data.get("lang") or "en")
                per_language.setdefault(language, [0, 0])[1] += 1
                if expected:
                    rank = next((n for n, slug in enumerate(ranked, 1) if slug in expected), None)
                else:
                    negatives += 1
                    rank = None if ranked else 1
                if rank == 1 or (rank is not None and rank <= 3):
                    per_language[language][0] += 1
                if rank is not None and rank <= 3:
                    hits += 1
                else:
                    misses.append(scenario.id)
                reciprocal += 1 / rank if rank else 0.0
                if show:
                    self.stdout.write(
                        f"{'ok ' if rank and rank <= 3 else 'MISS'} {scenario.id}: "
                        f"rank {rank or '-'}; top 3 {ranked[:3]}; expected {expected}"
                    )
            transaction.set_rollback(True)
        total = len(scenarios)
        self.stdout.write(f"scenarios: {total} ({negatives} negative: nothing fits)")
        self.stdout.write(
            "per language: "
            + ", ".join(f"{lang} {h}/{n}" for lang, (h, n) in sorted(per_language.items()))
        )
        self.stdout.write(f"hit@3: {hits / total:.3f} ({hits}/{total})")
        self.stdout.write(f"MRR: {reciprocal / total:.3f}")
        if misses:
            self.stdout.write("missed: " + ", ".join(misses))
