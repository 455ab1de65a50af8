from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


@login_required
def desk_home(request: HttpRequest) -> HttpResponse:
    """Where a login lands: each role's own desk (staff), or the applicant's cases."""
    return redirect("admin:index")
