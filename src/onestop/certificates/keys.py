"""Signing keys and their certificates: the platform CA and one key pair per seal.

Private keys live in files under ``settings.ONESTOP_CERTIFICATES_KEY_DIR`` (default
``DATA_DIR / "keys"``), directory 0700 and files 0600; the database holds only a key's file
name (``key_ref``) and its public certificate. Nothing here logs key material.

- The **platform CA** (``ca/``): an ECDSA P-256 self-signed root made on first use, which
  issues the X.509 certificates of the seals' PAdES keys (ECDSA P-256 or RSA-2048); and an
  **SM2 CA** (``sm2-ca/``) made the same way, which issues the SM2 certificates (SM2 with
  SM3, OIDs of GB/T 33560) the SES signatures carry. Both are created atomically: a
  directory is written under a temporary name and renamed, so two processes starting at
  once agree on one CA.
- Production imports keys and certificates issued elsewhere (``key_import``, the
  ``onestop certificates import-key`` command); an imported key is checked against its
  certificate's public key before it is accepted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import algos, keys, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID
from django.conf import settings
from gmssl import sm2

from onestop.core import clock

SM2_WITH_SM3 = "1.2.156.10197.1.501"
SM2_CURVE = "1.2.156.10197.1.301"
SM3 = "1.2.156.10197.1.401"
_SM2_N = int(sm2.default_ecc_table["n"], 16)

ECDSA_P256 = "ecdsa-p256"
RSA_2048 = "rsa-2048"
ALGORITHMS = (ECDSA_P256, RSA_2048)

CA_NAME = "onestop 平台电子印章 CA"
CA_YEARS = 20


def key_dir() -> Path:
    """The key directory (created 0700)."""
    configured = getattr(settings, "ONESTOP_CERTIFICATES_KEY_DIR", "")
    path = Path(configured) if configured else Path(settings.DATA_DIR) / "keys"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _pem_key(key: CertificateIssuerPrivateKeyTypes) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _fit(text: str, limit: int = 64) -> str:
    """X.520 caps names at 64 characters and cryptography counts UTF-8 bytes: cut to fit."""
    out = text
    while len(out.encode()) > limit:
        out = out[:-1]
    return out


def _name(common: str, organisation: str = "", uscc: str = "") -> cx509.Name:
    common, organisation = _fit(common), _fit(organisation)
    attrs = [cx509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]
    if organisation:
        attrs.append(cx509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    if uscc:
        attrs.append(cx509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, uscc))
    attrs.append(cx509.NameAttribute(NameOID.COMMON_NAME, common))
    return cx509.Name(attrs)


def _publish_dir(final: Path, files: dict[str, tuple[bytes, int]]) -> None:
    """Write ``files`` into ``final`` at once: a temporary sibling renamed into place."""
    if final.exists():
        return
    tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}-"))
    try:
        for name, (data, mode) in files.items():
            fd = os.open(tmp / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
        with contextlib.suppress(OSError):  # another process made it first: use theirs
            tmp.rename(final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


# --- the X.509 (PAdES) CA ------------------------------------------------------------


@dataclass(frozen=True)
class CaMaterial:
    key: ec.EllipticCurvePrivateKey
    certificate: cx509.Certificate

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()


def platform_ca() -> CaMaterial:
    """The platform CA, created on first use."""
    folder = key_dir() / "ca"
    if not folder.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        now = clock.now()
        name = _name(CA_NAME, organisation="onestop")
        cert = (
            cx509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(cx509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
            .add_extension(cx509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                cx509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                cx509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .sign(key, hashes.SHA256())
        )
        _publish_dir(
            folder,
            {
                "key.pem": (_pem_key(key), 0o600),
                "cert.pem": (cert.public_bytes(serialization.Encoding.PEM), 0o644),
            },
        )
    key = serialization.load_pem_private_key((folder / "key.pem").read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):  # pragma: no cover - our own file
        raise TypeError("the platform CA key must be ECDSA")
    cert = cx509.load_pem_x509_certificate((folder / "cert.pem").read_bytes())
    return CaMaterial(key, cert)


@dataclass(frozen=True)
class IssuedKey:
    key_ref: str
    algorithm: str
    certificate_pem: str


def _new_ref(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(8)}"


def seal_key_create(
    *,
    common_name: str,
    owner: str,
    uscc: str,
    valid_from: dt.date,
    valid_to: dt.date,
    algorithm: str = ECDSA_P256,
) -> IssuedKey:
    """A new seal key (file) and its X.509 certificate issued by the platform CA."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown key algorithm {algorithm!r}")
    ca = platform_ca()
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if algorithm == RSA_2048:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    start = dt.datetime.combine(valid_from, dt.time(0), tzinfo=clock.SHANGHAI)
    end = dt.datetime.combine(valid_to, dt.time(23, 59, 59), tzinfo=clock.SHANGHAI)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(_name(common_name, organisation=owner, uscc=uscc))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(min(start, clock.now() - dt.timedelta(minutes=5)))
        .not_valid_after(end)
        .add_extension(cx509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            cx509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            cx509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
        .sign(ca.key, hashes.SHA256())
    )
    ref = _new_ref("seal")
    _write_private(key_dir() / f"{ref}.key.pem", _pem_key(key))
    return IssuedKey(ref, algorithm, cert.public_bytes(serialization.Encoding.PEM).decode())


