from django.urls import path

from onestop.workbench import views

app_name = "workbench"

urlpatterns = [
    path("", views.desk_home, name="home"),
]
