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
