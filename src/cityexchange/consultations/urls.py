"""Pages of the consultations app, mounted at /<lang>/consultations/."""

from django.urls import path

from cityexchange.consultations import views

app_name = "consultations"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/paragraphs/<int:number>/", views.paragraph, name="paragraph"),
    path("<slug:slug>/sections/<int:pk>/", views.section, name="section"),
    path("<slug:slug>/general/", views.general, name="general"),
    path("<slug:slug>/comments/", views.comments, name="comments"),
    path("<slug:slug>/comments/<int:pk>/reply/", views.reply, name="reply"),
    path("<slug:slug>/comments/<int:pk>/edit/", views.edit, name="edit"),
    path("<slug:slug>/comments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<slug:slug>/comments/<int:pk>/support/", views.support, name="support"),
    path("<slug:slug>/comments/<int:pk>/flag/", views.flag, name="flag"),
    path("<slug:slug>/comments/<int:pk>/hide/", views.hide, name="hide"),
    path("<slug:slug>/comments/<int:pk>/approve/", views.approve, name="approve"),
    path("<slug:slug>/comments/<int:pk>/respond/", views.respond, name="respond"),
    path("<slug:slug>/moderation/", views.moderation, name="moderation"),
    path("<slug:slug>/responses/", views.responses, name="responses"),
    path("<slug:slug>/responses/publish/", views.publish_report, name="publish_report"),
    path("<slug:slug>/report/", views.report, name="report"),
    path("<slug:slug>/overview/", views.overview, name="overview"),
    path("<slug:slug>/export.<str:kind>", views.export, name="export"),
    path("<slug:slug>/import/", views.import_document, name="import"),
    path("<slug:slug>/versions/<int:number>/", views.version, name="version"),
    path(
        "<slug:slug>/versions/<int:number>/publish/", views.publish_version, name="publish_version"
    ),
]
