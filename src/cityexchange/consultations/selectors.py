"""Reads of the consultations app: lists, the document with its counts, comment threads.

Every read costs a constant number of queries whatever the number of paragraphs
or comments (pinned by tests).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from cityexchange.consultations.models import (
    Comment,
    CommentStatus,
    Consultation,
    DocumentVersion,
    Flag,
    Paragraph,
    Section,
    Support,
    Target,
)
from cityexchange.core.rules import is_staff_or_admin


def visible_consultations(user: Any) -> QuerySet[Consultation]:
    """Consultations ``user`` may see: restricted ones only for their participants."""
    qs = Consultation.objects.select_related("organiser").order_by("-opens_at", "slug")
    if is_staff_or_admin(user):
        return qs
    if not user.is_authenticated:
        return qs.filter(is_published=True).exclude(audience="members")
    mine = Q(organiser__memberships__user=user) | Q(member_organisations__memberships__user=user)
    admin = Q(organiser__memberships__user=user, organiser__memberships__role="admin")
    ids = (
        Consultation.objects.filter(
            (Q(is_published=True) & (~Q(audience="members") | mine)) | admin
        )
        .values("pk")
        .distinct()
    )
    return qs.filter(pk__in=ids)


def consultation_for_page() -> QuerySet[Consultation]:
    return Consultation.objects.select_related("organiser").prefetch_related(
        "topics", "member_organisations"
    )


def current_version(consultation: Consultation) -> DocumentVersion | None:
    return (
        DocumentVersion.objects.filter(consultation=consultation, published_at__isnull=False)
        .order_by("-number")
        .first()
    )


@dataclass
class ParagraphRow:
    paragraph: Paragraph
    comments: int = 0
    supports: int = 0


@dataclass
class SectionRow:
    section: Section
    paragraphs: list[ParagraphRow] = field(default_factory=list)
    comments: int = 0  # on the section itself
    supports: int = 0

    @property
    def total_comments(self) -> int:
        return self.comments + sum(p.comments for p in self.paragraphs)

    @property
    def total_supports(self) -> int:
        return self.supports + sum(p.supports for p in self.paragraphs)


def _public(qs: QuerySet[Comment]) -> QuerySet[Comment]:
    return qs.filter(status=CommentStatus.PUBLISHED)


def document(
    version: DocumentVersion,
    *,
    language: str | None = None,
    country: str | None = None,
    organisation_kind: str | None = None,
) -> tuple[list[SectionRow], int]:
    """The sections and paragraphs of ``version`` with published comment and support counts.

    Three queries: the counts (comments and their supports, grouped by where they
    are), sections, paragraphs. Returns the rows and the number of comments on the
    whole text.
    """
    comments = _public(Comment.objects.filter(version__consultation_id=version.consultation_id))
    if language:
        comments = comments.filter(language=language)
    if country:
        comments = comments.filter(country=country)
    if organisation_kind:
        comments = comments.filter(organisation_kind=organisation_kind)
    by_paragraph: dict[int, int] = defaultdict(int)
    by_section: dict[int, int] = defaultdict(int)
    supports_paragraph: dict[int, int] = defaultdict(int)
    supports_section: dict[int, int] = defaultdict(int)
    general = 0
    counts = (
        comments.order_by()
        .values("target", "paragraph_id", "section_id")
        .annotate(n=Count("id", distinct=True), s=Count("supports"))
    )
    for row in counts:
        if row["target"] == Target.PARAGRAPH and row["paragraph_id"]:
            by_paragraph[row["paragraph_id"]] += row["n"]
            supports_paragraph[row["paragraph_id"]] += row["s"]
        elif row["target"] == Target.SECTION and row["section_id"]:
            by_section[row["section_id"]] += row["n"]
            supports_section[row["section_id"]] += row["s"]
        elif row["target"] == Target.DOCUMENT:
            general += row["n"]
    rows: dict[int, SectionRow] = {}
    for section in (
        Section.objects.filter(version=version).only("id", "heading", "level").order_by("position")
    ):
        rows[section.pk] = SectionRow(
            section=section,
            comments=by_section.get(section.pk, 0),
            supports=supports_section.get(section.pk, 0),
        )
    paragraphs = Paragraph.objects.filter(version=version).only(
        "id", "section_id", "number", "text", "changed"
    )
    for paragraph in paragraphs.order_by("number"):
        rows[paragraph.section_id].paragraphs.append(
            ParagraphRow(
                paragraph=paragraph,
                comments=by_paragraph.get(paragraph.pk, 0),
                supports=supports_paragraph.get(paragraph.pk, 0),
            )
        )
    return list(rows.values()), general


def thread_queryset(user: Any, consultation: Consultation) -> QuerySet[Comment]:
    """Comments a person may read here: published ones, their own whatever their state,
    and for moderators every one. With support counts and the person's own support."""
    qs = Comment.objects.filter(consultation=consultation).select_related(
        "author", "organisation", "response", "paragraph"
    )
    if not user.has_perm("consultations.moderate", consultation):
        visible = Q(status=CommentStatus.PUBLISHED)
        if user.is_authenticated:
            visible |= Q(author=user) & ~Q(status=CommentStatus.WITHDRAWN)
        qs = qs.filter(visible)
    qs = qs.annotate(support_count=Count("supports", distinct=True))
    if user.is_authenticated:
        qs = qs.annotate(
            supported=Exists(Support.objects.filter(comment=OuterRef("pk"), user=user))
        )
    return qs.order_by("created_at", "id")


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def threads(qs: QuerySet[Comment]) -> list[Thread]:
    """Top-level comments with their replies (one level), in the order written."""
    comments = list(qs)
    tops: dict[int, Thread] = {}
    orphans: list[Comment] = []
    for comment in comments:
        if comment.parent_id is None:
            tops[comment.pk] = Thread(comment=comment)
    for comment in comments:
        if comment.parent_id is not None:
            thread = tops.get(comment.parent_id)
            if thread is not None:
                thread.replies.append(comment)
            else:
                orphans.append(comment)
    return list(tops.values())


