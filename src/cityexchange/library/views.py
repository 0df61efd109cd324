"""Pages of the library: thin — authorise, parse, call a service or selector, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_countries import countries as all_countries

from cityexchange.core.access import get_for_user, signed_in
from cityexchange.core.i18n import current_language
from cityexchange.library import digests, imports, opendata, rendering, selectors, services
from cityexchange.library.forms import ForwardForm, ImportForm, SubscriptionForm
from cityexchange.library.models import Resource, ResourceKind, Subscription

SEARCH_PARAMS = ("q", "kind", "topic", "lang", "country", "year", "sort")


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "library/home.html",
        {
            "newest": selectors.newest_resources(user=request.user),
            "most_viewed": selectors.most_viewed_resources(user=request.user),
            "kinds": ResourceKind.choices,
        },
    )


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 10000))
    except ValueError:
        return 1


def search(request: HttpRequest) -> HttpResponse:
    params = {name: request.GET.get(name, "").strip()[:400] for name in SEARCH_PARAMS}
    if any("\x00" in value for value in params.values()):
        return HttpResponseBadRequest(
            _("The search terms contain a character that is not allowed.")
        )
    result = None
    if params["q"] or any(params[name] for name in selectors.FACETS):
        result = selectors.search_resources(
            query=params["q"],
            language=current_language(),
            filters=params,
            page=_page_number(request.GET.get("page")),
            page_size=10,
            user=request.user,
        )

    def link(**changes: Any) -> str:
        merged = {k: v for k, v in {**params, **changes}.items() if v}
        return "?" + urlencode(merged)

    facets: list[dict[str, Any]] = []
    if result is not None:
        titles = {
            "kind": _("Kind"),
            "topic": _("Topic"),
            "lang": _("Language of the material"),
            "country": _("Country"),
            "year": _("Year"),
        }
        for name, values in result.facets.items():
            if not values:
                continue
            facets.append(
                {
                    "name": name,
                    "title": titles[name],
                    "values": [
                        {
                            "label": v.label,
                            "count": v.count,
                            "selected": v.selected,
                            "url": link(**{name: "" if v.selected else v.value}, page=""),
                        }
                        for v in values
                    ],
                }
            )
    return render(
        request,
        "library/search.html",
        {
            "params": params,
            "result": result,
            "facets": facets,
            "chosen_facets": sum(v["selected"] for f in facets for v in f["values"]),
            "previous_url": link(page=str(result.page - 1))
            if result and result.has_previous
            else "",
            "next_url": link(page=str(result.page + 1)) if result and result.has_next else "",
        },
    )


def resource(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_for_user(
        selectors.resource_for_page(), user=request.user, perm="library.view_resource", slug=slug
    )
    services.resource_record_view(resource=item)
    return render(
        request,
        "library/resource.html",
        {
            "resource": item,
            "text": rendering.render_body(item.body),
            "nature": rendering.nature_of(item),
            "country_names": [str(all_countries.name(code) or code) for code in item.countries],
            "related": selectors.related_resources(resource=item, user=request.user),
            "citation": opendata.citation(item, request.build_absolute_uri("/")),
            "can_forward": request.user.has_perm("library.forward_resource"),
        },
    )


def attachment(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """Files are served only after the same check as their resource's page."""
    item = get_for_user(
        Resource.objects.all(), user=request.user, perm="library.view_resource", slug=slug
    )
    file = item.attachments.filter(pk=pk).first()
    if file is None:
        raise Http404
    try:
        handle = file.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=(file.file.name or "file").rsplit("/", 1)[-1],
        content_type=file.content_type,
    )


@login_required
def forward(request: HttpRequest, slug: str) -> HttpResponse:
    """Forward a resource by need: municipalities suggested (and why), or people."""
    item = get_for_user(
        Resource.objects.prefetch_related("topics"),
        user=request.user,
        perm="library.forward_resource",
        slug=slug,
    )
    form = ForwardForm(
        request.POST or None,
        suggestions=selectors.forwarding_suggestions(resource=item, user=request.user),
        people=selectors.people_suggestions(resource=item),
        contactable=selectors.contactable_people(),
    )
    if request.method == "POST" and form.is_valid():
        organisations = list(form.cleaned_data["organisations"])
        recipients = form.recipients()
        try:
            services.resource_forward(
                resource=item,
                organisations=organisations,
                recipients=recipients,
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Forwarded to %(towns)d municipalities and %(people)d people; "
                    "everyone was told by mail."
                )
                % {"towns": len(organisations), "people": len(recipients)},
            )
            return HttpResponseRedirect(item.get_absolute_url())
    return render(
        request,
        "library/forward.html",
        {
            "resource": item,
            "form": form,
            "reads_assessments": request.user.has_perm("assessments.list_assessments"),
        },
    )


@login_required
def forwarded(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "library/forwarded.html",
        {"forwardings": selectors.forwardings_for_user(user=request.user)},
    )


@login_required
def subscription(request: HttpRequest) -> HttpResponse:
    current = Subscription.objects.filter(user=request.user.pk, is_active=True).first()
    initial: dict[str, Any] = {}
    if current is not None:
        initial = {
            "topics": [topic.key for topic in current.topics.all()],
            "kinds": current.kinds,
            "frequency": current.frequency,
        }
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.subscription_save(
            user=signed_in(request),
            topics=list(form.cleaned_data["topics"]),
            kinds=form.cleaned_data["kinds"],
            frequency=form.cleaned_data["frequency"],
            language=current_language(),
        )
        messages.success(request, _("Your subscription is saved."))
        return HttpResponseRedirect(reverse("library:subscription"))
    return render(request, "library/subscription.html", {"form": form, "current": current})


@csrf_exempt  # the signed token is the authorisation; mail clients POST it
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click from the mail: GET confirms (mail scanners only GET), POST unsubscribes."""
    item = digests.subscription_from_token(token)
    if item is None:
        raise Http404
    done = False
    if request.method == "POST":
        services.subscription_cancel(subscription=item)
        done = True
    return render(request, "library/unsubscribe.html", {"done": done, "token": token})


@login_required
def bulk_import(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("library.manage_resources"):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = imports.import_file(
                name=upload.name or "", data=upload.read(), actor=request.user
            )
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
    return render(request, "library/import.html", {"form": form, "report": report})
