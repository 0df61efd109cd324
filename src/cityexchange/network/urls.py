"""Pages of the network app, mounted at /<lang>/network/."""

from django.urls import path

from cityexchange.network import views

app_name = "network"

urlpatterns = [
    path("", views.home, name="home"),
    path("partnerships/", views.public_partnerships, name="public_partnerships"),
    path("staff/", views.dashboard, name="dashboard"),
    path("staff/report/", views.report, name="report"),
    path("staff/partnerships/", views.partnerships, name="partnerships"),
    path("staff/partnerships/<slug:slug>/", views.partnership, name="partnership"),
    path("staff/meetings/", views.meetings, name="meetings"),
    path("staff/budget/", views.budget, name="budget"),
    path("staff/tandems/", views.tandems, name="tandems"),
]
