"""The acceptance window: queue, one case's desk, accept (容缺), correction, rejection, pre-review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onestop.cases.states import CaseState, Channel, MaterialStatus

pytestmark = pytest.mark.django_db


def desk(case):
    return reverse("workbench:window_case", args=[case.number])


def test_queue_lists_waiting_cases_oldest_first_with_the_applicant_masked(setup, as_user):
    first = setup.submit()
    second = setup.submit(channel=Channel.ONLINE)
    setup.accepted()  # not waiting any more
    page = as_user(setup.clerk).get(reverse("workbench:window_queue")).content.decode()
    assert page.index(first.number) < page.index(second.number)
    assert "预审中" in page and "已提交" in page
    assert setup.applicant.id_number not in page
    assert setup.applicant.masked_identifier in page
    assert page.count("/desk/window/cases/") == 4  # two rows, two links each


def test_case_desk_shows_answers_form_and_materials_by_their_labels(setup, as_user):
    case = setup.submit(materials=setup.without("lease"))
    page = as_user(setup.clerk).get(desk(case)).content.decode()
    assert "是否需要申领发票？" in page and "是" in page
    assert "企业名称" in page and "益阳市赫山区好味道餐饮有限公司" in page
    assert "租赁合同" in page and "未提交" in page
    assert "本人承诺住所真实" in page  # the signed commitment
    assert reverse("workbench:material_file", args=[case.number, "id_card"]) in page
    assert setup.applicant.phone not in page


def test_accepting_with_a_tolerated_material_starts_the_clock_and_offers_the_notice(setup, as_user):
    case = setup.submit(materials=setup.without("lease"))
    client = as_user(setup.clerk)
    page = client.get(desk(case)).content.decode()
    assert 'name="tolerated" value="lease"' in page
    latest = page.split('name="due_lease" value="')[1][:10]
    response = client.post(
        reverse("workbench:window_accept", args=[case.number]),
        {"tolerated": ["lease"], "due_lease": latest},
        follow=True,
    )
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS
    lease = case.materials.get(key="lease")
    assert lease.status == MaterialStatus.TOLERATED_MISSING
    assert lease.supplement_due_on == dt.date.fromisoformat(latest)
    body = response.content.decode()
    assert "已受理" in body
    assert reverse("cases:notice", args=[case.number, "accepted"]) in body


def test_accepting_without_a_missing_material_tolerated_says_what_is_missing(setup, as_user):
    case = setup.submit(materials=setup.without("lease"))
    response = as_user(setup.clerk).post(reverse("workbench:window_accept", args=[case.number]), {})
    assert response.status_code == 200
    assert "以下材料未提交，不能受理：租赁合同" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_a_supplement_date_after_the_promised_date_is_refused_next_to_the_material(setup, as_user):
    case = setup.submit(materials=setup.without("lease"))
    response = as_user(setup.clerk).post(
        reverse("workbench:window_accept", args=[case.number]),
        {"tolerated": ["lease"], "due_lease": "2099-01-01"},
    )
    body = response.content.decode()
    assert "超过了承诺办结期限" in body
    assert body.index("超过了承诺办结期限") > body.index('name="due_lease"')


def test_correction_lists_every_ticked_material_once(setup, as_user):
    case = setup.submit()
    response = as_user(setup.clerk).post(
        reverse("workbench:window_correction", args=[case.number]),
        {"missing": ["lease", "id_card"], "note": "租赁合同缺少签字页；身份证复印件不清晰"},
        follow=True,
    )
    case.refresh_from_db()
    assert case.state == CaseState.CORRECTION_REQUESTED
    assert [m["key"] for m in case.correction_notice["materials"]] == ["lease", "id_card"]
    assert reverse("cases:notice", args=[case.number, "correction"]) in response.content.decode()


def test_correction_with_nothing_ticked_is_explained(setup, as_user):
    case = setup.submit()
    response = as_user(setup.clerk).post(
        reverse("workbench:window_correction", args=[case.number]), {}
    )
    assert "请列出需要补正的材料" in response.content.decode()


def test_rejection_needs_a_reason_and_produces_its_notice(setup, as_user):
    case = setup.submit()
    client = as_user(setup.clerk)
    empty = client.post(reverse("workbench:window_reject", args=[case.number]), {"reason": " "})
    assert "请填写不予受理的理由" in empty.content.decode()
    done = client.post(
        reverse("workbench:window_reject", args=[case.number]),
        {"reason": "申请事项不属于本机关职权范围"},
        follow=True,
    )
    case.refresh_from_db()
    assert case.state == CaseState.REJECTED
    assert reverse("cases:notice", args=[case.number, "rejected"]) in done.content.decode()


def test_an_online_case_passes_pre_review_into_the_queue(setup, as_user):
    case = setup.submit(channel=Channel.ONLINE)
    client = as_user(setup.clerk)
    assert "预审通过" in client.get(desk(case)).content.decode()
    client.post(reverse("workbench:window_pre_review", args=[case.number]))
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_acting_twice_is_a_message_not_a_500(setup, as_user):
    case = setup.submit()
    client = as_user(setup.clerk)
    url = reverse("workbench:window_accept", args=[case.number])
    client.post(url)
    again = client.post(url)
    assert again.status_code == 200
    assert "不能受理" in again.content.decode()


def test_material_file_is_served_to_the_clerk(setup, as_user):
    case = setup.submit()
    response = as_user(setup.clerk).get(
        reverse("workbench:material_file", args=[case.number, "id_card"])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_window_speaks_english_when_asked(setup, as_user, settings):
    client = as_user(setup.clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("workbench:window_queue")).content.decode()
    assert 'lang="en"' in page
    assert "Queue" in page and "Walk-in intake" in page and "No cases waiting." in page


def test_a_case_waiting_for_correction_may_still_be_rejected(setup, as_user):
    case = setup.case_in(CaseState.CORRECTION_REQUESTED)
    client = as_user(setup.clerk)
    page = client.get(desk(case)).content.decode()
    assert 'id="reject-form"' in page and 'id="accept-form"' not in page
    client.post(reverse("workbench:window_reject", args=[case.number]), {"reason": "逾期未补正"})
    case.refresh_from_db()
    assert case.state == CaseState.REJECTED
