"""Read-only admin for cases and their event log.

Cases change only through ``cases.services`` (the workbench and the API call them), so the
admin shows and searches but never adds, edits or deletes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from onestop.cases.models import Case, CaseEvent, CaseMaterial, ItemTask
from onestop.cases.states import CaseState


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
