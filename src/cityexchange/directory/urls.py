"""Pages of the directory, mounted at the language root (``/de/finder/`` ...)."""

from django.urls import path

from cityexchange.directory import views

app_name = "directory"

urlpatterns = [
    path("finder/", views.finder, name="finder"),
    path("finder/save/", views.finder_save, name="finder_save"),
    path("finder/results/<str:token>/", views.finder_result, name="finder_result"),
    path("finder/profile/<slug:slug>/", views.profile_edit, name="profile_edit"),
    path("finder/searches-without-results/", views.search_gaps, name="search_gaps"),
    path("offers/", views.offer_list, name="offer_list"),
    path("offers/<slug:slug>/", views.offer_detail, name="offer_detail"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
]
