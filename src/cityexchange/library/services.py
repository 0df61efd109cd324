"""Every write of the library: typed, keyword-only, atomic, audited.

The search index is written inside the same transaction as the change it
reflects, so a search never shows a withdrawn resource nor misses a new one; and
every change of a resource bumps the cached data named "library" (``core.caching``).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django_countries import countries as all_countries

from cityexchange.core import caching
from cityexchange.core.datafiles import LANGUAGES
from cityexchange.core.models import Concept, Organisation, User
from cityexchange.core.services import audit_record, snapshot
from cityexchange.core.text import ThesaurusIndex, thesaurus
from cityexchange.library import search, selectors
from cityexchange.library.analysis import Document, analyse_document
from cityexchange.library.models import (
    Attachment,
    DigestFrequency,
    Forwarding,
    PopulationClass,
    Resource,
    ResourceKind,
    ResourceStatus,
    Subscription,
    Visibility,
)

logger = logging.getLogger(__name__)

AUDIT_FIELDS = [
    "slug",
    "kind",
    "title",
    "summary",
    "languages",
    "authors",
    "published_on",
    "countries",
    "city",
    "population_class",
    "licence",
    "source_url",
    "visibility",
    "status",
    "event_id",
]
ALLOWED_CONTENT_TYPES = {
    "application/pdf": b"%PDF",
    "text/plain": None,
    "text/csv": None,
    "image/png": b"\x89PNG",
    "image/jpeg": b"\xff\xd8\xff",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": b"PK",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": b"PK",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": b"PK",
}


# --------------------------------------------------------------------------- indexing


_INDEX_FIELDS = [
    "pk",
    "kind",
    "body",
    "languages",
    "countries",
    "published_on",
    "visibility",
    *(f"title_{lang}" for lang in LANGUAGES),
    *(f"summary_{lang}" for lang in LANGUAGES),
]


def _analyse_values(
    values: dict[str, Any],
    topic_keys: list[str],
    extracted: list[str],
    index: ThesaurusIndex | None = None,
) -> Document:
    """Analyse a resource given as ``_INDEX_FIELDS`` values, its topics and attachment texts."""
    titles = {lang: values.get(f"title_{lang}") or "" for lang in LANGUAGES}
    summaries = {lang: values.get(f"summary_{lang}") or "" for lang in LANGUAGES}
    body = "\n".join([values.get("body") or "", *(t for t in extracted if t)])
    published_on = values.get("published_on")
    languages = list(values.get("languages") or [])
    return analyse_document(
        resource_id=values["pk"],
        titles=titles,
        summaries=summaries,
        body=body,
        languages=languages,
        topic_keys=topic_keys,
        facets={
            "kind": [values["kind"]],
            "lang": languages,
            "country": [str(c).upper() for c in values.get("countries") or []],
            "year": [str(published_on.year)] if published_on else [],
            "topic": topic_keys,
        },
        is_public=values.get("visibility") == Visibility.PUBLIC,
        published_on=published_on,
        index=index,
    )


def _document(resource: Resource) -> Document:
    """Analyse ``resource``; uses prefetched topics and attachments when present."""
    values = {name: getattr(resource, name, None) for name in _INDEX_FIELDS}
    return _analyse_values(
        values,
        [t.key for t in resource.topics.all()],
        [a.extracted_text for a in resource.attachments.all()],
    )


def resource_index(*, resource: Resource) -> None:
    """Bring the index entry of ``resource`` up to date; call inside the writing transaction.

    Every service that creates, changes, publishes or withdraws a resource calls this,
    so it is also where the data named "library" is marked changed.
    """
    if resource.status == ResourceStatus.PUBLISHED:
        search.write([_document(resource)])
    else:
        search.remove([resource.pk])
    caching.bump("library")


def index_rebuild(
    *, batch_size: int = 1000, progress: Callable[[int, int], None] | None = None
) -> int:
    """Rebuild the whole index from the published resources; returns how many were indexed.

    Reads plain values (no model instances) a batch at a time and analyses each
    resource once; all in one transaction, so searches see the old index until the
    new one is complete.
    """
    index = thesaurus()
    through: Any = Resource.topics.through
    with transaction.atomic():
        ids = list(
            Resource.objects.filter(status=ResourceStatus.PUBLISHED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        total = len(ids)
        search.clear()
        done = 0
        for start in range(0, total, batch_size):
            chunk = ids[start : start + batch_size]
            topics: dict[int, list[str]] = {}
            for resource_id, key in (
                through.objects.filter(resource_id__in=chunk)
                .order_by("resource_id", "concept__key")
                .values_list("resource_id", "concept__key")
            ):
                topics.setdefault(resource_id, []).append(key)
            texts: dict[int, list[str]] = {}
            for resource_id, text in (
                Attachment.objects.filter(resource_id__in=chunk)
                .exclude(extracted_text="")
                .order_by("id")
                .values_list("resource_id", "extracted_text")
            ):
                texts.setdefault(resource_id, []).append(text)
            rows = Resource.objects.filter(pk__in=chunk).values(*_INDEX_FIELDS)
            search.write(
                [
                    _analyse_values(row, topics.get(row["pk"], []), texts.get(row["pk"], []), index)
                    for row in rows
                ]
            )
            done += len(chunk)
            if progress is not None:
                progress(done, total)
        caching.bump("library")
    return done


def index_is_incomplete() -> bool:
    """True when some published resource has no index entry (as after migration 0007)."""
    published = Resource.objects.filter(status=ResourceStatus.PUBLISHED)
    return published.filter(search_entry__isnull=True).exists()


# --------------------------------------------------------------------------- resources


def _clean_resource_values(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if "kind" in values and values["kind"] not in ResourceKind.values:
        errors["kind"] = _("Choose one of the listed kinds.")
    if "languages" in values:
        bad = [lang for lang in values["languages"] if lang not in LANGUAGES]
        if bad:
            errors["languages"] = _("Unknown language codes: %(codes)s") % {"codes": ", ".join(bad)}
    if "countries" in values:
        values["countries"] = [str(c).upper() for c in values["countries"]]
        bad = [c for c in values["countries"] if c not in all_countries]
        if bad:
            errors["countries"] = _("Unknown country codes: %(codes)s") % {"codes": ", ".join(bad)}
    if values.get("population_class") and values["population_class"] not in PopulationClass.values:
        errors["population_class"] = _("Choose small, medium, large or metropolis.")
    if "visibility" in values and values["visibility"] not in Visibility.values:
        errors["visibility"] = _("Choose public or members only.")
    if "status" in values and values["status"] not in ResourceStatus.values:
        errors["status"] = _("Choose draft, published or withdrawn.")
    if errors:
        raise ValidationError(errors)
    return values


def _set_translations(resource: Resource, field: str, texts: dict[str, str]) -> None:
    for lang in LANGUAGES:
        setattr(resource, f"{field}_{lang}", texts.get(lang, ""))
    setattr(resource, field, texts.get("en") or next(iter(texts.values()), ""))


def resource_create(
    *,
    actor: Any,
    slug: str,
    kind: str,
    title: dict[str, str],
    summary: dict[str, str] | None = None,
    topics: Iterable[Concept] = (),
    organisations: Iterable[Organisation] = (),
    offers: Iterable[Any] = (),
    **values: Any,
) -> Resource:
    """Create a resource (a draft unless ``status`` says otherwise) and index it."""
    if not any(title.values()):
        raise ValidationError({"title": _("A title is required.")})
    values = _clean_resource_values({"kind": kind, **values})
    if Resource.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("This short address is already taken.")})
    with transaction.atomic():
        resource = Resource(slug=slug, **values)
        _set_translations(resource, "title", title)
        _set_translations(resource, "summary", summary or {})
        resource.full_clean(exclude=["event", "offers", "topics", "organisations"])
        resource.save()
        resource.topics.set(list(topics))
        resource.organisations.set(list(organisations))
        resource.offers.set(list(offers))
        resource_index(resource=resource)
        audit_record(
            actor=actor,
            action="library.resource_create",
            obj=resource,
            after=snapshot(resource, AUDIT_FIELDS),
        )
    return resource


def resource_update(
    *,
    resource: Resource,
    actor: Any,
    title: dict[str, str] | None = None,
    summary: dict[str, str] | None = None,
    topics: Iterable[Concept] | None = None,
    organisations: Iterable[Organisation] | None = None,
    offers: Iterable[Any] | None = None,
    **values: Any,
) -> Resource:
    """Change fields of ``resource`` and re-index it in the same transaction."""
    values = _clean_resource_values(values)
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        before = snapshot(locked, AUDIT_FIELDS)
        for name, value in values.items():
            setattr(locked, name, value)
        if title is not None:
            _set_translations(locked, "title", title)
        if summary is not None:
            _set_translations(locked, "summary", summary)
        locked.full_clean(exclude=["event", "offers", "topics", "organisations", "slug"])
        locked.save()
        if topics is not None:
            locked.topics.set(list(topics))
        if organisations is not None:
            locked.organisations.set(list(organisations))
        if offers is not None:
            locked.offers.set(list(offers))
        resource_index(resource=locked)
        audit_record(
            actor=actor,
            action="library.resource_update",
            obj=locked,
            before=before,
            after=snapshot(locked, AUDIT_FIELDS),
        )
    return locked


def _set_status(*, resource: Resource, actor: Any, status: str, action: str) -> Resource:
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        before = snapshot(locked, ["status", "published_on"])
        locked.status = status
        fields = ["status", "updated_at"]
        if status == ResourceStatus.PUBLISHED and locked.published_on is None:
            locked.published_on = dt.datetime.now(dt.UTC).date()
            fields.append("published_on")
        locked.save(update_fields=fields)
        resource_index(resource=locked)
        audit_record(
            actor=actor,
            action=action,
            obj=locked,
            before=before,
            after=snapshot(locked, ["status", "published_on"]),
        )
    return locked


def resource_publish(*, resource: Resource, actor: Any) -> Resource:
    return _set_status(
        resource=resource,
        actor=actor,
        status=ResourceStatus.PUBLISHED,
        action="library.resource_publish",
    )


def resource_withdraw(*, resource: Resource, actor: Any) -> Resource:
    return _set_status(
        resource=resource,
        actor=actor,
        status=ResourceStatus.WITHDRAWN,
        action="library.resource_withdraw",
    )


# --------------------------------------------------------------------------- event documentation


def _free_slug(base: str) -> str:
    slug, n = base[:110], 2
    while Resource.objects.filter(slug=slug).exists():
        slug, n = f"{base[:105]}-{n}", n + 1
    return slug


def _documentation_text(materials: Sequence[Any]) -> str:
    """The page text made of an edition's published materials: a heading and text each."""
    parts = []
    for material in materials:
        text = (material.summary or "").strip()
        parts.append(f"## {material.title}\n\n{text}".strip())
    return "\n\n".join(parts)


def resource_from_event_documentation(*, event: Any, actor: Any) -> Resource:
    """The edition's documentation page in the library, made or brought up to date.

    Called by the events app when staff publish an edition's documentation, inside
    its transaction (the event row is locked there, so two publications cannot both
    make a page). A new page is public and published, titled like the edition in
    each language, in the edition's working language, with its topics and the text
    of its materials. An existing page (the shipped ones are written by editors)
    keeps its texts; it gains the edition's topics, is published, and is announced
    again, so the next digest brings it to the subscribers of its topics.
    """
    now = dt.datetime.now(dt.UTC)
    topics = list(event.topics.all())
    materials = list(event.materials.filter(published=True).order_by("position", "id"))
    existing = (
        Resource.objects.filter(event=event, kind=ResourceKind.EVENT_DOCUMENTATION)
        .order_by("pk")
        .first()
    )
    if existing is None:
        return resource_create(
            actor=actor,
            slug=_free_slug(f"doc-{event.slug}"),
            kind=ResourceKind.EVENT_DOCUMENTATION,
            title={lang: getattr(event, f"title_{lang}", "") or event.title for lang in LANGUAGES},
            summary={lang: getattr(event, f"abstract_{lang}", "") or "" for lang in LANGUAGES},
            topics=topics,
            organisations=[event.organiser] if event.organiser_id else [],
            body=_documentation_text(materials),
            languages=[event.language],
            published_on=now.date(),
            status=ResourceStatus.PUBLISHED,
            visibility=Visibility.PUBLIC,
            event=event,
            is_demo=event.is_demo,
        )
    known = {t.pk for t in existing.topics.all()}
    return resource_update(
        resource=existing,
        actor=actor,
        topics=[*existing.topics.all(), *(t for t in topics if t.pk not in known)],
        status=ResourceStatus.PUBLISHED,
        published_on=existing.published_on or now.date(),
        languages=existing.languages or [event.language],
        body=existing.body or _documentation_text(materials),
        announced_at=now,
    )


