"""Notices (受理通知书 / 补正告知书 / 不予受理通知书) as PDFs: content from the events, access by scope."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from onestop.cases import rating_links, services
from onestop.cases.notices import (
    NoticeKind,
    notice_data,
    notice_kinds_for,
    notice_pdf,
    notice_token,
)
from onestop.core import clock
from onestop.core.errors import NotFound
from onestop.workdays import calendar
from tests.factories.accounts import ApplicantFactory, StaffFactory, UserFactory
from tests.factories.regions import DepartmentFactory

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")


def text_of(pdf: bytes) -> str:
    """The PDF's text (pdftotext, poppler-utils); without it, skip the content checks."""
    if PDFTOTEXT is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    out = subprocess.run(  # noqa: S603 - a fixed local binary on our own bytes
        [PDFTOTEXT, "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return re.sub(r"\s+", "", out.stdout.decode())


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def fetch(client, case, kind):
    return client.get(reverse("cases:notice", args=[case.number, kind]))


def test_acceptance_notice_lists_tolerated_materials_deadline_and_consequence(setup, client):
    case = setup.submit(materials=setup.without("lease"))
    due_on = calendar.deadline(clock.now(), case.promised_days).on
    services.case_accept(case_id=case.pk, clerk=setup.clerk, tolerated={"lease": due_on})
    client.force_login(setup.applicant.user)
    response = fetch(client, case, "accepted")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert pages(pdf) == 1
    text = text_of(pdf)
    assert "受理通知书" in text and case.number in text
    assert setup.applicant.masked_identifier in text
    assert setup.applicant.id_number not in text
    assert "我要开办企业" in text and "赫山区" in text
    assert "租赁合同" in text and f"{due_on.year}年{due_on.month}月{due_on.day}日" in text
    assert "终止办理" in text
    assert "5个工作日" in text and "承诺办结日期" in text
    assert f"/cases/verify/{notice_token(case, 'accepted')}/" in text  # beside the QR code
    assert f"/cases/{case.number}/" not in text


def test_correction_notice_lists_every_material_at_once_with_the_note(setup, client):
    case = setup.submit()
    services.case_request_correction(
        case_id=case.pk,
        clerk=setup.clerk,
        missing=["lease", "id_card"],
        note="租赁合同缺少出租方签字页",
    )
    client.force_login(setup.clerk.user)
    text = text_of(fetch(client, case, "correction").content)
    assert "补正告知书" in text and "一次性告知" in text
    assert "租赁合同" in text and "居民身份证" in text
    assert "租赁合同缺少出租方签字页" in text


def test_rejection_notice_gives_the_reason_and_the_remedies(setup, client):
    case = setup.submit()
    services.case_reject(case_id=case.pk, clerk=setup.clerk, reason="申请事项不属于本机关职权范围")
    client.force_login(setup.applicant.user)
    text = text_of(fetch(client, case, "rejected").content)
    assert "不予受理通知书" in text and "申请事项不属于本机关职权范围" in text
    assert "行政复议" in text and "行政诉讼" in text


def test_notice_data_comes_from_the_events(setup):
    case = setup.submit(materials=setup.without("lease"))
    assert notice_kinds_for(case) == []
    with pytest.raises(NotFound):
        notice_data(case, NoticeKind.ACCEPTED, verify_url="https://x/")
    services.case_request_correction(case_id=case.pk, clerk=setup.clerk, missing=["lease"])
    data = notice_data(case, "correction", verify_url="https://x/")
    assert data.materials == ["租赁合同"]
    assert notice_kinds_for(case) == [NoticeKind.CORRECTION]
    assert notice_pdf(data).startswith(b"%PDF")


def test_a_notice_the_case_does_not_have_is_404(setup, client):
    case = setup.submit()
    client.force_login(setup.applicant.user)
    assert fetch(client, case, "accepted").status_code == 404
    assert fetch(client, case, "certificate").status_code == 404


def test_viewers_out_of_scope_get_404_and_anonymous_logs_in(setup, client):
    case = setup.submit()
    services.case_reject(case_id=case.pk, clerk=setup.clerk, reason="不属于本地管辖")
    assert fetch(client, case, "rejected").status_code == 302
    client.force_login(ApplicantFactory(user=UserFactory()).user)
    assert fetch(client, case, "rejected").status_code == 404
    stranger = StaffFactory(officer=True, department=DepartmentFactory(region=setup.county))
    client.force_login(stranger.user)
    assert fetch(client, case, "rejected").status_code == 404
    client.force_login(UserFactory())  # a login with neither profile
    assert fetch(client, case, "rejected").status_code == 404


def test_staff_in_scope_may_download(setup, client):
    case = setup.accepted()
    client.force_login(setup.officers["licence"].user)
    assert fetch(client, case, "accepted").status_code == 200


def test_verification_page_is_public_with_the_token_and_masks_the_name(setup, client):
    case = setup.accepted()
    url = reverse("cases:verify", args=[notice_token(case, "accepted")])
    body = client.get(url).content.decode()
    assert case.number in body and "真实有效" in body and "办理中" in body
    assert "受理通知书" in body
    assert setup.applicant.name not in body
    assert client.get(f"/cases/{case.number}/").status_code == 404


def test_the_hand_out_receipt_says_what_was_handed_out_and_when(setup, client, monkeypatch):
    monkeypatch.setattr(rating_links, "_providers", [])  # the engine alone: no rating code
    case = setup.completed()
    services.case_hand_out(case_id=case.pk, clerk=setup.clerk, note="申请人本人领取")
    assert notice_kinds_for(case) == [NoticeKind.ACCEPTED, NoticeKind.HANDED_OUT]
    client.force_login(setup.applicant.user)
    pdf = fetch(client, case, "handed_out").content
    assert pages(pdf) == 1
    text = text_of(pdf)
    today = clock.today()
    assert "出件回执" in text and case.number in text and "我要开办企业" in text
    assert "准予许可" in text and "申请人本人领取" in text
    assert f"出件日期{today.year}年{today.month}月{today.day}日" in text
    assert setup.applicant.id_number not in text
    assert f"/cases/verify/{notice_token(case, 'handed_out')}/" in text
    assert "扫码核验本出件回执" in text  # the caption names the paper it is on
    assert "扫码评价本次服务" not in text
    client.logout()
    url = reverse("cases:verify", args=[notice_token(case, "handed_out")])
    assert "出件回执" in client.get(url).content.decode()


def test_a_case_not_handed_out_has_no_receipt(setup, client):
    case = setup.completed()
    client.force_login(setup.clerk.user)
    assert fetch(client, case, "handed_out").status_code == 404
