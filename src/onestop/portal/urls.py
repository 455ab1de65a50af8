from django.urls import path

from onestop.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("packages/<str:code>/", views.package, name="package"),
    path("packages/<str:code>/guide.pdf", views.guide_pdf, name="guide_pdf"),
    path("packages/<str:code>/apply/", views.apply, name="apply"),
    path("items/<str:code>/", views.item, name="item"),
    path("items/<str:code>/apply/", views.item_apply, name="item_apply"),
    path("my/cases/", views.my_cases, name="my_cases"),
    path("my/data-reads/", views.my_data_reads, name="my_data_reads"),
    path("my/licences/", views.my_licences, name="my_licences"),
    path("my/agents/", views.my_agents, name="my_agents"),
    path("my/agents/<int:authorisation_id>/revoke/", views.agent_revoke, name="agent_revoke"),
    path("my/drafts/<int:draft_id>/discard/", views.draft_discard, name="draft_discard"),
    path("my/cases/<str:number>/", views.my_case, name="my_case"),
    path("my/cases/<str:number>/supplement/", views.supplement, name="supplement"),
    path(
        "my/cases/<str:number>/tolerated/<slug:key>/",
        views.supply_tolerated,
        name="supply_tolerated",
    ),
    path("my/cases/<str:number>/withdraw/", views.withdraw, name="withdraw"),
]
