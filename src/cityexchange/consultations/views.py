"""Pages of the consultations app: thin — authorise, parse a form, call a service, render.

Every comment form works without JavaScript: a paragraph's "comment" link opens the
paragraph's own page with its comments and a plain form. A typed comment is never
lost: on an error the form comes back with the text, and a person whose session
expired finds the text again in the form after signing in.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cityexchange.consultations import exports, importing, selectors, services
from cityexchange.consultations.forms import (
    CommentForm,
    EditForm,
    FlagForm,
    HideForm,
    ImportForm,
    OverviewFilterForm,
    ReportForm,
    ResponseForm,
)
from cityexchange.consultations.limits import COMMENT_LIMIT
from cityexchange.consultations.models import (
    Comment,
    Consultation,
    DocumentVersion,
    Paragraph,
    Phase,
    Section,
    SourceFormat,
    Target,
)
from cityexchange.core import caching
from cityexchange.core.access import get_for_user, signed_in
from cityexchange.core.i18n import current_language
from cityexchange.core.ratelimit import exceeded, too_many_page

DRAFT_KEY = "consultations-draft"


def _consultation(
    request: HttpRequest, slug: str, perm: str = "consultations.view_consultation"
) -> Consultation:
    return get_for_user(selectors.consultation_for_page(), user=request.user, perm=perm, slug=slug)


def _comment(request: HttpRequest, consultation: Consultation, pk: int) -> Comment:
    """A comment of ``consultation`` that ``request.user`` may read, or 404."""
    qs = selectors.thread_queryset(request.user, consultation).select_related("consultation")
    try:
        return qs.get(pk=pk)
    except Comment.DoesNotExist as exc:
        raise Http404 from exc


def _version(consultation: Consultation) -> DocumentVersion:
    version = selectors.current_version(consultation)
    if version is None:
        raise Http404
    return version


def _context(request: HttpRequest, consultation: Consultation, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "consultation": consultation,
        "phase": consultation.phase,
        "deadline": services.deadline_text(consultation),
        "may_comment": user.has_perm("consultations.comment", consultation)
        or not user.is_authenticated,
        "is_moderator": user.has_perm("consultations.moderate", consultation),
        "is_staff": user.has_perm("consultations.respond", consultation),
        "show_names": consultation.names_public,
        **extra,
    }


def home(request: HttpRequest) -> HttpResponse:
    consultations = list(selectors.visible_consultations(request.user))
    return render(request, "consultations/home.html", {"consultations": consultations})


def _document_rows(
    consultation: Consultation, sections: list[selectors.SectionRow]
) -> list[dict[str, Any]]:
    """The document page's sections with each paragraph's link and labels made here.

    A 200-paragraph document would otherwise reverse a URL and run three translation
    tags per paragraph in the template, which costs most of the page's time.
    """
    base = reverse("consultations:detail", kwargs={"slug": consultation.slug})
    is_open = consultation.phase == Phase.OPEN
    rows = []
    for row in sections:
        paragraphs = []
        for item in row.paragraphs:
            number, count = item.paragraph.number, item.comments
            values = {"number": number, "n": count}
            label = (
                ngettext(
                    "Comment on paragraph %(number)s (%(n)s comment)",
                    "Comment on paragraph %(number)s (%(n)s comments)",
                    count,
                )
                if is_open
                else ngettext(
                    "Paragraph %(number)s: %(n)s comment",
                    "Paragraph %(number)s: %(n)s comments",
                    count,
                )
            ) % values
            supports = (
                ngettext("%(n)s support", "%(n)s supports", item.supports) % {"n": item.supports}
                if item.supports
                else ""
            )
            paragraphs.append(
                {
                    "number": number,
                    "text": item.paragraph.text,
                    "changed": item.paragraph.changed,
                    "url": f"{base}paragraphs/{number}/",
                    "label": label,
                    "supports": supports,
                    "spoken": _("Paragraph %(n)s:") % {"n": number},
                }
            )
        rows.append({"section": row.section, "comments": row.comments, "paragraphs": paragraphs})
    return rows


def _document(consultation: Consultation, version: DocumentVersion | None) -> str:
    """The document with its counts, rendered once per consultation, version, phase and
    language until its comments or supports change (``services.counts_name``)."""
    phase = consultation.phase

    def build() -> str:
        sections, general = selectors.document(version) if version else ([], 0)
        return render_to_string(
            "consultations/_document.html",
            {
                "consultation": consultation,
                "phase": phase,
                "version": version,
                "sections": _document_rows(consultation, sections),
                "general_count": general,
                "versions": selectors.versions(consultation) if version else [],
            },
        )

    name = ".".join(
        [
            "consultations.document",
            str(consultation.pk),
            consultation.slug,
            str(version.pk if version else 0),
            phase,
            current_language(),
        ]
    )
    return caching.cached(name, build, depends_on=[services.counts_name(consultation)])


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    version = selectors.current_version(consultation)
    return render(
        request,
        "consultations/detail.html",
        _context(request, consultation, document=_document(consultation, version)),
    )


def _draft_for(request: HttpRequest) -> dict[str, str] | None:
    drafts = request.session.get(DRAFT_KEY) or {}
    return drafts.get(request.path)


def _keep_draft(request: HttpRequest) -> None:
    drafts = request.session.get(DRAFT_KEY) or {}
    drafts[request.path] = {
        key: str(request.POST.get(key, ""))[:6000] for key in ("text", "language", "quote")
    }
    request.session[DRAFT_KEY] = drafts


def _drop_draft(request: HttpRequest) -> None:
    drafts = request.session.get(DRAFT_KEY) or {}
    if drafts.pop(request.path, None) is not None:
        request.session[DRAFT_KEY] = drafts


def _comment_page(
    request: HttpRequest,
    consultation: Consultation,
    *,
    template: str,
    target: str,
    threads: Any,
    paragraph: Paragraph | None = None,
    section: Section | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET: the comments and the form; POST: write a comment, or keep it and explain why not."""
    with_quote = target == Target.PARAGRAPH
    initial = {"language": current_language()}
    form = CommentForm(initial=initial, with_quote=with_quote)
    if request.method == "POST":
        if not request.user.is_authenticated:
            # Signed out (or the session expired) while writing: keep the text for later.
            _keep_draft(request)
            messages.info(request, _("Please sign in; your comment has been kept."))
            return redirect_to_login(request.path)
        if not request.user.has_perm("consultations.comment", consultation):
            raise Http404
        form = CommentForm(request.POST, with_quote=with_quote)
        if exceeded(request, COMMENT_LIMIT):
            return too_many_page(request, COMMENT_LIMIT)
        if form.is_valid():
            try:
                comment = services.comment_create(
                    consultation=consultation,
                    author=request.user,
                    text=form.cleaned_data["text"],
                    language=form.cleaned_data["language"],
                    target=target,
                    paragraph=paragraph,
                    section=section,
                    quote=form.cleaned_data.get("quote", ""),
                )
            except services.CommentRefused as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
            else:
                _drop_draft(request)
                messages.success(
                    request,
                    _("Your comment is published.")
                    if comment.status == "published"
                    else _("Thank you. Your comment will appear once a moderator approved it."),
                )
                return HttpResponseRedirect(f"{request.path}#comment-{comment.pk}")
    else:
        draft = _draft_for(request)
        if draft and request.user.is_authenticated:
            form = CommentForm(initial={**initial, **draft}, with_quote=with_quote)
            _drop_draft(request)
    return render(
        request,
        template,
        _context(
            request,
            consultation,
            form=form,
            threads=threads(),
            paragraph=paragraph,
            section=section,
            target=target,
            **(extra or {}),
        ),
    )


