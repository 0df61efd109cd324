"""The accounts app's own pages, under /<lang>/account/ next to allauth's."""

from django.urls import path

from cityexchange.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("link-earlier/", views.link_earlier, name="link_earlier"),
    path("export.json", views.export, name="export"),
    path("erase/", views.erase, name="erase"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/new/", views.organisation_new, name="organisation_new"),
    path("organisations/proposed/", views.staff_requests, name="staff_requests"),
    path("organisations/<slug:slug>/", views.organisation, name="organisation"),
    path("organisations/<slug:slug>/join/", views.join, name="join"),
    path("organisations/<slug:slug>/invite/", views.invite, name="invite"),
    path("requests/<int:pk>/accept/", views.join_request_accept, name="join_request_accept"),
    path("requests/<int:pk>/decline/", views.join_request_decline, name="join_request_decline"),
    path("memberships/<int:pk>/leave/", views.membership_leave, name="membership_leave"),
    path("memberships/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("memberships/<int:pk>/role/", views.membership_role, name="membership_role"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
]
