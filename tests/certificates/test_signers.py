"""The two signers: PAdES valid for pyHanko and poppler's pdfsig; SM2 fails on any change."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from asn1crypto import x509 as ax509
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from onestop.certificates import keys, services, signers
from onestop.certificates.selectors import certificate_verify_pdf
from onestop.certificates.states import SealKind
from onestop.core import clock
from onestop.core import pdf as core_pdf
from tests.certificates.tools import pdfsig


def _document() -> bytes:
    return core_pdf.render([core_pdf.para("准予许可决定书：测试正文。")], title="测试")


def _material(setup, algorithm=keys.ECDSA_P256) -> signers.SealMaterial:
    seal = services.seal_create(
        department=setup.departments["licence"], kind=SealKind.APPROVAL, algorithm=algorithm
    )
    return services.seal_material(seal)


def _flip(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)


@pytest.mark.parametrize("algorithm", [keys.ECDSA_P256, keys.RSA_2048])
def test_a_pades_signature_validates_with_pyhanko_against_the_platform_ca(setup, algorithm):
    signed = signers.PadesSigner().sign(_document(), _material(setup, algorithm), reason="测试")
    embedded = PdfFileReader(io.BytesIO(signed.pdf)).embedded_signatures[0]
    root = ax509.Certificate.load(
        keys.platform_ca().certificate.public_bytes(serialization.Encoding.DER)
    )
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[root]))
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert signers.pades_check(signed.pdf).ok


@pytest.mark.parametrize("algorithm", [keys.ECDSA_P256, keys.RSA_2048])
def test_pdfsig_says_the_signature_is_valid(setup, algorithm, tmp_path):
    signed = signers.PadesSigner().sign(_document(), _material(setup, algorithm), reason="测试")
    report = pdfsig(signed.pdf, tmp_path)
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report
    assert "CN=" in report and "行政审批专用章" in report


def test_pdfsig_and_pyhanko_refuse_a_changed_byte(setup, tmp_path):
    signed = signers.PadesSigner().sign(_document(), _material(setup), reason="测试")
    tampered = _flip(signed.pdf, 400)  # inside the page content, covered by the signature
    assert "Signature is Valid." not in pdfsig(tampered, tmp_path)
    check = signers.pades_check(tampered)
    assert check.signed and not check.ok


def test_a_foreign_ca_is_not_trusted(setup, tmp_path, settings):
    material = _material(setup)
    signed = signers.PadesSigner().sign(_document(), material, reason="测试")
    settings.ONESTOP_CERTIFICATES_KEY_DIR = str(tmp_path / "other-keys")  # another platform
    check = signers.pades_check(signed.pdf)
    assert check.intact and not check.trusted and not check.ok


def test_an_sm2_ses_signature_verifies(setup):
    document = _document()
    signed = signers.Sm2Signer().sign(document, _material(setup), reason="测试")
    assert signed.pdf == document  # stored beside it, not inside
    check = signers.ses_check(signed.sm2_signature, document)
    assert check.ok, check.problem
    assert check.seal_name.endswith("行政审批专用章")
    ses = signers.SesSignature.load(signed.sm2_signature)
    assert ses["signature_alg_id"].dotted == keys.SM2_WITH_SM3
    assert ses["to_sign"]["eseal"]["e_seal_info"]["header"]["id"].native == "ES"
    picture = ses["to_sign"]["eseal"]["e_seal_info"]["picture"]
    assert picture["type"].native == "PNG"
    assert picture["data"].native.startswith(b"\x89PNG")


@pytest.fixture(scope="module")
def sm2_signed(django_db_setup, django_db_blocker, tmp_path_factory):
    """One SM2 signature for the property tests (made in a throw-away key directory)."""
    from django.conf import settings as django_settings

    old = getattr(django_settings, "ONESTOP_CERTIFICATES_KEY_DIR", "")
    django_settings.ONESTOP_CERTIFICATES_KEY_DIR = str(tmp_path_factory.mktemp("sm2keys"))
    try:
        sm2 = keys.sm2_seal_key_create(
            common_name="测试章",
            owner="测试局",
            valid_from=clock.today(),
            valid_to=dt.date(2035, 1, 1),
        )
        from onestop.certificates.seal_image import seal_png

        material = signers.SealMaterial(
            name="测试章",
            owner="测试局",
            es_id="TEST1",
            kind_code=2,
            key_ref="",
            certificate_pem="",
            sm2_key_ref=sm2.key_ref,
            sm2_certificate=sm2.certificate_der,
            image_png=seal_png(owner="测试局", kind="专用章", size=120),
            image_size=(120, 120),
            valid_from=clock.today(),
            valid_to=dt.date(2035, 1, 1),
        )
        document = b"%PDF-1.7 a small document to seal " * 8
        signed = signers.Sm2Signer().sign(document, material, reason="测试")
        yield document, signed.sm2_signature, str(django_settings.ONESTOP_CERTIFICATES_KEY_DIR)
    finally:
        django_settings.ONESTOP_CERTIFICATES_KEY_DIR = old


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_sm2_fails_on_any_changed_byte_of_the_document(sm2_signed, data):
    document, der, key_dir = sm2_signed
    from django.conf import settings as django_settings

    django_settings.ONESTOP_CERTIFICATES_KEY_DIR = key_dir
    at = data.draw(st.integers(min_value=0, max_value=len(document) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=7))
    changed = bytearray(document)
    changed[at] ^= 1 << bit
    assert signers.ses_check(der, document).ok
    assert not signers.ses_check(der, bytes(changed)).ok


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_sm2_fails_on_any_changed_byte_of_the_signature(sm2_signed, data):
    document, der, key_dir = sm2_signed
    from django.conf import settings as django_settings

    django_settings.ONESTOP_CERTIFICATES_KEY_DIR = key_dir
    at = data.draw(st.integers(min_value=0, max_value=len(der) - 1))
    changed = bytearray(der)
    changed[at] ^= 1 << data.draw(st.integers(min_value=0, max_value=7))
    assert not signers.ses_check(bytes(changed), document).ok


def test_with_onestop_signer_sm2_a_result_is_verified_by_its_ses_signature(sealed, settings):
    settings.ONESTOP_SIGNER = ["sm2"]
    setup = sealed.setup
    case = setup.accepted()
    certificate = services.results_issue(task_id=setup.decide(case, "licence").pk)
    assert certificate.signer == "sm2"
    assert certificate.sm2_signature
    with certificate.pdf.open("rb") as f:
        document = f.read()
    assert PdfFileReader(io.BytesIO(document)).embedded_signatures == []
    verdict = certificate_verify_pdf(document)
    assert verdict.genuine and verdict.signature_checked == "sm2"
    assert not certificate_verify_pdf(_flip(document, len(document) // 2)).genuine


def test_with_both_signers_the_pdf_is_pades_signed_and_sm2_sealed(sealed, settings):
    settings.ONESTOP_SIGNER = ["pades", "sm2"]
    setup = sealed.setup
    case = setup.accepted()
    certificate = services.results_issue(task_id=setup.decide(case, "licence").pk)
    assert certificate.signer == "pades,sm2"
    with certificate.pdf.open("rb") as f:
        document = f.read()
    verdict = certificate_verify_pdf(document)
    assert verdict.genuine and verdict.signature_checked == "pades,sm2"


def test_an_unknown_signer_name_is_refused(settings):
    settings.ONESTOP_SIGNER = ["rot13"]
    with pytest.raises(ValueError, match="rot13"):
        signers.signers_configured()


def test_a_signer_setting_with_a_typo_fails_the_system_check(settings):
    from onestop.certificates.checks import signer_setting_check

    settings.ONESTOP_SIGNER = ["pades"]
    assert signer_setting_check() == []
    settings.ONESTOP_SIGNER = ["pades", "sm3"]
    assert [e.id for e in signer_setting_check()] == ["certificates.E001"]