def paragraph(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    consultation = _consultation(request, slug)
    version = _version(consultation)
    try:
        item = Paragraph.objects.select_related("section", "previous", "version").get(
            version=version, number=number
        )
    except Paragraph.DoesNotExist as exc:
        raise Http404 from exc
    item.version.consultation = consultation
    neighbours = {
        p.number: p
        for p in Paragraph.objects.filter(version=version, number__in=[number - 1, number + 1])
    }
    return _comment_page(
        request,
        consultation,
        template="consultations/paragraph.html",
        target=Target.PARAGRAPH,
        paragraph=item,
        section=item.section,
        threads=lambda: selectors.comments_on_paragraph(request.user, item),
        extra={
            "previous_paragraph": neighbours.get(number - 1),
            "next_paragraph": neighbours.get(number + 1),
            "diff": services_diff(item),
        },
    )


def services_diff(item: Paragraph) -> Any:
    from cityexchange.consultations.text import word_diff

    if item.changed and item.previous is not None:
        return word_diff(item.previous.text, item.text)
    return None


def section(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug)
    version = _version(consultation)
    try:
        item = Section.objects.select_related("version").get(version=version, pk=pk)
    except Section.DoesNotExist as exc:
        raise Http404 from exc
    item.version.consultation = consultation
    return _comment_page(
        request,
        consultation,
        template="consultations/section.html",
        target=Target.SECTION,
        section=item,
        threads=lambda: selectors.comments_on_section(request.user, item),
        extra={"paragraphs": list(item.paragraphs.order_by("number"))},
    )


def general(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    _version(consultation)
    return _comment_page(
        request,
        consultation,
        template="consultations/general.html",
        target=Target.DOCUMENT,
        threads=lambda: selectors.comments_on_document(request.user, consultation),
    )


def _filters(request: HttpRequest) -> tuple[OverviewFilterForm, dict[str, str | None]]:
    form = OverviewFilterForm(request.GET or None)
    values: dict[str, str | None] = {"language": None, "country": None, "organisation_kind": None}
    if form.is_bound and form.is_valid():
        values = {
            "language": form.cleaned_data["language"] or None,
            "country": form.cleaned_data["country"] or None,
            "organisation_kind": form.cleaned_data["kind"] or None,
        }
    return form, values


def comments(request: HttpRequest, slug: str) -> HttpResponse:
    """All published comments, filtered by language, country and kind of organisation."""
    consultation = _consultation(request, slug)
    form, filters = _filters(request)
    page = Paginator(
        selectors.public_comments(
            consultation,
            language=filters["language"],
            country=filters["country"],
            organisation_kind=filters["organisation_kind"],
        ),
        50,
    ).get_page(request.GET.get("page"))
    query = urlencode({k: str(v) for k, v in request.GET.items() if k != "page"})
    return render(
        request,
        "consultations/comments.html",
        _context(request, consultation, form=form, page=page, filter_query=query),
    )


def overview(request: HttpRequest, slug: str) -> HttpResponse:
    """The heat map: comments and supports per section and paragraph, as a table."""
    consultation = _consultation(request, slug)
    version = _version(consultation)
    form, filters = _filters(request)
    sections, general_count = selectors.document(version, **filters)
    peak = max(
        [1, *(p.comments for s in sections for p in s.paragraphs), *(s.comments for s in sections)]
    )
    return render(
        request,
        "consultations/overview.html",
        _context(
            request,
            consultation,
            form=form,
            sections=sections,
            general_count=general_count,
            peak=peak,
            version=version,
        ),
    )


def _back(request: HttpRequest, comment: Comment) -> HttpResponseRedirect:
    return HttpResponseRedirect(services.comment_url(comment))


def reply(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug)
    parent = _comment(request, consultation, pk)
    form = CommentForm(initial={"language": current_language()}, with_quote=False)
    if request.method == "POST":
        if not request.user.is_authenticated:
            _keep_draft(request)
            return redirect_to_login(request.path)
        if not request.user.has_perm("consultations.comment", consultation):
            raise Http404
        if exceeded(request, COMMENT_LIMIT):
            return too_many_page(request, COMMENT_LIMIT)
        form = CommentForm(request.POST, with_quote=False)
        if form.is_valid():
            try:
                comment = services.comment_create(
                    consultation=consultation,
                    author=request.user,
                    text=form.cleaned_data["text"],
                    language=form.cleaned_data["language"],
                    parent=parent,
                )
            except services.CommentRefused as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                _drop_draft(request)
                messages.success(request, _("Your reply is published."))
                return _back(request, comment)
    else:
        draft = _draft_for(request)
        if draft and request.user.is_authenticated:
            form = CommentForm(initial=draft, with_quote=False)
            _drop_draft(request)
    return render(
        request,
        "consultations/reply.html",
        _context(request, consultation, form=form, parent=parent),
    )


def edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug)
    comment = _comment(request, consultation, pk)
    if not request.user.has_perm("consultations.change_comment", comment):
        raise Http404
    form = EditForm(initial={"text": comment.text})
    if request.method == "POST":
        form = EditForm(request.POST)
        if form.is_valid():
            try:
                services.comment_edit(
                    comment=comment,
                    actor=signed_in(request),
                    text=form.cleaned_data["text"],
                )
            except services.CommentRefused as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Your comment has been changed."))
                return _back(request, comment)
    return render(
        request,
        "consultations/edit.html",
        _context(request, consultation, form=form, comment=comment),
    )


@require_POST
def withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug)
    comment = _comment(request, consultation, pk)
    if not request.user.has_perm("consultations.change_comment", comment):
        raise Http404
    try:
        services.comment_withdraw(comment=comment, actor=signed_in(request))
    except services.CommentRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your comment has been withdrawn."))
    return _back(request, comment)


