"""The whole flow in Chromium on the demo data: 我要开办企业 from application to hand-out,
a correction round trip and a rejection. Department actions happen without a page reload."""

from __future__ import annotations

import re
import shutil
import subprocess

from django.core.files.uploadedfile import SimpleUploadedFile

from onestop.accounts.models import Applicant, ApplicantKind, Staff
from onestop.cases import services
from onestop.cases.models import Case
from onestop.cases.services import MaterialInput
from onestop.cases.states import CaseState, MaterialStatus, TaskState
from onestop.catalog.selectors import package_version_by_code
from onestop.demo.cases import _FORM_VALUES as FORM_VALUES
from onestop.demo.cases import application
from onestop.demo.data.catalog import OPEN_BUSINESS
from onestop.demo.data.people import DEMO_PASSWORD, ENTERPRISES
from onestop.demo.loader import demo_load
from tests.browser_fixtures import PHONE

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
COMPANY = {
    "enterprise_type": "company",
    "needs_seal": True,
    "needs_invoices": True,
    "sells_food": False,
    "hires_staff": False,
}
OFFICERS = {"market": "officer_market", "police": "officer_police", "tax": "officer_tax"}


def expect():
    from playwright.sync_api import expect as _expect

    return _expect


def pdf_text(pdf: bytes) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        return ""
    out = subprocess.run([tool, "-", "-"], input=pdf, capture_output=True, check=True)  # noqa: S603
    return re.sub(r"\s+", "", out.stdout.decode())


def enterprise() -> Applicant:
    return Applicant.objects.get(kind=ApplicantKind.ENTERPRISE, uscc=ENTERPRISES[0].uscc)


def apply_on_the_portal(login, tmp_path, *, leave_out: str) -> Case:
    """The applicant answers the situation questions and applies online on a phone."""
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF)
    page = login(ENTERPRISES[0].username, DEMO_PASSWORD, PHONE)
    page.goto(f"/packages/{OPEN_BUSINESS.code}/")
    for key, value in COMPANY.items():
        choice = value if isinstance(value, str) else ("yes" if value else "no")
        page.check(f"#q-{key} input[value={choice}]")
    apply_link = page.locator("a.button.primary", has_text="在线申请")
    expect()(apply_link).to_be_visible()
    apply_link.click()
    page.wait_for_load_state()
    form = page.locator("#apply-form")
    for field in form.locator(".field").all():
        key = field.get_attribute("id").removeprefix("field-")
        control = field.locator("input, select, textarea").first
        if control.input_value():
            continue
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(index=1)
        else:
            control.fill(str(FORM_VALUES[key]))
    for material in form.locator("li.material").all():
        key = material.get_attribute("id").removeprefix("material-")
        if key == leave_out or material.locator("input[type=file]").count() == 0:
            continue
        commit = material.locator("input[type=checkbox]")
        if commit.count():
            commit.check()
        else:
            material.locator("input[type=file]").set_input_files(str(scan))
    before = set(Case.objects.values_list("pk", flat=True))
    form.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    expect()(page.locator("main")).not_to_contain_text("请上传")
    created = Case.objects.exclude(pk__in=before)
    assert created.count() == 1, page.locator("main").inner_text()
    return created.get()


def apply_at_window(*, key: str) -> Case:
    applicant = enterprise()
    return services.case_intake(
        staff=Staff.objects.get(user__username="clerk"),
        applicant=applicant,
        idempotency_key=key,
        **application(
            package_version_by_code(OPEN_BUSINESS.code), applicant=applicant, answers=COMPANY
        ),
    )


def open_case(page, case: Case) -> None:
    page.goto("/desk/window/")
    page.click(f"text={case.number}")
    page.wait_for_load_state()
    expect()(page.locator("h1")).to_contain_text("我要开办企业")


def notice_pdf(page, kind: str) -> bytes:
    link = page.locator(f"a[data-notice={kind}]")
    expect()(link).to_be_visible()
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    body = response.body()
    assert body.startswith(b"%PDF")
    return body


