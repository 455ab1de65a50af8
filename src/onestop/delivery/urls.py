"""Pages of delivery, mounted at /delivery/."""

from django.urls import path

from onestop.delivery import views

app_name = "delivery"

urlpatterns = [
    path("my/cases/<str:number>/choice/", views.choose, name="choose"),
    path("my/cases/<str:number>/addresses/", views.address_add, name="address_add"),
    path("my/cases/<str:number>/materials/", views.materials_post, name="materials_post"),
    path("desk/", views.desk, name="desk"),
    path("desk/sync/", views.sync, name="sync"),
    path("desk/cases/<str:number>/ship/", views.ship, name="ship"),
    path("desk/shipments/<int:shipment_id>/cancel/", views.cancel, name="cancel"),
    path(
        "desk/shipments/<int:shipment_id>/return-handled/",
        views.return_handled,
        name="return_handled",
    ),
    path("desk/shipments/<int:shipment_id>/label.pdf", views.label, name="label"),
]
