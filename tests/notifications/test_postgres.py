"""PostgreSQL: two workers claiming at once never take the same row (skip_locked)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from onestop.core import clock
from onestop.notifications.delivery import _claim, messages_deliver
from onestop.notifications.models import Channel, Message, MessageKind, Status
from onestop.notifications.services import Notice, applicant_recipient, messages_enqueue
from tests.notifications.conftest import MONDAY


@pytest.fixture(autouse=True)
def _publish_lost(monkeypatch):
    """The on-commit publish is lost (the broker was down): only the claimers here send."""
    from onestop.notifications import services

    monkeypatch.setattr(services, "_publish", lambda **kwargs: None)


def _queue(applicant_id: int, n: int) -> None:
    with clock.frozen(MONDAY):
        messages_enqueue(
            notices=[
                Notice(
                    kind=MessageKind.CASE_SUBMITTED,
                    recipients=[applicant_recipient(applicant_id)],
                    case_number=f"N-{i}",
                    context={"case_title": "事项"},
                )
                for i in range(n)
            ]
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_one_claimer_is_skipped_by_the_other(setup):
    _queue(setup.applicant.pk, 4)
    pending = list(
        Message.objects.filter(status=Status.PENDING).order_by("pk").values_list("pk", flat=True)
    )  # SMS and e-mail rows
    locked, release, second = threading.Event(), threading.Event(), {}

    def hold_two() -> None:
        try:
            with transaction.atomic():
                list(Message.objects.select_for_update().filter(pk__in=pending[:2]))
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_two)
    holder.start()
    assert locked.wait(10)
    try:
        with clock.frozen(MONDAY):
            second["rows"] = [m.pk for m in _claim(now=MONDAY, batch=None, ids=None, limit=10)]
    finally:
        release.set()
        holder.join()
    assert second["rows"] == pending[2:]  # did not wait for, nor take, the locked rows


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_send_each_message_once(setup, gateway):
    assert connection.vendor == "postgresql"
    _queue(setup.applicant.pk, 30)
    results: list[list[int]] = []
    start = threading.Barrier(3)

    def worker() -> None:
        try:
            start.wait(10)
            results.append(messages_deliver(limit=5).sent)
            results.append(messages_deliver(limit=50).sent)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    # The clock is frozen once for all three workers: a freeze per thread would end in one
    # while the others still deliver, and they would read the real (earlier) time.
    with clock.frozen(MONDAY):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    sent = [pk for chunk in results for pk in chunk]
    sms = set(Message.objects.filter(channel=Channel.SMS).values_list("pk", flat=True))
    assert sorted(sent) == sorted(sms)
    assert sorted(map(int, gateway.accepted)) == sorted(sms)
    assert set(Message.objects.filter(channel=Channel.SMS).values_list("status", flat=True)) == {
        Status.SENT
    }
