"""Pages of the self-assessment: start, answer (one dimension per page), results, roadmap.

Views stay thin: they authorise through ``get_for_user`` (outsiders get 404),
parse a form, call a service and render. Every page works without JavaScript.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_countries import countries as django_countries

from cityexchange.assessments import charts, exports, planning, selectors, services
from cityexchange.assessments.forms import (
    DONT_KNOW,
    AnswerForm,
    AnswerFormSet,
    CapacityForm,
    RoadmapItemForm,
    TargetsForm,
)
from cityexchange.assessments.models import (
    Assessment,
    AssessmentStatus,
    Dimension,
    RoadmapItem,
)
from cityexchange.core.access import get_for_user
from cityexchange.core.models import Organisation, User
from cityexchange.core.ratelimit import Limit, exceeded


def _get(request: HttpRequest, pk: int) -> Assessment:
    return get_for_user(
        selectors.assessment_queryset(),
        user=request.user,
        perm="assessments.view_assessment",
        pk=pk,
    )


def _require_change(request: HttpRequest, assessment: Assessment) -> None:
    # Staff may look but not touch; outsiders never got this far (404).
    if not request.user.has_perm("assessments.change_assessment", assessment):
        raise PermissionDenied


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - every caller is behind login_required
    return user


def start(request: HttpRequest) -> HttpResponse:
    municipalities = list(selectors.municipalities_of(request.user))
    model = selectors.model_current()
    error = ""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('core:login')}?next={request.path}")
        chosen: Organisation | None = None
        slug = request.POST.get("organisation", "")
        for organisation in municipalities:
            if organisation.slug == slug or len(municipalities) == 1 and not slug:
                chosen = organisation
        if chosen is None:
            error = _("Choose one of your municipalities.")
        else:
            try:
                assessment = services.assessment_start(organisation=chosen, user=_user(request))
            except services.AssessmentError as exc:
                error = str(exc)
            else:
                first = assessment.maturity_model.dimensions.order_by("position").first()
                messages.success(request, _("Your assessment has been started."))
                if first is None:
                    return redirect("assessments:review", id=assessment.pk)
                return redirect("assessments:answer", id=assessment.pk, dimension=first.key)
    dimensions = list(model.dimensions.order_by("position")) if model else []
    return render(
        request,
        "assessments/start.html",
        {
            "model": model,
            "dimensions": dimensions,
            "indicator_count": model.indicators.count() if model else 0,
            "municipalities": municipalities,
            "assessments": list(selectors.assessments_for_user(request.user)),
            "is_staff": request.user.has_perm("assessments.list_assessments"),
            "error": error,
        },
        status=400 if error else 200,
    )


STAFF_PAGE_SIZE = 50


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    """Every municipality's assessments for network staff; everyone else gets 404."""
    if not request.user.has_perm("assessments.list_assessments"):
        raise Http404
    countries = selectors.assessment_countries()
    names = dict(django_countries)
    country = request.GET.get("country", "")
    status = request.GET.get("status", "")
    country = country if country in countries else ""
    status = status if status in AssessmentStatus.values else ""
    page = Paginator(
        selectors.assessments_for_staff(country=country, status=status), STAFF_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in (("country", country), ("status", status)) if v})
    return render(
        request,
        "assessments/staff_list.html",
        {
            "page": page,
            "countries": [(code, names.get(code, code)) for code in countries],
            "statuses": AssessmentStatus.choices,
            "country": country,
            "status": status,
            "query": query,
        },
    )