def comments_on_paragraph(user: Any, paragraph: Paragraph) -> list[Thread]:
    consultation = paragraph.version.consultation
    return threads(thread_queryset(user, consultation).filter(paragraph=paragraph))


def comments_on_section(user: Any, section: Section) -> list[Thread]:
    consultation = section.version.consultation
    return threads(
        thread_queryset(user, consultation).filter(section=section, target=Target.SECTION)
    )


def comments_on_document(user: Any, consultation: Consultation) -> list[Thread]:
    return threads(thread_queryset(user, consultation).filter(target=Target.DOCUMENT))


def public_comments(
    consultation: Consultation,
    *,
    paragraph: int | None = None,
    language: str | None = None,
    country: str | None = None,
    organisation_kind: str | None = None,
) -> QuerySet[Comment]:
    qs = (
        _public(Comment.objects.filter(consultation=consultation))
        .select_related("author", "organisation", "paragraph", "section", "response")
        .annotate(support_count=Count("supports", distinct=True))
        .order_by("created_at", "id")
    )
    if paragraph is not None:
        qs = qs.filter(paragraph__number=paragraph, paragraph__version__published_at__isnull=False)
    if language:
        qs = qs.filter(language=language)
    if country:
        qs = qs.filter(country=country)
    if organisation_kind:
        qs = qs.filter(organisation_kind=organisation_kind)
    return qs


def moderation_queue(consultation: Consultation) -> tuple[list[Comment], list[Comment]]:
    """Comments awaiting approval, and published comments someone flagged."""
    base = Comment.objects.filter(consultation=consultation).select_related(
        "author", "paragraph", "section"
    )
    pending = list(base.filter(status=CommentStatus.PENDING).order_by("created_at"))
    flagged = list(
        base.filter(status=CommentStatus.PUBLISHED)
        .filter(Exists(Flag.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True)))
        .prefetch_related(Prefetch("flags", queryset=Flag.objects.filter(resolved_at__isnull=True)))
        .order_by("created_at")
    )
    return pending, flagged


def comments_for_response(consultation: Consultation) -> list[Comment]:
    """Every published top-level comment with its response, in document order."""
    return list(
        _public(Comment.objects.filter(consultation=consultation, parent__isnull=True))
        .select_related("author", "organisation", "paragraph", "section", "response")
        .annotate(support_count=Count("supports", distinct=True))
        .order_by("section__position", "paragraph__number", "created_at", "id")
    )


@dataclass
class ReportSection:
    title: str
    section: Section | None
    comments: list[Comment]


def report(consultation: Consultation) -> list[ReportSection]:
    """The response report: per section, the comments and how each was considered."""
    groups: dict[int | None, ReportSection] = {}
    for comment in comments_for_response(consultation):
        key = comment.section_id
        if key not in groups:
            groups[key] = ReportSection(
                title=comment.section.heading if comment.section else "",
                section=comment.section,
                comments=[],
            )
        groups[key].comments.append(comment)
    general = groups.pop(None, None)
    ordered = list(groups.values())
    if general is not None:
        ordered.insert(0, general)
    return ordered


def versions(consultation: Consultation) -> list[DocumentVersion]:
    return list(consultation.versions.order_by("number"))


def changed_paragraphs(version: DocumentVersion) -> list[Paragraph]:
    """Paragraphs of ``version`` that are new or edited compared with the version before."""
    return list(
        Paragraph.objects.filter(version=version)
        .filter(Q(changed=True) | Q(previous__isnull=True))
        .select_related("previous", "section")
        .order_by("number")
    )


def removed_paragraphs(version: DocumentVersion, previous: DocumentVersion) -> list[Paragraph]:
    kept = Paragraph.objects.filter(version=version).values("key")
    return list(Paragraph.objects.filter(version=previous).exclude(key__in=kept).order_by("number"))
