"""Pages of the network app: thin views that authorise, parse, call a service, render.

The staff pages answer 404 to everyone else, exactly as for a page that does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cityexchange.core.access import get_for_user
from cityexchange.network import forms, selectors, services
from cityexchange.network.exports import CONTENT_TYPES, FORMATS
from cityexchange.network.models import NextStep, Partnership
from cityexchange.network.report import document, report_file

DEFAULT_START = dt.date(2021, 1, 1)


def _staff(request: HttpRequest) -> None:
    if not request.user.has_perm("network.view_operations"):
        raise Http404


def home(request: HttpRequest) -> HttpResponse:
    """The public members page: member countries and organisations, with counts."""
    members = list(selectors.members())
    countries = [m for m in members if m.country]
    organisations = [m for m in members if m.organisation_id]
    return render(
        request,
        "network/home.html",
        {"countries": countries, "organisations": organisations},
    )


def public_partnerships(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "network/public_partnerships.html",
        {"partnerships": selectors.public_partnerships()},
    )


def dashboard(request: HttpRequest) -> HttpResponse:
    _staff(request)
    from cityexchange.events.charts import Bar, bar_chart
    from cityexchange.network.models import PartnershipStatus

    context = selectors.dashboard()
    totals = [
        (str(status.label), sum(row[status] for row in context["pipeline"].values()))
        for status in PartnershipStatus
    ]
    context["status_totals"] = totals
    context["pipeline_chart"] = bar_chart(
        [Bar(label, n) for label, n in totals],
        title=_("Partnerships by status"),
        chart_id="pipeline",
    )
    bars = [Bar(_("Pace needed"), float(context["pace"]))] + [
        Bar(f"{row.line.code}", float(row.utilisation or 0)) for row in context["budget"]
    ]
    from cityexchange.events.charts import Range, range_chart

    for trend in context["trends"]:
        ranges = [
            Range(str(y.year), min(y.recorded), float(y.mean or 0), max(y.recorded))
            for y in trend.years
            if y.recorded
        ]
        trend.chart = (
            range_chart(
                ranges,
                title=_("Participation per edition: %(format)s") % {"format": trend.name},
                chart_id=f"trend-{trend.slug}",
            )
            if ranges
            else None
        )
    context["budget_chart"] = bar_chart(
        bars, title=_("Utilisation this year"), chart_id="budget", unit=" %"
    )
    return render(request, "network/dashboard.html", context)


def report(request: HttpRequest) -> HttpResponse:
    _staff(request)
    today = timezone.localdate()
    data = (
        request.GET
        if "start" in request.GET
        else {"start": DEFAULT_START, "end": today, "language": get_language()}
    )
    form = forms.PeriodForm(data)
    blocks = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        language = form.cleaned_data.get("language") or get_language() or "en"
        fmt = request.GET.get("format", "")
        if fmt:
            if fmt not in FORMATS:
                raise Http404
            content, name = report_file(start=start, end=end, language=language, fmt=fmt)
            response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        blocks = document(selectors.programme_report(start=start, end=end), get_language() or "en")
    return render(
        request, "network/report.html", {"form": form, "blocks": blocks, "formats": FORMATS}
    )


@require_http_methods(["GET", "POST"])
def partnerships(request: HttpRequest) -> HttpResponse:
    _staff(request)
    form = forms.PartnershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.partnership_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The partnership was created."))
            return redirect("network:partnership", slug=created.slug)
    status = request.GET.get("status") or None
    return render(
        request,
        "network/partnerships.html",
        {
            "partnerships": selectors.partnerships_for_staff(
                status=status if status in dict(forms.PartnershipStatus.choices) else None
            ),
            "pipeline": selectors.pipeline_counts(),
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def partnership(request: HttpRequest, slug: str) -> HttpResponse:
    _staff(request)
    item = get_for_user(
        selectors.partnership_detail(), user=request.user, perm="network.view_operations", slug=slug
    )
    if request.method == "POST" and not request.user.has_perm("network.manage_operations", item):
        raise Http404
    action = request.POST.get("action", "")
    topics = forms.TopicsForm(
        request.POST if action == "topics" else None,
        initial={
            "topics": list(item.topics.all()),
            "funding_options": list(item.funding_options.all()),
        },
    )
    move = forms.MoveForm(request.POST if action == "move" else None)
    activity = forms.ActivityForm(request.POST if action == "activity" else None)
    publish = forms.PublishForm(
        request.POST if action == "publish" else None,
        initial={"is_public": item.is_public, "public_description": item.public_description},
    )
    if request.method == "POST":
        try:
            if action == "topics" and topics.is_valid():
                services.partnership_set_topics(
                    actor=request.user, partnership=item, **topics.cleaned_data
                )
                return _done(request, item, _("The topics and funding options were saved."))
            if action == "move" and move.is_valid():
                services.partnership_move(actor=request.user, partnership=item, **move.cleaned_data)
                return _done(request, item, _("The status was changed."))
            if action == "activity" and activity.is_valid():
                d = activity.cleaned_data
                steps = (
                    [
                        services.StepInput(
                            description=d["step"],
                            due_on=d["step_due"],
                            owner=d.get("step_owner") or request.user,
                        )
                    ]
                    if d.get("step")
                    else []
                )
                services.activity_log(
                    actor=request.user,
                    partnership=item,
                    kind=d["kind"],
                    on=d["on"],
                    participants=d["participants"],
                    notes=d["notes"],
                    next_steps=steps,
                )
                return _done(request, item, _("The activity was logged."))
            if action == "publish" and publish.is_valid():
                services.partnership_publish(
                    actor=request.user, partnership=item, **publish.cleaned_data
                )
                return _done(request, item, _("Saved."))
            if action == "done":
                step = get_for_user(
                    NextStep.objects.filter(partnership=item),
                    user=request.user,
                    pk=request.POST.get("step"),
                )
                services.next_step_done(actor=request.user, step=step)
                return _done(request, item, _("The next step is marked done."))
        except ValidationError as exc:
            target = {"topics": topics, "move": move, "activity": activity, "publish": publish}.get(
                action
            )
            if target is None:
                raise Http404 from exc
            target.add_error(None, exc)
    return render(
        request,
        "network/partnership.html",
        {
            "partnership": item,
            "topics": topics,
            "move": move,
            "activity": activity,
            "publish": publish,
            "can_manage": request.user.has_perm("network.manage_operations", item),
        },
        status=400 if request.method == "POST" else 200,
    )


def _done(request: HttpRequest, item: Partnership, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("network:partnership", slug=item.slug)


@require_http_methods(["GET", "POST"])
def meetings(request: HttpRequest) -> HttpResponse:
    _staff(request)
    form = forms.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        actions = (
            [
                services.ActionInput(
                    description=d["action"],
                    due_on=d["action_due"],
                    owner=d.get("action_owner") or request.user,
                )
            ]
            if d.get("action")
            else []
        )
        try:
            services.meeting_record(
                actor=request.user,
                body=d["body"],
                held_on=d["held_on"],
                number=d["number"],
                network_on_agenda=d["network_on_agenda"],
                agenda=(d["agenda"] or "").splitlines(),
                decisions=d["decisions"],
                actions=actions,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The meeting was recorded."))
            return redirect("network:meetings")
    return render(
        request,
        "network/meetings.html",
        {"meetings": selectors.meetings(), "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def budget(request: HttpRequest) -> HttpResponse:
    _staff(request)
    action = request.POST.get("action", "")
    payment = forms.PaymentForm(request.POST if action == "payment" else None)
    allocation = forms.AllocationForm(request.POST if action == "allocation" else None)
    commitment = forms.CommitmentForm(request.POST if action == "commitment" else None)
    upload = forms.ImportForm(
        request.POST if action == "import" else None, request.FILES if action == "import" else None
    )
    import_errors: list[tuple[int, str]] = []
    if request.method == "POST":
        try:
            if action == "payment" and payment.is_valid():
                services.payment_create(actor=request.user, **payment.cleaned_data)
                messages.success(request, _("The payment was saved."))
                return redirect("network:budget")
            if action == "commitment" and commitment.is_valid():
                services.commitment_create(actor=request.user, **commitment.cleaned_data)
                messages.success(request, _("The commitment was saved."))
                return redirect("network:budget")
            if action == "allocation" and allocation.is_valid():
                services.allocation_set(actor=request.user, **allocation.cleaned_data)
                messages.success(request, _("The allocation was saved."))
                return redirect("network:budget")
            if action == "import" and upload.is_valid():
                file = upload.cleaned_data["file"]
                result = services.payments_import(
                    actor=request.user, filename=file.name, content=file.read()
                )
                if not result.errors:
                    messages.success(
                        request,
                        _("Imported: %(payments)d payments, %(commitments)d commitments.")
                        % {"payments": result.saved, "commitments": result.commitments},
                    )
                    return redirect("network:budget")
                import_errors = result.errors
        except ValidationError as exc:
            target = {
                "payment": payment,
                "allocation": allocation,
                "commitment": commitment,
                "import": upload,
            }.get(action)
            if target is None:
                raise Http404 from exc
            target.add_error(None, exc)
    today = timezone.localdate()
    years = list(range(today.year - 3, today.year + 1))
    context: dict[str, Any] = {
        "rows": selectors.budget_years(years=sorted(set(years) | {2023, 2024}), today=today),
        "pace": selectors.pace_needed(today=today),
        "payment": payment,
        "allocation": allocation,
        "commitment": commitment,
        "upload": upload,
        "import_errors": import_errors,
    }
    return render(
        request, "network/budget.html", context, status=400 if request.method == "POST" else 200
    )


@require_http_methods(["GET", "POST"])
def tandems(request: HttpRequest) -> HttpResponse:
    """Suggested tandem partners abroad for a municipality; staff start a partnership."""
    _staff(request)
    from cityexchange.core.models import Organisation, OrganisationKind
    from cityexchange.network.matching import suggest_tandems

    municipalities = Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).order_by(
        "name"
    )
    if request.method == "POST":
        municipality = get_for_user(
            municipalities, user=request.user, slug=request.POST.get("municipality")
        )
        partner = get_for_user(municipalities, user=request.user, slug=request.POST.get("partner"))
        suggestion = next(
            (
                s
                for s in suggest_tandems(municipality=municipality, limit=None)
                if s.organisation.pk == partner.pk
            ),
            None,
        )
        try:
            created = services.tandem_start(
                actor=request.user,
                municipality=municipality,
                partner=partner,
                topics=suggestion.topics if suggestion else (),
            )
        except ValidationError as exc:
            raise Http404 from exc
        messages.success(request, _("The partnership was created."))
        return redirect("network:partnership", slug=created.slug)
    selected = None
    suggestions: list[Any] = []
    slug = request.GET.get("municipality")
    if slug:
        selected = get_for_user(municipalities, user=request.user, slug=slug)
        suggestions = suggest_tandems(municipality=selected)
    return render(
        request,
        "network/tandems.html",
        {"municipalities": municipalities, "selected": selected, "suggestions": suggestions},
    )
