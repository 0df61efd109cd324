from django.contrib.auth.views import LogoutView
from django.urls import path

from cityexchange.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("imprint/", views.imprint, name="imprint"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("timezone/", views.set_timezone, name="set_timezone"),
    path("account/", views.account, name="account"),
    path("account/export.json", views.account_export, name="account_export"),
    path("account/erase/", views.account_erase, name="account_erase"),
]
