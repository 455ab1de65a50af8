"""Background work: the periodic sweeps as Celery tasks, eagerly and through a real broker."""

from __future__ import annotations

import datetime as dt
import socket
import time
import uuid

import pytest
from django.db import OperationalError

from onestop.cases.models import Case
from onestop.cases.states import CaseState
from onestop.cases.tasks import (
    cases_notify_task_lights,
    cases_refresh_dues,
    cases_remind_tolerated,
    cases_sweep_orphan_files,
    cases_sweep_overdue_tolerated,
)
from onestop.config.celery import app
from onestop.core import clock

SH = clock.SHANGHAI
MONDAY = dt.datetime(2026, 11, 2, 10, tzinfo=SH)  # promised 5 working days: due Mon 11-09
AFTER_DUE = dt.datetime(2026, 11, 10, 0, 30, tzinfo=SH)
REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def test_without_a_broker_the_sweep_runs_in_process(setup):
    with clock.frozen(MONDAY):
        late = setup.tolerated()
    with clock.frozen(AFTER_DUE):
        result = cases_sweep_overdue_tolerated.delay()
    assert result.get() == [late.number]
    late.refresh_from_db()
    assert late.state == CaseState.TERMINATED


def test_refreshing_dues_counts_the_open_cases(setup):
    with clock.frozen(MONDAY):
        setup.accepted()
        setup.accepted()
    assert cases_refresh_dues.delay().get() == 2
    assert cases_refresh_dues.delay(provisional_only=True).get() == 0


def test_the_beat_schedule_runs_the_sweeps_at_night_shanghai_time():
    schedule = app.conf.beat_schedule
    assert {entry["task"] for entry in schedule.values()} == {
        cases_sweep_overdue_tolerated.name,
        cases_refresh_dues.name,
        cases_sweep_orphan_files.name,
        cases_remind_tolerated.name,
        cases_notify_task_lights.name,
        "onestop.notifications.tasks.notifications_deliver_due",
        "onestop.supervision.tasks.supervision_sweep",
        "onestop.stats.tasks.stats_sweep",
        "onestop.evaluations.tasks.ratings_push_due",
        "onestop.evaluations.tasks.evaluators_catch_up",
        "onestop.evaluations.tasks.rating_invitations_send",
        "onestop.evaluations.tasks.ratings_default_sweep",
        "onestop.certificates.tasks.certificates_issue_missing",
        "onestop.certificates.tasks.certificates_expire",
        "onestop.delivery.tasks.delivery_sync",
    }
    app.loader.import_default_modules()  # what a worker does at start: every app's tasks.py
    registered = set(app.tasks)
    assert {entry["task"] for entry in schedule.values()} <= registered
    assert app.conf.timezone == "Asia/Shanghai"


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_sweep_through_redis(setup):
    if not _redis_up():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    from celery.contrib.testing.worker import start_worker

    with clock.frozen(MONDAY):
        late = setup.tolerated()
    queue = f"onestop-test-{uuid.uuid4().hex}"  # its own queue: nothing left over from others
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url="redis://127.0.0.1:6379/15", task_always_eager=False)
    try:
        with (
            clock.frozen(AFTER_DUE),
            start_worker(app, perform_ping_check=False, pool="solo", queues=[queue]),
        ):
            # through Redis to the worker thread (an explicit connection: the app's producer
            # pool may already exist from the eager tests, made before broker_url was set)
            with app.connection_for_write() as connection:
                cases_sweep_overdue_tolerated.apply_async(connection=connection, queue=queue)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if Case.objects.get(pk=late.pk).state == CaseState.TERMINATED:
                        break
                except OperationalError:
                    # SQLite's shared-cache in-memory test database answers "table is locked"
                    # (no busy wait) while the worker thread writes: look again.
                    pass
                time.sleep(0.1)
    finally:
        app.conf.update(saved)
    assert Case.objects.get(pk=late.pk).state == CaseState.TERMINATED
