from django.urls import path

from cityexchange.library import views

app_name = "library"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("forwarded/", views.forwarded, name="forwarded"),
    path("subscription/", views.subscription, name="subscription"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("import/", views.bulk_import, name="import"),
    path("r/<slug:slug>/", views.resource, name="resource"),
    path("r/<slug:slug>/forward/", views.forward, name="forward"),
    path("r/<slug:slug>/files/<int:pk>/", views.attachment, name="attachment"),
]
