"""Pages of supervision, mounted at /desk/supervision/."""

from django.urls import path

from onestop.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("cases/<str:number>/", views.case_page, name="case"),
    path("orders/", views.orders, name="orders"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:order_id>/", views.order_page, name="order"),
    path("orders/<int:order_id>/<str:action>/", views.order_act, name="order_act"),
]
