"""Pages of the marketplace: thin — authorise, parse a form, call a service, render.

Residents need no account: the cart lives in the session, an order is reached through
its personal link. Retailers and town staff sign in; whoever may not see a shop or a
town's back office gets the same 404 as for one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from cityexchange.core.access import get_for_user, signed_in
from cityexchange.core.i18n import current_language
from cityexchange.core.ratelimit import exceeded, too_many_page
from cityexchange.marketplace import exports, selectors, services
from cityexchange.marketplace import hours as opening
from cityexchange.marketplace.forms import (
    AddToCartForm,
    ApplicationForm,
    CartUpdateForm,
    CheckoutForm,
    DeclineForm,
    ExceptionForm,
    HoursForm,
    ImportForm,
    ProductForm,
    SearchForm,
    ShopPhotoForm,
    ShopSettingsForm,
    TransitionForm,
)
from cityexchange.marketplace.limits import APPLICATION_LIMIT, CHECKOUT_LIMIT
from cityexchange.marketplace.models import (
    MAX_QUANTITY,
    Order,
    OrderStatus,
    Product,
    Shop,
    ShopPhoto,
    ShopStatus,
    Town,
)
from cityexchange.marketplace.money import money

CART = "market_cart"
PLACED = "market_placed"
PAGE_SIZE = 24


def _town(slug: str) -> Town:
    return get_for_user(selectors.towns(), user=None, slug=slug)


def _public_shop(request: HttpRequest, town: Town, slug: str) -> Shop:
    shop = get_for_user(
        Shop.objects.filter(town=town).prefetch_related(
            "opening_hours", "exceptions", "categories", "photos"
        ),
        user=request.user,
        perm="marketplace.view_shop",
        slug=slug,
    )
    shop.town = town
    return shop


def _own_shop(request: HttpRequest, shop_id: int, perm: str = "marketplace.sell") -> Shop:
    return get_for_user(
        Shop.objects.select_related("town"), user=request.user, perm=perm, pk=shop_id
    )


def _local(when: dt.datetime | None, town: Town) -> dt.datetime | None:
    return when.astimezone(opening.zone(town.timezone)) if when else None


# ---------------------------------------------------------------- residents


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "marketplace/home.html", {"towns": selectors.towns()})


def town_css(request: HttpRequest, town: str) -> HttpResponse:
    """The town's colour as a stylesheet: the site's policy allows no inline styles.

    The colour was checked as #rrggbb (and for contrast) when it was saved."""
    place = _town(town)
    colour = place.colour if re.fullmatch(r"#[0-9a-fA-F]{6}", place.colour) else "#1d4e89"
    response = HttpResponse(
        f".market-banner {{ background: {colour}; }}\n", content_type="text/css"
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


def town_home(request: HttpRequest, town: str) -> HttpResponse:
    place = _town(town)
    categories = list(selectors.categories_with_counts(place))
    form = SearchForm(request.GET or None, categories=categories)
    results = None
    if (
        form.is_bound
        and form.is_valid()
        and (form.cleaned_data["q"] or form.cleaned_data["category"])
    ):
        # Paged over the listing's ids (its count is kept between requests), then
        # only the shown page's products are read.
        paginator: Paginator[Any] = Paginator(
            selectors.listing(
                place, q=form.cleaned_data["q"], category=form.cleaned_data["category"]
            ),
            PAGE_SIZE,
        )
        results = paginator.get_page(request.GET.get("page"))
        results.object_list = selectors.listed_products(place, results.object_list)
    shops = list(selectors.approved_shops(place))
    for shop in shops:
        shop.town = place
    return render(
        request,
        "marketplace/town.html",
        {
            "town": place,
            "categories": categories,
            "form": form,
            "results": results,
            "shops": shops,
            "open_shops": selectors.open_now(shops),
            "cart_count": sum(_cart(request, place).values()),
        },
    )


def shop_page(request: HttpRequest, town: str, shop: str) -> HttpResponse:
    place = _town(town)
    found = _public_shop(request, place, shop)
    products = selectors.search_products(place, shop=found.slug)
    return render(
        request,
        "marketplace/shop.html",
        {
            "town": place,
            "shop": found,
            "products": products,
            "open_now": selectors.shop_is_open(found),
            "hours": found.opening_hours.all(),
            "exceptions": [e for e in found.exceptions.all() if e.date >= timezone.now().date()],
        },
    )


def product_page(request: HttpRequest, town: str, shop: str, pk: int) -> HttpResponse:
    place = _town(town)
    found = _public_shop(request, place, shop)
    product = get_for_user(
        Product.objects.filter(shop=found, is_available=True).select_related("category"),
        user=None,
        pk=pk,
    )
    form = AddToCartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if found.status != ShopStatus.APPROVED:
            raise Http404
        cart = _cart(request, place)
        key = str(product.pk)
        cart[key] = min(cart.get(key, 0) + form.cleaned_data["quantity"], MAX_QUANTITY)
        _save_cart(request, place, cart)
        messages.success(request, _("Added to the cart: %(product)s") % {"product": product})
        return HttpResponseRedirect(reverse("marketplace:cart", kwargs={"town": place.slug}))
    variants = Product.objects.filter(variant_of=product, is_available=True)
    return render(
        request,
        "marketplace/product.html",
        {"town": place, "shop": found, "product": product, "form": form, "variants": variants},
    )


def _picture(field: Any, *, public: bool = False) -> FileResponse:
    """A stored picture, sent by the app: uploads are never served by address.

    Stored pictures are JPEG or PNG (``images`` re-encodes every upload), named so."""
    name = field.name or ""
    response = FileResponse(
        field.open("rb"), content_type="image/png" if name.endswith(".png") else "image/jpeg"
    )
    # A shop's pictures are seen by whoever may see its page: kept by the browser, not by
    # shared caches. A town's logo is seen by everyone while its marketplace is on.
    response["Cache-Control"] = f"{'public' if public else 'private'}, max-age=3600"
    return response


def town_logo(request: HttpRequest, town: str) -> FileResponse:
    """The town's logo, for everyone while its marketplace is switched on (404 after)."""
    place = _town(town)
    if not place.logo:
        raise Http404
    return _picture(place.logo, public=True)


def shop_photo(request: HttpRequest, town: str, shop: str, pk: int, size: str) -> FileResponse:
    if size not in ("small", "large"):
        raise Http404
    found = _public_shop(request, _town(town), shop)
    photo = get_for_user(ShopPhoto.objects.filter(shop=found), user=None, pk=pk)
    return _picture(photo.thumbnail if size == "small" else photo.image)


def product_photo(request: HttpRequest, town: str, shop: str, pk: int) -> FileResponse:
    found = _public_shop(request, _town(town), shop)
    product = get_for_user(
        Product.objects.filter(shop=found, is_available=True).exclude(photo=""), user=None, pk=pk
    )
    return _picture(product.photo)


def _cart(request: HttpRequest, town: Town) -> dict[str, int]:
    carts = request.session.get(CART, {})
    raw = carts.get(town.slug, {}) if isinstance(carts, dict) else {}
    return {k: int(v) for k, v in raw.items() if str(k).isdigit() and isinstance(v, int) and v > 0}


def _save_cart(request: HttpRequest, town: Town, cart: dict[str, int]) -> None:
    carts = request.session.get(CART, {})
    carts = carts if isinstance(carts, dict) else {}
    carts[town.slug] = cart
    request.session[CART] = carts


def _cart_lines(town: Town, cart: dict[str, int]) -> list[dict[str, Any]]:
    products = (
        Product.objects.filter(pk__in=[int(k) for k in cart], shop__town=town)
        .select_related("shop")
        .order_by("shop__name", "name")
    )
    return [
        {
            "product": p,
            "quantity": cart[str(p.pk)],
            "amount": money(p.price * cart[str(p.pk)], town.currency),
            "price": money(p.price, town.currency),
        }
        for p in products
    ]


def cart(request: HttpRequest, town: str) -> HttpResponse:
    place = _town(town)
    current = _cart(request, place)
    if request.method == "POST":
        form = CartUpdateForm(request.POST)
        if form.is_valid():
            key = str(form.cleaned_data["product"])
            if form.cleaned_data["quantity"] == 0:
                current.pop(key, None)
            elif key in current:
                current[key] = form.cleaned_data["quantity"]
            _save_cart(request, place, current)
            return HttpResponseRedirect(request.path)
        messages.error(request, _("Give a quantity from 0 to %(max)d.") % {"max": MAX_QUANTITY})
    return render(
        request,
        "marketplace/cart.html",
        {"town": place, "lines": _cart_lines(place, current)},
    )


def checkout(request: HttpRequest, town: str) -> HttpResponse:
    place = _town(town)
    current = _cart(request, place)
    lines = _cart_lines(place, current)
    if not lines:
        return HttpResponseRedirect(reverse("marketplace:cart", kwargs={"town": place.slug}))
    shops = list({line["product"].shop_id: line["product"].shop for line in lines}.values())
    slots = {}
    for shop in shops:
        shop.town = place
        slots[shop.pk] = [
            (s, formats.date_format(s.astimezone(opening.zone(place.timezone)), "D j M, H:i"))
            for s in services.free_slots(shop, limit=60)
        ]
    form = CheckoutForm(request.POST or None, shops=shops, slots=slots)
    ran_out: list[Product] = []
    if request.method == "POST" and exceeded(request, CHECKOUT_LIMIT):
        return too_many_page(request, CHECKOUT_LIMIT)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = {
            shop.pk: dt.datetime.fromisoformat(data[f"slot_{shop.pk}"])
            if data.get(f"slot_{shop.pk}")
            else None
            for shop in shops
        }
        try:
            orders = services.checkout(
                town=place,
                items=[(int(k), v) for k, v in current.items()],
                customer=services.Customer(
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    fulfilment=data["fulfilment"],
                    address=data["address"],
                    postcode=data["postcode"],
                    payment=data["payment"],
                ),
                language=current_language(),
                pickup_slots=chosen,
                user=request.user,
            )
        except services.OutOfStock as exc:
            ran_out = exc.products
        except services.MarketError as exc:
            for key, message in exc.errors.items():
                form.add_error(key if key in form.fields else None, message)
        else:
            _save_cart(request, place, {})
            request.session[PLACED] = [o.token for o in orders]
            return HttpResponseRedirect(reverse("marketplace:placed", kwargs={"town": place.slug}))
    return render(
        request,
        "marketplace/checkout.html",
        {"town": place, "lines": lines, "form": form, "ran_out": ran_out, "shops": shops},
    )


def placed(request: HttpRequest, town: str) -> HttpResponse:
    place = _town(town)
    tokens = request.session.get(PLACED) or []
    orders = list(
        Order.objects.filter(token__in=[t for t in tokens if isinstance(t, str)], shop__town=place)
        .select_related("shop")
        .order_by("pk")
    )
    return render(request, "marketplace/placed.html", {"town": place, "orders": orders})


def order_status(request: HttpRequest, token: str) -> HttpResponse:
    try:
        order = selectors.order_by_token(token[:64])
    except Order.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        try:
            services.order_cancel(order=order)
        except services.MarketError as exc:
            messages.error(request, " ".join(exc.errors.values()))
        else:
            messages.success(request, _("Your order is cancelled."))
        return HttpResponseRedirect(request.path)
    town = order.shop.town
    return render(
        request,
        "marketplace/order_status.html",
        {
            "order": order,
            "town": town,
            "pickup_local": _local(order.pickup_at, town),
            "total": money(order.total, town.currency),
            "lines": [
                {"line": line, "amount": money(line.amount, town.currency)}
                for line in order.lines.all()
            ],
        },
    )


# ---------------------------------------------------------------- retailers


@login_required
def apply(request: HttpRequest, town: str) -> HttpResponse:
    place = _town(town)
    form = ApplicationForm(request.POST or None, town=place)
    if request.method == "POST" and exceeded(request, APPLICATION_LIMIT):
        return too_many_page(request, APPLICATION_LIMIT)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.shop_apply(
            town=place,
            user=signed_in(request),
            application=services.ShopApplication(
                name=data["name"],
                address=data["address"],
                contact_email=data["contact_email"],
                phone=data["phone"],
                registration_number=data["registration_number"],
                description=data["description"],
                categories=list(data["categories"]),
            ),
            language=current_language(),
        )
        messages.success(
            request, _("Thank you. The town will decide on your application; you will get a mail.")
        )
        return HttpResponseRedirect(reverse("marketplace:dashboard"))
    return render(request, "marketplace/apply.html", {"town": place, "form": form})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "marketplace/dashboard.html",
        {
            "shops": selectors.shops_of_user(request.user),
            "towns": selectors.towns_of_staff(request.user),
        },
    )


