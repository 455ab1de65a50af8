"""In Chromium: the QR page says genuine for a real certificate, not genuine for a tampered
upload. Screenshots go to ``ONESTOP_SHOTS`` when set (to look at), else to a temporary
directory."""

from __future__ import annotations

import os
from pathlib import Path

from onestop.certificates import services
from tests.certificates.conftest import sealed_setup


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
