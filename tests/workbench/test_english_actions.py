"""In English, buttons read as verbs ("Approve") while state labels stay states ("Approved").

Several Chinese texts are both a state label in ``cases.states`` and a button on the desks
(通过, 不予许可, 不予受理, 退回窗口 …); the buttons carry the message context "action".
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from onestop.cases.states import CaseState

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", strip_tags(fragment)).strip()


def buttons(html: str) -> list[str]:
    """The visible text of every button and link-styled button on the page."""
    found = re.findall(r"<button\b[^>]*>(.*?)</button>", html, re.S)
    found += re.findall(r'<a class="button"[^>]*>(.*?)</a>', html, re.S)
    return [_text(b) for b in found]


def headings(html: str) -> list[str]:
    return [_text(h) for h in re.findall(r"<h[23]\b[^>]*>(.*?)</h[23]>", html, re.S)]


def badge(html: str, element_id: str) -> str:
    match = re.search(rf'<span [^>]*id="{element_id}"[^>]*>(.*?)</span>', html, re.S)
    assert match, element_id
    return _text(match.group(1))


def progress_states(html: str) -> dict[str, str]:
    """Task state → its label in the departments' progress table."""
    section = html.split('id="progress"')[1].split("</section>")[0]
    return dict(re.findall(r'<span class="badge task-(\w+)">([^<]*)</span>', section))


def task_page(setup, as_user, *, invoice_approved: bool, **headers):
    case = setup.accepted()
    setup.decide(case, "invoice", approve=invoice_approved)
    task = setup.task(case, "licence")
    client = as_user(setup.officers["licence"])
    client.post(reverse("workbench:task_action", args=[task.pk, "claim"]), **headers)
    return client.get(reverse("workbench:task", args=[task.pk]), **headers).content.decode()


@pytest.mark.parametrize(
    ("invoice_approved", "state_label"), [(True, "Approved"), (False, "Denied")]
)
def test_task_page_in_english_offers_verbs_and_labels_decided_tasks_as_states(
    setup, as_user, invoice_approved, state_label
):
    page = task_page(setup, as_user, invoice_approved=invoice_approved, **EN)
    assert 'lang="en"' in page
    offered = buttons(page)
    assert "Approve" in offered and "Deny" in offered
    assert "Return to the window" in offered and "Start special procedure" in offered
    assert not {"Approved", "Denied", "Returned to the window"} & set(offered)
    assert "Return to the window" in headings(page)
    assert "Ask for an extension" in headings(page)
    # the same Chinese words as states: the other department's decided task, this task's state
    decided = "approved" if invoice_approved else "denied"
    assert progress_states(page)[decided] == state_label
    assert badge(page, "task-state") == "In progress"


def test_task_page_in_chinese_keeps_the_chinese_buttons_and_states(setup, as_user):
    page = task_page(setup, as_user, invoice_approved=False)
    offered = buttons(page)
    assert "通过" in offered and "不予许可" in offered and "退回窗口" in offered
    assert progress_states(page)["denied"] == "不予许可"
    assert badge(page, "task-state") == "办理中"


def test_inbox_in_english_claims_a_task_waiting_to_be_claimed(setup, as_user):
    setup.accepted()
    page = as_user(setup.officers["licence"]).get(reverse("workbench:inbox"), **EN).content.decode()
    assert "Claim" in buttons(page) and "Handle" in buttons(page)
    row_state = re.search(r'data-state="ready">([^<]*)<', page)
    assert row_state and row_state.group(1) == "Waiting to be claimed"


def desk(setup, as_user, case, **headers) -> str:
    url = reverse("workbench:window_case", args=[case.number])
    return as_user(setup.clerk).get(url, **headers).content.decode()


def test_window_desk_in_english_offers_accept_and_reject_as_verbs(setup, as_user):
    page = desk(setup, as_user, setup.case_in(CaseState.SUBMITTED), **EN)
    offered = buttons(page)
    assert "Reject" in offered and "Not accepted" not in offered
    assert "Accept and dispatch" in offered and "Issue correction notice" in offered
    assert {"Accept", "Reject", "Request correction (all at once)"} <= set(headings(page))
    assert badge(page, "case-state") == "Submitted"


def test_window_desk_in_english_passes_pre_review(setup, as_user):
    page = desk(setup, as_user, setup.case_in(CaseState.PRE_REVIEW), **EN)
    assert "Pass pre-review" in buttons(page) and "Pre-review passed" not in buttons(page)
    assert badge(page, "case-state") == "In pre-review"


def test_a_rejected_case_in_english_still_reads_as_a_state(setup, as_user):
    page = desk(setup, as_user, setup.case_in(CaseState.REJECTED), **EN)
    assert badge(page, "case-state") == "Not accepted"
    assert "Reject" not in buttons(page)


def test_window_desk_in_chinese_keeps_the_chinese_actions(setup, as_user):
    page = desk(setup, as_user, setup.case_in(CaseState.SUBMITTED))
    assert "不予受理" in buttons(page) and "受理并分送" in buttons(page)
    assert "受理" in headings(page)
    assert badge(page, "case-state") == "已提交"
    pre_review = desk(setup, as_user, setup.case_in(CaseState.PRE_REVIEW))
    assert "预审通过" in buttons(pre_review)
