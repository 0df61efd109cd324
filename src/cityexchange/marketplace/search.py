"""Search across a town's shops, through the platform's search analysis.

A product is analysed with the library's ``analyse_document`` (its names and
descriptions each under their own language's rules, its category and shop name
under every language's) and a query with ``analyse_query`` (each word under the
rules of all four languages), so "pan dulce" finds the bread whose Spanish name
it is, whatever language the page is in, and "panes" finds it too.

The tokens are kept in ``Product.search_tokens`` and indexed on the database's own
engine, queried through the ORM:

* PostgreSQL: ``Product.search_vector`` (a ``tsvector`` with a GIN index), matched
  with ``SearchQuery(..., search_type="raw")``;
* SQLite: one ``ProductToken`` row per token (indexed by token), joined once per
  query word.

Every write of a product's names, descriptions, category or shop name calls
``index_products``. User input never reaches either engine's query syntax: only
tokens of ``[a-z0-9]`` are passed, inside a bound parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import QuerySet

from cityexchange.core.text import LANGUAGES, thesaurus
from cityexchange.library.analysis import analyse_document, analyse_query
from cityexchange.marketplace.models import Product, ProductToken

_BATCH = 500


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def tokens_of(
    *,
    names: Mapping[str, str],
    descriptions: Mapping[str, str],
    others: Iterable[str] = (),
) -> str:
    """The space-separated search tokens of a product.

    ``names``/``descriptions`` map a language to the text in it; ``others`` (category
    names, the shop's name) are in no one language and are read under each one's rules.
    """
    other = " ".join(o for o in others if o)
    document = analyse_document(
        resource_id=0,
        titles=dict(names),
        summaries={
            lang: f"{descriptions.get(lang, '')} {other}".strip()
            for lang in {*descriptions, *LANGUAGES}
        },
        body="",
        languages=[],
        topic_keys=[],
        facets={},
        is_public=True,
        published_on=None,
        index=thesaurus(),
    )
    tokens = f"{document.title} {document.summary} {document.concepts}".split()
    return " ".join(dict.fromkeys(t for t in tokens if t.isascii() and t.isalnum()))


def _tokens(product: Product) -> str:
    category = product.category
    return tokens_of(
        names={lang: getattr(product, f"name_{lang}") or "" for lang in LANGUAGES},
        descriptions={lang: getattr(product, f"description_{lang}") or "" for lang in LANGUAGES},
        others=[
            product.variant,
            product.shop.name,
            *((getattr(category, f"name_{lang}") or "" for lang in LANGUAGES) if category else ()),
        ],
    )


def index_products(products: QuerySet[Product]) -> int:
    """Analyse ``products`` again and put them in the index; returns how many."""
    rows = list(products.select_related("shop", "category").order_by("pk"))
    for product in rows:
        product.search_tokens = _tokens(product)
    Product.objects.bulk_update(rows, ["search_tokens"], batch_size=_BATCH)
    ids = [p.pk for p in rows]
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        if _postgres():
            Product.objects.filter(pk__in=chunk).update(
                search_vector=SearchVector("search_tokens", config="simple")
            )
        else:
            ProductToken.objects.filter(product_id__in=chunk).delete()
    if not _postgres():
        ProductToken.objects.bulk_create(
            (
                ProductToken(product_id=p.pk, token=token[:100])
                for p in rows
                for token in p.search_tokens.split()
            ),
            batch_size=2000,
        )
    return len(rows)


def matching(products: QuerySet[Product], q: str) -> QuerySet[Product]:
    """``products`` that match every word of ``q`` (in any of the four languages)."""
    groups = analyse_query(q).groups
    if not groups:
        # Only words every text has ("the", "de"): nothing to tell products apart by.
        return products.none()
    if _postgres():
        raw = " & ".join("(" + " | ".join(group) + ")" for group in groups)
        return products.filter(search_vector=SearchQuery(raw, config="simple", search_type="raw"))
    # A join per word, not ``pk IN (subquery)``: without statistics SQLite would walk
    # every product of every shop and test it against the list (200 ms instead of 2 ms
    # at 20,000 products). A product with two of a word's alternatives joins twice.
    for group in groups:
        products = products.filter(tokens__token__in=group)
    return products.distinct()
