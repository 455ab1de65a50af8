"""Case pages shared by the portal and the workbench: notices as PDFs and the verification page.

A notice (the hand-out receipt among them) carries the case's rating link as a second QR code
when ``rating_links.case_rating_link`` gives one (the evaluations app decides, and may issue a
token for it).

A notice PDF is for its owner and staff in scope (login, 404 outside the scope). The
verification page is public but opens only with the signed token printed in the notice's QR
code (``notices.notice_token``); without one, or with a tampered one, it is the same 404 as
any unknown address, so walking through sequential case numbers shows nothing.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from onestop.accounts.selectors import applicant_get_for_user, staff_get_for_user
from onestop.cases.models import Case
from onestop.cases.notices import (
    NoticeKind,
    notice_data,
    notice_issued_at,
    notice_pdf,
    notice_token,
    notice_token_read,
)
from onestop.cases.rating_links import case_rating_link
from onestop.cases.selectors import Viewer, case_get_by_number_for
from onestop.core.errors import NotFound
from onestop.core.masking import mask_name


def viewer_for(user: Any) -> Viewer | None:
    """Who is looking: the active staff profile, else the applicant profile, else None."""
    return staff_get_for_user(user) or applicant_get_for_user(user)


def case_for_request(request: HttpRequest, number: str) -> Case:
    """The case if the logged-in viewer may see it; otherwise 404 (never 403: no leak)."""
    viewer = viewer_for(request.user)
    if viewer is None:
        raise Http404
    try:
        return case_get_by_number_for(viewer, number)
    except NotFound as exc:
        raise Http404(exc.message) from None


def verify_url(request: HttpRequest, case: Case, kind: NoticeKind | str) -> str:
    """The absolute address the notice's QR code encodes (tokenised, see ``notice_token``)."""
    return request.build_absolute_uri(reverse("cases:verify", args=[notice_token(case, kind)]))


def rating_url(request: HttpRequest, case: Case) -> str:
    """The absolute address of the rating QR code, or "" when the case cannot be rated now."""
    path = case_rating_link(case)
    return request.build_absolute_uri(path) if path else ""


@login_required
def notice(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    """A notice PDF, for the applicant who owns the case and staff in scope."""
    if kind not in NoticeKind.values:
        raise Http404
    case = case_for_request(request, number)
    try:
        data = notice_data(case, kind, verify_url=verify_url(request, case, kind))
    except NotFound as exc:
        raise Http404(exc.message) from None
    # Asked only for a notice that exists: the link may issue a token.
    data = dataclasses.replace(data, rating_url=rating_url(request, case))
    response = HttpResponse(notice_pdf(data), content_type="application/pdf")
    filename = f"{case.number}-{kind}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Scan-to-verify: that this notice is genuine — case number, item, notice, date, state.

    Public (whoever holds the notice may check it) but reachable only through the signed
    token of the notice's QR code; it shows no personal data beyond a masked name.
    """
    found = notice_token_read(token)
    if found is None:
        raise Http404
    case_id, kind = found
    case = (
        Case.objects.select_related("applicant", "hall", "accepting_region")
        .filter(pk=case_id)
        .exclude(number=None)
        .first()
    )
    issued_at = notice_issued_at(case, kind) if case is not None else None
    if case is None or issued_at is None:
        raise Http404
    return render(
        request,
        "cases/verify.html",
        {
            "case": case,
            "notice": kind,
            "issued_at": issued_at,
            "applicant_name": mask_name(case.applicant.name),
        },
    )
