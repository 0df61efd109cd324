"""Text analysis shared by search and matching: normalising, stemming, thesaurus look-up.

A query in any of de/en/es/pt is understood in two ways at once:

* per-language Snowball stemming, so "Plattformen" meets "Plattform";
* the topic thesaurus, whose labels and synonyms in all four languages point to
  one concept, so "Wassermanagement" meets "water management" and "gestión
  del agua".

Labels are matched on their stemmed token sequence, as whole runs of words in
the text, and German compounds are also matched when a label is a part of a
longer word ("Hochwasserschutzkonzept" contains "Hochwasser").
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from cityexchange.core import caching

LANGUAGES = ("de", "en", "es", "pt")
_STEMMER_NAMES = {"de": "german", "en": "english", "es": "spanish", "pt": "portuguese"}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# German compounds are only split on parts at least this long, so short labels
# ("KI") do not match inside unrelated words.
_MIN_COMPOUND_PART = 5

STOPWORDS: dict[str, frozenset[str]] = {
    "de": frozenset(
        "der die das den dem des ein eine einer eines einem einen und oder für fur mit von zu "
        "zur zum im in am an auf aus bei ist sind wie was wer wir ihr sie es nicht auch als "
        "nach über uber unter durch unsere unser unseren unserer meine mein kann können "
        "konnen wollen möchten mochten suchen brauchen gibt hat haben".split()
    ),
    "en": frozenset(
        "the a an and or of for to in on at by with from is are be as it its this that these "
        "those we our us you your how what which who can want need looking find about into "
        "do does".split()
    ),
    "es": frozenset(
        "el la los las un una unos unas y o de del al en con por para es son como que qué "
        "nuestro nuestra nuestros nuestras se su sus lo queremos buscamos necesitamos".split()
    ),
    "pt": frozenset(
        "o a os as um uma uns umas e ou de do da dos das no na nos nas em com por para é são "
        "como que nosso nossa nossos nossas se seu sua queremos buscamos precisamos".split()
    ),
}
ALL_STOPWORDS = frozenset().union(*STOPWORDS.values())


def fold(text: str) -> str:
    """Lower-case and strip accents: "Gestão" and "gestao" become the same."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ß", "ss")


def words(text: str) -> list[str]:
    """Folded words of ``text`` in order, stopwords kept (labels may contain them)."""
    return _WORD.findall(fold(text))


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in ALL_STOPWORDS]


@lru_cache(maxsize=8)
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(_STEMMER_NAMES[language])


_stem_lock = threading.Lock()


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    # Snowball stemmers keep state between calls; guard them across threads.
    # (snowballstemmer uses the C implementation from PyStemmer when it is installed.)
    with _stem_lock:
        return str(_stemmer(language).stemWord(word))


def stems(text: str, language: str) -> list[str]:
    return [stem(w, language) for w in content_words(text)]


@dataclass(frozen=True)
class ConceptMatch:
    concept: str  # the concept's key
    label: str  # the label as written in the thesaurus
    language: str
    matched_text: str  # what in the user's text matched


