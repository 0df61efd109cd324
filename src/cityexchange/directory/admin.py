"""Back office for the directory: offers with translation tabs and a staleness flag."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from cityexchange.core.admin import AuditedAdminMixin
from cityexchange.directory import services
from cityexchange.directory.models import MunicipalityProfile, Offer, SavedResult, SearchGap


class StaleFilter(admin.SimpleListFilter):
    title = _("facts checked")
    parameter_name = "stale"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("needs review (over a year)")), ("no", _("checked within a year"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Offer]) -> QuerySet[Offer]:
        from django.db.models import Q
        from django.utils import timezone

        from cityexchange.directory.models import STALE_AFTER

        cutoff = timezone.localdate() - STALE_AFTER
        stale = Q(reviewed_on__isnull=True) | Q(reviewed_on__lt=cutoff)
        if self.value() == "yes":
            return queryset.filter(stale)
        if self.value() == "no":
            return queryset.exclude(stale)
        return queryset


@admin.register(Offer)
class OfferAdmin(AuditedAdminMixin, TabbedTranslationAdmin):
    list_display = ["name", "kind", "status", "eligibility", "format", "reviewed_on", "stale"]
    list_filter = [StaleFilter, "status", "kind", "eligibility", "format", "cost", "region"]
    search_fields = ["slug", "name", "summary"]
    filter_horizontal = ["organisers", "topics"]
    prepopulated_fields = {"slug": ("name",)}
    actions = ["mark_reviewed"]

    @admin.display(boolean=True, description=_("needs review"))
    def stale(self, obj: Offer) -> bool:
        return obj.is_stale

    @admin.action(description=_("Mark the facts as checked today"))
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Offer]) -> None:
        for offer in queryset:
            services.offer_mark_reviewed(offer=offer, actor=request.user)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Organisers and topics are saved after the row, so this is where an edit ends.
        services.directory_changed()

    def delete_model(self, request: HttpRequest, obj: Offer) -> None:
        super().delete_model(request, obj)
        services.directory_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Offer]) -> None:
        super().delete_queryset(request, queryset)
        services.directory_changed()


@admin.register(MunicipalityProfile)
class MunicipalityProfileAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["organisation", "country", "population", "experience", "updated_at"]
    search_fields = ["organisation__name"]
    filter_horizontal = ["topics", "memberships"]
    autocomplete_fields = ["organisation"]

    # Peers are listed by topic beside the Finder's results: every edit ends in a bump.
    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.directory_changed()

    def delete_model(self, request: HttpRequest, obj: MunicipalityProfile) -> None:
        super().delete_model(request, obj)
        services.directory_changed()

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[MunicipalityProfile]
    ) -> None:
        super().delete_queryset(request, queryset)
        services.directory_changed()


@admin.register(SearchGap)
class SearchGapAdmin(admin.ModelAdmin):
    list_display = ["month", "concepts", "outcome", "country", "length_band", "count"]
    list_filter = ["outcome", "month", "country"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SavedResult)
class SavedResultAdmin(admin.ModelAdmin):
    list_display = ["token", "created_at"]
    readonly_fields = ["token", "request", "items", "created_by", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
