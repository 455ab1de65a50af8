"""Public verification pages and the PDF of a result for those who may see its case.

``/certificates/v/<token>/`` is what a certificate's QR code opens: no login, the issuer,
the holder masked, dates and state, and the signature checked on the fly; a form on the same
page verifies an uploaded PDF (``/certificates/verify/`` is the same form on its own).
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from onestop.cases.selectors import case_get_for
from onestop.cases.views import viewer_for
from onestop.certificates import selectors
from onestop.certificates.api import upload_read
from onestop.certificates.forms import VerifyUploadForm
from onestop.certificates.selectors import Verdict
from onestop.core.errors import DomainError, NotFound


def _checked_upload(request: HttpRequest, form: VerifyUploadForm) -> Verdict | None:
    if not form.is_valid():
        return None
    try:
        return selectors.certificate_verify_pdf(upload_read(form.cleaned_data["file"]))
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The QR code's page: this certificate, checked now; and an upload form."""
    certificate = selectors.certificate_get_by_token(token)
    if certificate is None:
        raise Http404
    verdict = selectors.certificate_verify_stored(certificate)
    uploaded: Verdict | None = None
    if request.method == "POST":
        form = VerifyUploadForm(request.POST, request.FILES)
        uploaded = _checked_upload(request, form)
    else:
        form = VerifyUploadForm()
    return render(
        request,
        "certificates/verify.html",
        {"verdict": verdict, "uploaded": uploaded, "form": form, "token": token},
        status=200 if form.is_bound is False or not form.errors else 422,
    )


@require_http_methods(["GET", "POST"])
def verify_upload(request: HttpRequest) -> HttpResponse:
    """Verify an uploaded PDF without a QR code."""
    uploaded: Verdict | None = None
    if request.method == "POST":
        form = VerifyUploadForm(request.POST, request.FILES)
        uploaded = _checked_upload(request, form)
    else:
        form = VerifyUploadForm()
    return render(
        request,
        "certificates/verify.html",
        {"verdict": None, "uploaded": uploaded, "form": form, "token": ""},
        status=200 if not form.errors else 422,
    )


def certificate_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The sealed PDF, for the case's applicant and staff whose scope includes the case."""
    certificate = selectors.certificate_get_by_token(token)
    viewer = viewer_for(request.user) if request.user.is_authenticated else None
    if certificate is None or viewer is None:
        raise Http404
    try:
        case_get_for(viewer, certificate.case_id)
    except NotFound:
        raise Http404 from None
    response = FileResponse(certificate.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.identifier}.pdf"'
    return response
