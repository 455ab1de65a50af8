"""Reads of notifications: whose messages a login sees, the message box, preferences."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet

from onestop.accounts.models import Applicant
from onestop.notifications.models import Channel, Message, NotificationPreference, RecipientKind

PAGE_SIZE = 20


def _profile(user: Any, name: str) -> Any:
    try:
        return getattr(user, name)
    except ObjectDoesNotExist:
        return None


def applicant_of(user: Any) -> Applicant | None:
    """The login's applicant profile, or None (staff, anonymous)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return _profile(user, "applicant")


def recipients_of(user: Any) -> list[tuple[str, int]]:
    """(recipient kind, id) pairs a login reads messages as: its applicant and staff profiles.

    Reads ``user.applicant`` / ``user.staff``, which the page header reads too (one query
    each per request, cached on the user).
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    found = []
    applicant = _profile(user, "applicant")
    if applicant is not None:
        found.append((RecipientKind.APPLICANT.value, applicant.pk))
    staff = _profile(user, "staff")
    if staff is not None:
        found.append((RecipientKind.STAFF.value, staff.pk))
    return found


def _inbox_of(user: Any) -> QuerySet[Message]:
    recipients = recipients_of(user)
    if not recipients:
        return Message.objects.none()
    mine = Q()
    for kind, pk in recipients:
        mine |= Q(recipient_kind=kind, recipient_id=pk)
    return Message.objects.filter(mine, channel=Channel.INBOX)


@dataclass(frozen=True)
class MessagePage:
    messages: list[Message]
    next_before: int | None  # the cursor of the next (older) page, None on the last one


def message_list_for(
    user: Any, *, before: int | None = None, limit: int = PAGE_SIZE
) -> MessagePage:
    """The user's inbox messages, newest first, a page at a time (keyset on the id)."""
    rows = _inbox_of(user).order_by("-pk")
    if before is not None:
        rows = rows.filter(pk__lt=before)
    found = list(rows[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    return MessagePage(found, found[-1].pk if more and found else None)


def message_unread_count(user: Any) -> int:
    """How many inbox messages the user has not read."""
    return _inbox_of(user).filter(read_at__isnull=True).count()


def notification_preferences_get(applicant: Applicant) -> NotificationPreference:
    """The applicant's preferences; the defaults (an unsaved row) when never set."""
    found = NotificationPreference.objects.filter(applicant=applicant).first()
    return found or NotificationPreference(applicant=applicant)