def _answer_rows(
    dimension: Dimension,
    forms: list[AnswerForm],
    level_names: list[str],
    conflicts: dict[int, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    conflicts = conflicts or {}
    rows = []
    for indicator, form in zip(dimension.indicators.all(), forms, strict=True):
        value = form["choice"].value() or ""
        levels = list(indicator.levels.all())
        chosen = next((lvl for lvl in levels if str(lvl.value) == value), None)
        rows.append(
            {
                "indicator": indicator,
                "form": form,
                "value": value,
                "dont_know_value": DONT_KNOW,
                "options": [
                    {
                        "value": str(level.value),
                        "name": level_names[level.value] if level.value < len(level_names) else "",
                        "statement": level.statement,
                        "checked": value == str(level.value),
                    }
                    for level in levels
                ],
                "improve": chosen.improve if chosen else "",
                "conflict": conflicts.get(indicator.pk),
            }
        )
    return rows


# Answers posted after the session ended, kept in the (anonymous) session until sign-in.
PENDING_KEY = "assessments:pending_answers"


def answer(request: HttpRequest, id: int, dimension: str) -> HttpResponse:  # noqa: A002
    """One dimension's questions; a save writes what the user changed (see
    ``AnswerFormSet`` for drafts and teammates' concurrent answers)."""
    if not request.user.is_authenticated:
        if request.method == "POST":
            _keep_pending(request)
        return redirect_to_login(request.get_full_path())
    assessment = _get(request, id)
    dimensions = selectors.model_dimensions(assessment.maturity_model)
    index = next((n for n, d in enumerate(dimensions) if d.key == dimension), None)
    if index is None:
        raise Http404
    current = dimensions[index]
    indicators = list(current.indicators.all())
    level_names_ = selectors.level_names(assessment.maturity_model)
    stored = selectors.answers_by_indicator(assessment)
    saved: list[str] = []
    conflicts: dict[int, Any] = {}
    if request.method == "POST":
        _require_change(request, assessment)
        if assessment.is_submitted:
            messages.error(
                request, _("This assessment has been submitted and can no longer be changed.")
            )
            return redirect("assessments:results", id=assessment.pk)
        page = AnswerFormSet.bound(request.POST, indicators=indicators)
        try:
            outcome = services.answers_save(
                assessment=assessment, answers=page.changes(), user=_user(request)
            )
        except services.AssessmentError as exc:
            messages.error(request, str(exc))
            return redirect("assessments:results", id=assessment.pk)
        saved = outcome.changed
        if saved or outcome.conflicts or page.keeps_theirs:
            stored = selectors.answers_by_indicator(assessment)
        page.rebase(stored=stored, conflicts={c.indicator.pk for c in outcome.conflicts})
        conflicts = page.conflicts(stored=stored, level_names=level_names_)
        if not conflicts and page.is_valid():
            return _after_save(request, assessment, dimensions, index)
    elif pending := _pop_pending(request):
        page = AnswerFormSet.bound(pending, indicators=indicators)
        page.is_valid()
        messages.warning(
            request,
            _(
                "Your session had ended, so your last answers were not saved yet. "
                "Here they are again: check them and save."
            ),
        )
    else:
        page = AnswerFormSet.from_stored(indicators=indicators, stored=stored)
    status = 400 if page.has_errors else (409 if conflicts else 200)
    return render(
        request,
        "assessments/answer.html",
        {
            "assessment": assessment,
            "dimension": current,
            "dimensions": dimensions,
            "step": index + 1,
            "rows": _answer_rows(current, page.forms, level_names_, conflicts),
            "conflict_count": len(conflicts),
            "can_edit": request.user.has_perm("assessments.change_assessment", assessment)
            and not assessment.is_submitted,
            "has_errors": page.has_errors,
            "saved_count": len(saved),
            "is_first": index == 0,
            "prev_key": dimensions[index - 1].key if index > 0 else "",
            "next_key": dimensions[index + 1].key if index + 1 < len(dimensions) else "",
            "is_last": index == len(dimensions) - 1,
        },
        status=status,
    )


def _after_save(
    request: HttpRequest, assessment: Assessment, dimensions: list[Dimension], index: int
) -> HttpResponse:
    """Where the page's button leads: the next or previous dimension, or the same page."""
    action = request.POST.get("action", "save")
    step = {"next": 1, "back": -1}.get(action)
    if step is None:
        messages.success(request, _("Your answers have been saved."))
        return redirect("assessments:answer", id=assessment.pk, dimension=dimensions[index].key)
    if 0 <= index + step < len(dimensions):
        return redirect(
            "assessments:answer", id=assessment.pk, dimension=dimensions[index + step].key
        )
    return redirect("assessments:review", id=assessment.pk)


# What an anonymous post may leave in the session: the answer fields of the page, cut
# to their longest valid length, for the last few pages, within a total size. Anything
# else in the post is dropped, so nobody can grow the session by posting.
PENDING_FIELDS = ("choice", "notes", "evidence", "original", "version", "conflict", "resolve")
PENDING_VALUE_CHARS = 4000
PENDING_PAGES = 3
PENDING_BYTES = 64_000
PENDING_LIMIT = Limit("assessments.pending", "20/m")


def _keep_pending(request: HttpRequest) -> None:
    """The session ended while someone was typing: keep what they sent, to give it back
    on this page after they signed in again."""
    if exceeded(request, PENDING_LIMIT):
        return
    kept: dict[str, str] = {"action": str(request.POST.get("action", ""))[:20]}
    for key in request.POST:
        prefix, _dash, field = key.rpartition("-")
        if field in PENDING_FIELDS and 0 < len(prefix) <= 80:
            kept[key] = str(request.POST.get(key, ""))[:PENDING_VALUE_CHARS]
    earlier = request.session.get(PENDING_KEY) or {}
    pending = {path: data for path, data in earlier.items() if path != request.path}
    pending[request.path[:300]] = kept
    pages = list(pending.items())[-PENDING_PAGES:]
    while pages and len(json.dumps(pages)) > PENDING_BYTES:
        pages.pop(0)
    request.session[PENDING_KEY] = dict(pages)


def _pop_pending(request: HttpRequest) -> QueryDict | None:
    pending = request.session.get(PENDING_KEY) or {}
    data = pending.pop(request.path, None)
    if data is None:
        return None
    request.session[PENDING_KEY] = pending
    result = QueryDict(mutable=True)
    result.update(data)
    return result


@login_required
def review(request: HttpRequest, id: int) -> HttpResponse:  # noqa: A002
    assessment = _get(request, id)
    results = selectors.results_for(assessment)
    return render(
        request,
        "assessments/review.html",
        {
            "assessment": assessment,
            "results": results,
            "can_edit": request.user.has_perm("assessments.change_assessment", assessment)
            and not assessment.is_submitted,
        },
    )


@login_required
@require_POST
def submit(request: HttpRequest, id: int) -> HttpResponse:  # noqa: A002
    assessment = _get(request, id)
    _require_change(request, assessment)
    try:
        services.assessment_submit(assessment=assessment, user=_user(request))
    except services.AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your assessment has been submitted. Here are the results."))
    return redirect("assessments:results", id=assessment.pk)


@login_required
def results(request: HttpRequest, id: int) -> HttpResponse:  # noqa: A002
    assessment = _get(request, id)
    dimensions = selectors.model_dimensions(assessment.maturity_model)
    result = selectors.results_for(assessment, dimensions)
    can_edit = request.user.has_perm("assessments.change_assessment", assessment)
    targets_form = TargetsForm(dimensions=[(d.key, d.name, d.target) for d in result.dimensions])
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        targets_form = TargetsForm(
            request.POST, dimensions=[(d.key, d.name, d.target) for d in result.dimensions]
        )
        if targets_form.is_valid():
            services.targets_set(
                assessment=assessment, targets=targets_form.cleaned_data, user=_user(request)
            )
            messages.success(request, _("The targets have been saved."))
            return redirect(
                reverse("assessments:results", kwargs={"id": assessment.pk}) + "#targets"
            )
    history = selectors.history_for(assessment)
    names = [d.name for d in result.dimensions]
    radar = charts.radar(
        chart_id="radar",
        title=_("Current level and target per dimension"),
        description=_(
            "Radar chart on a scale from 0 to 4; the table below holds the same figures."
        ),
        axes=names,
        series=[
            ("series-target", _("Target"), [d.target for d in result.dimensions]),
            ("series-current", _("Current"), [d.score for d in result.dimensions]),
        ],
    )
    history_chart = None
    if len(history) > 1:
        history_chart = charts.line(
            chart_id="history",
            title=_("Overall score over time"),
            description=_(
                "Line chart of the overall score of each submitted assessment; see the table."
            ),
            points=[
                (h.submitted_at.strftime("%Y-%m") if h.submitted_at else "", h.overall_score or 0)
                for h in history
            ],
        )
    peers = selectors.peer_groups(assessment) if assessment.is_submitted else []
    return render(
        request,
        "assessments/results.html",
        {
            "assessment": assessment,
            "results": result,
            "radar": radar,
            "history": history,
            "history_chart": history_chart,
            "history_dimensions": dimensions,
            "peers": [
                {
                    "group": group,
                    "rows": [
                        (d.name, d.rounded, group.means.get(d.key)) for d in result.dimensions
                    ],
                }
                for group in peers
            ],
            "peer_minimum": selectors.PEER_MINIMUM,
            "can_edit": can_edit,
            "targets_form": targets_form,
            "level_names": selectors.level_names(assessment.maturity_model),
        },
        status=400 if targets_form.is_bound and targets_form.errors else 200,
    )


def _reason_texts(item: RoadmapItem) -> list[str]:
    """The planner's reasons for an activity, as sentences in the viewer's language."""
    names = {i.key: i.name for i in item.activity.indicators.all()}
    texts = []
    for reason in item.reasons or []:
        kind = reason.get("kind")
        if kind == "quick_win":
            texts.append(_("quick win: much impact for little effort"))
        elif kind == "unlocks":
            count = int(reason.get("count", 0))
            texts.append(
                ngettext("unlocks %(count)d further step", "unlocks %(count)d further steps", count)
                % {"count": count}
            )
        elif kind == "gap":
            levels = int(reason.get("levels", 0))
            name = names.get(str(reason.get("indicator")), str(reason.get("indicator")))
            texts.append(
                ngettext(
                    "closes a gap of %(levels)d level in %(name)s",
                    "closes a gap of %(levels)d levels in %(name)s",
                    levels,
                )
                % {"levels": levels, "name": name}
            )
    return texts


def _roadmap_context(request: HttpRequest, assessment: Assessment) -> dict[str, Any]:
    items = selectors.roadmap_items(assessment)
    members = [(u.pk, u.get_full_name()) for u in selectors.team_members(assessment)]
    links = selectors.links_for_activities(
        [item.activity for item in items],
        user=request.user,
        country=str(assessment.organisation.country or ""),
    )
    entries: list[dict[str, Any]] = []
    for item in items:
        entries.append(
            {
                "item": item,
                "links": links[item.activity_id],
                "reasons": _reason_texts(item),
                "form": RoadmapItemForm(
                    initial={
                        "status": item.status,
                        "year": item.year,
                        "assignee": item.assignee_id,
                    },
                    members=members,
                    prefix=f"item{item.pk}",
                ),
            }
        )
    years: list[dict[str, Any]] = [
        {"year": year, "entries": [e for e in entries if e["item"].year == year]}
        for year in range(1, planning.YEARS + 1)
    ]
    done, planned = selectors.roadmap_progress(items)
    capacity = selectors.capacity_for(assessment)
    efforts = selectors.roadmap_effort_by_year(items)
    over = planning.over_capacity(efforts, capacity)
    for year in years:
        year["effort"] = efforts[year["year"]]
        year["over_capacity"] = year["year"] in over
    later = [e for e in entries if e["item"].year is None]
    later_years: list[dict[str, Any]] = []
    for entry, indicative in zip(
        later,
        planning.indicative_years([e["item"].activity.effort for e in later], capacity),
        strict=True,
    ):
        if not later_years or later_years[-1]["year"] != indicative:
            later_years.append({"year": indicative, "entries": []})
        later_years[-1]["entries"].append(entry)
    return {
        "assessment": assessment,
        "years": years,
        "over_capacity": over,
        "later": later,
        "later_years": later_years,
        "overview": _overview(years, later_years),
        "this_year": [
            e for e in years[0]["entries"] if e["item"].status not in ("done", "dropped")
        ],
        "done": done,
        "planned": planned,
        "percent": round(100 * done / planned) if planned else 0,
        "capacity": capacity,
        "capacity_form": CapacityForm(initial={"capacity": capacity}),
        "members": members,
        "can_edit": request.user.has_perm("assessments.change_assessment", assessment),
        "unlock_weight": planning.UNLOCK_WEIGHT,
        "gap_weight": planning.GAP_WEIGHT,
        "full_gap": planning.FULL_GAP,
    }


def _overview(
    years: list[dict[str, Any]], later_years: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One row per year for the council: the activities' names, effort points and who."""
    rows = []
    for year in [*years, *later_years]:
        planned = [e for e in year["entries"] if e["item"].status != "dropped"]
        rows.append(
            {
                "year": year["year"],
                "indicative": year["year"] > planning.YEARS,
                "names": [e["item"].activity.name for e in planned],
                "effort": sum(e["item"].activity.effort for e in planned),
                "who": sorted(
                    {e["item"].assignee.get_full_name() for e in planned if e["item"].assignee}
                ),
            }
        )
    return rows


@login_required
def roadmap(request: HttpRequest, id: int) -> HttpResponse:  # noqa: A002
    assessment = _get(request, id)
    context = _roadmap_context(request, assessment)
    status = 200
    if request.method == "POST":
        _require_change(request, assessment)
        if not assessment.is_submitted:
            raise Http404
        form = CapacityForm(request.POST)
        if form.is_valid():
            services.capacity_set(
                assessment=assessment, capacity=form.cleaned_data["capacity"], user=_user(request)
            )
            messages.success(
                request, _("The capacity has been saved and the proposals re-planned.")
            )
            return redirect("assessments:roadmap", id=assessment.pk)
        context["capacity_form"] = form
        status = 400
    return render(request, "assessments/roadmap.html", context, status=status)


@login_required
@require_POST
def roadmap_item(request: HttpRequest, id: int, item: int) -> HttpResponse:  # noqa: A002
    assessment = _get(request, id)
    _require_change(request, assessment)
    entry = get_for_user(
        RoadmapItem.objects.select_related("activity"),
        user=request.user,
        pk=item,
        assessment=assessment,
    )
    members = [(u.pk, u.get_full_name()) for u in selectors.team_members(assessment)]
    form = RoadmapItemForm(request.POST, members=members, prefix=f"item{entry.pk}")
    anchor = f"#item-{entry.pk}"
    if not form.is_valid():
        messages.error(
            request,
            _("“%(name)s” was not changed: %(errors)s")
            % {
                "name": entry.activity.name,
                "errors": " ".join(str(e) for errs in form.errors.values() for e in errs),
            },
        )
        return redirect(reverse("assessments:roadmap", kwargs={"id": assessment.pk}) + anchor)
    assignee = None
    if form.cleaned_data["assignee"]:
        assignee = User.objects.filter(pk=form.cleaned_data["assignee"]).first()
    try:
        changed = services.roadmap_item_update(
            item=entry,
            user=_user(request),
            status=form.cleaned_data["status"],
            year=form.cleaned_data["year"],
            assignee=assignee,
            unassign=assignee is None,
        )
    except services.AssessmentError as exc:
        messages.error(
            request,
            _("“%(name)s” was not changed: %(errors)s")
            % {"name": entry.activity.name, "errors": str(exc)},
        )
    else:
        if changed:
            messages.success(
                request, _("“%(name)s” has been updated.") % {"name": entry.activity.name}
            )
    return HttpResponseRedirect(
        reverse("assessments:roadmap", kwargs={"id": assessment.pk}) + anchor
    )


@login_required
def roadmap_csv(request: HttpRequest, id: int) -> HttpResponse:  # noqa: A002
    assessment = _get(request, id)
    return exports.roadmap_csv(assessment, selectors.roadmap_items(assessment))


@login_required
def roadmap_pdf(request: HttpRequest, id: int) -> HttpResponse:  # noqa: A002
    assessment = _get(request, id)
    items = selectors.roadmap_items(assessment)
    links = selectors.links_for_activities(
        [item.activity for item in items],
        user=request.user,
        country=str(assessment.organisation.country or ""),
    )
    dimensions = selectors.model_dimensions(assessment.maturity_model)
    return exports.roadmap_pdf(
        assessment,
        items,
        links=links,
        results=selectors.results_for(assessment, dimensions),
        capacity=selectors.capacity_for(assessment),
    )
