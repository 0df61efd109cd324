"""Suggesting an edition's topics from its title and its documentation, for review.

The shipped editions' topics are data (``data/past_editions.yaml``), reviewed
by a person; nothing here runs when a page is served. Staff run
``cityexchange suggest-event-topics`` to get suggestions for editions in that
file, check them, and write the ones they keep into it.

A suggestion, in order: the thesaurus concepts named in the title; the topics
the edition's documentation (the library resource) was given by its editors;
then concepts its documentation text names often. Broad concepts (``smart-city``,
``data``, ``sensors``) come only from the title or the editors' topics, because
almost every text names them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from cityexchange.core.text import ThesaurusIndex, words

MAX_TOPICS = 6
# How often the documentation must name a concept before it is suggested.
MIN_MENTIONS = 3
UMBRELLA = frozenset({"smart-city", "data", "sensors"})


def suggest_topics(
    *,
    title: str,
    documentation_topics: Sequence[str] = (),
    documentation_text: str = "",
    index: ThesaurusIndex,
    known: set[str] | None = None,
) -> list[str]:
    """Concept keys for one edition, most telling first (at most MAX_TOPICS)."""
    chosen: list[str] = [m.concept for m in index.find(title)]
    chosen.extend(documentation_topics)
    if documentation_text:
        counts = Counter(m.concept for m in index.named(words(documentation_text), every=True))
        chosen.extend(
            key
            for key, count in counts.most_common()
            if count >= MIN_MENTIONS and key not in UMBRELLA
        )
    unique = [key for key in dict.fromkeys(chosen) if known is None or key in known]
    return unique[:MAX_TOPICS]
