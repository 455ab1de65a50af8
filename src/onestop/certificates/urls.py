"""Pages of certificates, mounted at /certificates/."""

from django.urls import URLPattern

app_name = "certificates"

urlpatterns: list[URLPattern] = []
