"""The accounts app's own pages, under /<lang>/account/ next to allauth's."""

from django.urls import URLPattern

app_name = "accounts"

urlpatterns: list[URLPattern] = []
