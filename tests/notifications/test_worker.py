"""A real Celery worker on Redis delivers what a committed transition queued."""

from __future__ import annotations

import socket
import time
import uuid

import pytest
from django.db import OperationalError

from onestop.config.celery import app
from onestop.core import clock
from onestop.notifications.models import Channel, Message, Status
from tests.notifications.conftest import MONDAY, told

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def _sms_status(pk: int) -> str | None:
    try:
        return Message.objects.get(pk=pk).status
    except OperationalError:
        # SQLite's shared-cache in-memory test database answers "table is locked" (no busy
        # wait) while the worker thread writes: look again.
        return None


# On SQLite the test database is in memory with a shared cache, where a read by the test
# thread makes the worker thread's write fail at once ("table is locked"): the worker and
# the test only really run side by side on PostgreSQL.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_delivers_the_sms_of_a_committed_submission(setup, gateway, settings):
    if not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from celery.contrib.testing.worker import start_worker

    queue = f"onestop-test-{uuid.uuid4().hex}"  # its own queue: nothing left over from others
    settings.ONESTOP_NOTIFICATIONS_QUEUE = queue
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url="redis://127.0.0.1:6379/15", task_always_eager=False)
    # Publishing goes through the app's producer pool, which may have been made for the
    # eager default before broker_url changed: drop it, as Celery does after a fork.
    app._pool = None
    app.amqp._producer_pool = None
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", queues=[queue]):
            with clock.frozen(MONDAY):
                told(lambda: setup.submit())  # commits: on commit, published to Redis
            sms = Message.objects.get(channel=Channel.SMS)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and _sms_status(sms.pk) != Status.SENT:
                time.sleep(0.1)
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None
    assert Message.objects.get(pk=sms.pk).status == Status.SENT
    assert gateway.accepted == [str(sms.pk)]


@pytest.mark.postgres  # the worker writes while the lifecycle runs (see above)
@pytest.mark.django_db(transaction=True)
def test_a_lifecycle_runs_while_the_gateway_fails_and_the_worker_sends_each_sms_once_later(
    lifecycle, gateway, settings
):
    """Gateway answering 500, then not listening, then back: the real worker on Redis tries
    after every commit, the case goes its whole way regardless, and once the gateway is back
    the beat's sweep makes the worker send every message exactly once."""
    if not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    import datetime as dt

    from celery.contrib.testing.worker import start_worker

    from onestop.cases.states import CaseState
    from onestop.notifications.tasks import notifications_deliver_due

    queue = f"onestop-test-{uuid.uuid4().hex}"
    settings.ONESTOP_NOTIFICATIONS_QUEUE = queue
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url="redis://127.0.0.1:6379/15", task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None

    def sms_rows() -> list[Message] | None:
        try:
            return list(Message.objects.filter(channel=Channel.SMS).order_by("pk"))
        except OperationalError:  # SQLite's shared cache while the worker writes
            return None

    def wait_for(check) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            rows = sms_rows()
            if rows and check(rows):
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out: {[(r.pk, r.status, r.attempts) for r in rows or []]}")

    try:
        with start_worker(app, perform_ping_check=False, pool="solo", queues=[queue]):
            gateway.status = 500
            case = lifecycle.run()  # every step commits; the worker tries after each
            assert case.state == CaseState.DELIVERED
            wait_for(lambda rows: len(rows) == 7 and all(r.attempts >= 1 for r in rows))
            assert {r.status for r in sms_rows()} == {Status.PENDING}
            assert not gateway.accepted

            port = gateway.port
            gateway.stop()  # not listening at all
            # an hour after every row's next attempt is due (the steps span several days, and
            # the worker's first tries ran at frozen or at real times)
            later = max(r.next_attempt_at for r in sms_rows() or []) + dt.timedelta(hours=1)
            with clock.frozen(later):
                notifications_deliver_due.apply_async(queue=queue)
                wait_for(lambda rows: all(r.attempts >= 2 for r in rows))
            assert {r.status for r in sms_rows()} == {Status.PENDING}

            gateway.port, gateway.status = port, 200
            gateway.start()  # back, on the same address
            with clock.frozen(later + dt.timedelta(hours=1)):
                notifications_deliver_due.apply_async(queue=queue)
                wait_for(lambda rows: all(r.status == Status.SENT for r in rows))
                notifications_deliver_due.apply_async(queue=queue)  # a second sweep: nothing
                time.sleep(1)
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None
    sms = [r.pk for r in Message.objects.filter(channel=Channel.SMS)]
    assert sorted(map(int, gateway.accepted)) == sorted(sms)  # each once, none twice
