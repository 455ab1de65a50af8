"""Writes of notifications: enqueue (in the caller's transaction), retry, read, preferences.

Enqueueing costs the caller ONE multi-row INSERT and no read: it is called inside the case
engine's transaction, whose throughput is benchmarked. Delivery runs after commit (Celery,
``tasks.notifications_deliver``) and again from the beat sweep every minute
(``tasks.notifications_deliver_due``), so a row whose on-commit publish was lost, or whose
gateway was down, goes out once it is due.

How delivery sends each row exactly once: ``notifications.delivery``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant
from onestop.core import clock
from onestop.core.errors import ValidationFailed
from onestop.notifications import relay
from onestop.notifications.models import (
    Channel,
    Message,
    MessageKind,
    NotificationPreference,
    RecipientKind,
    Status,
)
from onestop.notifications.selectors import recipients_of
from onestop.notifications.tasks import notifications_deliver

# Channels per recipient kind. Staff work in the workbench all day: they are told in the
# message box only (no SMS, no e-mail), which costs nothing and needs no phone on file.
CHANNELS: dict[str, tuple[Channel, ...]] = {
    RecipientKind.APPLICANT: (Channel.INBOX, Channel.SMS, Channel.EMAIL),
    RecipientKind.STAFF: (Channel.INBOX,),
}


@dataclass(frozen=True)
class Recipient:
    kind: RecipientKind
    id: int


def applicant_recipient(applicant_id: int) -> Recipient:
    return Recipient(RecipientKind.APPLICANT, applicant_id)


def staff_recipient(staff_id: int) -> Recipient:
    return Recipient(RecipientKind.STAFF, staff_id)


@dataclass
class Notice:
    """One thing to tell some recipients; it becomes a row per recipient and channel.

    ``context`` is what the kind's template needs (JSON: plain values, personal data
    masked); ``dedupe_key`` makes the notice idempotent (a sweep's reminder).
    """

    kind: MessageKind
    recipients: Sequence[Recipient]
    case_id: int | None = None
    case_number: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str = ""


# Not atomic on purpose: inside the caller's transaction a nested atomic would add a
# SAVEPOINT and its RELEASE to every transition; bulk_create is one statement anyway.
def messages_enqueue(*, notices: Iterable[Notice]) -> int:
    """Write a row per recipient and channel in ONE INSERT, no read; deliver after commit.

    Rows the rate limit (one SMS per case, kind and recipient) or a dedupe key already
    holds are left out by the database (``ignore_conflicts``). Returns the rows offered.
    The case engine builds the same rows (``messages_build``) and inserts them with its own
    statement builder, then calls ``messages_written``.
    """
    rows = messages_build(notices=notices)
    if not rows:
        return 0
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    messages_written(rows)
    return len(rows)


def messages_build(*, notices: Iterable[Notice]) -> list[Message]:
    """The unsaved rows of these notices: one per recipient and channel, one batch."""
    now = clock.now()
    batch = uuid.uuid4()
    rows: list[Message] = []
    for notice in notices:
        for recipient in notice.recipients:
            for channel in CHANNELS[recipient.kind]:
                is_inbox = channel == Channel.INBOX
                rows.append(
                    Message(
                        kind=notice.kind,
                        channel=channel,
                        recipient_kind=recipient.kind,
                        recipient_id=recipient.id,
                        case_id=notice.case_id,
                        case_number=notice.case_number,
                        dedupe_key=notice.dedupe_key,
                        context=notice.context,
                        batch=batch,
                        status=Status.SENT if is_inbox else Status.PENDING,
                        sent_at=now if is_inbox else None,
                        next_attempt_at=None if is_inbox else now,
                        created_at=now,
                    )
                )
    return rows


def messages_written(rows: Sequence[Message]) -> None:
    """The rows are in the caller's transaction: deliver those to send once it commits."""
    if any(row.status == Status.PENDING for row in rows):
        # robust: a broker that is down must not fail the committed transition; the beat
        # sweep sends the rows a minute later.
        batch = str(rows[0].batch)
        transaction.on_commit(partial(_publish, batch=batch), robust=True)


def _publish(*, batch: str | None = None, ids: Sequence[int] | None = None) -> None:
    # With a broker, a transition's batch only wakes the relay, which publishes one
    # delivery of everything due per short window (notifications.relay); the admin's retries
    # (ids) and the eager embedded default deliver at once.
    if batch is not None and not settings.CELERY_TASK_ALWAYS_EAGER:
        relay.wake()
        return
    # Their own queue when configured, so a slow gateway never delays the case sweeps.
    queue = getattr(settings, "ONESTOP_NOTIFICATIONS_QUEUE", "") or None
    notifications_deliver.apply_async(
        kwargs={"batch": batch, "ids": list(ids) if ids else None}, queue=queue
    )


@transaction.atomic
def messages_retry(*, ids: Sequence[int]) -> int:
    """Send failed, skipped or waiting rows again now (the admin's "retry now"); never sent ones."""
    now = clock.now()
    rows = Message.objects.filter(
        pk__in=list(ids),
        channel__in=[Channel.SMS, Channel.EMAIL],
        status__in=[Status.PENDING, Status.FAILED, Status.SKIPPED],
    )
    chosen = list(rows.select_for_update().values_list("pk", flat=True))
    count = Message.objects.filter(pk__in=chosen).update(status=Status.PENDING, next_attempt_at=now)
    if chosen:
        transaction.on_commit(partial(_publish, ids=chosen), robust=True)
    return count


# ------------------------------------------------------------------------- message box


def messages_mark_read(*, user: Any, ids: Sequence[int] | None = None) -> int:
    """Mark the user's inbox messages read: the given ones, or all of them when ``ids`` is None."""
    recipients = recipients_of(user)
    if not recipients:
        return 0
    mine = Q()
    for recipient in recipients:
        mine |= Q(recipient_kind=recipient[0], recipient_id=recipient[1])
    rows = Message.objects.filter(mine, channel=Channel.INBOX, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=clock.now())


@transaction.atomic
def notification_preferences_set(
    *,
    applicant: Applicant,
    sms_enabled: bool,
    email_enabled: bool,
    language: str | None = None,
) -> NotificationPreference:
    """The applicant's channels (站内信 cannot be turned off) and message language."""
    codes = {code for code, _name in settings.LANGUAGES}
    language = language or settings.LANGUAGE_CODE
    if language not in codes:
        raise ValidationFailed(_("不支持的语言：%(code)s。") % {"code": language}, field="language")
    preference, _created = NotificationPreference.objects.update_or_create(
        applicant=applicant,
        defaults={
            "sms_enabled": sms_enabled,
            "email_enabled": email_enabled,
            "language": language,
        },
    )
    return preference
