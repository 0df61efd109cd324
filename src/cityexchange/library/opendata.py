"""Open data: the public catalogue as DCAT-AP (rdflib), an Atom feed, CSV, citations."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db.models import QuerySet
from django.utils import feedgenerator
from django.utils.translation import gettext as _
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from cityexchange.core.text import LANGUAGES
from cityexchange.library.models import Resource

EU_LANG = "http://publications.europa.eu/resource/authority/language/"
EU_LANG_CODES = {"de": "DEU", "en": "ENG", "es": "SPA", "pt": "POR"}
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
FEED_SIZE = 50
ADMS = Namespace("http://www.w3.org/ns/adms#")


def _url(base: str, resource: Resource) -> str:
    return base.rstrip("/") + resource.get_absolute_url()


def citation(resource: Resource, base: str) -> str:
    """A plain citation: authors (year): title. Kind. URL."""
    authors = "; ".join(resource.authors) or _("cityexchange library")
    year = resource.published_on.year if resource.published_on else _("n.d.")
    return f"{authors} ({year}): {resource.title}. {resource.get_kind_display()}. {_url(base, resource)}"


def _prepared(queryset: QuerySet[Resource]) -> QuerySet[Resource]:
    return queryset.prefetch_related("topics", "organisations", "attachments").order_by(
        "-published_on", "pk"
    )


def catalogue_graph(queryset: QuerySet[Resource], *, base: str) -> Graph:
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    graph.bind("foaf", FOAF)
    catalogue = URIRef(base.rstrip("/") + "/api/v1/library/catalogue.jsonld")
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, Literal("cityexchange library", lang="en")))
    graph.add((catalogue, DCTERMS.title, Literal("cityexchange-Bibliothek", lang="de")))
    graph.add(
        (
            catalogue,
            DCTERMS.description,
            Literal(
                "Documentation, studies, good practices and tools of an international "
                "smart-city knowledge-exchange network.",
                lang="en",
            ),
        )
    )
    publisher = URIRef(base.rstrip("/") + "/#publisher")
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal("cityexchange")))
    graph.add((catalogue, DCTERMS.publisher, publisher))
    for resource in _prepared(queryset):
        node = URIRef(_url(base, resource))
        graph.add((catalogue, DCAT.dataset, node))
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCTERMS.identifier, Literal(resource.slug)))
        for lang in LANGUAGES:
            title = getattr(resource, f"title_{lang}", "")
            summary = getattr(resource, f"summary_{lang}", "")
            if title:
                graph.add((node, DCTERMS.title, Literal(title, lang=lang)))
            if summary:
                graph.add((node, DCTERMS.description, Literal(summary, lang=lang)))
        if resource.published_on:
            graph.add(
                (
                    node,
                    DCTERMS.issued,
                    Literal(resource.published_on.isoformat(), datatype=XSD.date),
                )
            )
        for code in resource.languages:
            if code in EU_LANG_CODES:
                graph.add((node, DCTERMS.language, URIRef(EU_LANG + EU_LANG_CODES[code])))
        for topic in resource.topics.all():
            graph.add(
                (
                    node,
                    DCAT.keyword,
                    Literal(getattr(topic, "label_en", "") or topic.label, lang="en"),
                )
            )
        for organisation in resource.organisations.all():
            graph.add((node, DCTERMS.creator, Literal(organisation.name)))
        for author in resource.authors:
            graph.add((node, DCTERMS.creator, Literal(author)))
        graph.add((node, DCAT.landingPage, node))
        graph.add((node, DCTERMS.type, Literal(resource.kind)))
        if resource.licence:
            graph.add((node, DCTERMS.license, Literal(resource.licence)))
        graph.add((node, DCTERMS.publisher, publisher))
        if resource.source_url:
            distribution = URIRef(resource.source_url)
            graph.add((node, DCAT.distribution, distribution))
            graph.add((distribution, RDF.type, DCAT.Distribution))
            graph.add((distribution, DCAT.accessURL, URIRef(resource.source_url)))
    return graph


def atom_feed(queryset: QuerySet[Resource], *, base: str) -> str:
    feed = feedgenerator.Atom1Feed(
        title=_("cityexchange library: new resources"),
        link=base,
        description=_("New documentation, studies, good practices and tools."),
        language="en",
        feed_url=base.rstrip("/") + "/api/v1/library/feed.atom",
    )
    for resource in _prepared(queryset)[:FEED_SIZE]:
        url = _url(base, resource)
        import datetime as dt

        pubdate: Any = None
        if resource.published_on:
            pubdate = dt.datetime.combine(resource.published_on, dt.time(), tzinfo=dt.UTC)
        feed.add_item(
            title=resource.title,
            link=url,
            description=resource.summary,
            unique_id=url,
            pubdate=pubdate,
            updateddate=resource.updated_at,
            categories=[t.key for t in resource.topics.all()],
        )
    return feed.writeString("utf-8")


CSV_COLUMNS = [
    "slug",
    "kind",
    "title_en",
    "title_de",
    "title_es",
    "title_pt",
    "summary_en",
    "languages",
    "published_on",
    "authors",
    "organisations",
    "topics",
    "countries",
    "city",
    "population_class",
    "licence",
    "source_url",
    "url",
]


def _cell(value: str) -> str:
    # Spreadsheet programs run cells starting with these as formulas.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def csv_export(queryset: QuerySet[Resource], *, base: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in _prepared(queryset):
        row = [
            r.slug,
            r.kind,
            # modeltranslation's columns, added to the model at run time
            *(getattr(r, f"title_{code}") for code in ("en", "de", "es", "pt")),
            getattr(r, "summary_en"),  # noqa: B009 - a column mypy does not know
            ";".join(r.languages),
            r.published_on.isoformat() if r.published_on else "",
            ";".join(r.authors),
            ";".join(o.slug for o in r.organisations.all()),
            ";".join(t.key for t in r.topics.all()),
            ";".join(r.countries),
            r.city,
            r.population_class,
            r.licence,
            r.source_url,
            _url(base, r),
        ]
        writer.writerow([_cell(str(v or "")) for v in row])
    return out.getvalue()