def key_path(key_ref: str) -> Path:
    if not key_ref or "/" in key_ref or key_ref.startswith("."):
        raise ValueError("a key reference is a file name in the key directory")
    return key_dir() / f"{key_ref}.key.pem"


def key_load_pem(key_ref: str) -> bytes:
    """The PEM of a seal's private key (for the signer only; never log or show it)."""
    return key_path(key_ref).read_bytes()


@functools.lru_cache(maxsize=128)
def key_load_cached(key_dir_path: str, key_ref: str) -> tuple[Any, Any]:
    """A seal's private key, parsed once per process, as (asn1crypto ``PrivateKeyInfo`` for
    pyHanko, cryptography key for signing): parsing an RSA key checks its primes, which costs
    far more than a signature. A key file never changes under its name (a new key gets a new
    reference), so the cache cannot go stale."""
    from asn1crypto import keys as akeys

    key = serialization.load_pem_private_key(
        (Path(key_dir_path) / f"{key_ref}.key.pem").read_bytes(), password=None
    )
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return akeys.PrivateKeyInfo.load(der), key


def key_import(*, key_pem: bytes, certificate_pem: bytes) -> IssuedKey:
    """Take an externally issued key and certificate into the key directory."""
    key = serialization.load_pem_private_key(key_pem, password=None)
    cert = cx509.load_pem_x509_certificate(certificate_pem)
    public = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*public) != cert.public_key().public_bytes(*public):
        raise ValueError("the key does not belong to the certificate")
    if isinstance(key, rsa.RSAPrivateKey):
        algorithm = RSA_2048
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        algorithm = ECDSA_P256
    else:
        raise ValueError("only ECDSA and RSA keys can sign PAdES signatures")
    ref = _new_ref("imported")
    _write_private(key_path(ref), _pem_key(key))  # type: ignore[arg-type]
    return IssuedKey(ref, algorithm, cert.public_bytes(serialization.Encoding.PEM).decode())


def certificate_fingerprint(certificate_pem: str) -> str:
    cert = cx509.load_pem_x509_certificate(certificate_pem.encode())
    return cert.fingerprint(hashes.SHA256()).hex()


# --- SM2 -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sm2Key:
    private_hex: str
    public_hex: str  # x || y, 128 hex digits

    def crypt(self) -> sm2.CryptSM2:
        return sm2.CryptSM2(private_key=self.private_hex, public_key=self.public_hex)


