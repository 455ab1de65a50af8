"""我的证照: the applicant's licence wallet (数据跑路)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onestop.certificates.wallet import wallet_of
from onestop.portal.views._common import applicant_for


@login_required
def my_licences(request: HttpRequest) -> HttpResponse:
    """Every certificate issued to me, its state, its PDF and its check; the current ones
    are offered instead of an upload when a later application asks for them."""
    applicant = applicant_for(request)
    return render(request, "portal/licences.html", {"licences": wallet_of(applicant)})
