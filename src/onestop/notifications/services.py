"""Writes of notifications: enqueue (in the caller's transaction), deliver, retry, read, prefer.

Enqueueing costs the caller ONE multi-row INSERT and no read: it is called inside the case
engine's transaction, whose throughput is benchmarked. Delivery runs after commit (Celery,
``tasks.notifications_deliver``) and again from the beat sweep every minute
(``tasks.notifications_deliver_due``), so a row whose on-commit publish was lost, or whose
gateway was down, goes out once it is due.

Exactly once per message:

- a row is *claimed* in a short transaction (``select_for_update(skip_locked=True)`` on
  PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises claimers) by counting the attempt and
  moving ``next_attempt_at`` to the retry time: that is also the lease, so no other worker
  takes the row while this one sends it, and a worker that dies mid-send leaves the row to
  be retried when the lease ends;
- the send happens outside any transaction (no lock held during an HTTP call), and only
  while the lease has more than the gateway timeout left;
- the row is marked ``sent`` only after the gateway accepted it (2xx); a retry sends the same
  id (the row id), which the gateway de-duplicates (docs/notifications.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant, Staff
from onestop.core import clock
from onestop.core.errors import ValidationFailed
from onestop.notifications.models import (
    Channel,
    Message,
    MessageKind,
    NotificationPreference,
    RecipientKind,
    Status,
)
from onestop.notifications.rendering import message_render
from onestop.notifications.selectors import recipients_of
from onestop.notifications.sms import Sms, SmsNotAccepted, sms_backend

logger = logging.getLogger("onestop.notifications")

# Channels per recipient kind. Staff work in the workbench all day: they are told in the
# message box only (no SMS, no e-mail), which costs nothing and needs no phone on file.
CHANNELS: dict[str, tuple[Channel, ...]] = {
    RecipientKind.APPLICANT: (Channel.INBOX, Channel.SMS, Channel.EMAIL),
    RecipientKind.STAFF: (Channel.INBOX,),
}

MAX_ATTEMPTS = 8  # 1 + 2 + 4 + … + 64 minutes: the last try about two hours after the first
_BACKOFF_FIRST_SECONDS = 60
_BACKOFF_MAX_SECONDS = 6 * 3600
_DELIVER_LIMIT = 200


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


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next attempt after ``attempts`` of them: 1, 2, 4 … minutes, ≤ 6 h."""
    seconds = _BACKOFF_FIRST_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, _BACKOFF_MAX_SECONDS))


# Not atomic on purpose: inside the caller's transaction a nested atomic would add a
# SAVEPOINT and its RELEASE to every transition; bulk_create is one statement anyway.
def messages_enqueue(*, notices: Iterable[Notice]) -> int:
    """Write a row per recipient and channel in ONE INSERT, no read; deliver after commit.

    Rows the rate limit (one SMS per case, kind and recipient) or a dedupe key already
    holds are left out by the database (``ignore_conflicts``). Returns the rows offered.
    """
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
    if not rows:
        return 0
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    if any(row.status == Status.PENDING for row in rows):
        # robust: a broker that is down must not fail the committed transition; the beat
        # sweep sends the rows a minute later.
        transaction.on_commit(partial(_publish, batch=str(batch)), robust=True)
    return len(rows)


def _publish(*, batch: str | None = None, ids: Sequence[int] | None = None) -> None:
    from onestop.notifications.tasks import notifications_deliver

    # Their own queue when configured, so a slow gateway never delays the case sweeps.
    queue = getattr(settings, "ONESTOP_NOTIFICATIONS_QUEUE", "") or None
    notifications_deliver.apply_async(
        kwargs={"batch": batch, "ids": list(ids) if ids else None}, queue=queue
    )


# ------------------------------------------------------------------------------ delivery


@dataclass
class DeliveryResult:
    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[int]]:
        return {
            "sent": self.sent,
            "skipped": self.skipped,
            "retrying": self.retrying,
            "failed": self.failed,
        }


class _Undeliverable(Exception):
    """No address, or the recipient turned the channel off: the row is skipped."""


class _NotAccepted(Exception):
    """The channel refused or was unreachable: the row is retried."""


@dataclass
class _Addresses:
    applicants: dict[int, Applicant]
    staff: dict[int, Staff]
    preferences: dict[int, NotificationPreference]


def _claim(
    *,
    now: dt.datetime,
    batch: str | None,
    ids: Sequence[int] | None,
    limit: int,
) -> list[Message]:
    with transaction.atomic():
        rows = Message.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        if batch is not None:
            rows = rows.filter(batch=batch)
        if ids is not None:
            rows = rows.filter(pk__in=list(ids))
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        claimed = list(rows.order_by("next_attempt_at", "pk")[:limit])
        for row in claimed:
            row.attempts += 1
            row.next_attempt_at = now + backoff(row.attempts)  # the lease, and the retry time
        Message.objects.bulk_update(claimed, ["attempts", "next_attempt_at"])
    return claimed


