"""Library API: cross-lingual search, resource details and the open-data exports.

No ``from __future__ import annotations``: django-ninja reads annotations at import.
"""

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import BaseModel

from cityexchange.core.access import get_for_user
from cityexchange.core.i18n import current_language
from cityexchange.core.links import slug_paths
from cityexchange.library import opendata
from cityexchange.library.models import Resource, ResourceKind
from cityexchange.library.selectors import (
    resource_for_page,
    search_resources,
    visible_resources,
)

router = Router(tags=["library"])


class SearchIn(Schema):
    q: str = Field("", max_length=2000, description="Words in any of de, en, es, pt.")
    kind: ResourceKind | None = None
    topic: str | None = Field(None, max_length=80, description="A thesaurus concept key.")
    lang: str | None = Field(None, max_length=2, description="Language of the material.")
    country: str | None = Field(None, max_length=2, description="ISO 3166 code.")
    year: int | None = Field(None, ge=1900, le=2200)
    sort: str = Field("relevance", pattern="^(relevance|newest)$")
    page: int = Field(1, ge=1, le=10000)
    page_size: int = Field(10, ge=1, le=50)


# The nested parts of a search answer are plain pydantic models, not ninja ``Schema``s:
# a ``Schema`` wraps each object in a Django-aware getter before validating it, which
# is needed for model instances but costs thousands of calls for a page of items and
# facets, and these are always given as dicts. The OpenAPI schema is the same.
class SearchItemOut(BaseModel):
    id: int
    slug: str
    title: str
    kind: str
    languages: list[str]
    summary: str
    snippet: str = Field(description="Escaped HTML; matching words wrapped in <mark>.")
    topics: list[str]
    url: str
    score: float
    matched: list[str] = Field(description="Why it matched, in the request's language.")


class FacetOut(BaseModel):
    value: str
    label: str
    count: int
    selected: bool


class SearchOut(Schema):
    items: list[SearchItemOut]
    count: int = Field(description="Number of matches; at least that many when count_is_estimate.")
    count_is_estimate: bool = Field(
        description="True when there are more matches than were counted (500): count "
        "is then a lower bound, shown as '500+'."
    )
    page: int
    facets: dict[str, list[FacetOut]]
    facets_sampled: bool = Field(
        description="True when facet counts come from the first 500 matches, not from "
        "all of them (as count_is_estimate)."
    )
    ranking_is_approximate: bool = Field(
        description="True when there were too many matches to rank them all (as "
        "count_is_estimate): the first 500 the database finds are ranked."
    )


def _page_address(request: HttpRequest) -> Callable[[Resource], str]:
    """``request.build_absolute_uri(resource.get_absolute_url())``, for many resources."""
    path = slug_paths("library:resource")
    origin = request.build_absolute_uri("/")[:-1]
    return lambda resource: origin + path(resource.slug)


@router.get("/search", response=SearchOut, auth=None)
def search(request: HttpRequest, params: Query[SearchIn]) -> HttpResponse:
    """Search the library; a query in any language also finds material in the others.

    The answer is written as JSON here rather than validated against ``SearchOut`` by
    django-ninja on every request (a third of the time of answering a search goes
    to that otherwise): its parts are built from typed values, and the tests check
    answers against the schema.
    """
    filters: dict[str, Any] = {
        name: getattr(params, name)
        for name in ("kind", "topic", "lang", "country", "year")
        if getattr(params, name)
    }
    if any(
        "\x00" in (text or "") for text in (params.q, params.topic, params.lang, params.country)
    ):
        raise HttpError(400, _("The search terms contain a character that is not allowed."))
    # Without a search term or filter the answer lists the library, newest first.
    filters["sort"] = params.sort
    language = current_language()
    result = search_resources(
        query=params.q,
        language=language,
        filters=filters,
        page=params.page,
        page_size=params.page_size,
        user=request.user,
    )
    address = _page_address(request)
    answer = {
        "items": [
            {
                "id": item.resource.pk,
                "slug": item.resource.slug,
                "title": item.resource.title,
                "kind": item.resource.kind,
                "languages": item.resource.languages,
                "summary": item.resource.summary,
                "snippet": str(item.snippet),
                "topics": item.topics,
                "url": address(item.resource),
                "score": item.score,
                "matched": item.matched,
            }
            for item in result.items
        ],
        "count": result.count,
        "count_is_estimate": result.count_is_capped,
        "page": result.page,
        "facets": {name: [v.__dict__ for v in values] for name, values in result.facets.items()},
        "facets_sampled": result.count_is_capped,
        "ranking_is_approximate": result.count_is_capped,
    }
    return HttpResponse(json.dumps(answer), content_type="application/json; charset=utf-8")


