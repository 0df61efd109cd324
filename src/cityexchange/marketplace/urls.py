"""Marketplace pages under /<lang>/market/: fixed words first, then towns and shops."""

from django.urls import path

from cityexchange.marketplace import views

app_name = "marketplace"

urlpatterns = [
    path("", views.home, name="home"),
    path("my-shops/", views.dashboard, name="dashboard"),
    path("order/<str:token>/", views.order_status, name="order_status"),
    path("manage/<int:shop_id>/", views.shop_manage, name="manage"),
    path("manage/<int:shop_id>/products/", views.shop_products, name="products"),
    path("manage/<int:shop_id>/products/<int:pk>/", views.shop_products, name="product_edit"),
    path("manage/<int:shop_id>/import/", views.shop_import, name="import"),
    path("manage/<int:shop_id>/settings/", views.shop_settings, name="settings"),
    path("manage/<int:shop_id>/<str:kind>", views.shop_export, name="export"),
    path("<slug:town>/", views.town_home, name="town"),
    path("<slug:town>/town.css", views.town_css, name="town_css"),
    path("<slug:town>/logo", views.town_logo, name="town_logo"),
    path("<slug:town>/cart/", views.cart, name="cart"),
    path("<slug:town>/checkout/", views.checkout, name="checkout"),
    path("<slug:town>/ordered/", views.placed, name="placed"),
    path("<slug:town>/apply/", views.apply, name="apply"),
    path("<slug:town>/town-office/", views.town_staff, name="town_staff"),
    path("<slug:town>/<slug:shop>/", views.shop_page, name="shop"),
    path("<slug:town>/<slug:shop>/<int:pk>/", views.product_page, name="product"),
    path("<slug:town>/<slug:shop>/<int:pk>/photo", views.product_photo, name="product_photo"),
    path(
        "<slug:town>/<slug:shop>/photos/<int:pk>/<str:size>",
        views.shop_photo,
        name="shop_photo",
    ),
]
