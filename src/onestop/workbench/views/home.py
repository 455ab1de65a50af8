from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from onestop.accounts.selectors import applicant_get_for_user, staff_get_for_user
from onestop.workbench.access import desk_nav


@login_required
def desk_home(request: HttpRequest) -> HttpResponse:
    """Where a login lands: each role's own desk (staff), or the applicant's cases."""
    if request.user.is_superuser:
        return redirect("admin:index")
    staff = staff_get_for_user(request.user)
    if staff is not None:
        links = desk_nav(staff)
        if links:
            return redirect(links[0].url_name)
        return redirect("admin:index")  # supervisor, catalogue admin: no desk of their own yet
    if applicant_get_for_user(request.user) is not None:
        try:
            return redirect(reverse("portal:my_cases"))
        except NoReverseMatch:  # the portal's case list is not installed
            return redirect("portal:home")
    return redirect("portal:home")
