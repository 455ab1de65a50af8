"""The department inbox and the task page: claim, decide, return, pause, extend — via htmx."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onestop.cases import services
from onestop.cases.states import CaseState, ExtensionState, TaskState

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def act(client, task, action, data=None, **headers):
    return client.post(
        reverse("workbench:task_action", args=[task.pk, action]), data or {}, **headers
    )


def test_inbox_shows_the_departments_ready_tasks_with_light_and_due_date(setup, as_user):
    case = setup.accepted()
    task = setup.task(case, "licence")
    page = as_user(setup.officers["licence"]).get(reverse("workbench:inbox")).content.decode()
    assert task.title in page and case.number in page
    assert "剩余" in page  # the traffic light in words
    assert task.due_at.strftime("%Y-%m-%d") in page.replace("-0", "-0")
    assert 'hx-trigger="every 30s"' in page
    # the seal task waits for the licence: not in anybody's inbox yet
    assert setup.task(case, "seal").title not in page


def test_inbox_polling_returns_only_the_rows(setup, as_user):
    setup.accepted()
    response = as_user(setup.officers["licence"]).get(
        reverse("workbench:inbox") + "?part=rows", **HX
    )
    body = response.content.decode()
    assert body.lstrip().startswith("<tr")
    assert "<html" not in body


def test_claiming_from_the_inbox_swaps_the_row(setup, as_user):
    case = setup.accepted()
    task = setup.task(case, "licence")
    response = act(as_user(setup.officers["licence"]), task, "claim", {"from": "inbox"}, **HX)
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="task-row-{task.pk}"')
    assert "已认领" in body and "我承办" in body
    task.refresh_from_db()
    assert task.state == TaskState.CLAIMED


def test_claiming_a_task_someone_else_holds_is_explained_in_the_row(setup, as_user):
    case = setup.accepted()
    task = setup.task(case, "licence")
    services.task_claim(task_id=task.pk, officer=setup.chief)
    response = act(as_user(setup.officers["licence"]), task, "claim", {"from": "inbox"}, **HX)
    assert "该子件已由首席审批员认领" in response.content.decode()


def test_task_page_shows_the_case_and_other_departments_without_officer_names(setup, as_user):
    case = setup.accepted()
    setup.decide(case, "invoice")
    task = setup.task(case, "licence")
    page = as_user(setup.officers["licence"]).get(reverse("workbench:task", args=[task.pk]))
    body = page.content.decode()
    assert "是否需要申领发票？" in body and "企业名称" in body and "租赁合同" in body
    assert "国家税务总局益阳市赫山区税务局" in body and "通过" in body
    assert setup.officers["invoice"].name not in body  # invoice专人 decided; name stays private
    assert "子件通过" in body  # the timeline


def test_approving_through_htmx_swaps_the_panel_and_readies_the_dependant(setup, as_user):
    case = setup.accepted()
    task = setup.task(case, "licence")
    client = as_user(setup.officers["licence"])
    act(client, task, "claim", **HX)
    response = act(client, task, "approve", {"opinion": "材料齐全，准予登记。"}, **HX)
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card task-panel" id="task-panel">')
    assert "已作出通过决定" in body and 'data-state="approved"' in body
    assert setup.task(case, "seal").state == TaskState.READY


def test_denying_needs_an_opinion_shown_next_to_the_field(setup, as_user):
    case = setup.accepted()
    task = setup.task(case, "licence")
    client = as_user(setup.officers["licence"])
    act(client, task, "claim", **HX)
    body = act(client, task, "deny", {"opinion": ""}, **HX).content.decode()
    assert "请填写不予许可的理由" in body
    assert body.index("请填写不予许可的理由") > body.index('name="opinion"')
    task.refresh_from_db()
    assert task.state == TaskState.CLAIMED


def test_returning_to_the_window_puts_the_case_back_in_the_queue(setup, as_user):
    case = setup.accepted()
    task = setup.task(case, "licence")
    client = as_user(setup.officers["licence"])
    act(client, task, "return", {"reason": "经营范围填写不规范"}, **HX)
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    queue = as_user(setup.clerk).get(reverse("workbench:window_queue")).content.decode()
    assert case.number in queue


def test_pause_and_resume_a_special_procedure(setup, as_user):
    case = setup.accepted()
    task = setup.task(case, "licence")
    client = as_user(setup.officers["licence"])
    act(client, task, "claim", **HX)
    body = act(
        client, task, "pause", {"kind": "site_survey", "reason": "需现场核查经营场所"}, **HX
    ).content.decode()
    assert "特别程序中" in body and "现场踏勘" in body
    body = act(client, task, "resume", {"result": "核查属实"}, **HX).content.decode()
    assert "恢复计时" in body
    task.refresh_from_db()
    assert task.state == TaskState.CLAIMED


def test_extension_request_and_the_chief_approves_it_in_place(setup, as_user):
    case = setup.accepted()
    task = setup.task(case, "licence")
    officer_client = as_user(setup.officers["licence"])
    act(officer_client, task, "claim", **HX)
    bad = act(officer_client, task, "extend", {"days": "x", "reason": "r"}, **HX)
    assert "正整数" in bad.content.decode()
    act(officer_client, task, "extend", {"days": "3", "reason": "需补充征求意见"}, **HX)
    extension = task.extensions.get()
    chief_client = as_user(setup.chief)
    inbox = chief_client.get(reverse("workbench:inbox")).content.decode()
    assert "需补充征求意见" in inbox and "批准延期" in inbox
    before = task.due_at
    row = chief_client.post(
        reverse("workbench:extension_approve", args=[extension.pk]), **HX
    ).content.decode()
    assert row.lstrip().startswith(f'<tr id="extension-{extension.pk}"') and "已批准" in row
    extension.refresh_from_db()
    task.refresh_from_db()
    assert extension.state == ExtensionState.APPROVED
    assert task.due_at > before


def test_without_htmx_the_same_action_redirects_back_to_the_task(setup, as_user):
    case = setup.accepted()
    task = setup.task(case, "licence")
    response = act(as_user(setup.officers["licence"]), task, "claim")
    assert response.status_code == 302
    assert response.url == reverse("workbench:task", args=[task.pk])


def test_a_decision_on_the_task_page_refreshes_the_departments_table_and_history(setup, as_user):
    case = setup.accepted()
    task = setup.task(case, "licence")
    client = as_user(setup.officers["licence"])
    act(client, task, "claim", **HX)
    body = act(client, task, "approve", {"opinion": "材料齐全，准予登记"}, **HX).content.decode()
    progress = body.split('id="progress" hx-swap-oob="true"')[1].split("</section>")[0]
    row = progress.split("is-current")[1].split("</tr>")[0]
    assert "通过" in row and "已认领" not in row
    history = body.split('id="timeline" hx-swap-oob="true"')[1].split("</section>")[0]
    assert "子件通过" in history
