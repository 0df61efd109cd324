"""Back office for formats, series, events (with speakers and materials) and registrations."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
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
        """Seat changes go through the service, which locks and promotes the waiting list."""
        fields = ("capacity_online", "capacity_onsite")
        if not change or not set(fields) & set(form.changed_data):
            super().save_model(request, obj, form, change)
            return
        new = {name: getattr(obj, name) for name in fields}
        for name in fields:
            setattr(obj, name, form.initial.get(name))
        super().save_model(request, obj, form, change)
        promoted = services.event_capacity_change(event=obj, actor=request.user, **new)
        if promoted:
            messages.info(
                request,
                _("Moved up from the waiting list: %(count)s.") % {"count": len(promoted)},
            )

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
    list_display = ("name", "event", "status", "attendance", "created_at", "attended")
    list_filter = ("status", "attendance", "event__format")
    search_fields = ("name", "email", "organisation", "event__title")
    list_select_related = ("event",)
    # Seats change only through the services, which lock and promote.
    readonly_fields = ("status", "confirmed_at", "cancelled_at", "anonymised_at", "created_at")
    raw_id_fields = ("event", "user")
