"""Admin of supervision: rules are edited (through ``services.rule_update``) by supervisors;
signals, orders and the order log are read-only records."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from onestop.accounts.admin_access import RoleModelAdmin
from onestop.accounts.roles import Permission
from onestop.core.errors import DomainError
from onestop.supervision import services
from onestop.supervision.models import OrderEvent, Signal, SupervisionOrder, SupervisionRule


@admin.register(SupervisionRule)
class SupervisionRuleAdmin(RoleModelAdmin):
    staff_permission = Permission.SUPERVISE
    list_display = ("code", "name", "kind", "trigger", "is_active")
    list_filter = ("kind", "is_active")
    fields = ("code", "name", "kind", "trigger", "parameters", "is_active", "note")
    readonly_fields = ("code", "name", "kind", "trigger")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        staff = getattr(request.user, "staff", None)
        try:
            services.rule_update(
                rule_id=obj.pk,
                by=staff,
                is_active=obj.is_active,
                parameters=obj.parameters,
                note=obj.note,
            )
        except DomainError as exc:
            messages.error(request, exc.message)


class _ReadOnly(RoleModelAdmin):
    staff_permission = Permission.SUPERVISE

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Signal)
class SignalAdmin(_ReadOnly):
    list_display = ("rule", "colour", "subject", "region_code", "state", "raised_at", "cleared_at")
    list_filter = ("colour", "state")
    search_fields = ("subject", "item_name", "region_code")


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(_ReadOnly):
    list_display = ("pk", "subject_kind", "department", "state", "issued_at", "respond_by")
    list_filter = ("state", "subject_kind")


@admin.register(OrderEvent)
class OrderEventAdmin(_ReadOnly):
    list_display = ("order", "seq", "action", "to_state", "at", "hash")
