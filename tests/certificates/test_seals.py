"""Seals: keys in files (never in the database), images, and who may use which seal."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from onestop.certificates import keys, services
from onestop.certificates.models import Seal
from onestop.certificates.states import SealKind
from onestop.core import clock
from onestop.core.errors import PermissionDenied, ValidationFailed
from tests.factories.accounts import StaffFactory


def test_a_new_seal_has_a_key_file_0600_a_ca_certificate_and_a_red_round_image(setup):
    dept = setup.departments["licence"]
    seal = services.seal_create(department=dept, kind=SealKind.APPROVAL)
    assert seal.name == "赫山区市场监督管理局行政审批专用章"
    assert seal.owner_uscc == dept.uscc
    key_file = Path(settings.ONESTOP_CERTIFICATES_KEY_DIR) / f"{seal.key_ref}.key.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    # The row holds the public certificate, never the key.
    for value in (seal.certificate_pem, seal.key_ref, str(seal.sm2_key_ref)):
        assert "PRIVATE KEY" not in value
    assert "BEGIN CERTIFICATE" in seal.certificate_pem
    assert keys.platform_ca().certificate.subject.rfc4514_string().startswith("CN=onestop")
    with seal.image.open("rb") as f, Image.open(f) as img:
        img.load()
        assert img.size == (600, 600)
        red = img.getpixel((300, 10))  # the ring at the top
        assert red[0] > 180 and red[1] < 60 and red[3] == 255
        assert img.getpixel((0, 0))[3] == 0  # transparent outside the ring


def test_the_platform_ca_is_made_once(setup):
    first = keys.platform_ca().certificate
    second = keys.platform_ca().certificate
    assert first == second


def test_an_uploaded_png_replaces_the_drawn_image_and_garbage_is_refused(setup):
    dept = setup.departments["seal"]
    png = Path(__file__).with_name("seal_upload.png")
    Image.new("RGBA", (200, 200), (200, 0, 0, 255)).save(png)
    try:
        seal = services.seal_create(
            department=dept, kind=SealKind.INTAKE, image_png=png.read_bytes()
        )
    finally:
        png.unlink()
    assert seal.image_uploaded
    with pytest.raises(ValidationFailed) as caught:
        services.seal_create(department=dept, kind=SealKind.INTAKE, image_png=b"not a png")
    assert caught.value.field == "image"


def test_rsa_seals_are_possible(setup):
    seal = services.seal_create(department=setup.departments["invoice"], algorithm=keys.RSA_2048)
    assert seal.key_algorithm == keys.RSA_2048


def test_only_a_catalog_admin_manages_seals(setup):
    with pytest.raises(PermissionDenied):
        services.seal_create(department=setup.departments["licence"], actor=setup.clerk)
    admin = StaffFactory(role="catalog_admin", region=setup.county)
    seal = services.seal_create(department=setup.departments["licence"], actor=admin)
    assert Seal.objects.filter(pk=seal.pk).exists()


def test_use_needs_an_authorisation_for_that_seal_and_item(sealed):
    setup = sealed.setup
    seal = sealed.seals["licence"]
    officer = setup.officers["licence"]
    assert services.seal_use_require(officer, seal, "000101001000")
    # Another department's officer is refused, and cannot be authorised for it either.
    with pytest.raises(PermissionDenied):
        services.seal_use_require(setup.officers["seal"], seal, "000101001000")
    with pytest.raises(ValidationFailed):
        services.seal_authorise(seal_id=seal.pk, staff=setup.officers["seal"])
    # A clerk's role may not seal at all.
    with pytest.raises(ValidationFailed):
        services.seal_authorise(seal_id=seal.pk, staff=setup.clerk)


def test_an_authorisation_for_one_item_does_not_cover_another(setup):
    seal = services.seal_create(department=setup.departments["licence"])
    chief = setup.chief
    services.seal_authorise(seal_id=seal.pk, staff=chief, item_code="000101001000")
    assert services.seal_use_require(chief, seal, "000101001000").item_code == "000101001000"
    with pytest.raises(PermissionDenied, match="未获授权"):
        services.seal_use_require(chief, seal, "000199999000")


def test_an_authorisation_ends_on_its_date(setup):
    seal = services.seal_create(department=setup.departments["licence"])
    officer = setup.officers["licence"]
    today = clock.today()
    services.seal_authorise(
        seal_id=seal.pk, staff=officer, valid_from=today, valid_to=today + dt.timedelta(days=3)
    )
    assert services.seal_use_require(officer, seal, "x", on=today + dt.timedelta(days=3))
    with pytest.raises(PermissionDenied):
        services.seal_use_require(officer, seal, "x", on=today + dt.timedelta(days=4))


def test_authorising_twice_is_one_grant(setup):
    seal = services.seal_create(department=setup.departments["licence"])
    officer = setup.officers["licence"]
    first = services.seal_authorise(seal_id=seal.pk, staff=officer)
    second = services.seal_authorise(seal_id=seal.pk, staff=officer)
    assert first.pk == second.pk


def test_a_withdrawn_authorisation_no_longer_lets_anyone_seal(setup):
    seal = services.seal_create(department=setup.departments["licence"])
    officer = setup.officers["licence"]
    grant = services.seal_authorise(seal_id=seal.pk, staff=officer)
    with pytest.raises(PermissionDenied):
        services.seal_authorisation_revoke(authorisation_id=grant.pk, actor=officer)
    services.seal_authorisation_revoke(authorisation_id=grant.pk)
    with pytest.raises(PermissionDenied):
        services.seal_use_require(officer, seal, "000101001000")


def test_an_external_key_and_certificate_are_imported_by_the_command(setup, tmp_path):
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from django.core.management import call_command
    from django.core.management.base import CommandError

    seal = services.seal_create(department=setup.departments["licence"])
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "外部CA签发的印章证书")])
    now = clock.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file = tmp_path / "cert.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    call_command("certificates", "import-key", str(seal.pk), str(key_file), str(cert_file))
    seal.refresh_from_db()
    assert seal.key_ref.startswith("imported-")
    assert "外部CA" not in seal.key_ref
    assert seal.certificate_pem == cert.public_bytes(serialization.Encoding.PEM).decode()
    stored = Path(settings.ONESTOP_CERTIFICATES_KEY_DIR) / f"{seal.key_ref}.key.pem"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    # A key that does not belong to the certificate is refused.
    other = tmp_path / "other.pem"
    other.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(CommandError, match="无法导入"):
        call_command("certificates", "import-key", str(seal.pk), str(other), str(cert_file))
