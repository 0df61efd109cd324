"""hit@k and MRR of the library search over eval_queries.yaml (used by ``eval-search``)."""

from __future__ import annotations

from pathlib import Path

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
