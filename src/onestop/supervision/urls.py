"""Pages of supervision, mounted at /desk/supervision/."""

from django.urls import URLPattern

app_name = "supervision"

urlpatterns: list[URLPattern] = []
