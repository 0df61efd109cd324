"""The consultations API: consultations with phases and document, public comments, commenting.

No ``from __future__ import annotations``: django-ninja reads annotations at import.
Restricted consultations are 404 for whoever may not see them, as on the pages.
"""

from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django_countries import countries
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from cityexchange.consultations import selectors, services
from cityexchange.consultations.limits import COMMENT_LIMIT
from cityexchange.consultations.models import (
    COMMENT_MAX_LENGTH,
    QUOTE_MAX_LENGTH,
    Comment,
    Consultation,
    DocumentVersion,
    Paragraph,
    Section,
    Target,
)
from cityexchange.core import caching
from cityexchange.core.access import get_for_user, signed_in
from cityexchange.core.api import token_or_session
from cityexchange.core.ratelimit import check_api
from cityexchange.core.schemas import ErrorOut

router = Router(tags=["consultations"])

Language = Literal["de", "en", "es", "pt"]


class PhaseOut(Schema):
    phase: str
    announced_at: str
    opens_at: str
    closes_at: str
    response_published_at: str | None


class ConsultationFields(Schema):
    slug: str
    title: str
    introduction: str
    organiser: str
    phase: str
    closes_at: str
    audience: str
    moderation: str
    names_public: bool
    document_languages: list[str]
    url: str


class ConsultationOut(ConsultationFields):
    @staticmethod
    def resolve_organiser(obj: Consultation) -> str:
        return obj.organiser.name

    @staticmethod
    def resolve_closes_at(obj: Consultation) -> str:
        return obj.closes_at.isoformat()

    @staticmethod
    def resolve_url(obj: Consultation) -> str:
        return obj.get_absolute_url()


class ParagraphOut(Schema):
    number: int
    text: str
    comments: int
    supports: int
    changed: bool


class SectionOut(Schema):
    id: int
    heading: str
    level: int
    comments: int
    paragraphs: list[ParagraphOut]


class ConsultationDetailOut(ConsultationFields):
    phases: PhaseOut
    topics: list[str]
    version: int | None
    comments_on_whole_text: int
    sections: list[SectionOut]


class CommentOut(Schema):
    id: int
    target: str
    paragraph: int | None
    section: int | None
    reply_to: int | None
    quote: str
    language: str
    text: str = Field(description="As written: plain text or a small Markdown subset.")
    author: str | None = Field(description="Only when the consultation shows names.")
    organisation: str | None
    country: str
    supports: int
    status: str
    written: str
    consideration: str | None = Field(description="Once the response report is published.")
    response: str | None


def _comment_out(comment: Comment, consultation: Consultation) -> dict[str, Any]:
    response = getattr(comment, "response", None)
    shown = consultation.names_public
    answered = consultation.response_published_at is not None and response is not None
    return {
        "id": comment.pk,
        "target": comment.target,
        "paragraph": comment.paragraph.number if comment.paragraph else None,
        "section": comment.section_id,
        "reply_to": comment.parent_id,
        "quote": comment.quote,
        "language": comment.language,
        "text": comment.text,
        "author": (comment.author.full_name or None) if shown and comment.author else None,
        "organisation": comment.organisation.name if shown and comment.organisation else None,
        "country": comment.country,
        "supports": getattr(comment, "support_count", 0),
        "status": comment.status,
        "written": comment.created_at.isoformat(),
        "consideration": response.tag if answered and response else None,
        "response": response.text if answered and response else None,
    }


def _unknown(field: str, value: object, allowed: list[str]) -> PydanticCustomError:
    return PydanticCustomError(
        "unknown_value",
        "{message}",
        {
            "message": _("unknown %(field)s “%(value)s”; allowed: %(allowed)s")
            % {"field": field, "value": value, "allowed": ", ".join(allowed)}
        },
    )


def _enum_of(values: list[str]) -> Any:
    """The published schema names the allowed values (so clients and fuzzers know them)."""

    def extra(schema: dict[str, Any]) -> None:
        for option in schema.get("anyOf", [schema]):
            if option.get("type") == "string":
                option["enum"] = ["", *values]

    return extra


class CommentFilter(Schema):
    paragraph: int | None = Field(None, ge=1, le=100_000, description="Paragraph number.")
    language: str | None = Field(
        None, description="de, en, es or pt", json_schema_extra=_enum_of(["de", "en", "es", "pt"])
    )
    country: str | None = Field(
        None,
        description="ISO 3166 code of the commenter's country.",
        json_schema_extra=_enum_of(sorted(code for code, _name in countries)),
    )

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> Any:
        allowed = ["de", "en", "es", "pt"]
        if value in (None, ""):
            return None
        if value not in allowed:
            raise _unknown("language", value, allowed)
        return value

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or value.upper() not in dict(countries):
            raise PydanticCustomError(
                "unknown_value",
                "{message}",
                {
                    "message": _("unknown country “%(value)s”; use an ISO 3166 code")
                    % {"value": value}
                },
            )
        return value.upper()


class CommentIn(Schema):
    text: str = Field(
        ..., min_length=1, max_length=COMMENT_MAX_LENGTH, pattern=r"\S", description="Not blank."
    )
    language: Language
    target: Literal["paragraph", "section", "document"] = "document"
    paragraph: int | None = Field(None, ge=1, le=100_000)
    section: int | None = Field(None, ge=1, le=2_147_483_647)
    quote: str = Field("", max_length=QUOTE_MAX_LENGTH)
    reply_to: int | None = Field(None, ge=1, le=2_147_483_647)


