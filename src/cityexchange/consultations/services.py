"""Every write of the consultations app: typed, keyword-only, atomic and audited.

Commenting, replying, supporting, editing and withdrawing are possible only while
the consultation is open; after the deadline they are refused with the deadline in
the person's language and time zone (``ConsultationClosed``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cityexchange.consultations.importing import SectionDraft
from cityexchange.consultations.models import (
    COMMENT_MAX_LENGTH,
    QUOTE_MAX_LENGTH,
    Comment,
    CommentStatus,
    Consultation,
    DocumentVersion,
    Flag,
    Moderation,
    Paragraph,
    Phase,
    Response,
    Section,
    Support,
    Tag,
    Target,
)
from cityexchange.consultations.text import similarity
from cityexchange.core import caching
from cityexchange.core.i18n import LANGUAGES
from cityexchange.core.mail import render_message, send_after_commit
from cityexchange.core.models import Organisation, User
from cityexchange.core.services import audit_record, snapshot


def counts_name(consultation: Consultation | int) -> str:
    """The ``core.caching`` name of a consultation's comment and support counts: the
    services below bump it whenever a comment appears, changes state or moves, or a
    support is given or taken back (the document page is kept under it)."""
    pk = consultation if isinstance(consultation, int) else consultation.pk
    return f"consultations.counts.{pk}"


def _counts_changed(consultation_id: int) -> None:
    caching.bump(counts_name(consultation_id))


# Two paragraphs at least this alike (share of words in order) are one paragraph edited.
SAME_PARAGRAPH = 0.5


class CommentRefused(ValueError):
    """Bad input or an action not allowed now; ``field`` names the form field at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConsultationClosed(CommentRefused):
    """Too late (or too early): the message names the deadline in the viewer's zone."""