@login_required
def shop_manage(request: HttpRequest, shop_id: int) -> HttpResponse:
    shop = _own_shop(request, shop_id)
    if request.method == "POST":
        form = TransitionForm(request.POST)
        order = get_for_user(
            Order.objects.filter(shop=shop), user=None, pk=request.POST.get("order")
        )
        if form.is_valid():
            try:
                services.order_transition(
                    order=order,
                    status=form.cleaned_data["status"],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except services.MarketError as exc:
                messages.error(request, " ".join(exc.errors.values()))
            else:
                messages.success(request, _("Order %(number)s updated.") % {"number": order.number})
        return HttpResponseRedirect(request.path)
    status = request.GET.get("status", "")
    if status not in OrderStatus.values:
        status = ""
    orders = list(selectors.shop_orders(shop, status=status)[:100])
    return render(
        request,
        "marketplace/manage.html",
        {
            "shop": shop,
            "orders": [
                {
                    "order": o,
                    "total": money(o.total, shop.town.currency),
                    "pickup_local": _local(o.pickup_at, shop.town),
                }
                for o in orders
            ],
            "status": status,
            "statuses": OrderStatus.choices,
            "low_stock": selectors.low_stock(shop),
            "statistics": selectors.shop_statistics(shop),
        },
    )


@login_required
def shop_products(request: HttpRequest, shop_id: int, pk: int | None = None) -> HttpResponse:
    shop = _own_shop(request, shop_id)
    product = (
        get_for_user(Product.objects.filter(shop=shop), user=None, pk=pk)
        if pk is not None
        else None
    )
    initial: dict[str, Any] = {"is_available": True}
    if product is not None:
        initial = {
            name: getattr(product, name)
            for name in ProductForm.base_fields
            if name != "photo" and hasattr(product, name)
        }
    form = ProductForm(request.POST or None, request.FILES or None, shop=shop, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "photo"}
        try:
            services.product_save(
                shop=shop,
                actor=request.user,
                product=product,
                photo=form.cleaned_data.get("photo"),
                **values,
            )
        except services.MarketError as exc:
            for key, message in exc.errors.items():
                form.add_error(key if key in form.fields else None, message)
        else:
            messages.success(request, _("Product saved."))
            return HttpResponseRedirect(
                reverse("marketplace:products", kwargs={"shop_id": shop.pk})
            )
    return render(
        request,
        "marketplace/products.html",
        {
            "shop": shop,
            "form": form,
            "product": product,
            "products": Product.objects.filter(shop=shop).select_related("category"),
        },
    )


@login_required
def shop_import(request: HttpRequest, shop_id: int) -> HttpResponse:
    shop = _own_shop(request, shop_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = exports.products_import(
            shop=shop,
            data=upload.read(exports.MAX_FILE_BYTES + 1),
            filename=upload.name or "",
            actor=request.user,
        )
        if result.ok:
            messages.success(
                request,
                _("Imported: %(created)d new, %(updated)d changed.")
                % {"created": result.created, "updated": result.updated},
            )
            return HttpResponseRedirect(
                reverse("marketplace:products", kwargs={"shop_id": shop.pk})
            )
    return render(
        request,
        "marketplace/import.html",
        {"shop": shop, "form": form, "result": result, "columns": exports.COLUMNS},
    )


@login_required
def shop_export(request: HttpRequest, shop_id: int, kind: str) -> HttpResponse:
    shop = _own_shop(request, shop_id, perm="marketplace.manage_shop")
    if kind == "orders.csv":
        shop = _own_shop(request, shop_id)
        rows = exports.order_rows(selectors.shop_orders(shop))
        content, mime = exports.as_csv(rows), "text/csv; charset=utf-8"
    elif kind == "products.csv":
        content, mime = exports.as_csv(exports.product_rows(shop)), "text/csv; charset=utf-8"
    elif kind == "products.xlsx":
        content = exports.as_xlsx(exports.product_rows(shop))
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="{shop.slug}-{kind}"'
    return response


@login_required
def shop_settings(request: HttpRequest, shop_id: int) -> HttpResponse:
    shop = _own_shop(request, shop_id, perm="marketplace.manage_shop")
    fields = list(ShopSettingsForm.base_fields)
    form = ShopSettingsForm(
        request.POST if "settings" in request.POST else None,
        initial={name: getattr(shop, name) for name in fields},
    )
    hours_initial: dict[str, Any] = {}
    for period in shop.opening_hours.all():
        hours_initial[f"opens_{period.weekday}"] = period.opens
        hours_initial[f"closes_{period.weekday}"] = period.closes
    hours = HoursForm(request.POST if "hours" in request.POST else None, initial=hours_initial)
    exception = ExceptionForm(request.POST if "exception" in request.POST else None)
    photo = ShopPhotoForm(
        request.POST if "photo_add" in request.POST else None,
        request.FILES if "photo_add" in request.POST else None,
        language_name=get_language_info(shop.language)["name_translated"],
    )
    if "photo_remove" in request.POST:
        removed = get_for_user(
            ShopPhoto.objects.filter(shop=shop), user=None, pk=request.POST.get("photo_remove")
        )
        services.shop_photo_remove(photo=removed, actor=request.user)
        messages.success(request, _("Photo removed."))
        return HttpResponseRedirect(request.path)
    try:
        if form.is_bound and form.is_valid():
            services.shop_update(shop=shop, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Shop saved."))
            return HttpResponseRedirect(request.path)
        if hours.is_bound and hours.is_valid():
            services.opening_hours_set(shop=shop, periods=hours.periods(), actor=request.user)
            messages.success(request, _("Opening hours saved."))
            return HttpResponseRedirect(request.path)
        if exception.is_bound and exception.is_valid():
            services.opening_exception_set(shop=shop, actor=request.user, **exception.cleaned_data)
            messages.success(request, _("Exception saved."))
            return HttpResponseRedirect(request.path)
        if photo.is_bound and photo.is_valid():
            services.shop_photo_add(
                shop=shop,
                actor=request.user,
                upload=photo.cleaned_data["photo"],
                alt=photo.cleaned_data["alt"],
            )
            messages.success(request, _("Photo added."))
            return HttpResponseRedirect(request.path)
    except services.MarketError as exc:
        for target in (form, hours, exception, photo):
            if target.is_bound:
                for key, message in exc.errors.items():
                    target.add_error(key if key in target.fields else None, message)
    return render(
        request,
        "marketplace/settings.html",
        {
            "shop": shop,
            "form": form,
            "hours": hours,
            "exception": exception,
            "exceptions": shop.exceptions.filter(date__gte=timezone.now().date()),
            "photo_form": photo,
            "photos": shop.photos.all(),
        },
    )


# ---------------------------------------------------------------- town staff


@login_required
def town_staff(request: HttpRequest, town: str) -> HttpResponse:
    place = get_for_user(
        selectors.towns(), user=request.user, perm="marketplace.manage_town", slug=town
    )
    if request.method == "POST":
        shop = get_for_user(Shop.objects.filter(town=place), user=None, pk=request.POST.get("shop"))
        if request.POST.get("decision") == "approve":
            services.shop_approve(shop=shop, actor=request.user)
            messages.success(request, _("%(shop)s approved.") % {"shop": shop.name})
        else:
            decline = DeclineForm(request.POST)
            if decline.is_valid():
                services.shop_decline(
                    shop=shop, actor=request.user, reason=decline.cleaned_data["reason"]
                )
                messages.success(request, _("%(shop)s declined.") % {"shop": shop.name})
            else:
                messages.error(request, _("Say why, so the retailer can act on it."))
        return HttpResponseRedirect(request.path)
    report = selectors.town_report(place)
    weeks = [
        {
            "week": w["week"],
            "orders": w["orders"],
            "revenue": money(w["revenue"] or Decimal("0"), place.currency),
        }
        for w in report["weeks"]
    ]
    most = max([w["orders"] for w in report["weeks"]] or [1])
    for week, raw in zip(weeks, report["weeks"], strict=True):
        week["width"] = round(100 * raw["orders"] / most)
    return render(
        request,
        "marketplace/town_staff.html",
        {
            "town": place,
            "applications": Shop.objects.filter(
                town=place, status=ShopStatus.APPLIED
            ).prefetch_related("categories"),
            "shops": Shop.objects.filter(town=place).exclude(status=ShopStatus.APPLIED),
            "report": report,
            "weeks": weeks,
            "decline": DeclineForm(),
        },
    )