@require_POST
def support(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    comment = _comment(request, consultation, pk)
    try:
        supported = services.support_set(
            comment=comment,
            user=request.user,
            support=request.POST.get("support") != "0",
        )
    except services.CommentRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("You support this comment.") if supported else _("Support taken back.")
        )
    return _back(request, comment)


def flag(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    comment = _comment(request, consultation, pk)
    form = FlagForm(request.POST) if request.method == "POST" else FlagForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_flag(
                comment=comment,
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except services.CommentRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you. A moderator will look at this comment."))
        return _back(request, comment)
    return render(
        request,
        "consultations/flag.html",
        _context(request, consultation, form=form, comment=comment),
    )


def hide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug, "consultations.moderate")
    comment = _comment(request, consultation, pk)
    form = HideForm(request.POST) if request.method == "POST" else HideForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_hide(
                comment=comment,
                actor=signed_in(request),
                reason=form.cleaned_data["reason"],
            )
        except services.CommentRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The comment is hidden."))
            return HttpResponseRedirect(
                reverse("consultations:moderation", kwargs={"slug": consultation.slug})
            )
    return render(
        request,
        "consultations/hide.html",
        _context(request, consultation, form=form, comment=comment),
    )


@require_POST
def approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug, "consultations.moderate")
    comment = _comment(request, consultation, pk)
    services.comment_approve(comment=comment, actor=signed_in(request))
    messages.success(request, _("The comment is published."))
    return HttpResponseRedirect(
        reverse("consultations:moderation", kwargs={"slug": consultation.slug})
    )