def deadline_text(consultation: Consultation) -> str:
    """The deadline in the active language and time zone, with the zone's name."""
    local = timezone.localtime(consultation.closes_at)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def _require_open(consultation: Consultation, *, now: dt.datetime | None = None) -> None:
    phase = consultation.phase_at(now or timezone.now())
    if phase == Phase.OPEN:
        return
    if phase == Phase.ANNOUNCED:
        local = timezone.localtime(consultation.opens_at)
        raise ConsultationClosed(
            _("Comments can be written from %(start)s.")
            % {"start": f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"}
        )
    raise ConsultationClosed(
        _("The consultation closed on %(deadline)s; comments are no longer accepted.")
        % {"deadline": deadline_text(consultation)}
    )


def _clean_text(text: str, *, field: str = "text") -> str:
    text = (text or "").strip()
    if not text:
        raise CommentRefused(_("Please write your comment."), field=field)
    if len(text) > COMMENT_MAX_LENGTH:
        raise CommentRefused(
            _("A comment can have at most %(max)d characters (this one has %(count)d).")
            % {"max": COMMENT_MAX_LENGTH, "count": len(text)},
            field=field,
        )
    return text


# ---------------------------------------------------------------- consultations


def consultation_create(
    *,
    actor: Any,
    slug: str,
    organiser: Organisation,
    title: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    announced_at: dt.datetime | None = None,
    introduction: str = "",
    document_languages: Sequence[str] = ("en",),
    audience: str = "signed_in",
    moderation: str = Moderation.POST,
    names_public: bool = True,
    is_published: bool = True,
    is_demo: bool = False,
    translations: dict[str, str] | None = None,
) -> Consultation:
    """A new consultation (staff also create them in the back office)."""
    with transaction.atomic():
        consultation = Consultation(
            slug=slug,
            organiser=organiser,
            title=title,
            introduction=introduction,
            document_languages=[code for code in document_languages if code in LANGUAGES],
            announced_at=announced_at or opens_at,
            opens_at=opens_at,
            closes_at=closes_at,
            audience=audience,
            moderation=moderation,
            names_public=names_public,
            is_published=is_published,
            is_demo=is_demo,
        )
        for name, value in (translations or {}).items():
            setattr(consultation, name, value)
        consultation.save()
        audit_record(
            actor=actor,
            action="consultation.create",
            obj=consultation,
            after=snapshot(consultation),
        )
    return consultation


# ---------------------------------------------------------------- document versions


def _new_key() -> str:
    return uuid.uuid4().hex


def current_version(consultation: Consultation) -> DocumentVersion | None:
    return consultation.versions.filter(published_at__isnull=False).order_by("-number").first()


def _link_to_previous(version: DocumentVersion, previous: DocumentVersion | None) -> None:
    """Give the paragraphs and sections that survive from ``previous`` their old keys.

    Paragraphs are matched in order (difflib over the list of texts): the same text
    is the same paragraph; within a replaced run, a new paragraph continues the old
    one most like it when at least half of their words agree in order (an edit);
    otherwise it is new. Sections are matched by their heading.
    """
    import difflib

    new_sections = list(version.sections.order_by("position"))
    new_paragraphs = list(version.paragraphs.order_by("number"))
    old_sections = list(previous.sections.order_by("position")) if previous else []
    old_paragraphs = list(previous.paragraphs.order_by("number")) if previous else []
    unused = {s.heading: s for s in reversed(old_sections)}
    for section in new_sections:
        match = unused.pop(section.heading, None)
        section.key = match.key if match else _new_key()
    Section.objects.bulk_update(new_sections, ["key"])
    for paragraph in new_paragraphs:
        paragraph.key, paragraph.previous, paragraph.changed = _new_key(), None, False
    matcher = difflib.SequenceMatcher(
        a=[p.text for p in old_paragraphs], b=[p.text for p in new_paragraphs], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for old, new in zip(old_paragraphs[i1:i2], new_paragraphs[j1:j2], strict=True):
                new.key, new.previous, new.changed = old.key, old, False
        elif op == "replace":
            # Each new paragraph takes the most similar old one of the run still free.
            free = list(old_paragraphs[i1:i2])
            for new in new_paragraphs[j1:j2]:
                scored = [(similarity(old.text, new.text), old) for old in free]
                best = max(scored, key=lambda pair: pair[0], default=None)
                if best is not None and best[0] >= SAME_PARAGRAPH:
                    old = best[1]
                    free.remove(old)
                    new.key, new.previous, new.changed = old.key, old, True
    Paragraph.objects.bulk_update(new_paragraphs, ["key", "previous", "changed"])


def version_import(
    *,
    consultation: Consultation,
    actor: Any,
    sections: list[SectionDraft],
    source_format: str,
    note: str = "",
) -> DocumentVersion:
    """A draft version from an imported document, for staff to preview before publishing."""
    with transaction.atomic():
        Consultation.objects.select_for_update().get(pk=consultation.pk)
        last = consultation.versions.order_by("-number").first()
        version = DocumentVersion.objects.create(
            consultation=consultation,
            number=(last.number + 1) if last else 1,
            source_format=source_format,
            note=note[:300],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        number = 0
        paragraphs: list[Paragraph] = []
        for position, draft in enumerate(sections, start=1):
            section = Section.objects.create(
                version=version,
                position=position,
                heading=draft.heading,
                level=draft.level,
                key=_new_key(),
            )
            for text in draft.paragraphs:
                number += 1
                paragraphs.append(
                    Paragraph(version=version, section=section, number=number, text=text, key="")
                )
        Paragraph.objects.bulk_create(paragraphs)
        _link_to_previous(version, current_version(consultation))
        audit_record(actor=actor, action="version.import", obj=version, after=snapshot(version))
    return version


def version_publish(*, version: DocumentVersion, actor: Any) -> DocumentVersion:
    """Publish a draft version; comments on paragraphs that survive move to it."""
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=version.consultation_id)
        version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        if version.published_at is not None:
            return version
        previous = current_version(consultation)
        if previous is not None and previous.number > version.number:
            raise CommentRefused(_("A newer version is already published."))
        _link_to_previous(version, previous)
        if previous is not None:
            old_sections = {s.key: s for s in previous.sections.all()}
            for section in version.sections.all():
                old = old_sections.get(section.key)
                if old is not None:
                    Comment.objects.filter(section=old, target=Target.SECTION).update(
                        section=section
                    )
            for paragraph in version.paragraphs.filter(previous__isnull=False):
                assert paragraph.previous_id is not None  # noqa: S101 - filtered above
                Comment.objects.filter(paragraph_id=paragraph.previous_id).update(
                    paragraph=paragraph, section_id=paragraph.section_id
                )
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
        _counts_changed(consultation.pk)
        audit_record(
            actor=actor,
            action="version.publish",
            obj=version,
            after={"published_at": version.published_at.isoformat()},
        )
    return version


# ---------------------------------------------------------------- comments


def _speaking_for(user: User) -> Organisation | None:
    membership = user.memberships.select_related("organisation").order_by("created_at").first()
    return membership.organisation if membership else None


def comment_create(
    *,
    consultation: Consultation,
    author: User,
    text: str,
    language: str,
    target: str = Target.DOCUMENT,
    paragraph: Paragraph | None = None,
    section: Section | None = None,
    quote: str = "",
    parent: Comment | None = None,
    now: dt.datetime | None = None,
) -> Comment:
    """A comment (or, with ``parent``, a reply) by ``author``, who may comment here.

    Under pre-moderation a comment waits for a moderator, unless its author is one.
    """
    if not author.has_perm("consultations.comment", consultation):
        raise CommentRefused(_("You cannot comment on this consultation."))
    _require_open(consultation, now=now)
    text = _clean_text(text)
    if language not in LANGUAGES:
        raise CommentRefused(_("Choose one of the offered languages."), field="language")
    quote = " ".join((quote or "").split())
    if len(quote) > QUOTE_MAX_LENGTH:
        raise CommentRefused(
            _("A quoted passage can have at most %(max)d characters.") % {"max": QUOTE_MAX_LENGTH},
            field="quote",
        )
    version = current_version(consultation)
    if version is None:
        raise CommentRefused(_("The document is not published yet."))
    if parent is not None:
        if parent.consultation_id != consultation.pk or parent.status != CommentStatus.PUBLISHED:
            raise CommentRefused(_("This comment cannot be answered."))
        if parent.parent_id is not None:
            parent = parent.parent  # replies stay one level deep
        assert parent is not None  # noqa: S101 - a reply's parent exists
        target, paragraph, section = parent.target, parent.paragraph, parent.section
        quote = ""
    elif target == Target.PARAGRAPH:
        if paragraph is None or paragraph.version_id != version.pk:
            raise CommentRefused(_("This paragraph is not part of the current version."))
        section = paragraph.section
        if quote and quote not in " ".join(paragraph.text.split()):
            raise CommentRefused(
                _("The quoted passage must be copied from the paragraph."), field="quote"
            )
    elif target == Target.SECTION:
        if section is None or section.version_id != version.pk:
            raise CommentRefused(_("This section is not part of the current version."))
        paragraph, quote = None, ""
    else:
        target, paragraph, section, quote = Target.DOCUMENT, None, None, ""
    organisation = _speaking_for(author)
    moderated_first = consultation.moderation == Moderation.PRE and not author.has_perm(
        "consultations.moderate", consultation
    )
    with transaction.atomic():
        comment = Comment.objects.create(
            consultation=consultation,
            version=version,
            target=target,
            section=section,
            paragraph=paragraph,
            parent=parent,
            quote=quote,
            language=language,
            text=text,
            author=author,
            organisation=organisation,
            country=str(organisation.country) if organisation and organisation.country else "",
            organisation_kind=organisation.kind if organisation else "",
            status=CommentStatus.PENDING if moderated_first else CommentStatus.PUBLISHED,
            created_at=now or timezone.now(),
        )
        audit_record(
            actor=author,
            action="comment.reply" if parent else "comment.create",
            obj=comment,
            after=snapshot(comment),
        )
        _counts_changed(consultation.pk)
        if (
            parent is not None
            and comment.status == CommentStatus.PUBLISHED
            and parent.author is not None
            and parent.author_id != author.pk
            and parent.author.is_active
        ):
            _mail_reply(parent=parent, reply=comment)
    return comment


def comment_url(comment: Comment) -> str:
    consultation = comment.consultation
    if comment.paragraph_id is not None and comment.paragraph is not None:
        return (
            reverse(
                "consultations:paragraph",
                kwargs={"slug": consultation.slug, "number": comment.paragraph.number},
            )
            + f"#comment-{comment.pk}"
        )
    if comment.section_id is not None:
        return (
            reverse(
                "consultations:section",
                kwargs={"slug": consultation.slug, "pk": comment.section_id},
            )
            + f"#comment-{comment.pk}"
        )
    return reverse("consultations:general", kwargs={"slug": consultation.slug}) + (
        f"#comment-{comment.pk}"
    )


def _mail_reply(*, parent: Comment, reply: Comment) -> None:
    author = parent.author
    assert author is not None  # noqa: S101 - checked by the caller
    message = render_message(
        to=author.email,
        language=author.language,
        template="consultations/mail/reply",
        context={
            "consultation": parent.consultation.title,
            "reply": reply.text,
            "url": settings.SITE_URL + comment_url(reply),
        },
    )
    send_after_commit(message)


def _locked_own(comment: Comment, actor: User) -> Comment:
    locked = Comment.objects.select_for_update().select_related("consultation").get(pk=comment.pk)
    if not actor.has_perm("consultations.change_comment", locked):
        raise CommentRefused(_("Only its author can change a comment."))
    if locked.status in (CommentStatus.WITHDRAWN, CommentStatus.HIDDEN):
        raise CommentRefused(_("This comment can no longer be changed."))
    _require_open(locked.consultation)
    return locked


def comment_edit(*, comment: Comment, actor: User, text: str) -> Comment:
    text = _clean_text(text)
    with transaction.atomic():
        locked = _locked_own(comment, actor)
        if locked.text == text:
            return locked
        locked.text = text
        locked.edited_at = timezone.now()
        locked.save(update_fields=["text", "edited_at"])
        audit_record(actor=actor, action="comment.edit", obj=locked, after={"text": text})
    return locked


def comment_withdraw(*, comment: Comment, actor: User) -> Comment:
    with transaction.atomic():
        locked = _locked_own(comment, actor)
        before = snapshot(locked, ["status"])
        locked.status = CommentStatus.WITHDRAWN
        locked.save(update_fields=["status"])
        _counts_changed(locked.consultation_id)
        audit_record(
            actor=actor,
            action="comment.withdraw",
            obj=locked,
            before=before,
            after=snapshot(locked, ["status"]),
        )
    return locked


def support_set(*, comment: Comment, user: User, support: bool) -> bool:
    """Support a comment (once per person) or take the support back; True when supported."""
    consultation = comment.consultation
    if not user.has_perm("consultations.comment", consultation):
        raise CommentRefused(_("You cannot take part in this consultation."))
    if comment.status != CommentStatus.PUBLISHED:
        raise CommentRefused(_("Only published comments can be supported."))
    if comment.author_id == user.pk:
        raise CommentRefused(_("You cannot support your own comment."))
    _require_open(consultation)
    if not support:
        with transaction.atomic():
            deleted, _rows = Support.objects.filter(comment=comment, user=user).delete()
            if deleted:
                audit_record(actor=user, action="support.remove", obj=comment)
                _counts_changed(consultation.pk)
        return False
    try:
        with transaction.atomic():
            Support.objects.create(comment=comment, user=user)
            audit_record(actor=user, action="support.add", obj=comment)
            _counts_changed(consultation.pk)
    except IntegrityError:
        pass  # supported already (two clicks at once): one support stays
    return True


# ---------------------------------------------------------------- moderation


def comment_flag(*, comment: Comment, user: User, reason: str = "") -> Flag:
    if not user.has_perm("consultations.view_consultation", comment.consultation):
        raise CommentRefused(_("You cannot take part in this consultation."))
    reason = " ".join(reason.split())[:500]
    with transaction.atomic():
        flag, created = Flag.objects.get_or_create(
            comment=comment, user=user, defaults={"reason": reason}
        )
        if created:
            audit_record(actor=user, action="comment.flag", obj=flag)
    return flag


def comment_hide(*, comment: Comment, actor: User, reason: str) -> Comment:
    """Hide a comment; its author still sees it, with the moderator's reason."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise CommentRefused(_("Give the reason its author will see."), field="reason")
    if len(reason) > 500:
        raise CommentRefused(_("The reason can have at most 500 characters."), field="reason")
    with transaction.atomic():
        locked = (
            Comment.objects.select_for_update().select_related("consultation").get(pk=comment.pk)
        )
        if not actor.has_perm("consultations.moderate", locked.consultation):
            raise CommentRefused(_("Only moderators can hide comments."))
        before = snapshot(locked, ["status", "hidden_reason"])
        locked.status = CommentStatus.HIDDEN
        locked.hidden_reason = reason
        locked.moderated_at = timezone.now()
        locked.save(update_fields=["status", "hidden_reason", "moderated_at"])
        _counts_changed(locked.consultation_id)
        Flag.objects.filter(comment=locked, resolved_at__isnull=True).update(
            resolved_at=locked.moderated_at
        )
        audit_record(
            actor=actor,
            action="comment.hide",
            obj=locked,
            before=before,
            after=snapshot(locked, ["status", "hidden_reason"]),
        )
    return locked


def comment_approve(*, comment: Comment, actor: User) -> Comment:
    """Publish a comment waiting in the pre-moderation queue, or keep a flagged one."""
    with transaction.atomic():
        locked = (
            Comment.objects.select_for_update().select_related("consultation").get(pk=comment.pk)
        )
        if not actor.has_perm("consultations.moderate", locked.consultation):
            raise CommentRefused(_("Only moderators can approve comments."))
        before = snapshot(locked, ["status", "hidden_reason"])
        if locked.status in (CommentStatus.PENDING, CommentStatus.HIDDEN):
            locked.status = CommentStatus.PUBLISHED
            locked.hidden_reason = ""
        locked.moderated_at = timezone.now()
        locked.save(update_fields=["status", "hidden_reason", "moderated_at"])
        _counts_changed(locked.consultation_id)
        Flag.objects.filter(comment=locked, resolved_at__isnull=True).update(
            resolved_at=locked.moderated_at
        )
        audit_record(
            actor=actor,
            action="comment.approve",
            obj=locked,
            before=before,
            after=snapshot(locked, ["status", "hidden_reason"]),
        )
    return locked


# ---------------------------------------------------------------- responses


def response_save(*, comment: Comment, actor: User, tag: str, text: str) -> Response:
    """Staff record how a comment was considered (a tag and a short answer)."""
    if not actor.has_perm("consultations.respond", comment.consultation):
        raise CommentRefused(_("Only network staff answer comments."))
    if tag not in Tag.values:
        raise CommentRefused(_("Choose how the comment was considered."), field="tag")
    text = (text or "").strip()
    if len(text) > COMMENT_MAX_LENGTH:
        raise CommentRefused(
            _("A response can have at most %(max)d characters.") % {"max": COMMENT_MAX_LENGTH},
            field="text",
        )
    with transaction.atomic():
        response, created = Response.objects.select_for_update().get_or_create(
            comment=comment, defaults={"tag": tag, "text": text, "responded_by": actor}
        )
        before = None if created else snapshot(response, ["tag", "text"])
        if not created:
            response.tag, response.text, response.responded_by = tag, text, actor
            response.save(update_fields=["tag", "text", "responded_by", "updated_at"])
        audit_record(
            actor=actor,
            action="response.save",
            obj=response,
            before=before,
            after=snapshot(response, ["tag", "text"]),
        )
    return response


def report_publish(
    *, consultation: Consultation, actor: User, summary: str = "", notify: bool = True
) -> int:
    """Publish the response report; every commenter gets a mail in their language.

    Returns the number of mails queued. Publishing twice sends nothing the second time.
    """
    if not actor.has_perm("consultations.respond", consultation):
        raise CommentRefused(_("Only network staff publish the response report."))
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if locked.response_published_at is not None:
            return 0
        if timezone.now() < locked.closes_at:
            raise CommentRefused(_("The response can be published once the consultation closed."))
        locked.response_published_at = timezone.now()
        if summary.strip():
            locked.response_summary = summary.strip()
        locked.save(update_fields=["response_published_at", "response_summary", "updated_at"])
        audit_record(
            actor=actor,
            action="consultation.publish_report",
            obj=locked,
            after={"response_published_at": locked.response_published_at.isoformat()},
        )
        authors = User.objects.filter(
            is_active=True,
            consultation_comments__consultation=locked,
            consultation_comments__status=CommentStatus.PUBLISHED,
        ).distinct()
        url = settings.SITE_URL + reverse("consultations:report", kwargs={"slug": locked.slug})
        count = 0
        for author in authors if notify else []:
            message = render_message(
                to=author.email,
                language=author.language,
                template="consultations/mail/report",
                context={"consultation": _title_in(locked, author.language), "url": url},
            )
            send_after_commit(message)
            count += 1
    consultation.response_published_at = locked.response_published_at
    return count


def _title_in(consultation: Consultation, language: str) -> str:
    return str(getattr(consultation, f"title_{language}", "") or consultation.title)


# ---------------------------------------------------------------- personal data


def personal_data_of(*, user: User) -> dict[str, Any]:
    """The consultations' part of a person's data export: comments, supports and flags."""
    comments = Comment.objects.filter(author=user).select_related("consultation", "paragraph")
    return {
        "comments": [
            {
                "consultation": c.consultation.slug,
                "on": c.target,
                "paragraph": c.paragraph.number if c.paragraph else None,
                "quote": c.quote,
                "language": c.language,
                "text": c.text,
                "status": c.status,
                "hidden_reason": c.hidden_reason,
                "written": c.created_at.isoformat(),
                "reply_to": c.parent_id,
            }
            for c in comments
        ],
        "supports": list(Support.objects.filter(user=user).values_list("comment_id", flat=True)),
        "flags": [
            {"comment": f.comment_id, "reason": f.reason, "at": f.created_at.isoformat()}
            for f in Flag.objects.filter(user=user)
        ],
    }


def personal_data_erase(*, user: User) -> None:
    """Erasure: supports and flags go; comments stay in the consultation's record,
    no longer linked to the person (shown as an anonymous participant)."""
    supported = set(
        Support.objects.filter(user=user).values_list("comment__consultation_id", flat=True)
    )
    Support.objects.filter(user=user).delete()
    Flag.objects.filter(user=user).delete()
    for consultation_id in supported:
        _counts_changed(consultation_id)
    Comment.objects.filter(author=user).update(author=None, organisation=None)


# ---------------------------------------------------------------- reminders

REMINDER_BEFORE = dt.timedelta(days=3)


def reminders_send_due(*, now: dt.datetime | None = None) -> int:
    """Remind participants (everyone who commented) three days before a deadline.

    Safe to run twice: each person is reminded once per consultation (a unique row
    written in the same transaction as the mail is queued).
    """
    from cityexchange.consultations.models import ReminderSent

    now = now or timezone.now()
    due = Consultation.objects.filter(
        is_published=True,
        response_published_at__isnull=True,
        opens_at__lte=now,
        closes_at__gt=now,
        closes_at__lte=now + REMINDER_BEFORE,
    )
    sent = 0
    for consultation in due:
        participants = User.objects.filter(
            is_active=True, consultation_comments__consultation=consultation
        ).distinct()
        for user in participants:
            with transaction.atomic():
                _row, created = ReminderSent.objects.get_or_create(
                    consultation=consultation, user=user
                )
                if not created:
                    continue
                with timezone.override(user_zone(user)):
                    message = render_message(
                        to=user.email,
                        language=user.language,
                        template="consultations/mail/reminder",
                        context={
                            "consultation": _title_in(consultation, user.language),
                            "deadline": _deadline_in(consultation, user.language),
                            "url": settings.SITE_URL + consultation.get_absolute_url(),
                        },
                    )
                send_after_commit(message)
                sent += 1
    return sent


def user_zone(user: User) -> Any:
    """The time zone of ``user`` (UTC when theirs is unknown)."""
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(user.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _deadline_in(consultation: Consultation, language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return deadline_text(consultation)