@dataclass
class ThesaurusIndex:
    """All labels of all concepts, ready to be found in a text."""

    # (language, stemmed token tuple) -> [(concept key, label)]
    phrases: dict[tuple[str, tuple[str, ...]], list[tuple[str, str]]] = field(default_factory=dict)
    # folded single-word label -> [(concept key, label, language)] for compound search
    compound_parts: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    labels: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # key -> lang -> labels
    preferred: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> lang -> label
    broader: dict[str, str | None] = field(default_factory=dict)
    max_len: int = 1
    # (language, first stem) -> length of the longest label starting with it
    starts: dict[tuple[str, str], int] = field(default_factory=dict)
    _longest_part: int = 0
    _part_memo: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)

    def add(self, key: str, language: str, text: str, preferred: bool) -> None:
        self.labels.setdefault(key, {}).setdefault(language, []).append(text)
        if preferred:
            self.preferred.setdefault(key, {})[language] = text
        tokens = tuple(stem(w, language) for w in words(text))
        if not tokens:
            return
        self.phrases.setdefault((language, tokens), []).append((key, text))
        self.max_len = max(self.max_len, len(tokens))
        first = (language, tokens[0])
        self.starts[first] = max(self.starts.get(first, 0), len(tokens))
        folded = words(text)
        if language == "de" and len(folded) == 1 and len(folded[0]) >= _MIN_COMPOUND_PART:
            self.compound_parts.setdefault(folded[0], []).append((key, text, language))
            self._longest_part = max(self._longest_part, len(folded[0]))

    def find(self, text: str, languages: Iterable[str] = LANGUAGES) -> list[ConceptMatch]:
        """Concepts named in ``text``, each once, trying each language's stemming."""
        return self.named(words(text), languages)

    def named(
        self, tokens: Sequence[str], languages: Iterable[str] = LANGUAGES, *, every: bool = False
    ) -> list[ConceptMatch]:
        """Labels named in the folded words ``tokens``: each concept once (for a query), or
        with ``every`` each occurrence (for a document, where naming a topic often weighs
        more). The one implementation of label matching; ``find`` is this over a text.
        """
        found: list[ConceptMatch] = []
        seen: set[str] = set()

        def add(key: str, label: str, language: str, matched: str) -> None:
            if every or key not in seen:
                seen.add(key)
                found.append(ConceptMatch(key, label, language, matched))

        for language in languages:
            stemmed = [stem(w, language) for w in tokens]
            # Only positions whose word can begin a label are worth a look: the
            # longest label starting with that stem bounds the runs to try.
            for start, first in enumerate(stemmed):
                longest = self.starts.get((language, first), 0)
                for size in range(min(longest, len(stemmed) - start), 0, -1):
                    if size == 1 and tokens[start] in ALL_STOPWORDS:
                        continue
                    run = tuple(stemmed[start : start + size])
                    for key, label in self.phrases.get((language, run), ()):
                        add(key, label, language, " ".join(tokens[start : start + size]))
        # German compounds: a label that is a part of a longer word (each part once per word).
        for token in tokens:
            for key, label, language in dict.fromkeys(self._parts_in(token)):
                add(key, label, language, token)
        return found

    def _parts_in(self, token: str) -> list[tuple[str, str, str]]:
        """Single-word German labels found inside ``token``, memoised per word.

        Real text repeats its vocabulary, so indexing a large corpus asks about the
        same words again and again; the answer for a word never changes for this index.
        """
        cached = self._part_memo.get(token)
        if cached is not None:
            return cached
        result: list[tuple[str, str, str]] = []
        if len(token) > _MIN_COMPOUND_PART:
            longest = min(len(token) - 1, self._longest_part)
            for start in range(len(token) - _MIN_COMPOUND_PART + 1):
                for end in range(start + _MIN_COMPOUND_PART, min(start + longest, len(token)) + 1):
                    entries = self.compound_parts.get(token[start:end])
                    if entries and token[start:end] != token:
                        result.extend(entries)
        if len(self._part_memo) < 500_000:
            self._part_memo[token] = result
        return result

    def expansion(self, key: str) -> list[tuple[str, str]]:
        """Every (language, label) of a concept: what a search for it should also look for."""
        return [
            (lang, label) for lang, items in self.labels.get(key, {}).items() for label in items
        ]

    def label(self, key: str, language: str) -> str:
        names = self.preferred.get(key, {})
        return names.get(language) or names.get("en") or next(iter(names.values()), key)


def _build_thesaurus() -> ThesaurusIndex:
    from cityexchange.core.models import ConceptLabel

    index = ThesaurusIndex()
    rows = ConceptLabel.objects.values_list(
        "concept__key", "language", "text", "preferred", "concept__broader__key"
    )
    for key, language, text, preferred, broader in rows.order_by("-preferred", "id"):
        index.add(key, language, text, preferred)
        index.broader[key] = broader
    return index


def thesaurus() -> ThesaurusIndex:
    """The thesaurus index, built once per process and again after the loader's
    ``caching.bump("thesaurus")``."""
    return caching.cached("thesaurus", _build_thesaurus)
