"""In Chromium: the QR page says genuine for a real certificate, not genuine for a tampered
upload; the hand-out gives the sealed PDFs and the wallet spares the next upload. Screenshots go to ``ONESTOP_SHOTS`` when set (to look at), else to a temporary
directory."""

from __future__ import annotations

import os
from pathlib import Path

from onestop.cases.models import Case
from onestop.cases.states import CaseState
from onestop.certificates import selectors, services
from onestop.certificates.models import Certificate
from tests.certificates.conftest import FOOD_CODE, LICENCE_KEY, sealed_setup, wallet_item
from tests.certificates.tools import first_page_png
from tests.factories.cases import PDF


def _shots(tmp_path) -> Path:
    out = Path(os.environ.get("ONESTOP_SHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)
    return out


def test_the_qr_page_says_genuine_and_a_tampered_upload_does_not(page, tmp_path):  # noqa: F811
    sealed = sealed_setup()
    setup = sealed.setup
    case = setup.accepted()
    certificate = services.results_issue(task_id=setup.decide(case, "licence").pk)
    with certificate.pdf.open("rb") as f:
        original = f.read()
    tampered = bytearray(original)
    tampered[len(tampered) // 3] ^= 0x01
    copy = tmp_path / "篡改的决定书.pdf"
    copy.write_bytes(bytes(tampered))
    shots = _shots(tmp_path)

    page.goto(f"/certificates/v/{certificate.verify_token}/")
    verdict = page.locator("#certificate .verdict")
    assert verdict.get_attribute("data-genuine") == "true"
    assert "真实有效" in verdict.inner_text()
    facts = page.locator("#certificate .facts").inner_text()
    assert certificate.identifier in facts
    assert "赫山区市场监督管理局" in facts
    assert setup.applicant.name not in page.content()
    page.screenshot(path=str(shots / "certificate-verify-genuine.png"), full_page=True)

    page.set_input_files("#id_file", str(copy))
    page.click("#upload button[type=submit]")
    page.wait_for_load_state()
    result = page.locator("#upload-result .verdict")
    assert result.get_attribute("data-genuine") == "false"
    assert "不是真实有效的证照" in result.inner_text()
    # The certificate itself is still genuine: only the uploaded copy was changed.
    assert page.locator("#certificate .verdict").get_attribute("data-genuine") == "true"
    page.screenshot(path=str(shots / "certificate-verify-tampered.png"), full_page=True)

    good = tmp_path / "原件.pdf"
    good.write_bytes(original)
    page.set_input_files("#id_file", str(good))
    page.click("#upload button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#upload-result .verdict").get_attribute("data-genuine") == "true"


def test_the_hand_out_gives_the_sealed_pdfs_and_the_wallet_spares_the_next_upload(
    transactional_db, login, tmp_path
):
    """The window's 统一出件 lists every result of the case with its sealed PDF (valid under
    pyHanko's validator; page one rendered for the eye); the applicant's case page links the
    QR page, which says genuine; a later 食品经营许可 application takes the 营业执照 from the
    wallet instead of an upload, and the window sees it verified."""
    setup = sealed_setup().setup
    wallet_item(setup)
    case = setup.completed()  # each approval commits: the hook issues its result after commit
    services.results_issue_missing(cases=Case.objects.filter(pk=case.pk))
    certificates = list(Certificate.objects.filter(case=case).order_by("pk"))
    assert len(certificates) == 3
    shots = _shots(tmp_path)

    # 1. The window clerk: 统一出件 lists the three results, each PDF sealed and genuine.
    desk = login(setup.clerk.user.username)
    desk.goto("/desk/window/handout/")
    row = desk.locator(f"#handout-{case.number}")
    links = row.get_by_role("link", name="下载（PDF，已签章）")
    assert links.count() == 3
    licence = next(c for c in certificates if c.identifier)
    assert licence.identifier in row.inner_text()
    row.screenshot(path=str(shots / "handout-results.png"))
    for i in range(3):
        response = desk.request.get(links.nth(i).get_attribute("href"))
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        verdict = selectors.certificate_verify_pdf(response.body())
        assert verdict.genuine, verdict.message
    (shots / "licence.pdf").write_bytes(desk.request.get(links.first.get_attribute("href")).body())
    first_page_png(shots / "licence.pdf", shots / "licence-page1")  # the seal, text, QR
    row.get_by_role("button", name="确认出件").click()
    desk.wait_for_load_state()
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED

    # 2. The applicant: the case page lists the results; 核验真伪 says genuine.
    applicant = login(setup.applicant.user.username)
    applicant.goto(f"/my/cases/{case.number}/")
    results = applicant.locator("ul.results")
    assert licence.identifier in results.inner_text()
    results.locator("li", has_text="营业执照").get_by_role("link", name="核验真伪").click()
    applicant.wait_for_load_state()
    verdict = applicant.locator("#certificate .verdict")
    assert verdict.get_attribute("data-genuine") == "true"

    # 3. The wallet: the next application asks no upload of the 营业执照.
    applicant.goto(f"/items/{FOOD_CODE}/apply/")
    form = applicant.locator("#apply-form")
    assert form.locator(f"input[name='m-{LICENCE_KEY}']").count() == 0
    offered = form.locator(".wallet-licence")
    assert "将使用您的电子证照：营业执照" in offered.inner_text()
    assert offered.get_attribute("data-licence") == licence.identifier
    scan = tmp_path / "申请书.pdf"
    scan.write_bytes(PDF)
    for upload in form.locator("input[type=file]").all():
        upload.set_input_files(str(scan))
    applicant.screenshot(path=str(shots / "apply-with-wallet.png"), full_page=True)
    form.get_by_role("button", name="提交申请").click()
    applicant.wait_for_load_state()
    second = Case.objects.exclude(pk=case.pk).get(applicant=setup.applicant)
    material = second.materials.get(key=LICENCE_KEY)
    assert material.licence_reference == licence.identifier and not material.file

    desk.goto(f"/desk/window/cases/{second.number}/")
    check = desk.locator("[data-licence-ok]", has_text=licence.identifier)
    assert check.get_attribute("data-licence-ok") == "true"
    assert "核验通过" in check.inner_text()
