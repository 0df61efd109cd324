"""Pages of the events app: thin — authorise, parse a form, call a service, render."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityexchange.core.access import get_for_user
from cityexchange.core.i18n import current_language
from cityexchange.core.models import Concept
from cityexchange.core.ratelimit import exceeded, too_many_page
from cityexchange.core.templatetags.languages import language_names
from cityexchange.core.text import fold
from cityexchange.events import charts, exports, links, selectors, services
from cityexchange.events.forms import (
    AttendanceImportForm,
    CapacityForm,
    ManageForm,
    MaterialForm,
    MessageForm,
    ProgrammeFilterForm,
    RegistrationForm,
)
from cityexchange.events.ical import calendar_for
from cityexchange.events.limits import REGISTRATION_LIMIT
from cityexchange.events.models import (
    INTERPRETATION_CHOICES,
    Event,
    Format,
    Registration,
    RegistrationStatus,
    Series,
)

# The country charts show the most frequent ones; their tables list every country.
CHART_BARS = 12


def _event(request: HttpRequest, slug: str, *, perm: str = "events.view_event") -> Event:
    return get_for_user(
        selectors.event_for_page(Event.objects.select_related("format", "series", "organiser")),
        user=request.user,
        perm=perm,
        slug=slug,
    )


def _staff_event(request: HttpRequest, slug: str) -> Event:
    return get_for_user(
        selectors.with_seats(Event.objects.select_related("format")),
        user=request.user,
        perm="events.manage_event",
        slug=slug,
    )


def programme(request: HttpRequest) -> HttpResponse:
    language = current_language()
    # Sorted by the label people read, in their language, not by the key.
    topics = sorted(
        (
            (c.key, getattr(c, f"label_{language}", None) or c.label)
            for c in Concept.objects.filter(events__status__in=selectors.VISIBLE).distinct()
        ),
        key=lambda choice: fold(choice[1]),
    )
    form = ProgrammeFilterForm(
        request.GET or None, topics=topics, years=selectors.programme_years()
    )
    topic = year = None
    if form.is_bound and form.is_valid():
        topic = form.cleaned_data["topic"] or None
        year = form.cleaned_data["year"]
    events = list(selectors.event_list(topic=topic, year=year))
    now = timezone.now()
    sections = []
    for fmt in selectors.formats():
        own = [e for e in events if e.format_id == fmt.pk]
        sections.append(
            {
                "format": fmt,
                "upcoming": [e for e in own if e.starts_at >= now],
                "past": sorted(
                    (e for e in own if e.starts_at < now), key=lambda e: e.starts_at, reverse=True
                ),
            }
        )
    return render(
        request,
        "events/programme.html",
        {"sections": sections, "form": form, "filtered": bool(topic or year)},
    )


def _json_ld(request: HttpRequest, event: Event) -> str:
    mode = {
        "online": "https://schema.org/OnlineEventAttendanceMode",
        "hybrid": "https://schema.org/MixedEventAttendanceMode",
        "onsite": "https://schema.org/OfflineEventAttendanceMode",
    }[event.mode]
    status = (
        "https://schema.org/EventCancelled"
        if event.status == "cancelled"
        else "https://schema.org/EventScheduled"
    )
    # A date-only edition states the day (schema.org accepts a Date), never an invented time.
    start = event.starts_at.isoformat() if event.time_known else event.starts_on.isoformat()
    end = event.ends_at.isoformat() if event.time_known else event.starts_on.isoformat()
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.abstract,
        "startDate": start,
        "endDate": end,
        "eventAttendanceMode": mode,
        "eventStatus": status,
        "inLanguage": event.language,
        "url": request.build_absolute_uri(),
        "location": (
            {"@type": "Place", "name": event.venue}
            if event.has_onsite and event.venue
            else {"@type": "VirtualLocation", "url": request.build_absolute_uri()}
        ),
    }
    if event.organiser:
        data["organizer"] = {"@type": "Organization", "name": event.organiser.name}
    speakers = [s.person.name for s in event.speakers.all() if s.person.public_profile]
    if speakers:
        data["performer"] = [{"@type": "Person", "name": name} for name in speakers]
    # "</" must not end the script element early.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _detail_context(
    request: HttpRequest, event: Event, form: RegistrationForm | None
) -> dict[str, Any]:
    is_open = services.registration_is_open(event)
    if form is None and is_open:
        form = RegistrationForm(
            event=event,
            notice_version=services.privacy_notice_version(),
            initial={
                "language": current_language(),
                "privacy_notice_version": services.privacy_notice_version(),
                "name": getattr(request.user, "full_name", "")
                if request.user.is_authenticated
                else "",
                "email": getattr(request.user, "email", "")
                if request.user.is_authenticated
                else "",
            },
        )
    return {
        "event": event,
        "form": form,
        "registration_open": is_open,
        "seats_left": selectors.seats_left(event),
        "speakers": [s for s in event.speakers.all() if s.person.public_profile],
        "participants": selectors.listed_participants(event),
        "materials": list(event.materials.all()),
        "topics": list(event.topics.all()),
        # Language names, never bare codes.
        "interpretation_names": language_names(event.interpretation_languages),
        "library_pages": selectors.documentation_of(event_ids=[event.pk], user=request.user).get(
            event.pk, []
        ),
        "json_ld": _json_ld(request, event),
        "is_past": event.starts_at < timezone.now(),
        "can_manage": request.user.has_perm("events.manage_event", event),
    }


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(request, slug)
    return render(request, "events/detail.html", _detail_context(request, event, None))


@require_POST
def register(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(request, slug)
    if exceeded(request, REGISTRATION_LIMIT):
        return too_many_page(request, REGISTRATION_LIMIT)
    form = RegistrationForm(
        request.POST, event=event, notice_version=services.privacy_notice_version()
    )
    if form.is_valid():
        cleaned = form.cleaned_data
        data = services.RegistrationData(
            name=cleaned["name"],
            email=cleaned["email"],
            organisation=cleaned["organisation"],
            organisation_kind=cleaned["organisation_kind"],
            country=cleaned["country"],
            language=cleaned["language"],
            attendance=cleaned["attendance"],
            interpretation_language=cleaned.get("interpretation_language") or "",
            accessibility_needs=cleaned["accessibility_needs"],
            listed=cleaned["listed"],
            privacy_consent=cleaned["privacy_consent"],
            privacy_notice_version=cleaned["privacy_notice_version"],
        )
        try:
            outcome = services.registration_create(event=event, data=data, user=request.user)
        except services.RegistrationError as exc:
            # The hidden version field cannot be corrected by hand; the consent box can.
            field = "privacy_consent" if exc.field == "privacy_notice_version" else exc.field
            form.add_error(field if field in form.fields else None, exc.message)
        except services.RegistrationClosed as exc:
            form.add_error(None, str(exc))
        else:
            return _registered(request, event, outcome)
    return render(request, "events/detail.html", _detail_context(request, event, form), status=400)


def _registered(
    request: HttpRequest, event: Event, outcome: services.RegistrationOutcome
) -> HttpResponse:
    """Post/Redirect/Get: the answer to a registration is a page that can be reloaded.

    Anyone can type an address, so the answer reveals nothing about it: everyone
    goes to the same "check your inbox" page, whether the address was new, already
    registered or cancelled; the state and the personal link go to the address.
    Only a user signed in with that very address goes on to the registration's page.
    """
    registration = outcome.registration
    if not services.registration_is_own(registration=registration, user=request.user):
        messages.success(request, services.registration_sent_message(email=registration.email))
        return HttpResponseRedirect(
            reverse("events:registration_sent", kwargs={"slug": event.slug}), status=303
        )
    messages.success(
        request,
        services.registration_state_message(registration=registration, created=outcome.created),
    )
    token = links.registration_token(registration)
    return HttpResponseRedirect(reverse("events:manage", kwargs={"token": token}), status=303)


def registration_sent(request: HttpRequest, slug: str) -> HttpResponse:
    """The page after a registration: the same for every address, new or not."""
    event = _event(request, slug)
    return render(request, "events/registration_sent.html", {"event": event})


def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event(request, slug)
    return _ics_response(
        calendar_for([event], language=current_language(), name=event.title), event.slug
    )


def _ics_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    return response


def feed_all(request: HttpRequest) -> HttpResponse:
    events = selectors.visible_events().order_by("starts_at")
    return _ics_response(
        calendar_for(events, language=current_language(), name="cityexchange"), "events"
    )


def feed_format(request: HttpRequest, slug: str) -> HttpResponse:
    fmt = get_for_user(Format.objects.all(), user=request.user, slug=slug)
    events = selectors.visible_events().filter(format=fmt).order_by("starts_at")
    return _ics_response(calendar_for(events, language=current_language(), name=fmt.name), fmt.slug)


def feed_series(request: HttpRequest, slug: str) -> HttpResponse:
    series = get_for_user(Series.objects.all(), user=request.user, slug=slug)
    events = selectors.visible_events().filter(series=series).order_by("starts_at")
    return _ics_response(
        calendar_for(events, language=current_language(), name=series.title), series.slug
    )


def material(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    """Uploaded documentation: public once published, otherwise staff only (404 for others)."""
    event = _event(request, slug)
    item = event.materials.model.objects.filter(event=event, pk=pk).first()
    if item is None or not item.file:
        raise Http404
    if not item.published and not request.user.has_perm("events.manage_event", event):
        raise Http404
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=(item.file.name or "material").rsplit("/", 1)[-1],
    )


# ---------------------------------------------------------------- the personal link


def _by_token(token: str) -> Registration:
    registration = selectors.registration_from_token(token)
    if registration is None:
        raise Http404
    return registration


def manage(request: HttpRequest, token: str) -> HttpResponse:
    registration = _by_token(token)
    event = registration.event
    form = ManageForm(
        request.POST or None,
        event=event,
        initial={
            "language": registration.language,
            "interpretation_language": registration.interpretation_language,
            "accessibility_needs": registration.accessibility_needs,
            "listed": registration.listed,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_update(
                registration=registration,
                interpretation_language=form.cleaned_data["interpretation_language"],
                accessibility_needs=form.cleaned_data["accessibility_needs"],
                listed=form.cleaned_data["listed"],
                language=form.cleaned_data["language"],
            )
        except services.RegistrationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Your registration has been updated."))
            return HttpResponseRedirect(request.path)
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    return render(
        request,
        "events/manage.html",
        {
            "registration": registration,
            "event": event,
            "form": form,
            "token": token,
            "join_url": event.join_url if confirmed and event.has_online else "",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
def manage_cancel(request: HttpRequest, token: str) -> HttpResponse:
    registration = _by_token(token)
    services.registration_cancel(registration=registration)
    messages.success(
        request, _("Your registration is cancelled. Your seat goes to the next person waiting.")
    )
    return HttpResponseRedirect(reverse("events:manage", kwargs={"token": token}))


@require_POST
def manage_delete(request: HttpRequest, token: str) -> HttpResponse:
    registration = _by_token(token)
    event = registration.event
    services.registration_delete(registration=registration)
    messages.success(request, _("Your personal data for this registration has been deleted."))
    return HttpResponseRedirect(reverse("events:detail", kwargs={"slug": event.slug}))


def manage_export(request: HttpRequest, token: str) -> HttpResponse:
    registration = _by_token(token)
    response = JsonResponse(
        services.registration_export(registration=registration), json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = (
        f'attachment; filename="registration-{registration.event.slug}.json"'
    )
    return response


# ---------------------------------------------------------------- statistics


_country_name = selectors.country_name


def _named(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return [(_country_name(code), n) for code, n in counts]


def _year_rows(entry: selectors.FormatFigures) -> list[dict[str, Any]]:
    languages = dict(INTERPRETATION_CHOICES)
    return [
        {
            "figures": y,
            "speaker_countries": _named(y.speaker_country_list),
            "participant_countries": _named(y.participant_country_list),
            "interpretation": [
                (str(languages.get(code, code)), n) for code, n in y.interpretation_list
            ],
        }
        for y in entry.years
    ]


def statistics(request: HttpRequest) -> HttpResponse:
    language = current_language()
    figures = selectors.statistics()
    reported = selectors.reported_of([entry.format.pk for entry in figures])
    sections = []
    for entry in figures:
        name = getattr(entry.format, f"name_{language}", None) or entry.format.name
        slug = entry.format.slug
        speaker_countries = [(code, _country_name(code), n) for code, n in entry.speaker_countries]
        participant_countries = [
            (code, _country_name(code), n) for code, n in entry.participant_countries
        ]
        sections.append(
            {
                "entry": entry,
                "name": name,
                "years": _year_rows(entry),
                "reported": reported.get(entry.format.pk),
                "reported_countries": [
                    _country_name(code)
                    for code in getattr(reported.get(entry.format.pk), "speaker_countries", [])
                ],
                "editions_chart": charts.bar_chart(
                    [charts.Bar(str(y.year), y.editions) for y in entry.years],
                    title=_("Editions per year: %(format)s") % {"format": name},
                    chart_id=f"chart-{slug}-editions",
                ),
                "attendance_chart": charts.range_chart(
                    [
                        charts.Range(str(y.year), low, mean, high)
                        for y in entry.years
                        if (low := y.attendance_min) is not None
                        and (high := y.attendance_max) is not None
                        and (mean := y.attendance_mean) is not None
                    ],
                    title=_("Attendance per edition, by year: %(format)s") % {"format": name},
                    chart_id=f"chart-{slug}-attendance",
                )
                if entry.has_attendance
                else None,
                "speaker_countries": speaker_countries,
                "speaker_chart": charts.bar_chart(
                    [charts.Bar(label, n) for _code, label, n in speaker_countries[:CHART_BARS]],
                    title=_("Speakers by country: %(format)s") % {"format": name},
                    chart_id=f"chart-{slug}-speakers",
                )
                if speaker_countries
                else None,
                "participant_countries": participant_countries,
                "participant_chart": charts.bar_chart(
                    [
                        charts.Bar(label, n)
                        for _code, label, n in participant_countries[:CHART_BARS]
                    ],
                    title=_("Participants by country: %(format)s") % {"format": name},
                    chart_id=f"chart-{slug}-participants",
                )
                if participant_countries
                else None,
            }
        )
    return render(
        request, "events/statistics.html", {"sections": sections, "chart_bars": CHART_BARS}
    )


# ---------------------------------------------------------------- staff


@login_required
def staff_participants(request: HttpRequest, slug: str) -> HttpResponse:
    event = _staff_event(request, slug)
    form = CapacityForm(
        request.POST or None,
        event=event,
        initial={
            "capacity_online": event.capacity_online,
            "capacity_onsite": event.capacity_onsite,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            promoted = services.event_capacity_change(
                event=event,
                capacity_online=form.cleaned_data.get("capacity_online", event.capacity_online),
                capacity_onsite=form.cleaned_data.get("capacity_onsite", event.capacity_onsite),
                actor=request.user,
            )
        except services.RegistrationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Seats saved. Moved up from the waiting list: %(count)s.")
                % {"count": len(promoted)},
            )
            return HttpResponseRedirect(request.path)
    registrations = list(selectors.participants(event))
    return render(
        request,
        "events/staff/participants.html",
        {
            "event": event,
            "registrations": registrations,
            "seats_left": selectors.seats_left(event),
            "capacity_form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def staff_registration_action(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = _staff_event(request, slug)
    registration = get_for_user(
        Registration.objects.filter(event=event).select_related("event"), user=request.user, pk=pk
    )
    action = request.POST.get("action", "")
    try:
        if action == "check_in":
            services.registration_check_in(registration=registration, actor=request.user)
        elif action in ("approve", "reject"):
            services.registration_decide(
                registration=registration, approve=action == "approve", actor=request.user
            )
        elif action == "cancel":
            services.registration_cancel(registration=registration, actor=request.user)
        else:
            raise services.RegistrationError(_("Unknown action."))
    except services.RegistrationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return HttpResponseRedirect(reverse("events:staff_participants", kwargs={"slug": event.slug}))


@login_required
def staff_export(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    event = _staff_event(request, slug)
    if kind not in ("csv", "xlsx"):
        raise Http404
    registrations = selectors.participants(event)
    if kind == "csv":
        response = HttpResponse(
            exports.participants_csv(registrations), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            exports.participants_xlsx(registrations, title=event.title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="participants-{event.slug}.{kind}"'
    return response


@login_required
def staff_message(request: HttpRequest, slug: str) -> HttpResponse:
    event = _staff_event(request, slug)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        count = services.event_message_participants(
            event=event,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            actor=request.user,
        )
        messages.success(request, _("Message sent to %(count)s participants.") % {"count": count})
        return HttpResponseRedirect(
            reverse("events:staff_participants", kwargs={"slug": event.slug})
        )
    return render(
        request,
        "events/staff/message.html",
        {"event": event, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def staff_attendance(request: HttpRequest, slug: str) -> HttpResponse:
    event = _staff_event(request, slug)
    form = AttendanceImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                upload.seek(0)
                content = upload.read().decode("cp1252")
            except UnicodeDecodeError:
                content = ""
        try:
            report = services.attendance_import(event=event, content=content, actor=request.user)
        except services.RegistrationError as exc:
            form.add_error("file", exc.message)
    return render(
        request,
        "events/staff/attendance.html",
        {"event": event, "form": form, "report": report},
        status=400 if form.errors else 200,
    )


@login_required
def staff_materials(request: HttpRequest, slug: str) -> HttpResponse:
    event = _staff_event(request, slug)
    form = MaterialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("action") == "publish":
        services.documentation_publish(event=event, actor=request.user)
        messages.success(
            request,
            _(
                "The documentation is published, on the event page and in the library; "
                "confirmed participants are told by mail."
            ),
        )
        return HttpResponseRedirect(request.path)
    if request.method == "POST" and form.is_valid():
        try:
            services.material_add(
                event=event,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                url=form.cleaned_data["url"],
                summary=form.cleaned_data["summary"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                captions_language=form.cleaned_data["captions_language"] or "",
                actor=request.user,
            )
        except services.RegistrationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The material has been added."))
            return HttpResponseRedirect(request.path)
    return render(
        request,
        "events/staff/materials.html",
        {
            "event": event,
            "form": form,
            "materials": list(event.materials.all()),
            "library_pages": selectors.documentation_of(
                event_ids=[event.pk], user=request.user
            ).get(event.pk, []),
        },
        status=400 if form.errors else 200,
    )


@login_required
def staff_data_quality(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("events.manage_event"):
        raise Http404
    if request.method == "POST":
        event = get_for_user(
            Event.objects.all(),
            user=request.user,
            perm="events.manage_event",
            pk=request.POST.get("event"),
        )
        services.event_data_confirm(event=event, actor=request.user)
        messages.success(request, _("The value is confirmed and the warning removed."))
        return HttpResponseRedirect(request.path)
    return render(
        request,
        "events/staff/data_quality.html",
        {"warnings": list(selectors.data_quality_warnings())},
    )
