"""Back office for the library: resources (tabbed translations), subscriptions, forwardings.

Saving through the admin goes through the services, so the search index and the
audit log stay right.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from cityexchange.core.services import audit_record, snapshot
from cityexchange.library import services
from cityexchange.library.models import Attachment, Forwarding, Resource, Subscription


class AttachmentAdminForm(forms.ModelForm):
    """An attachment in the back office, checked like every other upload.

    A new file goes through ``services.attachment_check`` (size, type, content
    matching the type); its type, size and extracted text are taken from the
    check, never from the form.
    """

    class Meta:
        model = Attachment
        fields = ("title", "file")

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if isinstance(upload, UploadedFile):
            try:
                checked = services.attachment_check(upload=upload)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict.get("file", exc.messages)) from exc
            self.instance.content_type = checked.content_type
            self.instance.size = checked.size
            self.instance.extracted_text = checked.text
        return upload


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentAdminForm
    extra = 0
    fields = ("title", "file", "content_type", "size")
    readonly_fields = ("content_type", "size")


@admin.register(Resource)
class ResourceAdmin(TabbedTranslationAdmin):
    list_display = ("title", "kind", "status", "visibility", "published_on", "view_count")
    list_filter = ("status", "kind", "visibility")
    search_fields = ("slug", "title")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("topics", "organisations", "offers")
    raw_id_fields = ("event",)
    readonly_fields = ("view_count",)
    inlines = [AttachmentInline]
    actions = ["publish", "withdraw"]

    def save_model(self, request: HttpRequest, obj: Resource, form: Any, change: bool) -> None:
        before = snapshot(obj, services.AUDIT_FIELDS) if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="library.resource_update" if change else "library.resource_create",
            obj=obj,
            before=before,
            after=snapshot(obj, services.AUDIT_FIELDS),
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Topics and attachments are saved only now: index after them, same transaction.
        services.resource_index(resource=form.instance)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        added = [f.instance for f in formset.forms if not f.instance.pk and f.has_changed()]
        super().save_formset(request, form, formset, change)
        for attachment in added:
            if isinstance(attachment, Attachment) and attachment.pk:
                audit_record(
                    actor=request.user,
                    action="library.attachment_add",
                    obj=attachment,
                    after={
                        "resource": form.instance.slug,
                        "content_type": attachment.content_type,
                        "size": attachment.size,
                    },
                )

    @admin.action(description=_("Publish the selected resources"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        for resource in queryset:
            services.resource_publish(resource=resource, actor=request.user)

    @admin.action(description=_("Withdraw the selected resources"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Resource]) -> None:
        for resource in queryset:
            services.resource_withdraw(resource=resource, actor=request.user)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("user", "frequency", "language", "is_active", "last_sent_at")
    list_filter = ("frequency", "is_active")


@admin.register(Forwarding)
class ForwardingAdmin(admin.ModelAdmin):
    list_display = ("resource", "organisation", "recipient", "sent_by", "created_at")
    raw_id_fields = ("resource", "recipient")
