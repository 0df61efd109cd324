"""Back office for the core models, with translation tabs for content fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from cityexchange.core.models import (
    ApiToken,
    AuditEntry,
    Concept,
    ConceptLabel,
    Membership,
    Organisation,
    Person,
    User,
)
from cityexchange.core.services import audit_record, snapshot

if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object  # a mixin at run time: it comes before the admin class it extends


class AuditedAdminMixin(_AdminBase):
    """Writes every back-office change to the audit log, with the values before and after.

    Mix it in before ``admin.ModelAdmin`` (or ``TabbedTranslationAdmin``) in every app.
    """

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        model = type(obj)
        before = snapshot(model._default_manager.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        action = f"{model._meta.model_name}.{'update' if change else 'create'}"
        audit_record(actor=request.user, action=action, obj=obj, before=before, after=snapshot(obj))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            actor=request.user,
            action=f"{type(obj)._meta.model_name}.delete",
            obj=obj,
            before=snapshot(obj),
        )
        super().delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows (memberships, labels, ...) are audited like the object they belong to."""
        before = {
            obj.pk: snapshot(type(obj)._default_manager.get(pk=obj.pk))
            for obj in formset.get_queryset()
            if obj.pk is not None
        }
        super().save_formset(request, form, formset, change)
        for obj in formset.deleted_objects:
            audit_record(
                actor=request.user,
                action=f"{type(obj)._meta.model_name}.delete",
                obj=obj,
                before=before.get(obj.pk),
            )
        for obj in formset.new_objects:
            audit_record(
                actor=request.user,
                action=f"{type(obj)._meta.model_name}.create",
                obj=obj,
                after=snapshot(obj),
            )
        for obj, _fields in formset.changed_objects:
            audit_record(
                actor=request.user,
                action=f"{type(obj)._meta.model_name}.update",
                obj=obj,
                before=before.get(obj.pk),
                after=snapshot(obj),
            )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "organisation"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "language", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "language"]
    search_fields = ["email", "full_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "language", "timezone")}),
        (
            _("Roles and permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "language", "password1", "password2"),
            },
        ),
    )


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, TabbedTranslationAdmin):
    list_display = ["name", "short_name", "kind", "country", "population", "experience", "is_demo"]
    list_filter = ["kind", "experience", "is_demo", "country"]
    search_fields = ["name", "name_de", "name_en", "name_es", "name_pt", "short_name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]


@admin.register(Person)
class PersonAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "job_title", "organisation", "country", "public_profile", "is_demo"]
    list_filter = ["public_profile", "is_demo", "country"]
    search_fields = ["name", "job_title", "organisation__name"]
    autocomplete_fields = ["organisation", "user"]


class ConceptLabelInline(admin.TabularInline):
    model = ConceptLabel
    extra = 0


@admin.register(Concept)
class ConceptAdmin(AuditedAdminMixin, TabbedTranslationAdmin):
    list_display = ["key", "label", "broader"]
    search_fields = ["key", "label", "labels__text"]
    list_filter = [("broader", admin.RelatedOnlyFieldListFilter)]
    autocomplete_fields = ["broader"]
    inlines = [ConceptLabelInline]

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> Any:
        results, _dupes = super().get_search_results(request, queryset, search_term)
        return results.distinct(), False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__email"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Tokens are created with `cityexchange create-token`, which shows the key once.
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "object_id", "actor__email", "action"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
