"""Forms of the marketplace pages: they parse and check input; services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cityexchange.marketplace.models import (
    MAX_PRICE,
    MAX_QUANTITY,
    MAX_STOCK,
    WEEKDAYS,
    Category,
    Fulfilment,
    Payment,
    Product,
)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search products"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args: Any, categories: list[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        if isinstance(field, forms.ChoiceField):
            field.choices = [("", _("All categories"))] + [(c.slug, c.name) for c in categories]


class AddToCartForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1
    )


class CartUpdateForm(forms.Form):
    product = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=MAX_QUANTITY)


class CheckoutForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    fulfilment = forms.ChoiceField(
        label=_("Pickup or delivery"),
        choices=Fulfilment.choices,
        widget=forms.RadioSelect,
        initial=Fulfilment.PICKUP,
    )
    address = forms.CharField(
        label=_("Delivery address"),
        max_length=300,
        required=False,
        help_text=_("Only for delivery."),
    )
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    payment = forms.ChoiceField(label=_("Payment"), choices=Payment.choices)

    def __init__(
        self, *args: Any, shops: list[Any], slots: dict[int, list[Any]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.shops = shops
        for shop in shops:
            choices = [("", _("Earliest free time"))] + [
                (s.isoformat(), label) for s, label in slots.get(shop.pk, [])
            ]
            self.fields[f"slot_{shop.pk}"] = forms.ChoiceField(
                label=_("Pickup time at %(shop)s") % {"shop": shop.name},
                choices=choices,
                required=False,
            )


class ApplicationForm(forms.Form):
    name = forms.CharField(label=_("Business name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300)
    contact_email = forms.EmailField(label=_("Contact e-mail"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    registration_number = forms.CharField(
        label=_("Business registration number"), max_length=60, required=False
    )
    description = forms.CharField(
        label=_("What you sell"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
    categories: forms.ModelMultipleChoiceField[Category] = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, town: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories = cast(forms.ModelMultipleChoiceField, self.fields["categories"])
        categories.queryset = Category.objects.filter(town=town)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class TransitionForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            ("accepted", "accepted"),
            ("ready", "ready"),
            ("collected", "collected"),
            ("declined", "declined"),
        ]
    )
    reason = forms.CharField(label=_("Reason (for declining)"), max_length=1000, required=False)


class ProductForm(forms.Form):
    sku = forms.CharField(label=_("Article number"), max_length=60)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    name_de = forms.CharField(label=_("Name (German)"), max_length=200, required=False)
    name_es = forms.CharField(label=_("Name (Spanish)"), max_length=200, required=False)
    name_pt = forms.CharField(label=_("Name (Portuguese)"), max_length=200, required=False)
    description_en = forms.CharField(
        label=_("Description (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    price = forms.DecimalField(
        label=_("Price"),
        min_value=Decimal("0"),
        max_value=MAX_PRICE,
        max_digits=7,
        decimal_places=2,
    )
    tax_rate = forms.DecimalField(
        label=_("Tax rate (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("50"),
        max_digits=4,
        decimal_places=2,
        initial=Decimal("0"),
    )
    category: forms.ModelChoiceField[Category] = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    stock = forms.IntegerField(
        label=_("Stock"),
        min_value=0,
        max_value=MAX_STOCK,
        required=False,
        help_text=_("Empty: on request (no stock is counted)."),
    )
    variant_of: forms.ModelChoiceField[Product] = forms.ModelChoiceField(
        label=_("Variant of"), queryset=Product.objects.none(), required=False
    )
    variant = forms.CharField(
        label=_("Variant (for example a size)"), max_length=60, required=False
    )
    is_available = forms.BooleanField(label=_("Available"), required=False, initial=True)
    photo = forms.FileField(label=_("Photo (JPEG, PNG or WebP, at most 5 MB)"), required=False)

    def __init__(self, *args: Any, shop: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = cast(forms.ModelChoiceField, self.fields["category"])
        category.queryset = Category.objects.filter(town_id=shop.town_id)
        variant_of = cast(forms.ModelChoiceField, self.fields["variant_of"])
        variant_of.queryset = Product.objects.filter(shop=shop, variant_of__isnull=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(f"name_{c}") for c in ("en", "de", "es", "pt")):
            self.add_error("name_en", _("Give the product's name in at least one language."))
        return data


class ShopPhotoForm(forms.Form):
    photo = forms.FileField(label=_("Photo (JPEG, PNG or WebP, at most 5 MB)"))
    alt = forms.CharField(label=_("What the photo shows"), max_length=200)

    def __init__(self, *args: Any, language_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["alt"].help_text = _(
            "For people who cannot see it. Write it in %(language)s, the shop's language."
        ) % {"language": language_name}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))


class ShopSettingsForm(forms.Form):
    description_en = forms.CharField(
        label=_("Description (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    description_de = forms.CharField(
        label=_("Description (German)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    description_es = forms.CharField(
        label=_("Description (Spanish)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    description_pt = forms.CharField(
        label=_("Description (Portuguese)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    offers_pickup = forms.BooleanField(label=_("Pickup at the shop"), required=False)
    offers_delivery = forms.BooleanField(label=_("Local delivery"), required=False)
    delivery_fee = forms.DecimalField(
        label=_("Delivery fee"),
        min_value=Decimal("0"),
        max_value=MAX_PRICE,
        max_digits=7,
        decimal_places=2,
    )
    delivery_minimum = forms.DecimalField(
        label=_("Minimum order for delivery"),
        min_value=Decimal("0"),
        max_value=MAX_PRICE,
        max_digits=7,
        decimal_places=2,
    )
    pays_cash = forms.BooleanField(label=_("Cash at pickup"), required=False)
    pays_card = forms.BooleanField(label=_("Card at the counter"), required=False)
    pays_transfer = forms.BooleanField(label=_("Bank transfer"), required=False)
    bank_details = forms.CharField(
        label=_("Bank details for transfers"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
    )


class HoursForm(forms.Form):
    """Weekly hours: one "from" and "until" per weekday; both empty means closed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, label in WEEKDAYS:
            self.fields[f"opens_{number}"] = forms.TimeField(
                label=_("%(day)s from") % {"day": label},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}),
            )
            self.fields[f"closes_{number}"] = forms.TimeField(
                label=_("%(day)s until") % {"day": label},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}),
            )

    def periods(self) -> list[tuple[int, Any, Any]]:
        return [
            (n, self.cleaned_data[f"opens_{n}"], self.cleaned_data[f"closes_{n}"])
            for n, _label in WEEKDAYS
            if self.cleaned_data.get(f"opens_{n}") and self.cleaned_data.get(f"closes_{n}")
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n, _label in WEEKDAYS:
            opens, closes = data.get(f"opens_{n}"), data.get(f"closes_{n}")
            if bool(opens) != bool(closes) or (opens and closes and closes <= opens):
                self.add_error(f"closes_{n}", _("Each period must close after it opens."))
        return data


class ExceptionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    opens = forms.TimeField(
        label=_("Opens"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    closes = forms.TimeField(
        label=_("Closes"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    note = forms.CharField(label=_("Note (for example a holiday)"), max_length=200, required=False)
