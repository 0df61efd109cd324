"""Core API: health and readiness, topics (thesaurus) and organisations; shared auth for all routers.

No ``from __future__ import annotations`` here: django-ninja reads the
annotations at import time to build its request schemas.
"""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.pagination import paginate
from ninja.security import HttpBearer, django_auth

from cityexchange.core.health import readiness
from cityexchange.core.i18n import current_language
from cityexchange.core.metrics import authorised as metrics_authorised
from cityexchange.core.metrics import exposition as metrics_exposition
from cityexchange.core.models import Concept, Organisation, OrganisationKind, User
from cityexchange.core.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cx_...``; tokens are created with ``cityexchange create-token``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


# Staff writes accept a token (scripts) or the browser session (with CSRF).
token_or_session = [TokenAuth(), django_auth]

router = Router(tags=["core"])


class HealthOut(Schema):
    status: str = Field(..., examples=["ok"])


@router.get("/health", response=HealthOut, auth=None)
def health(request: HttpRequest) -> dict[str, str]:
    """Liveness: the process answers. Asks nothing else, so a slow database never
    gets healthy app servers restarted; readiness is ``/ready``."""
    return {"status": "ok"}


class ReadyChecksOut(Schema):
    database: str = Field(..., examples=["ok"])
    migrations: str = Field(..., examples=["ok"], description='"ok" or "<n> unapplied"')
    cache: str = Field(..., examples=["ok"])
    broker: str = Field(..., examples=["ok"], description='"ok" or "not configured" or a fault')


class ReadyOut(Schema):
    status: str = Field(..., examples=["ready"], description='"ready" or "not ready"')
    checks: ReadyChecksOut


@router.get("/ready", response={200: ReadyOut, 503: ReadyOut}, auth=None)
def ready(request: HttpRequest) -> Status:
    """Readiness: database, cache and broker (when configured) answer and every
    migration is applied; 503 with the failing check named otherwise."""
    is_ready, answer = readiness()
    return Status(200 if is_ready else 503, answer)


@router.get("/metrics", auth=None, include_in_schema=False)
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics (``core.metrics``): 404 while off, 401 without the token."""
    if not settings.METRICS_TOKEN:
        raise Http404
    if not metrics_authorised(request):
        raise AuthenticationError
    return metrics_exposition()


class MeOut(Schema):
    email: str
    full_name: str
    language: str
    roles: list[str]
    organisations: list[str]


@router.get("/me", response=MeOut, auth=token_or_session)
def me(request: HttpRequest) -> dict[str, Any]:
    """The signed-in account: a quick way to check that a token works."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by the auth of this route
    return {
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "organisations": sorted(user.memberships.values_list("organisation__slug", flat=True)),
    }


class ConceptOut(Schema):
    key: str
    label: str
    broader: str | None
    labels: dict[str, list[str]]


@router.get("/topics", response=list[ConceptOut], auth=None)
@paginate
def topics(request: HttpRequest) -> list[dict[str, Any]]:
    concepts = Concept.objects.select_related("broader").prefetch_related("labels").order_by("key")
    result = []
    for concept in concepts:
        labels: dict[str, list[str]] = {}
        for label in sorted(concept.labels.all(), key=lambda item: not item.preferred):
            labels.setdefault(label.language, []).append(label.text)
        result.append(
            {
                "key": concept.key,
                "label": concept.label,
                "broader": concept.broader.key if concept.broader else None,
                "labels": labels,
            }
        )
    return result


class OrganisationOut(Schema):
    slug: str
    name: str
    short_name: str
    kind: str
    country: str | None = Field(None)
    website: str
    description: str
    parent: str | None = Field(None)

    @staticmethod
    def resolve_country(obj: Organisation) -> str | None:
        # django-countries gives a Country object; the stubs only know the stored code.
        code = getattr(obj.country, "code", obj.country)
        return str(code) or None

    @staticmethod
    def resolve_parent(obj: Organisation) -> str | None:
        return obj.parent.slug if obj.parent else None


class OrganisationFilter(Schema):
    kind: OrganisationKind | None = None
    country: str | None = Field(None, min_length=2, max_length=2)


@router.get("/organisations", response=list[OrganisationOut], auth=None)
@paginate
def organisations(
    request: HttpRequest, filters: Query[OrganisationFilter]
) -> QuerySet[Organisation]:
    queryset = Organisation.objects.select_related("parent").order_by(
        f"name_{current_language()}", "slug"
    )
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.country:
        queryset = queryset.filter(country=filters.country.upper())
    return queryset
