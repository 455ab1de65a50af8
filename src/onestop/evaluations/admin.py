"""Admin of 好差评: read-only; the rater is shown masked; unsent pushes can be retried."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onestop.evaluations import selectors, services
from onestop.evaluations.models import IndicatorSet, PushRecord, Rating, Rectification


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "case", "rater", "kind", "level", "channel", "status", "rated_at"]
    list_filter = ["level", "channel", "kind", "status", "is_bad"]
    list_select_related = ["case", "applicant"]
    exclude = ["applicant", "client_hash", "device_hash"]
    readonly_fields = ["rater"]

    @admin.display(description=_("评价人"))
    def rater(self, obj: Rating) -> str:
        shown = selectors.rater_masked(obj.applicant)
        return f"{shown['name']} {shown['identifier']}"


@admin.register(Rectification)
class RectificationAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "rating", "department", "officer", "state", "due_at"]
    list_filter = ["state", "triage"]
    list_select_related = ["rating", "department", "officer"]


@admin.register(IndicatorSet)
class IndicatorSetAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["version", "name", "is_current", "valid_from"]


@admin.register(PushRecord)
class PushRecordAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["rating", "attempts", "next_attempt_at", "sent_at", "last_error"]
    list_filter = ["sent_at"]
    actions = ["retry_now"]

    @admin.action(description=_("立即重新上报"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[PushRecord]) -> None:
        count = services.pushes_retry(rating_ids=list(queryset.values_list("rating_id", flat=True)))
        messages.success(request, _("%(n)s 条记录将在下一次上报时发送。") % {"n": count})
