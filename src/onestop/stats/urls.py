"""Pages of stats, mounted at /desk/stats/."""

from django.urls import path

from onestop.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
    path("tables.xlsx", views.tables_xlsx, name="tables_xlsx"),
    path("consultations/", views.consultations, name="consultations"),
]
