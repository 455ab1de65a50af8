"""Sweeps that remind: tolerated (容缺) materials about to be due, tasks turning yellow or red.

Both are idempotent (a dedupe key per material and date, per task and colour), so running
them more often than the beat schedule does, or twice, tells nobody twice. The Celery tasks
that run them are thin wrappers in ``cases/tasks.py``.
"""

from __future__ import annotations

import datetime as dt

from onestop.cases.deadlines import Light
from onestop.cases.models import CaseMaterial, ItemTask
from onestop.cases.selectors import task_traffic_light
from onestop.cases.states import CaseState, MaterialStatus, TaskState
from onestop.core import clock
from onestop.notifications.models import MessageKind
from onestop.notifications.services import (
    Notice,
    applicant_recipient,
    messages_enqueue,
    staff_recipient,
)
from onestop.workdays import calendar

REMIND_TOLERATED_WORKDAYS = 3
_LIGHT_KINDS = {Light.YELLOW: MessageKind.TASK_YELLOW, Light.RED: MessageKind.TASK_RED}


def tolerated_reminders_send(*, today: dt.date | None = None) -> int:
    """Tell the applicant (and agent) about each tolerated material due within 3 working days.

    One reminder per material and supplement date, however often the sweep runs; a run
    missed on the day still reminds on the next (until the date has passed). Returns the
    materials considered.
    """
    today = today or clock.today()
    horizon = calendar.add_workdays(today, REMIND_TOLERATED_WORKDAYS).value
    rows = CaseMaterial.objects.filter(
        status=MaterialStatus.TOLERATED_MISSING,
        supplement_due_on__gte=today,
        supplement_due_on__lte=horizon,
        case__state__in=[CaseState.IN_PROGRESS, CaseState.COMPLETED],
    ).values_list(
        "pk",
        "name",
        "supplement_due_on",
        "case_id",
        "case__number",
        "case__title",
        "case__applicant_id",
        "case__agent_id",
    )
    notices = []
    for pk, name, due_on, case_id, number, title, applicant_id, agent_id in rows:
        recipients = [applicant_recipient(applicant_id)]
        if agent_id:
            recipients.append(staff_recipient(agent_id))
        notices.append(
            Notice(
                kind=MessageKind.TOLERATED_DUE_SOON,
                recipients=recipients,
                case_id=case_id,
                case_number=number or "",
                context={
                    "case_title": title,
                    "material": name,
                    "supplement_due_on": due_on.isoformat(),
                },
                dedupe_key=f"tolerated:{pk}:{due_on.isoformat()}",
            )
        )
    if notices:
        messages_enqueue(notices=notices)
    return len(notices)


def task_lights_notify(*, now: dt.datetime | None = None) -> int:
    """Tell each officer once when a task they hold turns yellow, and once when it turns red.

    Paused tasks are left out (their clock stands still). Returns the messages offered.
    """
    now = now or clock.now()
    tasks = (
        ItemTask.objects.filter(
            state__in=[TaskState.READY, TaskState.CLAIMED],
            assignee_id__isnull=False,
            due_at__isnull=False,
        )
        .select_related("case")
        .only(
            "pk",
            "state",
            "title",
            "assignee_id",
            "due_at",
            "due_is_provisional",
            "promised_days",
            "case__id",
            "case__number",
            "case__title",
        )
    )
    notices = []
    for task in tasks.iterator(chunk_size=2000):
        light = task_traffic_light(task, now=now)
        if light is None or light.colour not in _LIGHT_KINDS:
            continue
        notices.append(
            Notice(
                kind=_LIGHT_KINDS[light.colour],
                recipients=[staff_recipient(task.assignee_id)],
                case_id=task.case_id,
                case_number=task.case.number or "",
                context={
                    "case_title": task.case.title,
                    "item": task.title,
                    "due_on": clock.local(light.due_at).date().isoformat(),
                    "remaining_days": max(light.remaining_days, 0),
                },
                dedupe_key=f"light:{task.pk}:{light.colour}",
            )
        )
    for start in range(0, len(notices), 500):
        messages_enqueue(notices=notices[start : start + 500])
    return len(notices)
