"""Pages of the events app, mounted at /<lang>/events/."""

from django.urls import path

from cityexchange.events import views

app_name = "events"

urlpatterns = [
    path("", views.programme, name="programme"),
    path("statistics/", views.statistics, name="statistics"),
    path("calendar.ics", views.feed_all, name="feed_all"),
    path("formats/<slug:slug>/calendar.ics", views.feed_format, name="feed_format"),
    path("series/<slug:slug>/calendar.ics", views.feed_series, name="feed_series"),
    path("data-quality/", views.staff_data_quality, name="data_quality"),
    path("registration/<str:token>/", views.manage, name="manage"),
    path("registration/<str:token>/cancel/", views.manage_cancel, name="manage_cancel"),
    path("registration/<str:token>/delete/", views.manage_delete, name="manage_delete"),
    path("registration/<str:token>/export.json", views.manage_export, name="manage_export"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/registered/", views.registration_sent, name="registration_sent"),
    path("<slug:slug>/calendar.ics", views.event_ics, name="ics"),
    path("<slug:slug>/materials/<int:pk>/", views.material, name="material"),
    path("<slug:slug>/participants/", views.staff_participants, name="staff_participants"),
    path(
        "<slug:slug>/participants/<int:pk>/",
        views.staff_registration_action,
        name="staff_registration_action",
    ),
    path(
        "<slug:slug>/participants/export.<str:kind>",
        views.staff_export,
        name="staff_export",
    ),
    path("<slug:slug>/message/", views.staff_message, name="staff_message"),
    path("<slug:slug>/attendance/", views.staff_attendance, name="staff_attendance"),
    path("<slug:slug>/materials/", views.staff_materials, name="staff_materials"),
]
