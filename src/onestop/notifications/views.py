"""The message box (/messages/) for every login, applicants and staff alike, and the
applicant's channel preferences. Views parse, call a service or selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.core.errors import DomainError
from onestop.notifications.forms import PreferencesForm
from onestop.notifications.rendering import message_render
from onestop.notifications.selectors import (
    applicant_of,
    message_list_for,
    message_unread_count,
    notification_preferences_get,
)
from onestop.notifications.services import messages_mark_read, notification_preferences_set


def _cursor(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Newest first, 20 a page (``?before=<id>`` for older ones), with the unread count."""
    page = message_list_for(request.user, before=_cursor(request.GET.get("before")))
    rows = [(message, message_render(message)) for message in page.messages]
    unread = message_unread_count(request.user)
    return render(
        request,
        "notifications/inbox.html",
        {
            "rows": rows,
            "next_before": page.next_before,
            "is_first_page": not request.GET.get("before"),
            "unread": unread,
            "messages_unread": unread,  # the header's count too: one query for both
            "is_applicant": applicant_of(request.user) is not None,
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one message (``id``) or, without it, every message read."""
    message_id = _cursor(request.POST.get("id"))
    ids = [message_id] if message_id is not None else None
    messages_mark_read(user=request.user, ids=ids)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or "notifications:inbox")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Applicants turn SMS or e-mail off (站内信 always stays on) and choose their language."""
    applicant = applicant_of(request.user)
    if applicant is None:
        raise PermissionDenied(_("只有申请人可以设置消息接收方式。"))
    current = notification_preferences_get(applicant)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                notification_preferences_set(applicant=applicant, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("消息设置已保存。"))
                return redirect("notifications:preferences")
    else:
        form = PreferencesForm(
            initial={
                "sms_enabled": current.sms_enabled,
                "email_enabled": current.email_enabled,
                "language": current.language,
            }
        )
    return render(request, "notifications/preferences.html", {"form": form})