def resource_record_view(*, resource: Resource) -> None:
    """Count a page view; one atomic UPDATE, so concurrent views are never lost."""
    Resource.objects.filter(pk=resource.pk).update(view_count=F("view_count") + 1)


# --------------------------------------------------------------------------- attachments


def extract_pdf_text(data: bytes) -> str:
    """The text of a PDF, or "" when it has none or cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join((page.extract_text() or "") for page in reader.pages)[:2_000_000]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        logger.warning("Could not extract text from a PDF: %s", exc)
        return ""


@dataclass(frozen=True)
class CheckedUpload:
    """What ``attachment_check`` learnt about an upload: its type, size and text."""

    content_type: str
    size: int
    text: str


def attachment_check(*, upload: UploadedFile) -> CheckedUpload:
    """Check an upload's size and that its content fits its type; extract its text.

    Every way a file enters the library (staff pages, API, back office) goes
    through this check. Raises ``ValidationError`` keyed by ``file``.
    """
    limit = settings.CITYEXCHANGE_MAX_UPLOAD_BYTES
    size = upload.size or 0
    if size > limit:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}}
        )
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if content_type not in ALLOWED_CONTENT_TYPES:
        raise ValidationError({"file": _("This type of file is not accepted.")})
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    magic = ALLOWED_CONTENT_TYPES[content_type]
    if magic is not None and not data.startswith(magic):
        raise ValidationError({"file": _("The file's content does not match its type.")})
    if magic is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError({"file": _("A text file must be UTF-8 encoded.")}) from exc
    if content_type == "application/pdf":
        text = extract_pdf_text(data)
    elif magic is None:
        text = data.decode("utf-8")
    else:
        text = ""
    return CheckedUpload(content_type=content_type, size=size, text=text)


def attachment_add(
    *, resource: Resource, upload: UploadedFile, title: str, actor: Any
) -> Attachment:
    """Attach a file after checking its size and that its content fits its type."""
    checked = attachment_check(upload=upload)
    content_type, size, text = checked.content_type, checked.size, checked.text
    upload.seek(0)
    with transaction.atomic():
        attachment = Attachment(
            resource=resource,
            title=title or upload.name or "file",
            content_type=content_type,
            size=size,
            extracted_text=text,
        )
        attachment.title_en = attachment.title  # type: ignore[attr-defined]  # modeltranslation's column
        attachment.file.save(upload.name or "file", upload, save=False)
        attachment.save()
        resource_index(resource=resource)
        audit_record(
            actor=actor,
            action="library.attachment_add",
            obj=attachment,
            after={"resource": resource.slug, "content_type": content_type, "size": size},
        )
    return attachment


# --------------------------------------------------------------------------- subscriptions


def subscription_save(
    *,
    user: User,
    topics: Sequence[Concept],
    kinds: Sequence[str],
    frequency: str = DigestFrequency.WEEKLY,
    language: str | None = None,
) -> Subscription:
    bad = [k for k in kinds if k not in ResourceKind.values]
    if bad or frequency not in DigestFrequency.values:
        raise ValidationError(_("Choose kinds and a frequency from the lists."))
    with transaction.atomic():
        subscription, created = Subscription.objects.select_for_update().get_or_create(
            user=user, defaults={"language": language or user.language}
        )
        before = None if created else snapshot(subscription, ["kinds", "frequency", "is_active"])
        subscription.kinds = list(kinds)
        subscription.frequency = frequency
        subscription.language = language or user.language
        subscription.is_active = True
        subscription.save()
        subscription.topics.set(list(topics))
        audit_record(
            actor=user,
            action="library.subscription_save",
            obj=subscription,
            before=before,
            after={
                **snapshot(subscription, ["kinds", "frequency", "is_active"]),
                "topics": sorted(t.key for t in topics),
            },
        )
    return subscription


def subscription_cancel(*, subscription: Subscription, actor: Any = None) -> None:
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription.pk).update(is_active=False)
        audit_record(
            actor=actor or subscription.user,
            action="library.subscription_cancel",
            obj=subscription,
            before={"is_active": True},
            after={"is_active": False},
        )


# --------------------------------------------------------------------------- forwarding


def resource_forward(
    *,
    resource: Resource,
    organisations: Sequence[Organisation],
    note: str,
    actor: Any,
    recipients: Sequence[User] = (),
) -> list[Forwarding]:
    """Send ``resource`` to chosen municipalities and people, each told by mail in
    their own language: every member of a municipality, and each person chosen.

    Only people who may be contacted (``selectors.contactable_people``: they asked
    for the library's digest) can be chosen; the
    audit log names them by account number, never by address.
    """
    from cityexchange.core.mail import render_message, send_after_commit
    from cityexchange.core.models import Membership
    from cityexchange.library.digests import unsubscribe_url

    if not organisations and not recipients:
        raise ValidationError({"organisations": _("Choose at least one municipality or person.")})
    if resource.status != ResourceStatus.PUBLISHED:
        raise ValidationError(_("Only published resources can be forwarded."))
    allowed = set(
        selectors.contactable_people()
        .filter(pk__in=[r.pk for r in recipients])
        .values_list("pk", flat=True)
    )
    if any(r.pk not in allowed for r in recipients):
        raise ValidationError(_("Some of the chosen people may not be contacted."))
    if any(o.kind not in selectors.FORWARDING_KINDS for o in organisations):
        raise ValidationError(_("Resources are forwarded to municipalities and regions only."))
    created: list[Forwarding] = []
    with transaction.atomic():
        addressees: list[tuple[str, Any]] = [("organisation", o) for o in organisations]
        addressees += [("recipient", r) for r in dict.fromkeys(recipients)]
        for field, addressee in addressees:
            forwarding, was_new = Forwarding.objects.get_or_create(
                resource=resource,
                **{field: addressee},
                defaults={"note": note, "sent_by": actor},
            )
            if not was_new:
                forwarding.note = note
                forwarding.sent_by = actor
                forwarding.save(update_fields=["note", "sent_by"])
            created.append(forwarding)
            audit_record(
                actor=actor,
                action="library.resource_forward",
                obj=forwarding,
                after={
                    "resource": resource.slug,
                    field: addressee.slug if field == "organisation" else addressee.pk,
                    "note": note,
                },
            )
        members = (
            Membership.objects.filter(organisation__in=organisations, user__is_active=True)
            .select_related("user", "organisation")
            .order_by("user_id")
        )
        # Each person is told once: as a member of a chosen municipality, or else as
        # a person chosen, who hears from the library because of their digest (the
        # mail says so and how to stop both).
        told: dict[int, tuple[User, str, dict[str, Any], dict[str, str]]] = {}
        for membership in members:
            told.setdefault(
                membership.user_id,
                (membership.user, "forwarded", {"organisation": membership.organisation}, {}),
            )
        for person in recipients:
            if person.pk not in told:
                stop_url = unsubscribe_url(person.library_subscription)
                headers = {
                    "List-Unsubscribe": f"<{stop_url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                }
                told[person.pk] = (
                    person,
                    "forwarded_person",
                    {"unsubscribe_url": stop_url},
                    headers,
                )
        for user, template, extra, headers in told.values():
            send_after_commit(
                render_message(
                    to=user.email,
                    language=user.language,
                    template=f"library/mail/{template}",
                    context={
                        "user": user,
                        "resource": resource,
                        "note": note,
                        "sender": actor,
                        **extra,
                    },
                    headers=headers,
                )
            )
    return created


# ---------------------------------------------------------------- personal data


def personal_data_of(*, user: User) -> dict[str, Any]:
    """The library's part of a person's data export: their digest subscription and the
    resources they forwarded to municipalities (staff)."""
    subscription = Subscription.objects.filter(user=user).first()
    return {
        "subscription": None
        if subscription is None
        else {
            "topics": sorted(subscription.topics.values_list("key", flat=True)),
            "kinds": subscription.kinds,
            "frequency": subscription.frequency,
            "language": subscription.language,
            "active": subscription.is_active,
            "since": subscription.created_at.isoformat(),
        },
        "forwarded": [
            {
                "resource": resource,
                "organisation": organisation,
                "note": note,
                "at": at.isoformat(),
            }
            for resource, organisation, note, at in Forwarding.objects.filter(
                sent_by=user, organisation__isnull=False
            ).values_list("resource__slug", "organisation__name", "note", "created_at")
        ],
        # Forwarded to people: who received it is theirs, so only the resource and note.
        "forwarded_to_people": [
            {"resource": resource, "note": note, "at": at.isoformat()}
            for resource, note, at in Forwarding.objects.filter(
                sent_by=user, recipient__isnull=False
            ).values_list("resource__slug", "note", "created_at")
        ],
        "received": [
            {"resource": resource, "note": note, "at": at.isoformat()}
            for resource, note, at in Forwarding.objects.filter(recipient=user).values_list(
                "resource__slug", "note", "created_at"
            )
        ],
    }


def personal_data_erase(*, user: User) -> None:
    """Erasure: the subscription and what was forwarded to the person go; forwardings
    stay with the municipality that received them, without the name of who sent them."""
    Subscription.objects.filter(user=user).delete()
    Forwarding.objects.filter(recipient=user).delete()
    Forwarding.objects.filter(sent_by=user).update(sent_by=None)
