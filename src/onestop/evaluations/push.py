"""The push of ratings to the provincial 好差评 platform: an outbox (``PushRecord``).

A rating's row is written in the rating's transaction; after commit one attempt is made,
and ``push_due`` (beat every minute, ``onestop evaluations push``) retries what is due, so
nothing is lost while the platform is down. Exactly once per rating, as in
notifications.delivery: a row is *claimed* in a short transaction (``skip_locked`` on
PostgreSQL) by counting the attempt and moving ``next_attempt_at`` ahead — the lease —
then sent outside any transaction with ``Idempotency-Key: rating-<id>``, and marked sent
only after a 2xx. A 4xx other than 408/429 is a record the platform refuses: it is kept
with its error and retried at the longest backoff (the admin shows it).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction

from onestop.core import clock
from onestop.evaluations import provincial
from onestop.evaluations.models import PushRecord, Rating

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (30, 60, 300, 900, 3600)
LEASE = timedelta(minutes=2)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])


def _claim(rating_ids: Sequence[int] | None, limit: int) -> list[int]:
    now = clock.now()
    with transaction.atomic():
        rows = PushRecord.objects.filter(sent_at__isnull=True, next_attempt_at__lte=now)
        if rating_ids is not None:
            rows = rows.filter(rating_id__in=list(rating_ids))
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        else:
            rows = rows.select_for_update()
        claimed = list(rows.order_by("next_attempt_at", "pk")[:limit])
        for row in claimed:
            row.attempts += 1
            row.next_attempt_at = now + LEASE
            row.save(update_fields=["attempts", "next_attempt_at"])
    return [row.pk for row in claimed]


def _send(record: dict[str, object], rating_id: int) -> tuple[bool, str]:
    body = json.dumps(record, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": f"rating-{rating_id}",
    }
    if settings.ONESTOP_RATING_PUSH_TOKEN:
        headers["Authorization"] = f"Bearer {settings.ONESTOP_RATING_PUSH_TOKEN}"
    request = urllib.request.Request(  # noqa: S310 (the URL is configuration)
        settings.ONESTOP_RATING_PUSH_URL, data=body, headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=float(settings.ONESTOP_RATING_PUSH_TIMEOUT)
        ) as response:
            return 200 <= response.status < 300, f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        detail = exc.read(200).decode("utf-8", "replace")
        return False, f"HTTP {exc.code} {detail}"[:255]
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        return False, str(exc)[:255]


def push_due(*, rating_ids: Sequence[int] | None = None, limit: int = 200) -> int:
    """Send each due record once; returns how many the platform accepted."""
    if not settings.ONESTOP_RATING_PUSH_URL:
        return 0
    sent = 0
    for row_id in _claim(rating_ids, limit):
        row = PushRecord.objects.get(pk=row_id)
        rating = Rating.objects.select_related(
            "case__item_version", "applicant", "department__region", "staff"
        ).get(pk=row.rating_id)
        record = provincial.interface_record(provincial.facts_of(rating), full_identity=True)
        ok, detail = _send(record, rating.pk)
        now = clock.now()
        if ok:
            PushRecord.objects.filter(pk=row.pk).update(sent_at=now, last_error="")
            Rating.objects.filter(pk=rating.pk).update(pushed_at=now)
            sent += 1
        else:
            log.warning("push of rating %s failed: %s", rating.pk, detail)
            PushRecord.objects.filter(pk=row.pk).update(
                next_attempt_at=now + _backoff(row.attempts), last_error=detail
            )
    return sent
