"""Delivery of the outbox: claim due rows, send each exactly once, record the outcome.

Apart from ``services`` because the Celery tasks call it and ``services`` publishes those
tasks: one module each way, no import cycle.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction

from onestop.accounts.models import Applicant, Staff
from onestop.core import clock
from onestop.notifications.models import (
    Channel,
    Message,
    NotificationPreference,
    RecipientKind,
    Status,
)
from onestop.notifications.rendering import message_render
from onestop.notifications.sms import Sms, SmsNotAccepted, sms_backend

logger = logging.getLogger("onestop.notifications")

MAX_ATTEMPTS = 8  # 1 + 2 + 4 + … + 64 minutes: the last try about two hours after the first
_BACKOFF_FIRST_SECONDS = 60
_BACKOFF_MAX_SECONDS = 6 * 3600
_DELIVER_LIMIT = 200


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next attempt after ``attempts`` of them: 1, 2, 4 … minutes, ≤ 6 h."""
    seconds = _BACKOFF_FIRST_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, _BACKOFF_MAX_SECONDS))


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
