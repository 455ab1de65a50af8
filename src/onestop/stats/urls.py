"""Pages of stats, mounted at /desk/stats/."""

from django.urls import URLPattern

app_name = "stats"

urlpatterns: list[URLPattern] = []