def _addresses(rows: Sequence[Message]) -> _Addresses:
    applicant_ids = {r.recipient_id for r in rows if r.recipient_kind == RecipientKind.APPLICANT}
    staff_ids = {r.recipient_id for r in rows if r.recipient_kind == RecipientKind.STAFF}
    applicants = (
        {a.pk: a for a in Applicant.objects.select_related("user").filter(pk__in=applicant_ids)}
        if applicant_ids
        else {}
    )
    staff = (
        {s.pk: s for s in Staff.objects.select_related("user").filter(pk__in=staff_ids)}
        if staff_ids
        else {}
    )
    preferences = (
        {
            p.applicant_id: p
            for p in NotificationPreference.objects.filter(applicant_id__in=applicant_ids)
        }
        if applicant_ids
        else {}
    )
    return _Addresses(applicants, staff, preferences)


def _address_and_language(row: Message, found: _Addresses) -> tuple[str, str]:
    """The phone or e-mail address the row goes to and the language it is written in."""
    language = settings.LANGUAGE_CODE
    if row.recipient_kind == RecipientKind.APPLICANT:
        applicant = found.applicants.get(row.recipient_id)
        if applicant is None:
            raise _Undeliverable("recipient no longer exists")
        preference = found.preferences.get(applicant.pk)
        if preference is not None:
            language = preference.language
            if row.channel == Channel.SMS and not preference.sms_enabled:
                raise _Undeliverable("the applicant turned SMS off")
            if row.channel == Channel.EMAIL and not preference.email_enabled:
                raise _Undeliverable("the applicant turned e-mail off")
        phone, user = applicant.phone, applicant.user
    else:
        member = found.staff.get(row.recipient_id)
        if member is None:
            raise _Undeliverable("recipient no longer exists")
        phone, user = member.phone, member.user
    if row.channel == Channel.SMS:
        if not phone:
            raise _Undeliverable("no mobile number on file")
        return phone, language
    email = user.email if user is not None else ""
    if not email:
        raise _Undeliverable("no e-mail address on file")
    return email, language


def _send(row: Message, address: str, language: str, backend: Any) -> None:
    rendered = message_render(row, language=language)
    if row.channel == Channel.SMS:
        try:
            backend.send(Sms(to=address, text=rendered.sms_text, id=str(row.pk)))
        except SmsNotAccepted as exc:
            raise _NotAccepted(str(exc)) from None
        return
    try:
        send_mail(rendered.title, rendered.text, None, [address])
    except (smtplib.SMTPException, OSError) as exc:
        raise _NotAccepted(f"mail server: {exc}") from None


def _finish(row: Message, **fields: Any) -> None:
    Message.objects.filter(pk=row.pk, status=Status.PENDING).update(**fields)


def messages_deliver(
    *,
    batch: str | None = None,
    ids: Sequence[int] | None = None,
    limit: int = _DELIVER_LIMIT,
) -> DeliveryResult:
    """Send the due pending rows (of a batch, or the given ids, or all): each exactly once.

    Skipped when the recipient turned the channel off or has no address; on a refusal the
    row stays pending until ``next_attempt_at`` (exponential backoff) and fails after
    ``MAX_ATTEMPTS``.
    """
    result = DeliveryResult()
    now = clock.now()
    claimed = _claim(now=now, batch=batch, ids=ids, limit=limit)
    if not claimed:
        return result
    found = _addresses(claimed)
    backend = sms_backend() if any(r.channel == Channel.SMS for r in claimed) else None
    margin = dt.timedelta(seconds=float(getattr(settings, "ONESTOP_SMS_TIMEOUT", 10)) + 5)
    for row in claimed:
        if clock.now() + margin >= row.next_attempt_at:
            break  # the lease is running out: another worker may take the row; leave it
        try:
            address, language = _address_and_language(row, found)
            _send(row, address, language, backend)
        except _Undeliverable as exc:
            _finish(row, status=Status.SKIPPED, last_error=str(exc), next_attempt_at=None)
            result.skipped.append(row.pk)
        except _NotAccepted as exc:
            if row.attempts >= MAX_ATTEMPTS:
                _finish(row, status=Status.FAILED, last_error=str(exc), next_attempt_at=None)
                result.failed.append(row.pk)
            else:
                _finish(row, last_error=str(exc))
                result.retrying.append(row.pk)
            logger.warning("message %s (%s) not delivered: %s", row.pk, row.channel, exc)
        else:
            _finish(
                row, status=Status.SENT, sent_at=clock.now(), last_error="", next_attempt_at=None
            )
            result.sent.append(row.pk)
    return result


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
