"""The back office for the network's data (staff correct shipped figures here)."""

from django.contrib import admin

from cityexchange.network import models


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("__str__", "role", "since", "until")


@admin.register(models.Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "is_public")
    list_filter = ("kind", "status", "is_public")
    filter_horizontal = ("organisations", "topics", "funding_options")


@admin.register(models.Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("body", "number", "held_on", "network_on_agenda")


@admin.register(models.Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("line", "year", "programme", "paid_on", "amount", "currency")
    list_filter = ("year",)


for model in (
    models.Body,
    models.BudgetLine,
    models.Allocation,
    models.Commitment,
    models.ReportedFigure,
    models.NextStep,
    models.Activity,
):
    admin.site.register(model)
