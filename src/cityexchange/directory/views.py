"""Pages of the directory: thin views that authorise, parse a form and call the domain."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cityexchange.core.access import get_for_user
from cityexchange.core.i18n import current_language
from cityexchange.core.models import Concept, Organisation, OrganisationKind
from cityexchange.core.ratelimit import exceeded, too_many_page
from cityexchange.core.templatetags.languages import language_names
from cityexchange.directory import selectors, services
from cityexchange.directory.finder import (
    finder_run,
    understood_lines,
)
from cityexchange.directory.forms import FinderForm, OfferFilterForm, ProfileForm
from cityexchange.directory.limits import FINDER_LIMIT
from cityexchange.directory.models import MunicipalityProfile, SavedResult
from cityexchange.directory.neighbours import neighbours_for


@require_http_methods(["GET", "POST"])
def finder(request: HttpRequest) -> HttpResponse:
    """The guided form; a POST shows the ranked offers on the same address."""
    language = current_language()
    profile = selectors.own_profile(request.user)
    if request.method == "POST":
        if exceeded(request, FINDER_LIMIT):
            return too_many_page(request, FINDER_LIMIT)
        form = FinderForm(request.POST, profile=profile)
        if form.is_valid():
            query = form.to_query()
            answer = finder_run(
                query,
                language=language,
                exclude_organisation=profile.organisation_id if profile else None,
            )
            return render(
                request,
                "directory/finder_results.html",
                {
                    "form": form,
                    "answer": answer,
                    "understood_extra": understood_lines(answer["understood"]),
                    "query": query,
                    "hidden": [
                        (name, value)
                        for name in form.fields
                        for value in request.POST.getlist(name)
                    ],
                },
            )
    else:
        initial = FinderForm.initial_from_profile(profile) if profile else None
        form = FinderForm(initial=initial, profile=profile)
    return render(request, "directory/finder.html", {"form": form, "profile": profile})


@require_POST
def finder_save(request: HttpRequest) -> HttpResponse:
    """Save the result list of the submitted wishes and go to its shareable address."""
    if exceeded(request, FINDER_LIMIT):
        return too_many_page(request, FINDER_LIMIT)
    form = FinderForm(request.POST, profile=selectors.own_profile(request.user))
    if not form.is_valid():
        return render(request, "directory/finder.html", {"form": form}, status=400)
    answer = finder_run(form.to_query(), language=current_language(), record_gaps=False)
    result = services.saved_result_create(
        request=form.to_query().as_dict(),
        items=answer["items"],
        actor=request.user,
    )
    return HttpResponseRedirect(result.get_absolute_url())


def finder_result(request: HttpRequest, token: str) -> HttpResponse:
    result = get_for_user(SavedResult.objects.all(), user=request.user, token=token)
    items = selectors.saved_result_items(result=result, language=current_language())
    return render(
        request,
        "directory/finder_saved.html",
        {"result": result, "items": items, "share_url": request.build_absolute_uri()},
    )


@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """A municipality's Finder profile: its own team and network staff only."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    organisation = get_for_user(
        Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY),
        user=request.user,
        perm="directory.edit_profile",
        slug=slug,
    )
    profile = MunicipalityProfile.objects.filter(organisation=organisation).first()
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            services.profile_save(
                organisation=organisation,
                actor=request.user,
                values={
                    "country": data["country"],
                    "population": data["population"],
                    "experience": data["experience"],
                    "challenges": data["challenges"],
                    "goals": data["goals"],
                    "staff_time": data["staff_time"],
                    "budget": data["budget"],
                    "languages": data["languages"],
                    "listed_as_peer": data["listed_as_peer"],
                },
                topics=list(Concept.objects.filter(key__in=data["topics"])),
                memberships=list(data["memberships"]),
            )
            from django.contrib import messages

            messages.success(request, _("Your profile has been saved."))
            return HttpResponseRedirect(request.path)
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(profile, organisation))
    return render(
        request,
        "directory/profile_form.html",
        {"form": form, "organisation": organisation, "profile": profile},
    )


def search_gaps(request: HttpRequest) -> HttpResponse:
    """Staff: what municipalities searched for and found nothing or little for."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("directory.view_search_gaps"):
        raise Http404
    from cityexchange.core.text import thesaurus

    language = current_language()
    gaps = [
        {
            "gap": gap,
            "topics": [thesaurus().label(k, language) for k in gap.concepts.split()],
        }
        for gap in selectors.search_gaps()
    ]
    return render(
        request,
        "directory/search_gaps.html",
        {"gaps": gaps, "stale": selectors.stale_offers()},
    )


def offer_list(request: HttpRequest) -> HttpResponse:
    form = OfferFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    valid = True
    if form.is_bound:
        valid = form.is_valid()
        # An unknown value is shown as an error on its field (and answered with 400);
        # the other filters still apply rather than silently listing everything.
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    paginator = Paginator(selectors.offer_list(**filters), 20)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "directory/offer_list.html",
        {"form": form, "page": page, "filter_query": query.urlencode()},
        status=200 if valid else 400,
    )


def offer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    offer = get_for_user(selectors.offer_for_page(slug), user=request.user, slug=slug)
    topics = [t.key for t in offer.topics.all()]
    events, resources, _peers = neighbours_for(topics, [], current_language())
    return render(
        request,
        "directory/offer_detail.html",
        {
            "offer": offer,
            "languages": language_names(offer.languages, "start"),
            "interpretation": language_names(offer.interpretation_languages),
            "events": events,
            "resources": resources,
            # An exchange format of the events app: its editions and their documentation.
            "format_overview": selectors.format_overview_for(offer.events_format, request.user),
        },
    )


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_for_user(
        Organisation.objects.select_related("parent"), user=request.user, slug=slug
    )
    return render(
        request,
        "directory/organisation_detail.html",
        {
            "organisation": organisation,
            "offers": selectors.organisation_offers(organisation),
            "can_edit_profile": organisation.kind == OrganisationKind.MUNICIPALITY
            and request.user.has_perm("directory.edit_profile", organisation),
        },
    )
