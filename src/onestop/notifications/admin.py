"""Admin of the outbox: read-only rows, filterable, with "retry now" (a service call)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from onestop.notifications.models import Message, NotificationPreference
from onestop.notifications.rendering import message_render
from onestop.notifications.services import messages_retry


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = [
        "pk",
        "kind",
        "channel",
        "recipient_kind",
        "recipient_id",
        "case_number",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "created_at",
    ]
    list_filter = ["status", "channel", "kind", "recipient_kind"]
    search_fields = ["case_number"]
    readonly_fields = [
        "kind",
        "channel",
        "recipient_kind",
        "recipient_id",
        "case_id",
        "case_number",
        "rendered_text",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
        "read_at",
        "created_at",
        "dedupe_key",
        "batch",
    ]
    exclude = ["context"]
    actions = ["retry_now"]
    show_full_result_count = False  # the outbox grows large: no COUNT(*) per page

    @admin.display(description=_("内容"))
    def rendered_text(self, obj: Message) -> str:
        return message_render(obj).text

    @admin.action(description=_("立即重新发送"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = messages_retry(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d 条消息已重新排队发送。", "%(count)d 条消息已重新排队发送。", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notifications.change_message")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["applicant", "sms_enabled", "email_enabled", "language", "updated_at"]
    list_filter = ["sms_enabled", "email_enabled", "language"]
    list_select_related = ["applicant"]
