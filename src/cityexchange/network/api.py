"""Network API, mounted at /api/v1/network: members and public partnerships for everyone;
partnerships, meetings and budget for network staff (token or session), 404 to others.

No ``from __future__ import annotations``: django-ninja reads the annotations at import.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from cityexchange.core.api import token_or_session
from cityexchange.network import selectors
from cityexchange.network.models import Meeting, Partnership, PartnershipKind, PartnershipStatus

router = Router(tags=["network"])

# Staff endpoints answer 404 to a signed-in client that is not network staff.
NOT_STAFF = {
    "responses": {
        404: {
            "description": "Not network staff: the same answer as for an address that does not exist.",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/CityexchangeError"}}
            },
        }
    }
}


def _staff(request: HttpRequest) -> None:
    if not request.user.has_perm("network.view_operations"):
        raise Http404


class MemberOrganisationOut(Schema):
    slug: str
    name: str
    country: str
    role: str


class MembersOut(Schema):
    countries: list[str]
    organisations: list[MemberOrganisationOut]
    count: int


@router.get("/members", response=MembersOut, auth=None)
def members(request: HttpRequest) -> dict[str, Any]:
    """Member countries as ISO codes and member organisations, today."""
    rows = list(selectors.members())
    countries = [str(m.country) for m in rows if m.country]
    organisations = [
        {
            "slug": m.organisation.slug,
            "name": m.organisation.name,
            "country": str(m.organisation.country or ""),
            "role": m.role,
        }
        for m in rows
        if m.organisation is not None
    ]
    return {"countries": countries, "organisations": organisations, "count": len(rows)}


class PublicPartnershipOut(Schema):
    slug: str
    title: str
    kind: str
    status: str
    description: str
    organisations: list[str]
    counterpart_countries: list[str]

    @staticmethod
    def resolve_description(obj: Partnership) -> str:
        return obj.public_description

    @staticmethod
    def resolve_organisations(obj: Partnership) -> list[str]:
        return [o.slug for o in obj.organisations.all()]


@router.get("/partnerships/public", response=list[PublicPartnershipOut], auth=None)
@paginate
def partnerships_public(request: HttpRequest) -> QuerySet[Partnership]:
    return selectors.public_partnerships()


def _unknown(field: str, value: object, allowed: list[str]) -> PydanticCustomError:
    return PydanticCustomError(
        "unknown_value",
        "{message}",
        {
            "message": _("unknown %(field)s “%(value)s”; allowed: %(allowed)s")
            % {"field": field, "value": value, "allowed": ", ".join(allowed)}
        },
    )


class PartnershipFilter(Schema):
    status: PartnershipStatus | None = None
    kind: PartnershipKind | None = None

    @field_validator("status", "kind", mode="before")
    @classmethod
    def _choice(cls, value: Any, info: ValidationInfo) -> Any:
        allowed = list(
            {"status": PartnershipStatus, "kind": PartnershipKind}[str(info.field_name)].values
        )
        # Leave the parameter out for "any"; an empty value is not one of the choices.
        if value is None:
            return None
        if not isinstance(value, str) or value not in allowed:
            raise _unknown(str(info.field_name), value, allowed)
        return value


class NextStepOut(Schema):
    description: str
    due_on: dt.date
    done: bool

    @staticmethod
    def resolve_done(obj: Any) -> bool:
        return obj.done_at is not None


class PartnershipOut(PublicPartnershipOut):
    is_public: bool
    notes: str
    open_steps: int
    topics: list[str]
    funding_options: list[str]

    @staticmethod
    def resolve_topics(obj: Partnership) -> list[str]:
        """Thesaurus concept keys."""
        return [t.key for t in obj.topics.all()]

    @staticmethod
    def resolve_funding_options(obj: Partnership) -> list[str]:
        """Short addresses of directory offers of kind funding."""
        return [o.slug for o in obj.funding_options.all()]


@router.get(
    "/partnerships", response=list[PartnershipOut], auth=token_or_session, openapi_extra=NOT_STAFF
)
@paginate
def partnerships(request: HttpRequest, filters: Query[PartnershipFilter]) -> QuerySet[Partnership]:
    """Every partnership with its internal notes (network staff only)."""
    _staff(request)
    return selectors.partnerships_for_staff(status=filters.status, kind=filters.kind)


class ActionItemOut(Schema):
    description: str
    due_on: dt.date | None
    done: bool

    @staticmethod
    def resolve_done(obj: Any) -> bool:
        return obj.done_at is not None


class MeetingOut(Schema):
    body: str
    number: int | None
    held_on: dt.date
    network_on_agenda: bool | None
    agenda: list[str]
    decisions: str
    action_items: list[ActionItemOut]

    @staticmethod
    def resolve_action_items(obj: Meeting) -> list[Any]:
        return list(obj.action_items.all())

    @staticmethod
    def resolve_body(obj: Meeting) -> str:
        return obj.body.slug

    @staticmethod
    def resolve_agenda(obj: Meeting) -> list[str]:
        return [a.title for a in obj.agenda_items.all()]


@router.get("/meetings", response=list[MeetingOut], auth=token_or_session, openapi_extra=NOT_STAFF)
@paginate
def meetings(request: HttpRequest) -> QuerySet[Meeting]:
    _staff(request)
    return selectors.meetings()


class ProgrammeOut(Schema):
    name: str
    allocated: Decimal | None
    paid: Decimal


class BudgetYearOut(Schema):
    line: str
    name: str
    year: int
    currency: str
    allocated: Decimal | None
    paid: Decimal
    utilisation: Decimal | None
    change: Decimal | None
    reported_utilisation: Decimal | None
    reported_change: Decimal | None
    programmes: list[ProgrammeOut]


class BudgetOut(Schema):
    items: list[BudgetYearOut]
    count: int


class YearsIn(Schema):
    """The years from one to the other, whichever is given first."""

    year_from: int = Field(2023, ge=1990, le=2100)
    year_to: int = Field(2024, ge=1990, le=2100)


@router.get("/budget", response=BudgetOut, auth=token_or_session, openapi_extra=NOT_STAFF)
def budget(request: HttpRequest, years: Query[YearsIn]) -> dict[str, Any]:
    """Use of every budget line per year (network staff only); amounts as decimal strings."""
    _staff(request)
    first, last = sorted((years.year_from, years.year_to))
    rows = selectors.budget_years(years=list(range(first, last + 1)))
    items = [
        {
            "line": row.line.code,
            "name": row.line.name,
            "year": row.year,
            "currency": row.currency,
            "allocated": row.allocated,
            "paid": row.paid,
            "utilisation": row.utilisation,
            "change": row.change,
            "reported_utilisation": row.reported_utilisation.value
            if row.reported_utilisation
            else None,
            "reported_change": row.reported_change.value if row.reported_change else None,
            "programmes": [p.__dict__ for p in row.programmes],
        }
        for row in rows
    ]
    return {"items": items, "count": len(items)}