def moderation(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug, "consultations.moderate")
    pending, flagged = selectors.moderation_queue(consultation)
    return render(
        request,
        "consultations/moderation.html",
        _context(request, consultation, pending=pending, flagged=flagged),
    )


def responses(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff tag every comment and answer it; then publish the report."""
    consultation = _consultation(request, slug, "consultations.respond")
    items = selectors.comments_for_response(consultation)
    forms_by_comment = []
    for comment in items:
        response = getattr(comment, "response", None)
        initial = {"tag": response.tag, "text": response.text} if response else None
        forms_by_comment.append((comment, ResponseForm(initial=initial, prefix=f"c{comment.pk}")))
    answered = sum(1 for c in items if getattr(c, "response", None) is not None)
    return render(
        request,
        "consultations/responses.html",
        _context(
            request,
            consultation,
            items=forms_by_comment,
            answered=answered,
            report_form=ReportForm(initial={"summary": consultation.response_summary}),
        ),
    )


@require_POST
def respond(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation = _consultation(request, slug, "consultations.respond")
    comment = _comment(request, consultation, pk)
    form = ResponseForm(request.POST, prefix=f"c{comment.pk}")
    if form.is_valid():
        services.response_save(
            comment=comment,
            actor=signed_in(request),
            tag=form.cleaned_data["tag"],
            text=form.cleaned_data["text"],
        )
        messages.success(request, _("The response is saved."))
    else:
        messages.error(request, _("Choose how the comment was considered."))
    return HttpResponseRedirect(
        reverse("consultations:responses", kwargs={"slug": consultation.slug}) + f"#c{comment.pk}"
    )


@require_POST
def publish_report(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug, "consultations.respond")
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.report_publish(
                consultation=consultation,
                actor=signed_in(request),
                summary=form.cleaned_data["summary"],
            )
        except services.CommentRefused as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(
                reverse("consultations:responses", kwargs={"slug": consultation.slug})
            )
        messages.success(request, _("The response report is published."))
    return HttpResponseRedirect(reverse("consultations:report", kwargs={"slug": consultation.slug}))


def report(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    is_staff = request.user.has_perm("consultations.respond", consultation)
    if consultation.phase != Phase.RESPONDED and not is_staff:
        raise Http404
    return render(
        request,
        "consultations/report.html",
        _context(request, consultation, groups=selectors.report(consultation)),
    )


def export(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    consultation = _consultation(request, slug, "consultations.manage")
    if kind == "csv":
        return exports.comments_csv(consultation)
    if kind == "xlsx":
        return exports.comments_xlsx(consultation)
    if kind == "pdf":
        return exports.report_pdf(consultation)
    raise Http404


def import_document(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff import a draft (Markdown or DOCX); it is shown as a preview before publishing."""
    consultation = _consultation(request, slug, "consultations.manage")
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            if upload is not None and upload.name.lower().endswith(".docx"):
                sections = importing.parse_docx(upload.read())
                source = SourceFormat.DOCX
            elif upload is not None:
                try:
                    text = upload.read().decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise importing.ImportFailed(_("The file is not UTF-8 text.")) from exc
                sections = importing.parse_markdown(text)
                source = SourceFormat.MARKDOWN
            else:
                sections = importing.parse_markdown(form.cleaned_data["markdown"])
                source = SourceFormat.MARKDOWN
        except importing.ImportFailed as exc:
            form.add_error(None, str(exc))
        else:
            version = services.version_import(
                consultation=consultation,
                actor=request.user,
                sections=sections,
                source_format=source,
                note=form.cleaned_data["note"],
            )
            return HttpResponseRedirect(
                reverse(
                    "consultations:version",
                    kwargs={"slug": consultation.slug, "number": version.number},
                )
            )
    return render(request, "consultations/import.html", _context(request, consultation, form=form))


def version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """A version of the document and what changed from the one before, paragraph by paragraph.

    Drafts (the preview after an import) are for staff only.
    """
    consultation = _consultation(request, slug)
    try:
        item = consultation.versions.get(number=number)
    except DocumentVersion.DoesNotExist as exc:
        raise Http404 from exc
    is_staff = request.user.has_perm("consultations.manage", consultation)
    if item.published_at is None and not is_staff:
        raise Http404
    from cityexchange.consultations.text import word_diff

    previous = (
        consultation.versions.filter(number__lt=number, published_at__isnull=False)
        .order_by("-number")
        .first()
    )
    sections, _general = selectors.document(item)
    changes = (
        [
            (p, word_diff(p.previous.text, p.text) if p.changed and p.previous else None)
            for p in selectors.changed_paragraphs(item)
        ]
        if previous
        else []
    )
    removed = selectors.removed_paragraphs(item, previous) if previous else []
    return render(
        request,
        "consultations/version.html",
        _context(
            request,
            consultation,
            version=item,
            previous=previous,
            sections=sections,
            changes=changes,
            removed=removed,
        ),
    )


@require_POST
def publish_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    consultation = _consultation(request, slug, "consultations.manage")
    try:
        item = consultation.versions.get(number=number)
    except DocumentVersion.DoesNotExist as exc:
        raise Http404 from exc
    try:
        services.version_publish(version=item, actor=request.user)
    except services.CommentRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The version is published."))
    return HttpResponseRedirect(reverse("consultations:detail", kwargs={"slug": consultation.slug}))
