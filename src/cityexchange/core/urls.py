from django.contrib.auth.views import LogoutView
from django.urls import path
from django.views.generic import RedirectView

from cityexchange.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("imprint/", views.imprint, name="imprint"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    # Sign-in and sign-out are allauth's (accounts app); the old addresses lead there.
    path(
        "login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="login",
    ),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("timezone/", views.set_timezone, name="set_timezone"),
]
