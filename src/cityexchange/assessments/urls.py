"""Pages of the self-assessment, mounted at /<lang>/self-assessment/."""

from django.urls import path

from cityexchange.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.start, name="start"),
    path("all/", views.staff_list, name="staff_list"),
    path("<int:id>/", views.review, name="review"),
    path("<int:id>/answer/<slug:dimension>/", views.answer, name="answer"),
    path("<int:id>/submit/", views.submit, name="submit"),
    path("<int:id>/results/", views.results, name="results"),
    path("<int:id>/roadmap/", views.roadmap, name="roadmap"),
    path("<int:id>/roadmap/items/<int:item>/", views.roadmap_item, name="roadmap_item"),
    path("<int:id>/roadmap.csv", views.roadmap_csv, name="roadmap_csv"),
    path("<int:id>/roadmap.pdf", views.roadmap_pdf, name="roadmap_pdf"),
]
