"""Back office for the maturity model (texts in four languages) and a read-only view of assessments.

The model's structure comes from the data file; here staff correct wording.
Assessments belong to municipalities and are changed only through their pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from cityexchange.assessments.models import (
    Activity,
    Assessment,
    Dimension,
    Indicator,
    Level,
    MaturityModel,
)


class LevelInline(TranslationTabularInline):
    model = Level
    fields = ("value", "statement", "improve")
    readonly_fields = ("value",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MaturityModel)
class MaturityModelAdmin(TabbedTranslationAdmin):
    list_display = ("version", "name", "loaded_at")
    readonly_fields = ("version", "content_hash", "loaded_at")


@admin.register(Dimension)
class DimensionAdmin(TabbedTranslationAdmin):
    list_display = ("name", "key", "maturity_model", "position")
    list_filter = ("maturity_model",)
    readonly_fields = ("maturity_model", "key", "position")


@admin.register(Indicator)
class IndicatorAdmin(TabbedTranslationAdmin):
    list_display = ("name", "key", "dimension", "maturity_model")
    list_filter = ("maturity_model", "dimension__key")
    readonly_fields = ("maturity_model", "dimension", "key", "position")
    exclude = ("activities",)
    inlines = [LevelInline]


@admin.register(Activity)
class ActivityAdmin(TabbedTranslationAdmin):
    list_display = ("name", "key", "effort", "impact", "maturity_model")
    list_filter = ("maturity_model", "effort", "impact")
    readonly_fields = (
        "maturity_model",
        "key",
        "position",
        "effort",
        "impact",
        "topics",
        "offer_kinds",
    )
    exclude = ("prerequisites",)


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = (
        "organisation",
        "status",
        "maturity_model",
        "created_at",
        "submitted_at",
        "overall_score",
    )
    list_filter = ("status", "maturity_model")
    list_select_related = ("organisation", "maturity_model")
    search_fields = ("organisation__name",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
