"""What the library search understands of a resource and of a query, in Python.

Both database engines are fed the same analysis, made with ``core.text``:

* every word is folded and stemmed with the Snowball rules of the language it is
  written in (titles and summaries in each of de/en/es/pt, the full text in the
  material's own languages);
* thesaurus concepts named anywhere in the text become concept tokens such as
  ``cxwatermanagement``, as do the resource's explicit topics.

A query is analysed word by word: each content word may match through any of its
stems under the four languages' rules, or through the concept token of a thesaurus
label it is part of.

Tokens are made of ``[a-z0-9]`` only: PostgreSQL's text parser would split a token
at any other character (``c_water`` becomes ``c`` and ``water``), and user input
never reaches either engine's query syntax this way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cityexchange.core.text import (
    ALL_STOPWORDS,
    LANGUAGES,
    ConceptMatch,
    ThesaurusIndex,
    content_words,
    stem,
    thesaurus,
    words,
)

MAX_QUERY_CHARS = 400
MAX_QUERY_WORDS = 24
# Very long extracted texts are cut so a single PDF cannot bloat the index.
MAX_BODY_WORDS = 20000
_TOKEN_OK = re.compile(r"^[a-z0-9]+$")


def concept_token(key: str) -> str:
    """The index token of a thesaurus concept: "water-management" -> "cxwatermanagement".

    No word of the four languages starts with "cx", so it cannot meet a word's stem.
    """
    return "cx" + re.sub(r"[^a-z0-9]+", "", key.lower())


def material_languages(languages: Sequence[str]) -> list[str]:
    valid = [lang for lang in languages if lang in LANGUAGES]
    return valid or ["en"]


@dataclass
class Document:
    """The analysed form of a resource: space-separated tokens per column, facet values."""

    resource_id: int
    title: str
    summary: str
    body: str
    concepts: str
    facets: list[tuple[str, str]]
    is_public: bool
    published_on: dt.date | None

    @property
    def tags(self) -> str:
        """Facet values as stored with the entry: ``kind:study topic:sensors ...``."""
        return " ".join(f"{name}:{value}" for name, value in self.facets)


def _analyse(
    text: str, languages: Sequence[str], index: ThesaurusIndex
) -> tuple[list[str], list[str]]:
    """(word tokens, concept keys of every label occurrence) of ``text`` in ``languages``."""
    folded = words(text)[:MAX_BODY_WORDS]
    tokens: list[str] = []
    for word in folded:
        if word not in ALL_STOPWORDS:
            tokens.extend(dict.fromkeys(stem(word, language) for language in languages))
    found = index.named(folded, languages, every=True)
    return tokens, [match.concept for match in found]


def analyse_document(
    *,
    resource_id: int,
    titles: dict[str, str],
    summaries: dict[str, str],
    body: str,
    languages: Sequence[str],
    topic_keys: Sequence[str],
    facets: dict[str, list[str]],
    is_public: bool,
    published_on: dt.date | None,
    index: ThesaurusIndex | None = None,
) -> Document:
    """Analyse one resource. ``titles``/``summaries`` map a language to its translation."""
    index = index or thesaurus()
    concept_keys: list[str] = []
    columns: dict[str, list[str]] = {"title": [], "summary": [], "body": []}
    for column, texts in (("title", titles), ("summary", summaries)):
        for language, text in texts.items():
            if text:
                tokens, found = _analyse(text, [language], index)
                columns[column].extend(tokens)
                concept_keys.extend(found)
    if body:
        tokens, found = _analyse(body, material_languages(languages), index)
        columns["body"] = tokens
        concept_keys.extend(found)
    # An explicit topic counts as much as being named in two places.
    concept_keys.extend(list(topic_keys) * 2)
    facet_values = list(
        dict.fromkeys(
            (name, "".join(str(value).split())[:120])
            for name, values in facets.items()
            for value in values
            if str(value).strip()
        )
    )
    return Document(
        resource_id=resource_id,
        title=" ".join(columns["title"]),
        summary=" ".join(columns["summary"]),
        body=" ".join(columns["body"]),
        concepts=" ".join(concept_token(key) for key in concept_keys),
        facets=facet_values,
        is_public=is_public,
        published_on=published_on,
    )


@dataclass
class QueryWord:
    text: str  # the folded word as typed
    tokens: frozenset[str]  # its stems under every language's rules
    concepts: frozenset[str] = frozenset()  # tokens of thesaurus labels it is part of

    @property
    def alternatives(self) -> list[str]:
        """Every token through which this word may match, sorted."""
        return sorted(t for t in self.tokens | self.concepts if _TOKEN_OK.match(t))


@dataclass
class Query:
    raw: str
    words: list[QueryWord] = field(default_factory=list)
    concepts: list[ConceptMatch] = field(default_factory=list)

    @property
    def tokens(self) -> list[str]:
        """Every token of the query, sorted: any of them matches when not all words do."""
        result: set[str] = {concept_token(c.concept) for c in self.concepts}
        for word in self.words:
            result.update(word.tokens)
        return sorted(t for t in result if _TOKEN_OK.match(t))

    @property
    def groups(self) -> list[list[str]]:
        """One list of alternatives per word; a document must match one of each list.

        Lists that contain another list are dropped: they add nothing to an AND.
        """
        groups = [g for g in (w.alternatives for w in self.words) if g]
        unique = list(dict.fromkeys(tuple(g) for g in groups))
        kept = [g for g in unique if not any(o != g and set(o) <= set(g) for o in unique)]
        return [list(g) for g in kept]

    @property
    def is_empty(self) -> bool:
        return not self.tokens


def analyse_query(raw: str, index: ThesaurusIndex | None = None) -> Query:
    """Understand a query typed in any of the four languages; never raises."""
    text = (raw or "")[:MAX_QUERY_CHARS]
    index = index or thesaurus()
    query = Query(raw=text)
    for word in dict.fromkeys(content_words(text)[:MAX_QUERY_WORDS]):
        query.words.append(QueryWord(word, frozenset(stem(word, lang) for lang in LANGUAGES)))
    if query.words:
        query.concepts = index.find(text)
        by_word: dict[str, set[str]] = {}
        for match in query.concepts:
            for part in match.matched_text.split():
                by_word.setdefault(part, set()).add(concept_token(match.concept))
        for item in query.words:
            item.concepts = frozenset(by_word.get(item.text, ()))
    return query
