"""``cityexchange eval-search``: hit@5 and MRR of the library search over eval_queries.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from cityexchange.library.seeding import load_eval_queries
from cityexchange.library.selectors import search_resources


def evaluate(path: Path | None = None, *, k: int = 5) -> tuple[float, float, list[str]]:
    """(hit@k, MRR, misses) through the same selector the API uses."""
    queries = load_eval_queries(path)
    hits = 0
    reciprocal = 0.0
    misses = []
    for item in queries:
        with translation.override(item.lang):
            result = search_resources(query=item.q, language=item.lang, page_size=10)
        ranked = [i.resource.slug for i in result.items]
        ranks = [ranked.index(s) + 1 for s in item.expected if s in ranked]
        best = min(ranks) if ranks else None
        if best is not None and best <= k:
            hits += 1
        else:
            misses.append(f"{item.lang} {item.q!r}: expected {item.expected}, got {ranked[:k]}")
        reciprocal += 1 / best if best else 0.0
    n = max(len(queries), 1)
    return hits / n, reciprocal / n, misses


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
