from django.urls import path

from onestop.workbench.views import home, inbox, intake, window

app_name = "workbench"

urlpatterns = [
    path("", home.desk_home, name="home"),
    # 综合受理窗口
    path("window/", window.queue, name="window_queue"),
    path("window/cases/<str:number>/", window.case_desk, name="window_case"),
    path("window/cases/<str:number>/accept/", window.case_accept, name="window_accept"),
    path(
        "window/cases/<str:number>/receiving-check/",
        window.case_receiving_check,
        name="window_receiving_check",
    ),
    path(
        "window/cases/<str:number>/originals-forward/",
        window.case_originals_forward,
        name="window_originals_forward",
    ),
    path("window/cases/<str:number>/correction/", window.case_correction, name="window_correction"),
    path("window/cases/<str:number>/reject/", window.case_reject, name="window_reject"),
    path("window/cases/<str:number>/pre-review/", window.case_pre_review, name="window_pre_review"),
    path(
        "window/cases/<str:number>/originals/",
        window.case_verify_originals,
        name="window_verify_originals",
    ),
    path("window/intake/", intake.find, name="intake"),
    path("window/intake/apply/", intake.apply, name="intake_apply"),
    path("window/handout/", window.handout, name="handout"),
    path("window/handout/<str:number>/", window.handout_deliver, name="handout_deliver"),
    path("cases/<str:number>/materials/<slug:key>/", window.material_file, name="material_file"),
    # 部门专人
    path("inbox/", inbox.inbox, name="inbox"),
    path("tasks/<int:task_id>/", inbox.task_page, name="task"),
    path("tasks/<int:task_id>/<str:action>/", inbox.task_action, name="task_action"),
    path(
        "extensions/<int:extension_id>/approve/",
        inbox.extension_approve,
        name="extension_approve",
    ),
]
