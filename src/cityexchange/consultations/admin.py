"""Back office for consultations: staff create and schedule them here; comments are
read-only (moderation and responses happen on the consultation's own pages, which
audit every step). Comment text is shown as text, never as HTML."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from modeltranslation.admin import TabbedTranslationAdmin

from cityexchange.consultations.models import Comment, Consultation, DocumentVersion
from cityexchange.core.services import audit_record, snapshot


@admin.register(Consultation)
class ConsultationAdmin(TabbedTranslationAdmin):
    list_display = ("title", "organiser", "opens_at", "closes_at", "audience", "is_published")
    list_filter = ("is_published", "audience", "moderation", "is_demo")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("topics", "member_organisations")
    readonly_fields = ("response_published_at",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(Consultation.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="consultation.update" if change else "consultation.create",
            obj=obj,
            before=before,
            after=snapshot(obj),
        )


@admin.register(DocumentVersion)
class DocumentVersionAdmin(admin.ModelAdmin):
    list_display = ("consultation", "number", "source_format", "published_at")
    readonly_fields = ("consultation", "number", "source_format", "published_at", "created_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("pk", "consultation", "target", "language", "status", "created_at")
    list_filter = ("status", "language", "target")
    readonly_fields = [f.name for f in Comment._meta.concrete_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
