"""In Chromium: a whole lifecycle's messages reach the applicant's message box (站内信), the
header counts the unread ones, and the officer who got a task finds it in theirs."""

from __future__ import annotations

import os
from pathlib import Path

from onestop.accounts.models import Staff
from onestop.cases import services
from onestop.cases.states import TaskState
from onestop.demo.data.people import DEMO_PASSWORD
from onestop.demo.loader import demo_load
from tests.browser.test_flow import apply_at_window, expect
from tests.browser_fixtures import PHONE


def _lifecycle(key: str):
    clerk = Staff.objects.get(user__username="clerk")
    case = apply_at_window(key=key)
    services.case_accept(case_id=case.pk, clerk=clerk)
    while ready := list(case.tasks.filter(state=TaskState.READY).select_related("assignee")):
        for task in ready:
            services.task_claim(task_id=task.pk, officer=task.assignee)
            services.task_approve(task_id=task.pk, officer=task.assignee, opinion="同意")
    services.case_hand_out(case_id=case.pk, clerk=clerk)
    case.refresh_from_db()
    return case


def test_the_applicant_reads_the_messages_of_a_whole_lifecycle(
    login, live_server, transactional_db
):
    demo_load()
    case = _lifecycle("browser-messages")
    first_officer = case.tasks.order_by("pk").first().assignee

    applicant = login("enterprise", DEMO_PASSWORD)
    applicant.set_viewport_size(PHONE)
    applicant.goto("/")
    link = applicant.locator("a.messages-link")
    expect()(link).to_contain_text("消息")
    expect()(link.locator(".unread")).to_be_visible()
    link.click()
    applicant.wait_for_load_state()
    expect()(applicant.locator("h1")).to_contain_text("我的消息")
    box = applicant.locator(".message-list")
    for text in ("已提交", "受理", "办结", "领取"):
        expect()(box).to_contain_text(text)
    expect()(box).to_contain_text(case.number)
    shots = os.environ.get("ONESTOP_SHOTS")
    if shots:
        applicant.screenshot(path=str(Path(shots) / "message-box-390.png"), full_page=True)

    applicant.locator("button", has_text="全部标为已读").click()
    applicant.wait_for_load_state()
    expect()(applicant.locator("a.messages-link .unread")).to_have_count(0)

    officer = login(first_officer.user.username, DEMO_PASSWORD)
    officer.goto("/messages/")
    expect()(officer.locator(".message-list")).to_contain_text(case.number)
