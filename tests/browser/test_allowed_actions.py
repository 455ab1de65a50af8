"""In Chromium: a button the allowed actions exclude is not drawn, and forcing its POST
(with the page's CSRF token) gives the engine's refusal as a message — not a 500."""

from __future__ import annotations

from onestop.accounts.models import Staff
from onestop.accounts.roles import Role
from onestop.cases import services
from onestop.cases.models import Case
from onestop.cases.states import CaseState, TaskState
from onestop.demo.data.people import DEMO_PASSWORD
from onestop.demo.loader import demo_load
from tests.browser.test_flow import apply_at_window, expect


def _accepted(key: str) -> Case:
    case = apply_at_window(key=key)
    services.case_accept(case_id=case.pk, clerk=Staff.objects.get(user__username="clerk"))
    case.refresh_from_db()
    return case


def _csrf(page) -> str:
    return page.locator("input[name=csrfmiddlewaretoken]").first.input_value()


def test_an_officer_who_did_not_claim_has_no_approve_button_and_forcing_it_is_refused(
    login, live_server, transactional_db
):
    demo_load()
    case = _accepted("browser-unclaimed")
    task = case.tasks.get(state=TaskState.READY, department__kind="market")
    chief = Staff.objects.get(user__username="chief_market")
    services.task_claim(task_id=task.pk, officer=chief)  # the chief holds it

    officer = login("officer_market", DEMO_PASSWORD)
    officer.goto(f"/desk/tasks/{task.pk}/")
    expect()(officer.locator("#task-panel")).to_contain_text(chief.name)
    expect()(officer.locator("#task-panel button", has_text="通过")).to_have_count(0)
    expect()(officer.locator("#decide-form")).to_have_count(0)

    response = officer.request.post(
        f"/desk/tasks/{task.pk}/approve/",
        form={"csrfmiddlewaretoken": _csrf(officer), "opinion": "准予"},
        headers={"HX-Request": "true", "Referer": officer.url},
    )
    assert response.status == 200
    body = response.text()
    assert 'role="alert"' in body and "承办" in body, body[:500]
    task.refresh_from_db()
    assert task.state == TaskState.CLAIMED and task.assignee_id == chief.pk


def test_a_clerk_on_a_completed_case_has_no_accept_button_and_forcing_it_is_refused(
    login, live_server, transactional_db
):
    demo_load()
    case = _accepted("browser-completed")
    while ready := list(case.tasks.filter(state=TaskState.READY)):
        for task in ready:
            officer = Staff.objects.filter(
                department=task.department, role=Role.OFFICER, is_active=True
            ).first()
            services.task_claim(task_id=task.pk, officer=officer)
            services.task_approve(task_id=task.pk, officer=officer, opinion="准予")
    case.refresh_from_db()
    assert case.state == CaseState.COMPLETED

    clerk = login("clerk", DEMO_PASSWORD)
    clerk.goto(f"/desk/window/cases/{case.number}/")
    expect()(clerk.locator("#case-state")).to_have_text("已办结")
    expect()(clerk.locator("#accept-form")).to_have_count(0)
    expect()(clerk.locator("button", has_text="受理并分送")).to_have_count(0)
    expect()(clerk.locator("#handout-form")).to_be_visible()  # what it does allow

    response = clerk.request.post(
        f"/desk/window/cases/{case.number}/accept/",
        form={"csrfmiddlewaretoken": _csrf(clerk)},
        headers={"Referer": clerk.url},
    )
    assert response.status == 200
    body = response.text()
    assert 'class="msg msg-error" role="alert"' in body and "不能受理" in body, body[:500]
    case.refresh_from_db()
    assert case.state == CaseState.COMPLETED
