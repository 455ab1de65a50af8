"""Pages of delivery, mounted at /delivery/."""

from django.urls import URLPattern

app_name = "delivery"

urlpatterns: list[URLPattern] = []