def _consultation(request: HttpRequest, slug: str) -> Consultation:
    return get_for_user(
        selectors.consultation_for_page(),
        user=request.user,
        perm="consultations.view_consultation",
        slug=slug,
    )


@router.get("", response=list[ConsultationOut], auth=None)
@paginate
def consultation_list(request: HttpRequest) -> QuerySet[Consultation]:
    return selectors.visible_consultations(request.user)


@router.get("/{slug}", response=ConsultationDetailOut, auth=None)
def consultation_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """A consultation with its phases and the current version's sections and paragraphs."""
    consultation = _consultation(request, slug)
    version = selectors.current_version(consultation)
    sections, general = _document_out(consultation, version)
    return {
        "slug": consultation.slug,
        "title": consultation.title,
        "introduction": consultation.introduction,
        "organiser": consultation.organiser.name,
        "phase": consultation.phase,
        "closes_at": consultation.closes_at.isoformat(),
        "audience": consultation.audience,
        "moderation": consultation.moderation,
        "names_public": consultation.names_public,
        "document_languages": consultation.document_languages,
        "url": consultation.get_absolute_url(),
        "phases": {
            "phase": consultation.phase,
            "announced_at": consultation.announced_at.isoformat(),
            "opens_at": consultation.opens_at.isoformat(),
            "closes_at": consultation.closes_at.isoformat(),
            "response_published_at": consultation.response_published_at.isoformat()
            if consultation.response_published_at
            else None,
        },
        "topics": [t.key for t in consultation.topics.all()],
        "version": version.number if version else None,
        "comments_on_whole_text": general,
        "sections": sections,
    }


def _document_out(
    consultation: Consultation, version: DocumentVersion | None
) -> tuple[list[dict[str, Any]], int]:
    """The sections with their numbered paragraphs and counts, kept until the counts
    change (``services.counts_name``), and the number of comments on the whole text."""
    if version is None:
        return [], 0

    def build() -> tuple[list[dict[str, Any]], int]:
        sections, general = selectors.document(version)
        return [
            {
                "id": row.section.pk,
                "heading": row.section.heading,
                "level": row.section.level,
                "comments": row.comments,
                "paragraphs": [
                    {
                        "number": p.paragraph.number,
                        "text": p.paragraph.text,
                        "comments": p.comments,
                        "supports": p.supports,
                        "changed": p.paragraph.changed,
                    }
                    for p in row.paragraphs
                ],
            }
            for row in sections
        ], general

    return caching.cached(
        f"consultations.api-document.{consultation.pk}.{version.pk}",
        build,
        depends_on=[services.counts_name(consultation)],
    )


class _LazyComments:
    """A queryset that the paginator slices; each page's rows become answers."""

    def __init__(self, qs: QuerySet[Comment], consultation: Consultation) -> None:
        self.qs, self.consultation = qs, consultation

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [_comment_out(c, self.consultation) for c in self.qs[index]]


@router.get("/{slug}/comments", response=list[CommentOut], auth=None)
@paginate
def comment_list(request: HttpRequest, slug: str, filters: Query[CommentFilter]) -> _LazyComments:
    """Published comments, oldest first; filters by paragraph number, language and country."""
    consultation = _consultation(request, slug)
    qs = selectors.public_comments(
        consultation,
        paragraph=filters.paragraph,
        language=filters.language,
        country=filters.country,
    )
    return _LazyComments(qs, consultation)


@router.post(
    "/{slug}/comments",
    response={201: CommentOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    auth=token_or_session,
)
def comment_create(request: HttpRequest, slug: str, payload: CommentIn) -> Status:
    """Write a comment (or a reply with ``reply_to``) as the signed-in user.

    Errors: 400 bad text (``field`` names it), 401 not signed in, 404 no such
    consultation (or not yours to see), paragraph, section or comment to answer,
    409 outside the comment period (the message names the deadline) or a body that
    does not fit the current document (a quote not in the paragraph), 429 too many
    comments in a minute.
    """
    check_api(request, COMMENT_LIMIT)
    consultation = _consultation(request, slug)
    user = signed_in(request)
    if not user.has_perm("consultations.comment", consultation):
        raise Http404
    version = selectors.current_version(consultation)
    paragraph = section = parent = None
    if version is not None and payload.paragraph is not None:
        paragraph = Paragraph.objects.filter(version=version, number=payload.paragraph).first()
        if paragraph is None and payload.target == Target.PARAGRAPH:
            return Status(404, {"detail": _("No such paragraph."), "field": "paragraph"})
    if version is not None and payload.section is not None:
        section = Section.objects.filter(version=version, pk=payload.section).first()
        if section is None and payload.target == Target.SECTION:
            return Status(404, {"detail": _("No such section."), "field": "section"})
    if payload.reply_to is not None:
        parent = Comment.objects.filter(consultation=consultation, pk=payload.reply_to).first()
        if parent is None:
            return Status(404, {"detail": _("No such comment."), "field": "reply_to"})
    try:
        comment = services.comment_create(
            consultation=consultation,
            author=user,
            text=payload.text,
            language=payload.language,
            target=payload.target,
            paragraph=paragraph,
            section=section,
            quote=payload.quote,
            parent=parent,
        )
    except services.ConsultationClosed as exc:
        return Status(409, {"detail": exc.message})
    except services.CommentRefused as exc:
        # The body is well formed but does not fit the document as it is now (a quote
        # not in the paragraph, a comment that cannot be answered): a conflict.
        status = 400 if exc.field in ("text", "language") else 409
        return Status(status, {"detail": exc.message, "field": exc.field})
    return Status(201, _comment_out(comment, consultation))
