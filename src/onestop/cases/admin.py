"""Read-only admin for cases and their event log.

Cases change only through ``cases.services`` (the workbench and the API call them), so the
admin shows and searches but never adds, edits or deletes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.accounts.selectors import staff_get_for_user
from onestop.cases.actions import authorisation_status
from onestop.cases.models import AgentAuthorisation, Case, CaseEvent, CaseMaterial, ItemTask
from onestop.cases.services.agents import authorisation_revoke
from onestop.cases.states import CaseState
from onestop.core.errors import DomainError


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MaterialInline(ReadOnlyMixin, admin.TabularInline):
    model = CaseMaterial
    fields = ["name", "necessity", "status", "file", "sha256", "supplement_due_on", "supplied_at"]
    readonly_fields = fields
    extra = 0


class TaskInline(ReadOnlyMixin, admin.TabularInline):
    model = ItemTask
    fk_name = "case"
    fields = ["title", "department", "state", "assignee", "ready_at", "due_at", "decided_at"]
    readonly_fields = fields
    extra = 0


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = CaseEvent
    fields = ["seq", "kind", "actor", "actor_role", "at", "from_state", "to_state", "reason"]
    readonly_fields = fields
    extra = 0
    ordering = ["seq"]


@admin.register(Case)
class CaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "title", "applicant", "channel", "state", "submitted_at", "due_at"]
    list_filter = ["state", "channel", "outcome"]
    search_fields = ["number", "title", "applicant__name"]
    list_select_related = ["applicant"]
    date_hierarchy = "submitted_at"
    inlines = [MaterialInline, TaskInline, EventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        # A draft is its author's alone until submitted.
        return super().get_queryset(request).exclude(state=CaseState.DRAFT)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Case._meta.fields]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["case", "seq", "kind", "actor_role", "at", "from_state", "to_state"]
    list_filter = ["kind"]
    search_fields = ["case__number"]
    list_select_related = ["case"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in CaseEvent._meta.fields]


@admin.register(AgentAuthorisation)
class AgentAuthorisationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """帮代办 authorisations: read-only; revoking goes through ``authorisation_revoke`` (as
    the logged-in member of staff, who must be the agent or a clerk covering their region)."""

    list_display = [
        "pk",
        "applicant",
        "agent",
        "method",
        "all_items",
        "valid_from",
        "valid_until",
        "status",
    ]
    list_filter = ["method", "all_items"]
    search_fields = ["applicant__name", "agent__name", "document_number"]
    list_select_related = ["applicant", "agent"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AgentAuthorisation._meta.fields] + ["packages", "items"]

    @admin.display(description=gettext_lazy("状态"))
    def status(self, obj: AgentAuthorisation) -> str:
        return str(authorisation_status(obj).label)

    @admin.action(description=gettext_lazy("撤销所选代办授权"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[AgentAuthorisation]) -> None:
        staff = staff_get_for_user(request.user)
        if staff is None:
            self.message_user(request, _("只有工作人员可以撤销代办授权。"), messages.ERROR)
            return
        done = 0
        for authorisation in queryset:
            try:
                authorisation_revoke(
                    authorisation_id=authorisation.pk, by=staff, reason=_("后台撤销")
                )
            except DomainError as exc:
                self.message_user(request, f"{authorisation.pk}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, _("已撤销 %(n)d 条代办授权。") % {"n": done})
