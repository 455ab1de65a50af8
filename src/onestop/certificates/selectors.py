"""Reads of certificates: what a case shows, what a verifier sees, the public check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant
from onestop.certificates import signers
from onestop.certificates.documents import identifier_in
from onestop.certificates.identifiers import InvalidIdentifier, licence_id_parse
from onestop.certificates.keys import sha256_hex
from onestop.certificates.models import Certificate, CertificateEvent, Seal
from onestop.certificates.states import CERTIFICATE_CURRENT_STATES, CertificateState
from onestop.core import clock
from onestop.core.masking import mask_name


@dataclass(frozen=True)
class CertificateEntry:
    """One result as a case page, the hand-out and ``GET /api/cases/{id}`` list it."""

    id: int
    identifier: str
    title: str
    kind: str
    kind_label: str
    item_code: str
    task_id: int
    issuer: str
    state: str
    state_label: str
    is_current: bool
    issued_at: dt.datetime
    valid_until: dt.date | None
    pdf_url: str  # for the case's applicant and staff in scope (the view checks)
    verify_url: str  # public


def _entry(c: Certificate) -> CertificateEntry:
    return CertificateEntry(
        id=c.pk,
        identifier=c.identifier,
        title=c.title,
        kind=c.kind,
        kind_label=str(c.get_kind_display()),
        item_code=c.item_code,
        task_id=c.task_id,
        issuer=c.issuer.name,
        state=c.state,
        state_label=str(c.get_state_display()),
        is_current=c.state in CERTIFICATE_CURRENT_STATES,
        issued_at=c.issued_at,
        valid_until=c.valid_until,
        pdf_url=reverse("certificates:pdf", args=[c.verify_token]),
        verify_url=reverse("certificates:verify", args=[c.verify_token]),
    )


def certificates_for_case(case_id: int) -> list[CertificateEntry]:
    """Every result issued on a case, in task order (one query)."""
    rows = (
        Certificate.objects.filter(case_id=case_id)
        .select_related("issuer")
        .order_by("task_id", "pk")
    )
    return [_entry(c) for c in rows]


def certificates_for_cases(case_ids: list[int]) -> dict[int, list[CertificateEntry]]:
    """The results of several cases at once (one query), by case id, in task order."""
    found: dict[int, list[CertificateEntry]] = {}
    if not case_ids:
        return found
    rows = (
        Certificate.objects.filter(case_id__in=case_ids)
        .select_related("issuer")
        .order_by("case_id", "task_id", "pk")
    )
    for c in rows:
        found.setdefault(c.case_id, []).append(_entry(c))
    return found


def certificates_of_holder(holder: Applicant) -> QuerySet[Certificate]:
    return Certificate.objects.filter(holder=holder).select_related("issuer")


def certificate_get_by_token(token: str) -> Certificate | None:
    if not token or len(token) > 64:
        return None
    return (
        Certificate.objects.select_related("issuer", "holder", "seal")
        .filter(verify_token=token)
        .first()
    )


def certificate_history(certificate: Certificate) -> QuerySet[CertificateEvent]:
    return certificate.events.order_by("at", "pk")


def seals_of_department(department_id: int) -> QuerySet[Seal]:
    return Seal.objects.filter(department_id=department_id).order_by("kind", "pk")


# --- verification ----------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The answer to "is this genuine and current?", with what a verifier may see."""

    genuine: bool
    reason: str  # a code: ok, not_signed, tampered, untrusted, unknown, revoked …
    message: str
    identifier: str = ""
    title: str = ""
    issuer: str = ""
    holder: str = ""  # masked
    issued_at: dt.datetime | None = None
    valid_until: dt.date | None = None
    state: str = ""
    state_label: str = ""
    signature_checked: str = ""  # which signature was checked: pades / sm2
    token: str = ""


def _state_verdict(c: Certificate, *, checked: str) -> Verdict:
    today = clock.today()
    expired = c.valid_until is not None and c.valid_until < today
    current = c.state in CERTIFICATE_CURRENT_STATES and not expired
    if current:
        reason, message = "ok", _("签名完好，由本平台签发，证照当前有效。")
    elif expired and c.state == CertificateState.VALID:
        reason, message = "expired", _("签名完好，但证照已过有效期。")
    else:
        reason = c.state
        message = _("签名完好，但证照当前状态为“%(s)s”，不再有效。") % {"s": c.get_state_display()}
    return Verdict(
        genuine=current,
        reason=reason,
        message=message,
        identifier=c.identifier,
        title=c.title,
        issuer=c.issuer.name,
        holder=mask_name(c.holder.name),
        issued_at=c.issued_at,
        valid_until=c.valid_until,
        state=c.state,
        state_label=str(c.get_state_display()),
        signature_checked=checked,
        token=c.verify_token,
    )


def _failed(reason: str, message: str, c: Certificate | None = None) -> Verdict:
    if c is None:
        return Verdict(genuine=False, reason=reason, message=message)
    return Verdict(
        genuine=False,
        reason=reason,
        message=message,
        identifier=c.identifier,
        title=c.title,
        issuer=c.issuer.name,
        holder=mask_name(c.holder.name),
        issued_at=c.issued_at,
        valid_until=c.valid_until,
        state=c.state,
        state_label=str(c.get_state_display()),
        token=c.verify_token,
    )


def certificate_verify_pdf(pdf: bytes) -> Verdict:
    """Verify a PDF someone holds: its signature (PAdES, else the stored SM2 signature over
    its bytes), that it is a certificate this platform issued, and its current state."""
    found = identifier_in(pdf)
    certificate = None
    if found:
        try:
            licence_id_parse(found)
        except InvalidIdentifier:
            return _failed("bad_identifier", _("文件中的电子证照标识无效，不是真实的证照。"))
        certificate = (
            Certificate.objects.select_related("issuer", "holder").filter(identifier=found).first()
        )
    if certificate is None:
        return _failed("unknown", _("本平台没有签发过这份文件，不是真实的证照。"))
    pades = signers.pades_check(pdf)
    if pades.signed:
        if not pades.intact or not pades.whole_file:
            return _failed(
                "tampered", _("签名校验失败：文件在签章后被改动，不是真实的证照。"), certificate
            )
        if not pades.trusted:
            return _failed(
                "untrusted", _("签名证书不是本平台签发的，不是真实的证照。"), certificate
            )
        if sha256_hex(pdf) != certificate.sha256:
            return _failed(
                "not_issued_file", _("文件与签发的文件不一致，不是真实的证照。"), certificate
            )
        if certificate.sm2_signature:
            check = signers.ses_check(bytes(certificate.sm2_signature), pdf)
            if not check.ok:
                return _failed("tampered", _("SM2 签名校验失败，不是真实的证照。"), certificate)
            return _state_verdict(certificate, checked=f"{signers.PADES},{signers.SM2}")
        return _state_verdict(certificate, checked=signers.PADES)
    if certificate.sm2_signature:
        check = signers.ses_check(bytes(certificate.sm2_signature), pdf)
        if not check.ok:
            return _failed(
                "tampered", _("SM2 签名校验失败：文件被改动，不是真实的证照。"), certificate
            )
        return _state_verdict(certificate, checked=signers.SM2)
    return _failed("not_signed", _("文件没有签名，不是真实的证照。"), certificate)


def certificate_verify_stored(certificate: Certificate) -> Verdict:
    """The public page's check: the stored file's signature, on the fly, and the state."""
    try:
        with certificate.pdf.open("rb") as f:
            pdf = f.read()
    except OSError:
        return _failed("missing_file", _("证照文件缺失，无法核验。"), certificate)
    return certificate_verify_pdf(pdf)
