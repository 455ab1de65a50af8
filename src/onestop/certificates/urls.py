"""Pages of certificates, mounted at /certificates/."""

from django.urls import URLPattern, path

from onestop.certificates import views

app_name = "certificates"

urlpatterns: list[URLPattern] = [
    path("v/<str:token>/", views.verify, name="verify"),
    path("verify/", views.verify_upload, name="verify_upload"),
    path("file/<str:token>.pdf", views.certificate_pdf, name="pdf"),
]
