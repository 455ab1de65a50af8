"""Verification by anyone: the command, the public page (QR), the upload, the JSON API."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.certificates import services
from onestop.certificates.models import Certificate
from onestop.certificates.selectors import certificate_verify_pdf
from onestop.core.masking import mask_name
from tests.factories.accounts import ApplicantFactory, UserFactory


@pytest.fixture
def issued(sealed) -> Certificate:
    setup = sealed.setup
    case = setup.accepted()
    return services.results_issue(task_id=setup.decide(case, "licence").pk)


def _bytes(certificate: Certificate) -> bytes:
    with certificate.pdf.open("rb") as f:
        return f.read()


def _tampered(data: bytes) -> bytes:
    changed = bytearray(data)
    changed[len(changed) // 3] ^= 0x01
    return bytes(changed)


def _file(tmp_path, data: bytes, name: str = "result.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_command_says_genuine_for_an_issued_pdf(issued, tmp_path, capsys):
    call_command("certificates", "verify", str(_file(tmp_path, _bytes(issued))))
    out = capsys.readouterr().out
    assert out.startswith("genuine")
    assert issued.identifier in out


def test_the_command_exits_1_for_a_one_byte_change(issued, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("certificates", "verify", str(_file(tmp_path, _tampered(_bytes(issued)))))
    assert caught.value.returncode == 1
    assert "not genuine" in str(caught.value)


def test_the_command_exits_1_once_the_certificate_is_revoked(issued, sealed, tmp_path):
    services.certificate_revoke(
        certificate_id=issued.pk, actor=sealed.setup.officers["licence"], reason="材料虚假"
    )
    with pytest.raises(CommandError) as caught:
        call_command("certificates", "verify", str(_file(tmp_path, _bytes(issued))))
    assert caught.value.returncode == 1
    assert "revoked" in str(caught.value)


def test_the_command_exits_1_for_a_pdf_the_platform_never_issued(db, tmp_path):
    from onestop.core import pdf

    other = pdf.render([pdf.para("伪造的营业执照")], title="伪造")
    with pytest.raises(CommandError) as caught:
        call_command("certificates", "verify", str(_file(tmp_path, other)))
    assert caught.value.returncode == 1
    with pytest.raises(CommandError):
        call_command("certificates", "verify", str(tmp_path / "missing.pdf"))


def test_the_qr_page_shows_genuine_with_the_holder_masked(issued, client):
    response = client.get(reverse("certificates:verify", args=[issued.verify_token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-genuine="true"' in html
    assert "真实有效" in html
    assert issued.identifier in html
    assert "赫山区市场监督管理局" in html
    assert issued.holder.name not in html
    assert mask_name(issued.holder.name) in html


def test_the_qr_page_says_revoked_after_revocation(issued, sealed, client):
    services.certificate_revoke(
        certificate_id=issued.pk, actor=sealed.setup.officers["licence"], reason="材料虚假"
    )
    html = client.get(reverse("certificates:verify", args=[issued.verify_token])).content.decode()
    assert 'data-genuine="false"' in html
    assert "撤销" in html


def test_an_uploaded_tampered_copy_is_not_genuine(issued, client, tmp_path):
    url = reverse("certificates:verify", args=[issued.verify_token])
    with open(_file(tmp_path, _tampered(_bytes(issued))), "rb") as f:
        response = client.post(url, {"file": f})
    assert response.status_code == 200
    upload = response.content.decode().split('id="upload-result"')[1]
    assert 'data-genuine="false"' in upload
    assert "改动" in upload
    with open(_file(tmp_path, _bytes(issued), "copy.pdf"), "rb") as f:
        genuine = client.post(reverse("certificates:verify_upload"), {"file": f})
    assert 'data-genuine="true"' in genuine.content.decode()


def test_an_upload_that_is_no_pdf_gets_a_message_at_the_field(db, client, tmp_path):
    with open(_file(tmp_path, b"hello", "x.pdf"), "rb") as f:
        response = client.post(reverse("certificates:verify_upload"), {"file": f})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="file-error"' in html and "不是 PDF" in html
    response = client.post(reverse("certificates:verify_upload"), {})
    assert response.status_code == 422
    assert 'id="file-error"' in response.content.decode()


def test_neither_the_identifier_nor_the_id_opens_anything(issued, client):
    assert client.get(f"/certificates/v/{issued.identifier}/").status_code == 404
    assert client.get(f"/certificates/v/{issued.pk}/").status_code == 404
    assert client.get(f"/api/certificates/{issued.pk}").status_code == 404
    assert client.get(f"/api/certificates/{issued.identifier}").status_code == 404


def test_the_api_checks_a_token_and_an_upload(issued, client, tmp_path):
    response = client.get(f"/api/certificates/{issued.verify_token}")
    assert response.status_code == 200
    body = response.json()
    assert body["genuine"] is True and body["state"] == "valid"
    assert body["identifier"] == issued.identifier
    assert body["holder"] == mask_name(issued.holder.name)
    with open(_file(tmp_path, _tampered(_bytes(issued))), "rb") as f:
        response = client.post("/api/certificates/verify", {"file": f})
    assert response.status_code == 200
    assert response.json()["genuine"] is False
    assert response.json()["reason"] == "tampered"


def test_the_api_answers_bad_input_with_problem_json(db, client, tmp_path):
    with open(_file(tmp_path, b"GIF89a", "x.pdf"), "rb") as f:
        response = client.post("/api/certificates/verify", {"file": f})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["field"] == "file"
    missing = client.get("/api/certificates/no-such-token")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/problem+json")


def test_the_pdf_is_for_the_cases_applicant_and_staff_only(issued, sealed, client):
    url = reverse("certificates:pdf", args=[issued.verify_token])
    assert client.get(url).status_code == 404  # anonymous
    stranger = ApplicantFactory(user=UserFactory())
    client.force_login(stranger.user)
    assert client.get(url).status_code == 404
    client.force_login(sealed.setup.applicant.user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == _bytes(issued)


def test_the_qr_page_speaks_english_when_asked(issued, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("certificates:verify", args=[issued.verify_token])).content.decode()
    assert "Genuine and valid" in html
    assert "Certificate verification" in html


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.binary(max_size=400), keywords=st.booleans())
def test_any_upload_gets_a_verdict_never_an_error_and_never_genuine(issued, body, keywords):
    header = b"%PDF-1.7\n"
    if keywords:
        header += b"1 0 obj << /Keywords (onestop-licence:" + issued.identifier.encode() + b") >>\n"
    verdict = certificate_verify_pdf(header + body)
    assert not verdict.genuine
    assert verdict.reason


def test_the_case_results_snippet_links_the_sealed_pdf_and_its_check(issued, sealed):
    from django.template.loader import render_to_string

    from onestop.certificates.selectors import certificates_for_case

    html = render_to_string(
        "certificates/case_results.html", {"results": certificates_for_case(issued.case_id)}
    )
    assert issued.identifier in html
    assert reverse("certificates:pdf", args=[issued.verify_token]) in html
    assert reverse("certificates:verify", args=[issued.verify_token]) in html
    services.certificate_revoke(
        certificate_id=issued.pk, actor=sealed.setup.officers["licence"], reason="材料虚假"
    )
    html = render_to_string(
        "certificates/case_results.html", {"results": certificates_for_case(issued.case_id)}
    )
    assert "此结果已不再有效" in html and "撤销" in html
