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


# --- page chrome in English: titles, badges and punctuation around data ---------------------

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff60]")


def title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match
    return _text(match.group(1))


def section(html: str, element_id: str) -> str:
    return html.split(f'id="{element_id}"', 1)[1].split("</section>", 1)[0]


def desk_head(html: str) -> str:
    return _text(html.split('class="desk-head">', 1)[1].split("</div>", 1)[0])


def test_intake_form_in_english_marks_a_commitment_material_as_allowed(setup, as_user):
    from onestop.workbench.views.intake import applicant_token

    params = {
        "a": applicant_token(setup.applicant),
        "package": setup.package.package.code,
        "answered": "1",
        "q_needs_invoice": "false",
    }
    page = as_user(setup.clerk).get(reverse("workbench:intake_apply"), params, **EN)
    html = page.content.decode()
    residence = html.split('id="received_residence_proof"', 1)[1].split("</li>", 1)[0]
    badges = [_text(b) for b in re.findall(r'<span class="badge">(.*?)</span>', residence, re.S)]
    assert badges == ["Commitment allowed"]
    assert "1 copy ·" in _text(residence)
    head = desk_head(html)
    assert f"{setup.applicant.name} (" in head and "Promised: done within 5 working days" in head
    assert not CJK.search(head.replace(setup.applicant.name, "").replace(setup.package.name, ""))


def test_window_pages_in_english_are_titled_acceptance_window(setup, as_user):
    case = setup.case_in(CaseState.SUBMITTED)
    client = as_user(setup.clerk)
    queue = client.get(reverse("workbench:window_queue"), **EN).content.decode()
    assert title(queue) == "Acceptance window · onestop"
    assert desk_head(queue).startswith("Queue")
    assert title(desk(setup, as_user, case, **EN)) == f"{case.number} · Acceptance window · onestop"


def test_window_desk_in_english_has_no_chinese_punctuation_around_the_data(setup, as_user):
    case = setup.submit(materials=setup.without("lease"))
    page = desk(setup, as_user, case, **EN)
    tolerate = _text(page.split('class="tolerate"', 1)[1].split("</label>", 1)[0])
    assert tolerate.endswith("Tolerate: 租赁合同")
    checks = section(page, "correction-form").split("</fieldset>", 1)[0]
    statuses = re.findall(r'<span class="muted small">(.*?)</span>', checks, re.S)
    assert [_text(s) for s in statuses] == ["(Not submitted)"]
    materials = _text(section(page, "materials"))
    assert "Commitment: 本人承诺住所真实、合法、可用。" in materials
    accepted = desk(setup, as_user, setup.case_in(CaseState.IN_PROGRESS), **EN)
    notices = [_text(n) for n in re.findall(r"<a [^>]*data-notice[^>]*>(.*?)</a>", accepted, re.S)]
    assert notices == ["Acceptance notice (PDF)"]


def test_task_page_in_english_reads_the_case_state_days_and_special_procedure(setup, as_user):
    from onestop.cases import services

    case = setup.accepted()
    setup.decide(case, "licence")  # the seal waits for the licence
    task = setup.task(case, "seal")
    officer = setup.officers["seal"]
    services.task_claim(task_id=task.pk, officer=officer)
    services.task_pause(task_id=task.pk, officer=officer, kind="hearing", reason="听证")
    page = as_user(officer).get(reverse("workbench:task", args=[task.pk]), **EN).content.decode()
    assert desk_head(page).endswith("Case state: In progress Jump to actions ↓")
    facts = dict(
        (_text(dt), _text(dd))
        for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", section(page, "task-panel"), re.S)
    )
    assert facts["Promised time"] == "1 working day"
    assert re.fullmatch(r"Hearing: 听证 \(since \d{4}-\d\d-\d\d\)", facts["Special procedure"])


def test_handout_in_english_gives_the_supply_date_in_english(setup, as_user):
    case = setup.tolerated()
    for key in ("licence", "seal", "invoice"):
        setup.decide(case, key)
    page = as_user(setup.clerk).get(reverse("workbench:handout"), **EN).content.decode()
    assert title(page) == "Hand-out · onestop"
    row = _text(page.split(f'id="handout-{case.number}"', 1)[1].split("</tr>", 1)[0])
    assert re.search(r"Tolerated materials missing: 租赁合同 \(due \d{4}-\d\d-\d\d\)", row)
