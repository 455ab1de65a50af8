"""Walk-in intake: find or register the applicant, choose the package, answer, fill, tick."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onestop.accounts.models import Applicant
from onestop.cases.models import Case
from onestop.cases.states import CaseState, Channel, MaterialStatus
from onestop.workbench.views.intake import applicant_token
from tests.factories.accounts import StaffFactory, make_resident_id
from tests.factories.cases import PDF

pytestmark = pytest.mark.django_db


def apply_url(setup, applicant, **extra):
    params = {"a": applicant_token(applicant), "package": setup.package.package.code}
    params.update(extra)
    return reverse("workbench:intake_apply"), params


def form_post(setup, applicant, **extra):
    data = {
        "a": applicant_token(applicant),
        "package": setup.package.package.code,
        "answered": "1",
        "q_needs_invoice": "true",
        "idempotency_key": "walk-in-1",
        "f_company_name": "益阳市赫山区好味道餐饮有限公司",
        "f_legal_person_id": make_resident_id(7, "430903"),
        "f_phone": "13807371234",
        "received_id_card": "on",
        "received_residence_proof": "on",
        "commit_residence_proof": "on",
    }
    data.update(extra)
    return data


def test_finding_an_applicant_by_id_number_offers_the_packages(setup, as_user):
    client = as_user(setup.clerk)
    found = client.post(
        reverse("workbench:intake"), {"identifier": setup.applicant.identifier.lower()}
    )
    assert setup.applicant.id_number not in found.url  # no ID number in a URL
    body = client.get(found.url).content.decode()
    assert setup.applicant.name in body and "我要开办企业" in body
    assert setup.applicant.id_number not in body


def test_an_unknown_applicant_is_registered_on_the_spot_with_messages_by_the_fields(setup, as_user):
    client = as_user(setup.clerk)
    unknown = make_resident_id(42, "430903")
    page = client.post(reverse("workbench:intake"), {"identifier": unknown}).content.decode()
    assert "未找到该申请人" in page and unknown in page
    bad = client.post(
        reverse("workbench:intake"),
        {"step": "register", "kind": "person", "name": "李四", "id_number": unknown, "phone": "1"},
    ).content.decode()
    phone_at = bad.index('name="phone"')
    assert 'role="alert"' in bad[phone_at : phone_at + 300]
    done = client.post(
        reverse("workbench:intake"),
        {
            "step": "register",
            "kind": "person",
            "name": "李四",
            "id_number": unknown,
            "phone": "13807371111",
        },
        follow=True,
    ).content.decode()
    assert "已登记申请人李四" in done and "我要开办企业" in done
    assert Applicant.objects.filter(id_number=unknown).exists()


def test_the_questions_decide_the_form_and_the_materials(setup, as_user):
    client = as_user(setup.clerk)
    url, params = apply_url(setup, setup.applicant)
    assert "是否需要申领发票？" in client.get(url, params).content.decode()
    unanswered = client.get(url, {**params, "answered": "1"}).content.decode()
    assert "请回答情形问题" in unanswered
    page = client.get(url, {**params, "answered": "1", "q_needs_invoice": "false"})
    body = page.content.decode()
    assert "企业名称" in body and "租赁合同" in body and "发票申领" not in body
    assert "免提交" in body  # the business licence is fetched, not asked for


def test_a_clerk_enters_a_case_with_a_scan_and_paper_materials_once(setup, as_user):
    client = as_user(setup.clerk)
    url, _ = apply_url(setup, setup.applicant)
    data = form_post(setup, setup.applicant)
    data["scan_id_card"] = SimpleUploadedFile("id.pdf", PDF, content_type="application/pdf")
    response = client.post(url, data)
    case = Case.objects.get()
    assert response.url == reverse("workbench:window_case", args=[case.number])
    assert case.state == CaseState.SUBMITTED
    assert case.channel == Channel.HALL_WINDOW
    assert case.created_by == setup.clerk.user
    statuses = dict(case.materials.values_list("key", "status"))
    assert statuses["id_card"] == MaterialStatus.SUBMITTED
    assert statuses["residence_proof"] == MaterialStatus.COMMITMENT_SIGNED
    assert statuses["lease"] == MaterialStatus.MISSING  # not ticked: 容缺 at acceptance
    # a double click / reload with the same key makes no second case
    data["scan_id_card"] = SimpleUploadedFile("id.pdf", PDF, content_type="application/pdf")
    client.post(url, data)
    assert Case.objects.count() == 1


def test_a_paper_material_without_a_scan_is_recorded_as_its_original_seen(setup, as_user):
    client = as_user(setup.clerk)
    url, _ = apply_url(setup, setup.applicant)
    response = client.post(url, form_post(setup, setup.applicant, received_lease="on"))
    case = Case.objects.get()
    lease = case.materials.get(key="lease")
    assert lease.status == MaterialStatus.ORIGINAL_VERIFIED
    assert not lease.file  # no forged receipt: the original was seen, nothing uploaded
    page = client.get(response["Location"]).content.decode()
    assert "原件已核验" in page


def test_form_errors_appear_next_to_the_field(setup, as_user):
    client = as_user(setup.clerk)
    url, _ = apply_url(setup, setup.applicant)
    body = client.post(url, form_post(setup, setup.applicant, f_phone="12345")).content.decode()
    assert "联系电话" in body
    field_at = body.index('name="f_phone"')
    assert "“联系电话”" in body[field_at : field_at + 800]
    assert Case.objects.count() == 0


def test_an_agent_enters_for_a_villager_with_an_authorisation(setup, as_user):
    agent = StaffFactory(agent=True, region=setup.county, name="帮代办员")
    client = as_user(agent)
    url, _ = apply_url(setup, setup.applicant)
    _, params = apply_url(setup, setup.applicant, answered="1", q_needs_invoice="true")
    form = client.get(url, params).content.decode()
    assert "授权委托书编号" in form
    missing = client.post(url, form_post(setup, setup.applicant)).content.decode()
    assert "请填写代办授权" in missing
    response = client.post(
        url, form_post(setup, setup.applicant, agent_authorisation="授权委托书 FR-001")
    )
    assert response.url == reverse("workbench:intake")
    case = Case.objects.get()
    assert case.agent == agent and case.channel == Channel.VILLAGE_CENTRE
    listed = client.get(reverse("workbench:intake")).content.decode()
    assert case.number in listed