def sm2_key_new() -> Sm2Key:
    d = secrets.randbelow(_SM2_N - 2) + 1
    private_hex = f"{d:064x}"
    signer = sm2.CryptSM2(private_key=private_hex, public_key="")
    public_hex = signer._kg(d, sm2.default_ecc_table["g"])  # noqa: SLF001 - gmssl's point mult
    return Sm2Key(private_hex, public_hex)


def _sm2_e(public_hex: str, data: bytes) -> bytes:
    """e = SM3(Z || M), Z over the default ID 1234567812345678 (GB/T 35276), as gmssl's
    ``sign_with_sm3`` computes it but with OpenSSL's SM3 (gmssl's is pure Python)."""
    table = sm2.default_ecc_table
    z = bytes.fromhex(
        "0080" + "31323334353637383132333435363738" + table["a"] + table["b"] + table["g"]
    ) + bytes.fromhex(public_hex)
    return sm3_hash(sm3_hash(z) + data)


def sm2_sign(key: Sm2Key, data: bytes) -> bytes:
    """SM2 signature with SM3 (Z over the default ID), as r || s (64 bytes)."""
    signature_hex = key.crypt().sign(_sm2_e(key.public_hex, data), secrets.token_hex(32))
    return bytes.fromhex(signature_hex)


def sm2_verify(public_hex: str, signature: bytes, data: bytes) -> bool:
    if len(signature) != 64:
        return False
    checker = sm2.CryptSM2(private_key="", public_key=public_hex)
    try:
        return bool(checker.verify(signature.hex(), _sm2_e(public_hex, data)))
    except Exception:  # noqa: BLE001 - a malformed signature is simply not valid
        return False


def sm2_der_signature(raw: bytes) -> bytes:
    """r || s as the DER ``SEQUENCE { r INTEGER, s INTEGER }`` X.509 signatures carry."""
    return algos.DSASignature.from_p1363(raw).dump()


def sm2_raw_signature(der: bytes) -> bytes:
    return algos.DSASignature.load(der).to_p1363().rjust(64, b"\0")


def _sm2_spki(public_hex: str) -> keys.PublicKeyInfo:
    return keys.PublicKeyInfo(
        {
            "algorithm": keys.PublicKeyAlgorithm(
                {
                    "algorithm": "ec",
                    "parameters": keys.ECDomainParameters(name="named", value=SM2_CURVE),
                }
            ),
            "public_key": b"\x04" + bytes.fromhex(public_hex),
        }
    )


def sm2_public_of(certificate_der: bytes) -> str:
    """The SM2 public key (x || y hex) of an SM2 certificate."""
    cert = x509.Certificate.load(certificate_der)
    point = cert.public_key["public_key"].native
    return bytes(point)[1:].hex()


def _time(moment: dt.datetime) -> x509.Time:
    """RFC 5280: UTCTime up to 2049, GeneralizedTime from 2050."""
    name = "utc_time" if moment.year < 2050 else "general_time"
    return x509.Time(name=name, value=moment)


def _sm2_cert(
    *,
    subject: x509.Name,
    issuer: x509.Name,
    public_hex: str,
    signer: Sm2Key,
    not_before: dt.datetime,
    not_after: dt.datetime,
    is_ca: bool,
) -> bytes:
    algorithm = algos.SignedDigestAlgorithm({"algorithm": SM2_WITH_SM3})
    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": int.from_bytes(secrets.token_bytes(15), "big"),
            "signature": algorithm,
            "issuer": issuer,
            "validity": x509.Validity(
                {
                    "not_before": _time(not_before),
                    "not_after": _time(not_after),
                }
            ),
            "subject": subject,
            "subject_public_key_info": _sm2_spki(public_hex),
            "extensions": [
                {
                    "extn_id": "basic_constraints",
                    "critical": True,
                    "extn_value": {"ca": is_ca},
                },
                {
                    "extn_id": "key_usage",
                    "critical": True,
                    "extn_value": {"key_cert_sign", "crl_sign"}
                    if is_ca
                    else {"digital_signature", "non_repudiation"},
                },
            ],
        }
    )
    signature = sm2_der_signature(sm2_sign(signer, tbs.dump()))
    cert = x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": algorithm,
            "signature_value": signature,
        }
    )
    return cert.dump()


