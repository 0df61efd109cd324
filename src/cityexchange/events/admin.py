"""Back office for formats, series, events (with speakers and materials) and registrations."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.admin.options import get_content_type_for_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin, TranslationStackedInline

from cityexchange.events import services
from cityexchange.events.models import Event, Format, Material, Registration, Series, Speaker


@admin.register(Format)
class FormatAdmin(TabbedTranslationAdmin):
    list_display = ("name", "slug", "default_duration_minutes", "mode", "organiser")
    search_fields = ("name", "slug")


@admin.register(Series)
class SeriesAdmin(TabbedTranslationAdmin):
    list_display = ("title", "slug", "format")
    list_filter = ("format",)


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 0
    autocomplete_fields = ("person",)


class MaterialInline(TranslationStackedInline):
    model = Material
    extra = 0


class DataQualityFilter(admin.SimpleListFilter):
    title = _("data-quality warning")
    parameter_name = "data_quality"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("open", _("open warning"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Event]) -> QuerySet[Event]:
        if self.value() == "open":
            return queryset.exclude(data_quality_note="").filter(
                data_quality_confirmed_at__isnull=True
            )
        return queryset


@admin.register(Event)
class EventAdmin(TabbedTranslationAdmin):
    list_display = ("title", "format", "edition", "starts_at", "status", "data_warning", "is_demo")
    list_filter = ("format", "status", "mode", DataQualityFilter, "is_demo")
    search_fields = ("title", "slug")
    date_hierarchy = "starts_at"
    filter_horizontal = ("topics",)
    inlines = (SpeakerInline, MaterialInline)
    readonly_fields = ("data_quality_confirmed_at", "documentation_published_at")
    actions = ("confirm_data",)

    @admin.display(boolean=True, description=_("data warning"))
    def data_warning(self, obj: Event) -> bool:
        return obj.has_data_quality_warning

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        return super().get_queryset(request).select_related("format")

    def save_model(self, request: HttpRequest, obj: Event, form: Any, change: bool) -> None:
        """Through the services: seats change under the lock, other apps are told."""
        if not change:
            services.event_create(event=obj, actor=request.user)
            return
        concrete = {f.name for f in Event._meta.concrete_fields}
        promoted = services.event_update(
            event=obj,
            actor=request.user,
            fields=[name for name in form.changed_data if name in concrete],
        )
        if promoted:
            messages.info(
                request,
                _("Moved up from the waiting list: %(count)s.") % {"count": len(promoted)},
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Topics go through their service (audited, other apps told), not save_m2m.
        topics = form.cleaned_data.pop("topics", None)
        super().save_related(request, form, formsets, change)
        if topics is not None:
            services.event_topics_set(event=form.instance, topics=topics, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: Event) -> None:
        services.event_delete(event=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        for event in queryset:
            services.event_delete(event=event, actor=request.user)

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        obj = context.get("original")
        if obj is not None and obj.has_data_quality_warning:
            messages.warning(
                request, _("Data-quality warning: %(note)s") % {"note": obj.data_quality_note}
            )
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.action(description=_("Confirm the flagged values"))
    def confirm_data(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        for event in queryset:
            services.event_data_confirm(event=event, actor=request.user)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Seats change only through the services, which lock, audit and promote.

    Registrations come in through the form and the API, which decide the seat; here
    they can be corrected, and "delete" cancels them (the row stays for the
    statistics and the freed seat goes to the first person waiting).
    """

    list_display = ("name", "event", "status", "attendance", "created_at", "attended")
    list_filter = ("status", "attendance", "event__format")
    search_fields = ("name", "email", "organisation", "event__title")
    list_select_related = ("event",)
    readonly_fields = (
        "event",
        "attendance",
        "status",
        "confirmed_at",
        "cancelled_at",
        "anonymised_at",
        "created_at",
    )
    raw_id_fields = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    # The admin's own history (LogEntry) names an object by str(), the person's name
    # here, and would keep it past anonymisation and erasure: registrations are named
    # by kind and id there, as in the audit log. "Delete" cancels, so it logs nothing.
    def _log(self, request: HttpRequest, obj: Registration, flag: int, message: Any) -> LogEntry:
        return LogEntry.objects.create(
            user_id=int(request.user.pk or 0),  # only signed-in staff reach the back office
            content_type=get_content_type_for_model(obj),
            object_id=str(obj.pk),
            object_repr=f"{Registration._meta.verbose_name} {obj.pk}",
            action_flag=flag,
            change_message=json.dumps(message) if isinstance(message, list) else message,
        )

    def log_addition(self, request: HttpRequest, obj: Registration, message: Any) -> LogEntry:
        return self._log(request, obj, ADDITION, message)

    def log_change(self, request: HttpRequest, obj: Registration, message: Any) -> LogEntry:
        return self._log(request, obj, CHANGE, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> list[LogEntry]:
        return []

    def save_model(self, request: HttpRequest, obj: Registration, form: Any, change: bool) -> None:
        concrete = {f.name for f in Registration._meta.concrete_fields}
        services.registration_correct(
            registration=obj,
            actor=request.user,
            fields=[name for name in form.changed_data if name in concrete],
        )

    def delete_model(self, request: HttpRequest, obj: Registration) -> None:
        self._cancel(request, [obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        self._cancel(request, list(queryset.select_related("event")))

    def _cancel(self, request: HttpRequest, registrations: list[Registration]) -> None:
        promoted = 0
        for registration in registrations:
            promoted += len(
                services.registration_cancel(registration=registration, actor=request.user)
            )
        messages.info(
            request,
            _(
                "Registrations are cancelled, not deleted: they stay for the statistics. "
                "Moved up from the waiting list: %(count)s."
            )
            % {"count": promoted},
        )
