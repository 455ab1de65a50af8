"""Who may open which desk: staff roles per page, one decorator."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from onestop.accounts.models import Staff
from onestop.accounts.roles import Role
from onestop.accounts.selectors import staff_get_for_user

WINDOW_ROLES = frozenset({Role.WINDOW_CLERK})
INTAKE_ROLES = frozenset({Role.WINDOW_CLERK, Role.AGENT})
INBOX_ROLES = frozenset({Role.OFFICER, Role.CHIEF_APPROVER})

View = Callable[..., HttpResponse]


class StaffRequest(HttpRequest):
    staff: Staff


def staff_only(roles: frozenset[Role]) -> Callable[[View], View]:
    """Anonymous → login; applicants, off-duty staff and other roles → 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            staff = staff_get_for_user(request.user)
            if staff is None or staff.role not in roles:
                raise PermissionDenied
            request.staff = staff  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"
