"""Signers: how a result PDF is sealed, and how a seal is checked.

Two implementations of one interface (``Signer.sign(pdf, seal) -> Signed``):

- ``PadesSigner`` (``pades``): a PAdES baseline signature embedded in the PDF by pyHanko,
  with the seal's ECDSA P-256 (default) or RSA-2048 key and its certificate from the
  platform CA, so any standard PDF reader (and poppler's ``pdfsig``) shows a signature that
  covers the whole document.
- ``Sm2Signer`` (``sm2``): an SM2-with-SM3 signature (gmssl) over the PDF's bytes in the
  GB/T 38540 ``SES_Signature`` structure (built with asn1crypto, DER), stored beside the
  certificate rather than inside the PDF; the electronic seal (``SES_Seal``) inside it is
  signed by the platform's SM2 CA as 制章者.

``ONESTOP_SIGNER`` names the signers a deployment uses, in order (``pades``, ``sm2`` or
``pades,sm2``); a PDF signed by both carries the PAdES signature and the SES signature is
made over the signed PDF.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import io
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from asn1crypto import core
from asn1crypto import x509 as ax509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from onestop.certificates import keys
from onestop.core import clock

PADES = "pades"
SM2 = "sm2"
SIGNERS = (PADES, SM2)


@dataclass(frozen=True)
class SealMaterial:
    """What a signer needs of a seal (no key material: only the key's file name)."""

    name: str
    owner: str
    es_id: str
    kind_code: int
    key_ref: str
    certificate_pem: str
    sm2_key_ref: str
    sm2_certificate: bytes
    image_png: bytes
    image_size: tuple[int, int]
    valid_from: dt.date
    valid_to: dt.date


@dataclass(frozen=True)
class Signed:
    pdf: bytes
    sm2_signature: bytes = b""
    signers: tuple[str, ...] = field(default_factory=tuple)


class Signer(Protocol):
    name: str

    def sign(self, pdf: bytes, seal: SealMaterial, *, reason: str) -> Signed: ...


# --- PAdES ---------------------------------------------------------------------------


class PadesSigner:
    name = PADES

    def sign(self, pdf: bytes, seal: SealMaterial, *, reason: str) -> Signed:
        ca = keys.platform_ca()
        keys.key_path(seal.key_ref)  # refuses a reference that is not a plain file name
        key_info, key = keys.key_load_cached(str(keys.key_dir()), seal.key_ref)
        cert = ax509.Certificate.load(_pem_to_der(seal.certificate_pem))
        ca_cert = ax509.Certificate.load(_pem_to_der(ca.certificate_pem))
        signer = _LoadedKeySigner(
            key,
            signing_cert=cert,
            signing_key=key_info,
            cert_registry=SimpleCertificateStore.from_certs([ca_cert]),
        )
        meta = signers.PdfSignatureMetadata(
            field_name="Seal",
            md_algorithm="sha256",
            reason=reason,
            name=seal.name,
            location=seal.owner,
            subfilter=SigSeedSubFilter.PADES,
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        out = io.BytesIO()
        _outside_event_loop(signers.sign_pdf, writer, meta, signer=signer, output=out)
        return Signed(out.getvalue(), signers=(PADES,))


T = TypeVar("T")


def _outside_event_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one of pyHanko's synchronous calls, which use ``asyncio.run``: directly, or in a
    worker thread when this thread already runs an event loop (an async server's thread, a
    test driving a browser), where ``asyncio.run`` refuses to start."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


_RSA_PKCS1 = frozenset({"sha256_rsa", "sha384_rsa", "rsassa_pkcs1v15"})
_ECDSA = frozenset({"sha256_ecdsa", "sha384_ecdsa", "ecdsa"})


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's ``SimpleSigner`` re-parses the key for every signature (twice per PDF: the
    size estimate and the real one); this one signs with the key already loaded."""

    def __init__(self, loaded: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._loaded = loaded

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        algo = mechanism["algorithm"].native
        hash_algo = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384()}.get(digest_algorithm)
        if hash_algo is None:
            return super().sign_raw(data, digest_algorithm)
        if isinstance(self._loaded, rsa.RSAPrivateKey) and algo in _RSA_PKCS1:
            return self._loaded.sign(data, padding.PKCS1v15(), hash_algo)
        if isinstance(self._loaded, ec.EllipticCurvePrivateKey) and algo in _ECDSA:
            return self._loaded.sign(data, ec.ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)


def _pem_to_der(pem: str) -> bytes:
    from asn1crypto import pem as apem

    _kind, _headers, der = apem.unarmor(pem.encode())
    return bytes(der)


@dataclass(frozen=True)
class PadesCheck:
    signed: bool
    intact: bool = False
    trusted: bool = False
    whole_file: bool = False
    signer_name: str = ""
    signed_at: dt.datetime | None = None
    certificate_sha256: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.trusted and self.whole_file


def pades_check(pdf: bytes) -> PadesCheck:
    """Check the PDF's last embedded signature against the platform CA."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - not a PDF, or one pyHanko cannot read
        return PadesCheck(signed=False, problem=f"unreadable: {type(exc).__name__}")
    if not signatures:
        return PadesCheck(signed=False, problem="no signature")
    embedded = signatures[-1]
    ca = keys.platform_ca()
    context = ValidationContext(
        trust_roots=[ax509.Certificate.load(_pem_to_der(ca.certificate_pem))],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )
    try:
        status = _outside_event_loop(validate_pdf_signature, embedded, context)
    except Exception as exc:  # noqa: BLE001 - a damaged signature is a failed check
        return PadesCheck(signed=True, problem=f"invalid: {type(exc).__name__}")
    cert = status.signing_cert
    return PadesCheck(
        signed=True,
        intact=bool(status.intact and status.valid),
        trusted=status.trust_problem_indic is None,
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer_name=cert.subject.human_friendly if cert is not None else "",
        signed_at=status.signer_reported_dt,
        certificate_sha256=cert.sha256.hex() if cert is not None else "",
    )


# --- GB/T 38540 structures -------------------------------------------------------------


class SesHeader(core.Sequence):
    _fields = [("id", core.IA5String), ("version", core.Integer), ("vid", core.IA5String)]


class CertList(core.SequenceOf):
    _child_spec = core.OctetString


class SesPropertyInfo(core.Sequence):
    _fields = [
        ("type", core.Integer),
        ("name", core.UTF8String),
        ("cert_list_type", core.Integer),
        ("cert_list", CertList),
        ("create_date", core.GeneralizedTime),
        ("valid_start", core.GeneralizedTime),
        ("valid_end", core.GeneralizedTime),
    ]


class SesPictureInfo(core.Sequence):
    _fields = [
        ("type", core.IA5String),
        ("data", core.OctetString),
        ("width", core.Integer),
        ("height", core.Integer),
    ]


class SesSealInfo(core.Sequence):
    _fields = [
        ("header", SesHeader),
        ("es_id", core.IA5String),
        ("property", SesPropertyInfo),
        ("picture", SesPictureInfo),
    ]


class SesSeal(core.Sequence):
    _fields = [
        ("e_seal_info", SesSealInfo),
        ("cert", core.OctetString),
        ("sign_alg_id", core.ObjectIdentifier),
        ("signed_value", core.OctetBitString),
    ]


class TbsSign(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("eseal", SesSeal),
        ("time_info", core.GeneralizedTime),
        ("data_hash", core.OctetBitString),
        ("property_info", core.IA5String),
    ]


class SesSignature(core.Sequence):
    _fields = [
        ("to_sign", TbsSign),
        ("cert", core.OctetString),
        ("signature_alg_id", core.ObjectIdentifier),
        ("signature", core.OctetBitString),
    ]


SES_VERSION = 4
SES_VID = "onestop"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def ses_seal_build(seal: SealMaterial) -> SesSeal:
    """The ``SES_Seal`` of a seal, signed by the platform's SM2 CA (制章者); made once per
    seal and process (a seal is made once, then used for every document)."""
    return SesSeal.load(_ses_seal_der(seal, keys.sm2_ca().certificate_der))


@functools.lru_cache(maxsize=64)
def _ses_seal_der(seal: SealMaterial, maker_der: bytes) -> bytes:
    ca = keys.sm2_ca()
    start = dt.datetime.combine(seal.valid_from, dt.time(0), tzinfo=clock.SHANGHAI)
    end = dt.datetime.combine(seal.valid_to, dt.time(23, 59, 59), tzinfo=clock.SHANGHAI)
    info = SesSealInfo(
        {
            "header": {"id": "ES", "version": SES_VERSION, "vid": SES_VID},
            "es_id": seal.es_id,
            "property": {
                "type": seal.kind_code,
                "name": seal.name,
                "cert_list_type": 1,
                "cert_list": [seal.sm2_certificate],
                "create_date": _utc(start),
                "valid_start": _utc(start),
                "valid_end": _utc(end),
            },
            "picture": {
                "type": "PNG",
                "data": seal.image_png,
                "width": 40,  # millimetres as placed on the document
                "height": 40,
            },
        }
    )
    to_sign = info.dump() + ca.certificate_der + keys.SM2_WITH_SM3.encode()
    signed_value = keys.sm2_der_signature(keys.sm2_sign(ca.key, to_sign))
    return SesSeal(
        {
            "e_seal_info": info,
            "cert": ca.certificate_der,
            "sign_alg_id": keys.SM2_WITH_SM3,
            "signed_value": signed_value,
        }
    ).dump()


class Sm2Signer:
    name = SM2

    def sign(self, pdf: bytes, seal: SealMaterial, *, reason: str) -> Signed:
        if not seal.sm2_key_ref:
            raise ValueError("the seal has no SM2 key")
        key = keys.sm2_key_load(seal.sm2_key_ref)
        tbs = TbsSign(
            {
                "version": SES_VERSION,
                "eseal": ses_seal_build(seal),
                "time_info": _utc(clock.now()),
                "data_hash": keys.sm3_hash(pdf),
                "property_info": "sm3:whole-file",
            }
        )
        signature = keys.sm2_der_signature(keys.sm2_sign(key, tbs.dump()))
        ses = SesSignature(
            {
                "to_sign": tbs,
                "cert": seal.sm2_certificate,
                "signature_alg_id": keys.SM2_WITH_SM3,
                "signature": signature,
            }
        )
        return Signed(pdf, sm2_signature=ses.dump(), signers=(SM2,))


@dataclass(frozen=True)
class SesCheck:
    ok: bool
    problem: str = ""
    seal_name: str = ""
    es_id: str = ""
    signed_at: dt.datetime | None = None


def ses_check(der: bytes, data: bytes) -> SesCheck:
    """Check an ``SES_Signature`` over ``data``: hash, signer's signature, seal, chain."""
    try:
        ses = SesSignature.load(der, strict=True)
        tbs = ses["to_sign"]
        seal = tbs["eseal"]
        info = seal["e_seal_info"]
        seal_name = info["property"]["name"].native
        es_id = info["es_id"].native
        signed_at = tbs["time_info"].native
        if ses["signature_alg_id"].dotted != keys.SM2_WITH_SM3:
            return SesCheck(False, "algorithm")
        if tbs["data_hash"].native != keys.sm3_hash(data):
            return SesCheck(False, "data hash", seal_name, es_id, signed_at)
        signer_cert = ses["cert"].native
        if signer_cert not in info["property"]["cert_list"].native:
            return SesCheck(False, "signer not in seal", seal_name, es_id, signed_at)
        raw = keys.sm2_raw_signature(ses["signature"].native)
        if not keys.sm2_verify(keys.sm2_public_of(signer_cert), raw, tbs.dump()):
            return SesCheck(False, "signature", seal_name, es_id, signed_at)
        ca = keys.sm2_ca()
        maker = seal["cert"].native
        if maker != ca.certificate_der:
            return SesCheck(False, "seal maker", seal_name, es_id, signed_at)
        seal_signed = info.dump() + maker + seal["sign_alg_id"].dotted.encode()
        raw_seal = keys.sm2_raw_signature(seal["signed_value"].native)
        if not keys.sm2_verify(keys.sm2_public_of(maker), raw_seal, seal_signed):
            return SesCheck(False, "seal signature", seal_name, es_id, signed_at)
        if not keys.sm2_certificate_verify(signer_cert, ca.certificate_der):
            return SesCheck(False, "signer certificate", seal_name, es_id, signed_at)
    except Exception as exc:  # noqa: BLE001 - any malformed structure is a failed check
        return SesCheck(False, f"malformed: {type(exc).__name__}")
    return SesCheck(True, "", seal_name, es_id, signed_at)


# --- choice -----------------------------------------------------------------------------


def signers_configured() -> list[Signer]:
    """The signers ``ONESTOP_SIGNER`` names, in order."""
    names: Sequence[str] = getattr(settings, "ONESTOP_SIGNER", [PADES]) or [PADES]
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    made: list[Signer] = []
    for name in names:
        if name == PADES:
            made.append(PadesSigner())
        elif name == SM2:
            made.append(Sm2Signer())
        else:
            raise ValueError(f"ONESTOP_SIGNER: unknown signer {name!r} (pades, sm2)")
    return made


def sign_all(pdf: bytes, seal: SealMaterial, *, reason: str) -> Signed:
    """Sign with every configured signer: PAdES first, then SM2 over the signed PDF."""
    ordered = sorted(signers_configured(), key=lambda s: SIGNERS.index(s.name))
    current = pdf
    sm2_der = b""
    used: list[str] = []
    for signer in ordered:
        result = signer.sign(current, seal, reason=reason)
        current = result.pdf
        sm2_der = result.sm2_signature or sm2_der
        used.extend(result.signers)
    return Signed(current, sm2_der, tuple(used))


__all__ = [
    "PADES",
    "SM2",
    "PadesCheck",
    "PadesSigner",
    "SealMaterial",
    "SesCheck",
    "Signed",
    "Signer",
    "Sm2Signer",
    "pades_check",
    "ses_check",
    "sign_all",
]