def _sm2_name(common: str, organisation: str = "") -> x509.Name:
    fields = {"country_name": "CN", "common_name": _fit(common)}
    if organisation:
        fields["organization_name"] = _fit(organisation)
    return x509.Name.build(fields, use_printable=False)


@dataclass(frozen=True)
class Sm2Ca:
    key: Sm2Key
    certificate_der: bytes


def sm2_ca() -> Sm2Ca:
    """The platform's SM2 CA, created on first use."""
    folder = key_dir() / "sm2-ca"
    if not folder.exists():
        key = sm2_key_new()
        name = _sm2_name(CA_NAME + " (SM2)", "onestop")
        now = clock.now().astimezone(dt.UTC).replace(microsecond=0)
        der = _sm2_cert(
            subject=name,
            issuer=name,
            public_hex=key.public_hex,
            signer=key,
            not_before=now - dt.timedelta(days=1),
            not_after=now + dt.timedelta(days=365 * CA_YEARS),
            is_ca=True,
        )
        _publish_dir(
            folder,
            {
                "key.hex": (f"{key.private_hex}\n{key.public_hex}\n".encode(), 0o600),
                "cert.der": (der, 0o644),
            },
        )
    private_hex, public_hex = (folder / "key.hex").read_text().split()
    return Sm2Ca(Sm2Key(private_hex, public_hex), (folder / "cert.der").read_bytes())


@dataclass(frozen=True)
class IssuedSm2Key:
    key_ref: str
    certificate_der: bytes


def sm2_seal_key_create(
    *, common_name: str, owner: str, valid_from: dt.date, valid_to: dt.date
) -> IssuedSm2Key:
    """A new SM2 seal key (file) and its SM2 certificate issued by the SM2 CA."""
    ca = sm2_ca()
    key = sm2_key_new()
    issuer = x509.Certificate.load(ca.certificate_der).subject
    start = dt.datetime.combine(valid_from, dt.time(0), tzinfo=clock.SHANGHAI)
    end = dt.datetime.combine(valid_to, dt.time(23, 59, 59), tzinfo=clock.SHANGHAI)
    der = _sm2_cert(
        subject=_sm2_name(common_name, owner),
        issuer=issuer,
        public_hex=key.public_hex,
        signer=ca.key,
        not_before=min(start, clock.now()).astimezone(dt.UTC).replace(microsecond=0),
        not_after=end.astimezone(dt.UTC).replace(microsecond=0),
        is_ca=False,
    )
    ref = _new_ref("sm2")
    _write_private(key_dir() / f"{ref}.sm2.hex", f"{key.private_hex}\n{key.public_hex}\n".encode())
    return IssuedSm2Key(ref, der)


def sm2_key_load(key_ref: str) -> Sm2Key:
    if not key_ref or "/" in key_ref or key_ref.startswith("."):
        raise ValueError("a key reference is a file name in the key directory")
    private_hex, public_hex = (key_dir() / f"{key_ref}.sm2.hex").read_text().split()
    return Sm2Key(private_hex, public_hex)


def sm2_certificate_verify(certificate_der: bytes, ca_der: bytes) -> bool:
    """The SM2 certificate is signed by this CA."""
    cert = x509.Certificate.load(certificate_der)
    raw = sm2_raw_signature(cert["signature_value"].native)
    return sm2_verify(sm2_public_of(ca_der), raw, cert["tbs_certificate"].dump())


def sm3_hash(data: bytes) -> bytes:
    """SM3 (GB/T 32905) by OpenSSL through cryptography."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


__all__ = ["ALGORITHMS", "ECDSA_P256", "RSA_2048"]
