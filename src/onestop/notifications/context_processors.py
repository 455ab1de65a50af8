"""``messages_unread``: the logged-in user's unread message count, for the page header.

Lazy: the count query runs only on a page whose template shows it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from onestop.notifications.selectors import message_unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"messages_unread": SimpleLazyObject(lambda: message_unread_count(user))}
