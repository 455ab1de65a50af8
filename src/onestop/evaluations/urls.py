"""Pages of evaluations, mounted at /ratings/."""

from django.urls import path

from onestop.evaluations import views

app_name = "evaluations"

urlpatterns = [
    path("case/<str:number>/", views.case_rate, name="case_rate"),
    path("mine/", views.mine, name="mine"),
    path("rectifications/<int:pk>/opinion/", views.rectification_opinion, name="opinion"),
    path("t/<str:token>/", views.token_rate, name="token"),
    path("pair/", views.pair, name="pair"),
    path("window/<str:token>/", views.window, name="window"),
    path("window/<str:token>/state.json", views.window_state, name="window_state"),
    path("window/<str:token>/rate", views.window_rate, name="window_rate"),
    path("record/", views.record, name="record"),
    path("desk/", views.rectifications, name="rectifications"),
    path("desk/<int:pk>/", views.rectification, name="rectification"),
    path("published/", views.published, name="published"),
]
