from django.urls import path

from onestop.cases import views

app_name = "cases"

# Notices (受理通知书 / 补正告知书 / 不予受理通知书 / 出件回执) as PDFs, shared by portal and workbench,
# and the page their QR code opens (a signed token, never the bare case number).
urlpatterns = [
    path("verify/<str:token>/", views.verify, name="verify"),
    path("<str:number>/notices/<str:kind>.pdf", views.notice, name="notice"),
]