class AttachmentOut(Schema):
    title: str
    url: str
    content_type: str
    size: int


class ResourceOut(Schema):
    id: int
    slug: str
    kind: str
    title: str
    summary: str
    languages: list[str]
    authors: list[str]
    organisations: list[str]
    published_on: str | None
    topics: list[str]
    countries: list[str]
    city: str
    population_class: str
    licence: str
    source_url: str
    event: str | None
    offers: list[str]
    visibility: str
    url: str
    attachments: list[AttachmentOut]
    citation: str


@router.get("/resources/{slug}", response=ResourceOut, auth=None)
def resource_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    resource = get_for_user(
        resource_for_page(), user=request.user, perm="library.view_resource", slug=slug
    )
    return {
        "id": resource.pk,
        "slug": resource.slug,
        "kind": resource.kind,
        "title": resource.title,
        "summary": resource.summary,
        "languages": resource.languages,
        "authors": resource.authors,
        "organisations": [o.slug for o in resource.organisations.all()],
        "published_on": resource.published_on.isoformat() if resource.published_on else None,
        "topics": [t.key for t in resource.topics.all()],
        "countries": resource.countries,
        "city": resource.city,
        "population_class": resource.population_class,
        "licence": resource.licence,
        "source_url": resource.source_url,
        "event": resource.event.slug if resource.event else None,
        "offers": [o.slug for o in resource.offers.all()],
        "visibility": resource.visibility,
        "url": request.build_absolute_uri(resource.get_absolute_url()),
        "attachments": [
            {
                "title": a.title,
                "url": request.build_absolute_uri(
                    reverse("library:attachment", kwargs={"slug": resource.slug, "pk": a.pk})
                ),
                "content_type": a.content_type,
                "size": a.size,
            }
            for a in resource.attachments.all()
        ],
        "citation": opendata.citation(resource, request.build_absolute_uri("/")),
    }


def _public(request: HttpRequest) -> Any:
    return visible_resources(user=None)


@router.get("/catalogue.jsonld", auth=None, include_in_schema=True)
def catalogue_jsonld(request: HttpRequest) -> HttpResponse:
    """The public catalogue as DCAT-AP in JSON-LD."""
    graph = opendata.catalogue_graph(_public(request), base=request.build_absolute_uri("/"))
    return HttpResponse(
        graph.serialize(format="json-ld", indent=2), content_type="application/ld+json"
    )


@router.get("/catalogue.ttl", auth=None)
def catalogue_turtle(request: HttpRequest) -> HttpResponse:
    """The public catalogue as DCAT-AP in Turtle."""
    graph = opendata.catalogue_graph(_public(request), base=request.build_absolute_uri("/"))
    return HttpResponse(graph.serialize(format="turtle"), content_type="text/turtle")


@router.get("/feed.atom", auth=None)
def feed(request: HttpRequest) -> HttpResponse:
    """An Atom feed of the newest public resources."""
    return HttpResponse(
        opendata.atom_feed(_public(request), base=request.build_absolute_uri("/")),
        content_type="application/atom+xml; charset=utf-8",
    )


@router.get("/resources.csv", auth=None)
def csv_export(request: HttpRequest) -> HttpResponse:
    """Every public resource as CSV (UTF-8), one row each."""
    response = HttpResponse(
        opendata.csv_export(_public(request), base=request.build_absolute_uri("/")),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="library.csv"'
    return response
