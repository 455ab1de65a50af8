"""Celery tasks of the case engine; each takes plain values and calls one service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from onestop.cases import hooks
from onestop.cases.files import files_sweep_orphans
from onestop.cases.maintenance import dues_refresh_all
from onestop.cases.reminders import task_lights_notify, tolerated_reminders_send
from onestop.cases.services import case_terminate_overdue_tolerated


@shared_task(name="onestop.cases.tasks.cases_sweep_overdue_tolerated")
def cases_sweep_overdue_tolerated() -> list[str]:
    """Terminate cases whose tolerated (容缺) material is past its supplement date."""
    return case_terminate_overdue_tolerated()


@shared_task(name="onestop.cases.tasks.cases_refresh_dues")
def cases_refresh_dues(*, provisional_only: bool = False) -> int:
    """Recompute stored due dates from the events (after a new year's schedule is published)."""
    return dues_refresh_all(provisional_only=provisional_only)


@shared_task(name="onestop.cases.tasks.cases_sweep_orphan_files")
def cases_sweep_orphan_files(*, older_than_hours: int = 24) -> list[str]:
    """Delete uploaded files no row references (rolled-back submissions, deleted drafts)."""
    result = files_sweep_orphans(older_than=dt.timedelta(hours=older_than_hours))
    return list(result.deleted_names)


@shared_task(name="onestop.cases.tasks.cases_remind_tolerated")
def cases_remind_tolerated() -> int:
    """Remind applicants of tolerated (容缺) materials due within three working days."""
    return tolerated_reminders_send()


@shared_task(name="onestop.cases.tasks.cases_notify_task_lights")
def cases_notify_task_lights() -> int:
    """Tell officers once when a task they hold turns yellow, once when red."""
    return task_lights_notify()


@shared_task(name=hooks.HOOKS_TASK)
def case_hooks_run(*, entries: list[list]) -> int:
    """Run the deferred case-event handlers a relay published ([name, case id, event ids])."""
    return hooks.deferred_run(
        [(str(name), int(case_id), list(pks)) for name, case_id, pks in entries]
    )
