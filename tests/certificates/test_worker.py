"""With a broker, the sealed result of an approval is made by a real Celery worker on Redis,
not on the approving request's thread."""

from __future__ import annotations

import gc
import socket
import time
import uuid

import pytest

from onestop.certificates.models import Certificate
from onestop.config.celery import app

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


# The worker thread writes while the test reads: only PostgreSQL runs them side by side (see
# tests/notifications/test_worker.py).
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_approval_commits_at_once_and_the_worker_seals_its_result(sealed, settings):
    if not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from celery.contrib.testing.worker import start_worker

    setup = sealed.setup
    case = setup.accepted()
    queue = f"onestop-test-{uuid.uuid4().hex}"
    settings.ONESTOP_HOOKS_QUEUE = queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url="redis://127.0.0.1:6379/15", task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    try:
        task = setup.decide(case, "licence")  # commits; its hooks go to the relay
        assert not Certificate.objects.filter(task_id=task.pk).exists()  # not on this thread
        with start_worker(app, perform_ping_check=False, pool="solo", queues=[queue]):
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if Certificate.objects.filter(task_id=task.pk).exists():
                    break
                time.sleep(0.1)
            time.sleep(0.5)  # a repeated publication would issue nothing more
    finally:
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None
        gc.collect()  # the worker thread's database connection, so the test database can go
    assert Certificate.objects.filter(task_id=task.pk).count() == 1