def test_open_a_business_from_application_to_hand_out(
    login, live_server, transactional_db, tmp_path
):
    demo_load()
    case = apply_on_the_portal(login, tmp_path, leave_out="officer_appointment")
    assert case.state == CaseState.PRE_REVIEW
    assert case.materials.get(key="officer_appointment").status == MaterialStatus.MISSING

    # The clerk pre-reviews, then accepts with the appointment papers tolerated (容缺).
    clerk = login("clerk", DEMO_PASSWORD)
    assert clerk.url.endswith("/desk/window/")
    open_case(clerk, case)
    clerk.click("#pre-review-form button")
    expect()(clerk.locator("#case-state")).to_have_text("已提交")
    clerk.check("#accept-form input[name=tolerated][value=officer_appointment]")
    clerk.click("#accept-form button[type=submit]")
    expect()(clerk.locator("[role=status]").first).to_contain_text("已受理")
    text = pdf_text(notice_pdf(clerk, "accepted"))
    if text:
        assert "受理通知书" in text and "任职文件" in text and "终止办理" in text
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS
    assert case.materials.get(key="officer_appointment").status == MaterialStatus.TOLERATED_MISSING

    # Each department's officer claims and approves in the browser, without a reload.
    order = ["market", "police", "tax"]
    while True:
        ready = case.tasks.filter(state=TaskState.READY).select_related("department")
        kinds = [t.department.kind for t in ready]
        kind = next((k for k in order if k in kinds), None)
        if kind is None:
            break
        officer = login(OFFICERS[kind], DEMO_PASSWORD)
        assert officer.url.endswith("/desk/inbox/")
        for task in case.tasks.filter(state=TaskState.READY, department__kind=kind):
            officer.goto("/desk/inbox/")
            officer.evaluate("window.__same_page = true")
            row = officer.locator(f"#task-row-{task.pk}")
            row.locator("button", has_text="认领").click()
            expect()(row).to_contain_text("我承办")
            assert officer.evaluate("window.__same_page") is True  # swapped, not reloaded
            row.locator("a", has_text="办理").click()
            officer.wait_for_load_state()
            officer.evaluate("window.__same_page = true")
            officer.fill("#opinion", "材料齐全，符合法定条件，准予办理。")
            officer.click("#decide-form button.primary")
            expect()(officer.locator("#task-state")).to_have_attribute("data-state", "approved")
            expect()(officer.locator("#task-panel")).to_contain_text("已作出通过决定")
            assert officer.evaluate("window.__same_page") is True
    case.refresh_from_db()
    assert case.state == CaseState.COMPLETED

    # Hand-out waits for the tolerated material; the applicant supplies it; the clerk hands out.
    clerk.goto("/desk/window/handout/")
    row = clerk.locator(f"#handout-{case.number}")
    expect()(row).to_contain_text("容缺材料待补")
    row.locator("button").click()
    expect()(clerk.locator(".msg-error")).to_contain_text("容缺材料尚未补齐")
    services.case_supply_tolerated(
        case_id=case.pk,
        key="officer_appointment",
        material=MaterialInput(
            key="officer_appointment",
            file=SimpleUploadedFile("appointment.pdf", PDF, content_type="application/pdf"),
        ),
        by=enterprise(),
    )
    clerk.goto("/desk/window/handout/")
    clerk.locator(f"#handout-{case.number} button").click()
    expect()(clerk.locator(".msg-success")).to_contain_text("已出件")
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED

    # The applicant sees the case delivered on the portal.
    applicant = login(ENTERPRISES[0].username, DEMO_PASSWORD)
    response = applicant.goto(f"/my/cases/{case.number}/")
    assert response.status == 200
    expect()(applicant.locator("main")).to_contain_text("已送达")


def test_correction_round_trip(login, live_server, transactional_db):
    demo_load()
    case = apply_at_window(key="flow-correction")
    clerk = login("clerk", DEMO_PASSWORD)
    open_case(clerk, case)
    form = clerk.locator("#correction-form")
    form.locator("input[value=company_registration_form]").check()
    form.locator("input[value=seal_application]").check()
    form.locator("textarea[name=note]").fill("登记申请书缺少法定代表人签字；刻章申请表未盖章。")
    form.locator("button").click()
    expect()(clerk.locator("#case-state")).to_have_text("待补正")
    text = pdf_text(notice_pdf(clerk, "correction"))
    names = dict(case.materials.values_list("key", "name"))
    if text:
        assert re.sub(r"\s+", "", names["company_registration_form"]) in text
        assert re.sub(r"\s+", "", names["seal_application"]) in text
        assert "登记申请书缺少法定代表人签字" in text
    services.case_supplement(
        case_id=case.pk,
        by=enterprise(),
        materials=[
            MaterialInput(key=k, file=SimpleUploadedFile(f"{k}.pdf", PDF, "application/pdf"))
            for k in ("company_registration_form", "seal_application")
        ],
    )
    clerk.goto("/desk/window/")
    expect()(clerk.locator("#window-queue")).to_contain_text(case.number)
    open_case(clerk, case)
    clerk.click("#accept-form button[type=submit]")
    expect()(clerk.locator("[role=status]").first).to_contain_text("已受理")
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS


def test_rejection_with_a_reason(login, live_server, transactional_db):
    demo_load()
    case = apply_at_window(key="flow-rejection")
    clerk = login("clerk", DEMO_PASSWORD)
    open_case(clerk, case)
    clerk.click("#reject-form button")
    expect()(clerk.locator("#reject-form [role=alert]")).to_contain_text("请填写不予受理的理由")
    clerk.fill("#reject-reason", "拟设立企业名称与已登记企业名称相同，不符合法定条件。")
    clerk.click("#reject-form button")
    expect()(clerk.locator("#case-state")).to_have_text("不予受理")
    text = pdf_text(notice_pdf(clerk, "rejected"))
    if text:
        assert "拟设立企业名称与已登记企业名称相同" in text and "行政复议" in text
    case.refresh_from_db()
    assert case.state == CaseState.REJECTED
