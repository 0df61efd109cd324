"""Back office: a municipality's marketplace is switched on here (a Town row), with its
categories and town staff; shops, products and orders can be looked up and corrected."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from cityexchange.core import caching
from cityexchange.core.models import OrganisationKind
from cityexchange.core.services import audit_record, snapshot
from cityexchange.marketplace import selectors, services
from cityexchange.marketplace.images import clean_photo
from cityexchange.marketplace.models import (
    Category,
    OpeningException,
    OpeningHours,
    Order,
    OrderLine,
    Product,
    Shop,
    Town,
)


class TownForm(forms.ModelForm):
    class Meta:
        model = Town
        fields = (
            "organisation",
            "slug",
            "name",
            "logo",
            "colour",
            "currency",
            "timezone",
            "terms",
            "imprint",
            "delivery_postcodes",
            "staff",
            "is_active",
            "is_demo",
        )

    def clean_colour(self) -> str:
        colour = str(self.cleaned_data["colour"])
        try:
            services.colour_check(colour)
        except services.MarketError as exc:
            raise forms.ValidationError(exc.errors["colour"]) from exc
        return colour

    def clean_logo(self) -> Any:
        """Checked and re-encoded like every other picture (no metadata, at most
        1200 px, JPEG or PNG): the logo is sent to everyone by ``views.town_logo``."""
        logo = self.cleaned_data.get("logo")
        if not logo or not hasattr(logo, "content_type"):
            return logo  # unchanged, or cleared
        try:
            return clean_photo(logo, name="logo")
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc

    def clean_organisation(self) -> Any:
        organisation = self.cleaned_data["organisation"]
        if organisation.kind != OrganisationKind.MUNICIPALITY:
            raise forms.ValidationError(_only_municipality())
        return organisation


def _only_municipality() -> str:
    from django.utils.translation import gettext as _

    return _("Only a municipality can run a marketplace.")


class CategoryInline(TranslationTabularInline):
    model = Category
    extra = 0


def _audited_save(request: HttpRequest, obj: Any, change: bool, action: str) -> None:
    before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
    obj.save()
    # A town's categories, a shop's status, a product's name or availability: what the
    # kept product listings hold.
    caching.bump(selectors.LISTINGS)
    audit_record(
        actor=request.user,
        action=f"{action}.{'update' if change else 'create'}",
        obj=obj,
        before=before,
        after=snapshot(obj),
    )


class ListedAdmin(TabbedTranslationAdmin):
    """Deleting towns, shops or products here changes the kept product listings too."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        caching.bump(selectors.LISTINGS)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        caching.bump(selectors.LISTINGS)


@admin.register(Town)
class TownAdmin(ListedAdmin):
    form = TownForm
    list_display = ("name", "slug", "currency", "timezone", "is_active", "is_demo")
    search_fields = ("name", "slug")
    filter_horizontal = ("staff",)
    inlines = (CategoryInline,)
    autocomplete_fields = ("organisation",)

    def save_model(self, request: HttpRequest, obj: Town, form: Any, change: bool) -> None:
        _audited_save(request, obj, change, "town")


class HoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ExceptionInline(admin.TabularInline):
    model = OpeningException
    extra = 0


@admin.register(Shop)
class ShopAdmin(ListedAdmin):
    list_display = ("name", "town", "status", "created_at", "is_demo")
    list_filter = ("status", "town")
    search_fields = ("name", "slug")
    filter_horizontal = ("staff", "categories")
    inlines = (HoursInline, ExceptionInline)

    def save_model(self, request: HttpRequest, obj: Shop, form: Any, change: bool) -> None:
        _audited_save(request, obj, change, "shop")


@admin.register(Product)
class ProductAdmin(ListedAdmin):
    list_display = ("name", "sku", "shop", "price", "stock", "is_available")
    list_filter = ("is_available", "shop__town")
    search_fields = ("name", "sku")
    raw_id_fields = ("shop", "variant_of", "category")

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        _audited_save(request, obj, change, "product")


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ("product", "name", "unit_price", "tax_rate", "quantity", "reserved")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders change only through the shop's pages and the API (stock and mail follow)."""

    list_display = ("number", "shop", "status", "created_at", "total")
    list_filter = ("status", "shop__town")
    search_fields = ("number",)
    inlines = (OrderLineInline,)
    readonly_fields = [f.name for f in Order._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
