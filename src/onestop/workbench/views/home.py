from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from onestop.accounts.roles import Role
from onestop.accounts.selectors import applicant_get_for_user, staff_get_for_user


@login_required
def desk_home(request: HttpRequest) -> HttpResponse:
    """Where a login lands: each role's own desk (staff), or the applicant's cases."""
    if request.user.is_superuser:
        return redirect("admin:index")
    staff = staff_get_for_user(request.user)
    if staff is not None:
        if staff.role == Role.WINDOW_CLERK:
            return redirect("workbench:window_queue")
        if staff.role == Role.AGENT:
            return redirect("workbench:intake")
        if staff.role in (Role.OFFICER, Role.CHIEF_APPROVER):
            return redirect("workbench:inbox")
        return redirect("admin:index")  # supervisor, catalogue admin: no desk of their own yet
    if applicant_get_for_user(request.user) is not None:
        try:
            return redirect(reverse("portal:my_cases"))
        except NoReverseMatch:  # the portal's case list is not installed
            return redirect("portal:home")
    return redirect("portal:home")
