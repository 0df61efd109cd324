"""The local marketplace: towns that run one, their shops, products and orders.

Models stay slim: every write goes through ``marketplace.services``, every read that
is more than a ``get`` through ``marketplace.selectors``. Everything a town configures
is a row here, so a new town needs no code change.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Far beyond any price or quantity a local shop has; larger values are typing mistakes.
MAX_PRICE = Decimal("99999.99")
MAX_QUANTITY = 9999
MAX_STOCK = 999_999


class Currency(models.TextChoices):
    EUR = "EUR", _("Euro")
    MXN = "MXN", _("Mexican peso")
    BRL = "BRL", _("Brazilian real")
    INR = "INR", _("Indian rupee")
    PEN = "PEN", _("Peruvian sol")


class ShopStatus(models.TextChoices):
    APPLIED = "applied", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class OrderStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    READY = "ready", _("Ready for pickup")
    COLLECTED = "collected", _("Collected")
    CANCELLED = "cancelled", _("Cancelled")
    DECLINED = "declined", _("Declined")


class Fulfilment(models.TextChoices):
    PICKUP = "pickup", _("Pickup at the shop")
    DELIVERY = "delivery", _("Local delivery")


class Payment(models.TextChoices):
    CASH = "cash", _("Cash at pickup")
    CARD = "card", _("Card at the counter")
    TRANSFER = "transfer", _("Bank transfer")


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Give the colour as #rrggbb."))


class Town(models.Model):
    """A municipality's marketplace: switched on by a directory organisation."""

    organisation = models.OneToOneField(
        "core.Organisation",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="marketplace",
    )
    slug = models.SlugField(_("short address"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    logo = models.ImageField(_("logo"), upload_to="market/logos/", blank=True)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#1d4e89",
        validators=[hex_colour],
        help_text=_("Used behind white text: it must reach a contrast of 4.5:1 (WCAG AA)."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Berlin")
    terms = models.TextField(_("terms of use"), blank=True)
    imprint = models.TextField(_("imprint"), blank=True)
    delivery_postcodes = models.JSONField(_("delivery area (postcodes)"), default=list, blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("town staff"),
        blank=True,
        related_name="market_towns",
    )
    is_active = models.BooleanField(_("switched on"), default=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("town marketplace")
        verbose_name_plural = _("town marketplaces")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="categories")
    slug = models.SlugField(_("short address"), max_length=60)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["position", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["town", "slug"], name="market_category_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Shop(models.Model):
    town = models.ForeignKey(Town, on_delete=models.CASCADE, related_name="shops")
    slug = models.SlugField(_("short address"), max_length=80)
    name = models.CharField(_("business name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    contact_email = models.EmailField(_("contact e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    registration_number = models.CharField(
        _("business registration number"), max_length=60, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True, related_name="shops"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ShopStatus.choices, default=ShopStatus.APPLIED
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    language = models.CharField(_("language for mail"), max_length=2, default="en")
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("shop staff"), related_name="market_shops"
    )
    offers_pickup = models.BooleanField(_("pickup at the shop"), default=True)
    offers_delivery = models.BooleanField(_("local delivery"), default=False)
    delivery_fee = models.DecimalField(
        _("delivery fee"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_PRICE)],
    )
    delivery_minimum = models.DecimalField(
        _("minimum order for delivery"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_PRICE)],
    )
    delivery_postcodes = models.JSONField(
        _("delivery postcodes"), default=list, blank=True, help_text=_("Empty: the town's area.")
    )
    pays_cash = models.BooleanField(_("cash at pickup"), default=True)
    pays_card = models.BooleanField(_("card at the counter"), default=False)
    pays_transfer = models.BooleanField(_("bank transfer"), default=False)
    bank_details = models.TextField(_("bank details for transfers"), blank=True)
    orders_per_slot = models.PositiveSmallIntegerField(
        _("orders per 30-minute pickup slot"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("shop")
        verbose_name_plural = _("shops")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["town", "slug"], name="market_shop_unique")]
        indexes = [models.Index(fields=["town", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def payment_methods(self) -> list[str]:
        return [
            method
            for method, on in (
                (Payment.CASH, self.pays_cash),
                (Payment.CARD, self.pays_card),
                (Payment.TRANSFER, self.pays_transfer),
            )
            if on
        ]


class OpeningHours(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="market_hours_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class OpeningException(models.Model):
    """A holiday or closure (``opens`` empty) or different hours on one day."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("opening exception")
        verbose_name_plural = _("opening exceptions")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "date"], name="market_exception_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.note}"


class Product(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="products")
    sku = models.CharField(_("article number"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(
        _("price"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_PRICE)],
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))],
    )
    photo = models.ImageField(
        _("photo"),
        upload_to="market/products/",
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="products",
    )
    # Empty: made or ordered on request, no stock is counted.
    stock = models.PositiveIntegerField(
        _("stock"), null=True, blank=True, validators=[MaxValueValidator(MAX_STOCK)]
    )
    low_stock = models.PositiveIntegerField(_("low-stock warning at"), default=2)
    variant_of = models.ForeignKey(
        "self",
        verbose_name=_("variant of"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="variants",
    )
    variant = models.CharField(_("variant (for example a size)"), max_length=60, blank=True)
    is_available = models.BooleanField(_("available"), default=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # What search understands of the product (``marketplace.search``): the library's
    # analysis of its names, descriptions, category and shop in every language.
    search_tokens = models.TextField(blank=True, editable=False)
    # PostgreSQL only (stays empty on SQLite, which matches ``ProductToken`` rows).
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "variant", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "sku"], name="market_product_sku_unique"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="market_price_positive"),
        ]
        indexes = [
            models.Index(fields=["shop", "is_available"]),
            # The listing's order: pages come from the index instead of a sort of every row.
            # On PostgreSQL it (and each language's copy) also holds shop_id and
            # is_available (migration 0004), so a page's ids come from the index alone.
            models.Index(fields=["name", "variant", "id"], name="market_product_listing"),
            # Created on PostgreSQL only (migration 0003).
            GinIndex(fields=["search_vector"], name="market_product_search"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.variant})" if self.variant else self.name

    @property
    def on_request(self) -> bool:
        return self.stock is None

    @property
    def is_low(self) -> bool:
        return self.stock is not None and self.stock <= self.low_stock


class ShopPhoto(models.Model):
    """A photo of a shop, checked and re-encoded (``images.clean_picture``).

    Uploads are private in this project (nothing serves MEDIA_ROOT): a photo is sent by
    ``views.shop_photo`` to whoever may see its shop's page.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        _("photo"), upload_to="market/shops/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    thumbnail = models.ImageField(
        upload_to="market/shops/",
        width_field="thumb_width",
        height_field="thumb_height",
    )
    thumb_width = models.PositiveIntegerField(editable=False, default=0)
    thumb_height = models.PositiveIntegerField(editable=False, default=0)
    alt = models.CharField(
        _("what the photo shows"),
        max_length=200,
        help_text=_("For people who cannot see it, in the shop's language."),
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shop photo")
        verbose_name_plural = _("shop photos")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.alt


class ProductToken(models.Model):
    """One search token of a product, on SQLite: a query word is an indexed lookup of
    its alternative tokens here (PostgreSQL uses ``Product.search_vector`` instead)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("search token")
        constraints = [
            models.UniqueConstraint(fields=["token", "product"], name="market_token_unique")
        ]

    def __str__(self) -> str:
        return self.token


class Order(models.Model):
    """One resident's order at one shop; seen by the resident only through ``token``."""

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(_("order number"), max_length=20, unique=True)
    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="market_orders",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=2, default="en")
    fulfilment = models.CharField(
        _("pickup or delivery"), max_length=10, choices=Fulfilment.choices
    )
    pickup_at = models.DateTimeField(_("pickup time"), null=True, blank=True)
    delivery_address = models.CharField(_("delivery address"), max_length=300, blank=True)
    delivery_postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    delivery_fee = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    payment = models.CharField(_("payment"), max_length=10, choices=Payment.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.NEW
    )
    decline_reason = models.TextField(_("reason"), blank=True)
    total = models.DecimalField(_("total"), max_digits=10, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    personal_fields = ("name", "email", "phone", "delivery_address", "delivery_postcode")

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["shop", "status"])]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, related_name="order_lines"
    )
    name = models.CharField(_("product"), max_length=260)
    unit_price = models.DecimalField(_("unit price"), max_digits=8, decimal_places=2)
    tax_rate = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0"))
    quantity = models.PositiveIntegerField(_("quantity"))
    # Products without a counted stock take nothing from it, so nothing is given back.
    reserved = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity
