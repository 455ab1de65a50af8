"""Admin access by role: staff whose role carries a permission may use an admin page.

Django's per-model permissions are still honoured (superusers, explicitly granted users);
this adds the platform's own roles (``accounts.roles``), so a 事项管理员 can maintain the
catalog and the calendar without anyone ticking model permissions by hand.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest

from onestop.accounts.roles import Permission


def staff_has_admin_permission(request: HttpRequest, permission: Permission) -> bool:
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    staff = getattr(user, "staff", None)
    return bool(staff is not None and staff.has_permission(permission))


class RoleAdminMixin:
    """Mix into a ModelAdmin or inline and set ``staff_permission``."""

    staff_permission: ClassVar[Permission]

    def _role_allows(self, request: HttpRequest) -> bool:
        return staff_has_admin_permission(request, self.staff_permission)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or self._role_allows(request)  # type: ignore[misc]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or self._role_allows(request)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request, *args) or self._role_allows(request)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) or self._role_allows(request)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) or self._role_allows(request)  # type: ignore[misc]


class RoleModelAdmin(RoleAdminMixin, admin.ModelAdmin):
    pass
