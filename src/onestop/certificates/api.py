"""The JSON API of certificates, mounted by config/api.py at ``/api/certificates``.

Both endpoints are public, as the verification page is: ``POST /verify`` checks an uploaded
PDF, ``GET /{token}`` the certificate a QR code names (the token is unguessable; the
identifier or a sequential id is never accepted here, so they reveal nothing).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from onestop.certificates import selectors
from onestop.certificates.selectors import Verdict
from onestop.core.errors import NotFound, ValidationFailed

router = Router(tags=["电子证照核验"])

PROBLEMS: dict[int, Any] = {404: dict, 422: dict}


class VerdictOut(Schema):
    genuine: bool
    reason: str
    message: str
    identifier: str
    title: str
    issuer: str
    holder: str
    issued_at: dt.datetime | None
    valid_until: dt.date | None
    state: str
    state_label: str
    signature_checked: str


def _out(verdict: Verdict) -> dict[str, Any]:
    return {
        "genuine": verdict.genuine,
        "reason": verdict.reason,
        "message": verdict.message,
        "identifier": verdict.identifier,
        "title": verdict.title,
        "issuer": verdict.issuer,
        "holder": verdict.holder,
        "issued_at": verdict.issued_at,
        "valid_until": verdict.valid_until,
        "state": verdict.state,
        "state_label": verdict.state_label,
        "signature_checked": verdict.signature_checked,
    }


def upload_read(file: Any) -> bytes:
    """The bytes of an uploaded PDF within the size limit; 422 naming ``file`` otherwise."""
    limit = int(settings.ONESTOP_CERTIFICATES_VERIFY_MAX_BYTES)
    if file is None or not file.size:
        raise ValidationFailed(_("请上传要核验的 PDF 文件。"), field="file")
    if file.size > limit:
        raise ValidationFailed(
            _("文件过大（上限 %(mb)d MB）。") % {"mb": limit // (1024 * 1024)}, field="file"
        )
    data = file.read()
    if not data.startswith(b"%PDF-"):
        raise ValidationFailed(_("上传的文件不是 PDF。"), field="file")
    return bytes(data)


@router.post(
    "/verify",
    response={200: VerdictOut, **PROBLEMS},
    summary="核验上传的证照 PDF（multipart/form-data，字段名 file）",
    description="签名完好、由本平台签发且证照当前有效时 genuine 为 true；否则 reason 说明原因。",
)
def certificate_verify_upload(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    return _out(selectors.certificate_verify_pdf(upload_read(file)))


@router.get(
    "/{token}",
    response={200: VerdictOut, **PROBLEMS},
    summary="按二维码中的核验令牌核验证照（当场校验签名）",
)
def certificate_verify_token(request: HttpRequest, token: str) -> dict[str, Any]:
    certificate = selectors.certificate_get_by_token(token)
    if certificate is None:
        raise NotFound(_("没有这份证照。"))
    return _out(selectors.certificate_verify_stored(certificate))
