"""``cityexchange eval-search``: hit@5 and MRR of the library search over eval_queries.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cityexchange.library.evaluation import evaluate
from cityexchange.library.seeding import load_eval_queries


class Command(BaseCommand):
    help = "Print hit@5 and MRR of the library search over the evaluation queries."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=None)
        parser.add_argument("--verbose-misses", action="store_true")

    def handle(self, *args: Any, file: Path | None = None, **options: Any) -> None:
        hit, mrr, misses = evaluate(file)
        n = len(load_eval_queries(file))
        self.stdout.write(f"queries: {n}\nhit@5: {hit:.3f}\nMRR: {mrr:.3f}")
        if options.get("verbose_misses"):
            for line in misses:
                self.stdout.write(f"miss: {line}")
