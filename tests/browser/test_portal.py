"""The applicant portal in Chromium: guide, PDF, applying once, my cases."""

from __future__ import annotations

import pytest

from onestop.cases.models import Case
from onestop.cases.states import MaterialStatus
from onestop.demo.loader import demo_load

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
OPEN_BUSINESS = "4309YJS0101"


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    return demo_load()


def pdf_file(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def answer(page, key: str, value: str) -> None:
    page.check(f"input[name='a-{key}'][value='{value}']")


def test_guide_changes_without_reload_and_downloads_as_pdf(demo, phone_page):
    page = phone_page
    page.goto(f"/packages/{OPEN_BUSINESS}/")
    page.evaluate("window.__sameDocument = true")
    answer(page, "enterprise_type", "company")
    answer(page, "needs_seal", "yes")
    answer(page, "needs_invoices", "no")
    answer(page, "sells_food", "no")
    answer(page, "hires_staff", "no")
    guide = page.locator("#guide")
    guide.get_by_text("申请材料（已合并去重）").wait_for()
    assert "食品经营许可" not in guide.inner_text()
    answer(page, "sells_food", "yes")
    guide.get_by_text("食品经营许可申请书").wait_for()
    assert page.evaluate("window.__sameDocument") is True  # no full reload
    assert "sells_food=yes" in page.url  # the answers are in the address (shareable)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 PDF").click()
    download = download_info.value
    assert download.suggested_filename == "我要开办企业-一次告知书.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_apply_with_a_tolerable_material_missing_and_a_double_click(demo, login):
    page = login("enterprise", "onestop-demo")
    page.goto(f"/packages/{OPEN_BUSINESS}/")
    answer(page, "enterprise_type", "company")
    answer(page, "needs_seal", "yes")
    answer(page, "needs_invoices", "no")
    answer(page, "sells_food", "no")
    answer(page, "hires_staff", "no")
    page.locator("#guide").get_by_role("link", name="在线申请").click()
    page.wait_for_url("**/apply/**")
    page.fill("#id-f-registered_capital", "50")
    page.fill("#id-f-business_scope", "餐饮服务")
    page.select_option("#id-f-seal_kinds", "basic")
    page.set_input_files("input[name='m-company_registration_form']", pdf_file("申请书.pdf"))
    page.set_input_files("input[name='m-articles_of_association']", pdf_file("章程.pdf"))
    page.set_input_files("input[name='m-seal_application']", pdf_file("印章.pdf"))
    page.check("input[name='c-lease_contract']")  # 告知承诺 instead of the lease contract
    # officer_appointment (可容缺后补) stays missing.
    before = Case.objects.filter(applicant__user__username="enterprise").count()
    page.dblclick("button[type=submit]")
    page.wait_for_url("**/my/cases/**")
    assert Case.objects.filter(applicant__user__username="enterprise").count() == before + 1
    case = Case.objects.filter(applicant__user__username="enterprise").latest("pk")
    assert case.materials.get(key="officer_appointment").status == MaterialStatus.MISSING
    assert "申请已提交" in page.locator(".messages").inner_text()
    assert "提交申请" in page.locator(".timeline").inner_text()
    page.goto("/my/cases/")
    row = page.locator(".case-row", has_text=case.number)
    assert "预审中" in row.inner_text()
    row.get_by_role("link").click()
    page.wait_for_url(f"**/my/cases/{case.number}/")
    assert "综合受理窗口" in page.locator("main").inner_text()


def test_apply_errors_are_shown_next_to_the_fields(demo, login):
    page = login("enterprise", "onestop-demo", viewport={"width": 390, "height": 844})
    query = (
        "a-enterprise_type=sole&a-needs_seal=no&a-needs_invoices=no"
        "&a-sells_food=no&a-hires_staff=no"
    )
    page.goto(f"/packages/{OPEN_BUSINESS}/apply/?{query}")
    page.fill("#id-f-contact_phone", "123")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#field-contact_phone .error").is_visible()
    assert page.locator("#field-business_scope .error").inner_text() == "此项为必填项。"
    assert page.locator("#material-company_registration_form .error").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing overflows the phone screen


def test_save_a_draft_come_back_later_and_submit_it(demo, login):
    page = login("enterprise", "onestop-demo", viewport={"width": 390, "height": 844})
    query = (
        "a-enterprise_type=company&a-needs_seal=yes&a-needs_invoices=no"
        "&a-sells_food=no&a-hires_staff=no"
    )
    page.goto(f"/packages/{OPEN_BUSINESS}/apply/?{query}")
    page.fill("#id-f-registered_capital", "50")
    page.fill("#id-f-business_scope", "餐饮服务")
    page.set_input_files("input[name='m-company_registration_form']", pdf_file("申请书.pdf"))
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**draft=**")
    assert "草稿已保存" in page.locator(".messages").inner_text()
    draft = Case.objects.get(state="draft")
    assert draft.number is None
    assert "草稿中已保存文件" in page.locator("#material-company_registration_form").inner_text()

    page.goto("/my/cases/")
    row = page.locator(".draft-row")
    assert "我要开办企业" in row.inner_text()
    row.get_by_role("link", name="继续填写").click()
    page.wait_for_url("**draft=**")
    assert page.input_value("#id-f-business_scope") == "餐饮服务"  # kept from last time
    page.select_option("#id-f-seal_kinds", "basic")
    # the application form was kept in the draft: not chosen again
    page.set_input_files("input[name='m-articles_of_association']", pdf_file("章程.pdf"))
    page.set_input_files("input[name='m-seal_application']", pdf_file("印章.pdf"))
    page.check("input[name='c-lease_contract']")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/my/cases/**")
    case = Case.objects.get(pk=draft.pk)
    assert case.number and case.state == "pre_review"
    assert case.materials.get(key="company_registration_form").status == "submitted"
    assert "申请已提交" in page.locator(".messages").inner_text()
    page.goto("/my/cases/")
    assert page.locator(".draft-row").count() == 0


def test_deleting_a_draft_asks_first_and_a_no_keeps_it(demo, login):
    page = login("enterprise", "onestop-demo")
    query = (
        "a-enterprise_type=company&a-needs_seal=yes&a-needs_invoices=no"
        "&a-sells_food=no&a-hires_staff=no"
    )
    page.goto(f"/packages/{OPEN_BUSINESS}/apply/?{query}")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**draft=**")
    page.goto("/my/cases/")

    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="删除草稿").click()
    page.wait_for_timeout(300)
    assert asked == ["确定删除这份草稿吗？删除后不能恢复。"]
    assert page.locator(".draft-row").count() == 1

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="删除草稿").click()
    page.wait_for_load_state()
    page.wait_for_selector(".draft-row", state="detached")
    assert Case.objects.filter(state="draft").count() == 0
