"""Due dates, recomputed from the event history, and the traffic light.

One function, :func:`due_dates`, derives every due date of a case from its events:

- case due = the first ``accepted`` event + the case's promised limit + the working days
  during which any of its tasks was paused (特别程序; overlapping pauses count once) + the
  days of every approved extension;
- task due = the moment the task became ready + the item's promised limit + the working days
  of that task's own pauses + its approved extensions;
- a 补正 asked for after acceptance (a department returned the case to the window, which
  then asked the applicant to correct it) stops the case's clock from the request until the
  applicant supplies the materials, as a 特别程序 does (行政许可法 第三十二条: the time to
  correct is not counted);
- beside each promised due date, the **legal** one (``Due.legal``): the same start + the
  item's 法定办结时限 + the same pauses, but no extension — an extension moves the promise,
  never the law, so a case past its legal limit is one even when its promise was extended.
  A case's legal limit is the latest of its items' (each counted from the acceptance).

The limit ends at the end of the Nth working day after the start day (see
``workdays.calendar.deadline``). A pause from day A to day B stops the clock for the working
days after A up to and including B (a pause started and ended the same day costs nothing).
Services store the results in ``due_at`` columns for sorting and filtering; they never add
to a stored due date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from onestop.cases.models import Case, CaseEvent
from onestop.cases.states import EventKind, TaskState
from onestop.core import clock
from onestop.workdays import calendar
from onestop.workdays.units import TimeUnit

_CLOCK_EVENTS = (
    EventKind.ACCEPTED,
    EventKind.CORRECTION_REQUESTED,
    EventKind.SUPPLEMENTED,
    EventKind.TASK_CREATED,
    EventKind.TASK_READY,
    EventKind.TASK_PAUSED,
    EventKind.TASK_RESUMED,
    EventKind.EXTENSION_APPROVED,
)


@dataclass
class Due:
    """A computed due date and what went into it."""

    start_at: dt.datetime
    promised_days: int
    unit: str
    paused_days: int
    extension_days: int
    deadline: calendar.Deadline
    is_paused: bool = False
    legal: calendar.Deadline | None = None  # the 法定时限: same start and pauses, no extension

    @property
    def at(self) -> dt.datetime:
        return self.deadline.at

    @property
    def is_provisional(self) -> bool:
        return self.deadline.is_provisional

    @property
    def limit_days(self) -> int:
        """The whole allowance: promised limit plus extensions."""
        return self.promised_days + self.extension_days

    def is_past_legal(self, now: dt.datetime) -> bool:
        """Whether the legal time limit has passed (whatever the promise says)."""
        return self.legal is not None and now > self.legal.at


@dataclass
class DueDates:
    case: Due | None
    tasks: dict[int, Due] = field(default_factory=dict)


@dataclass
class _TaskClock:
    ready_at: dt.datetime | None = None
    pauses: list[tuple[dt.datetime, dt.datetime | None]] = field(default_factory=list)
    extension_days: int = 0


def _days(start: dt.datetime, end: dt.datetime, unit: str) -> tuple[int, bool]:
    if unit == TimeUnit.MINUTE:  # whole minutes stopped (a minute limit counts minutes)
        return max(0, int((end - start).total_seconds() // 60)), False
    a, b = clock.local(start).date(), clock.local(end).date()
    if b <= a:
        return 0, False
    if unit == TimeUnit.NATURAL_DAY:
        return (b - a).days, False
    result = calendar.workdays_between(a, b)
    return result.value, result.is_provisional


def _paused_days(
    intervals: list[tuple[dt.datetime, dt.datetime | None]], unit: str, now: dt.datetime
) -> tuple[int, bool]:
    """Days covered by the union of the intervals (an open interval ends now)."""
    spans = sorted((start, end or now) for start, end in intervals)
    merged: list[list[dt.datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    total, provisional = 0, False
    for start, end in merged:
        days, prov = _days(start, end, unit)
        total += days
        provisional = provisional or prov
    return total, provisional


def _deadline(start: dt.datetime, days: int, unit: str, provisional: bool) -> calendar.Deadline:
    deadline = calendar.deadline(start, days, unit)
    if provisional and not deadline.is_provisional:
        deadline = calendar.Deadline(at=deadline.at, on=deadline.on, is_provisional=True)
    return deadline


def _due(
    start: dt.datetime,
    promised: int,
    unit: str,
    pauses: list[tuple[dt.datetime, dt.datetime | None]],
    extension_days: int,
    now: dt.datetime,
    legal: Sequence[tuple[int, str]] = (),
) -> Due:
    paused, provisional = _paused_days(pauses, unit, now)
    legal_deadline = None
    for legal_days, legal_unit in legal:  # the latest of the legal limits given
        legal_paused, legal_prov = (
            (paused, provisional) if legal_unit == unit else _paused_days(pauses, legal_unit, now)
        )
        candidate = _deadline(start, legal_days + legal_paused, legal_unit, legal_prov)
        if legal_deadline is None or candidate.at > legal_deadline.at:
            legal_deadline = candidate
    return Due(
        start_at=start,
        promised_days=promised,
        unit=unit,
        paused_days=paused,
        extension_days=extension_days,
        deadline=_deadline(start, promised + paused + extension_days, unit, provisional),
        is_paused=any(end is None for _, end in pauses),
        legal=legal_deadline,
    )


def due_from(start: dt.datetime, promised: int, unit: str) -> Due:
    """The due date of a clock started at ``start``, not (yet) paused or extended.

    What :func:`due_dates` derives for a case or task whose events show only its start, so
    services store it when a clock starts instead of re-reading the history.
    """
    return _due(start, promised, unit, [], 0, start)


def due_dates(
    case: Case,
    *,
    now: dt.datetime | None = None,
    pending: Iterable[tuple[str, dt.datetime, str, dict[str, Any]]] = (),
) -> DueDates:
    """Every due date of the case, derived from its events alone (plus the promised limits).

    ``pending``: events of the running transition not written yet, as (kind, at, to_state,
    payload), taken as following the stored ones.
    """
    now = now or clock.now()
    stored = CaseEvent.objects.filter(case=case, kind__in=_CLOCK_EVENTS).order_by("seq")
    accepted_at: dt.datetime | None = None
    tasks: dict[int, _TaskClock] = {}
    open_pauses: dict[Any, tuple[int, dt.datetime]] = {}
    all_pauses: list[tuple[dt.datetime, dt.datetime | None]] = []
    closed: list[tuple[int, dt.datetime, dt.datetime]] = []
    case_extension_days = 0
    events = [
        *stored.values_list("kind", "at", "to_state", "payload"),
        *(e for e in pending if e[0] in _CLOCK_EVENTS),
    ]
    correction_from: dt.datetime | None = None
    for kind, at, to_state, payload in events:
        task_id = payload.get("task")
        if kind == EventKind.ACCEPTED:
            accepted_at = accepted_at or at
            continue
        if kind == EventKind.CORRECTION_REQUESTED:
            if accepted_at is not None and correction_from is None:
                correction_from = at  # after acceptance: the case's clock stops
            continue
        if kind == EventKind.SUPPLEMENTED:
            if correction_from is not None:
                all_pauses.append((correction_from, at))
                correction_from = None
            continue
        if task_id is None:
            continue
        task = tasks.setdefault(task_id, _TaskClock())
        if kind in (EventKind.TASK_CREATED, EventKind.TASK_READY) and to_state == TaskState.READY:
            task.ready_at = task.ready_at or at
        elif kind == EventKind.TASK_PAUSED:
            open_pauses[payload.get("pause")] = (task_id, at)
        elif kind == EventKind.TASK_RESUMED:
            started = open_pauses.pop(payload.get("pause"), None)
            if started is not None:
                closed.append((started[0], started[1], at))
        elif kind == EventKind.EXTENSION_APPROVED:
            days = int(payload.get("days", 0))
            task.extension_days += days
            case_extension_days += days
    for task_id, start, end in closed:
        tasks[task_id].pauses.append((start, end))
        all_pauses.append((start, end))
    for task_id, start in open_pauses.values():
        tasks[task_id].pauses.append((start, None))
        all_pauses.append((start, None))
    if correction_from is not None:
        all_pauses.append((correction_from, None))

    limits = {
        pk: ((days, unit), (legal_days, legal_unit))
        for pk, days, unit, legal_days, legal_unit in case.tasks.filter(
            pk__in=list(tasks)
        ).values_list(
            "pk",
            "promised_days",
            "promised_unit",
            "item_version__legal_limit",
            "item_version__legal_limit_unit",
        )
    }
    result = DueDates(case=None)
    if accepted_at is not None:
        # The case's legal limit: the longest of its items' (each from the acceptance).
        legal = sorted({legal for _promised, legal in limits.values()})
        result.case = _due(
            accepted_at,
            case.promised_days,
            case.promised_unit,
            all_pauses,
            case_extension_days,
            now,
            legal=legal,
        )
    for task_id, task in tasks.items():
        if task.ready_at is None or task_id not in limits:
            continue
        (days, unit), legal_limit = limits[task_id]
        result.tasks[task_id] = _due(
            task.ready_at, days, unit, task.pauses, task.extension_days, now, legal=[legal_limit]
        )
    return result


# ------------------------------------------------------------------------- traffic light


class Light:
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    # A special procedure (特别程序) stops the clock: neither running out nor overdue.
    PAUSED = "paused"
    LABELS = {
        GREEN: _("正常"),
        YELLOW: _("即将到期"),
        RED: _("已超期"),
        PAUSED: _("暂停计时"),
    }


@dataclass(frozen=True)
class TrafficLight:
    colour: str
    remaining_days: int  # in ``unit``: minutes left for a limit in minutes
    limit_days: int
    due_at: dt.datetime
    is_provisional: bool
    is_paused: bool
    unit: str = TimeUnit.WORKDAY

    @property
    def label(self) -> str:
        return str(Light.LABELS[self.colour])


def traffic_light(
    *,
    due_at: dt.datetime,
    limit_days: int,
    is_provisional: bool = False,
    is_paused: bool = False,
    now: dt.datetime | None = None,
    unit: str = TimeUnit.WORKDAY,
) -> TrafficLight:
    """Green, yellow (≤ N working days or ≤ a share of the limit left) or red (overdue);
    paused while a special procedure stops the clock, unless it was overdue already.
    ``due_at`` of a paused clock is the one its history gives now (``due_dates``: the paused
    working days so far added), not the stored one.

    Thresholds: ``ONESTOP_WARN_REMAINING_WORKDAYS`` (default 1) and
    ``ONESTOP_WARN_REMAINING_RATIO`` (default 0.2). A limit in minutes (the village
    centres' 30-minute promise) counts whole minutes left and turns yellow with
    ``ONESTOP_WARN_REMAINING_MINUTES`` (default 10: at 20 minutes of 30) or fewer left.
    """
    now = now or clock.now()
    if unit == TimeUnit.MINUTE:
        left = int((due_at - now).total_seconds() // 60)
        warn_minutes = int(getattr(settings, "ONESTOP_WARN_REMAINING_MINUTES", 10))
        if now > due_at:
            colour = Light.RED
        elif is_paused:
            colour = Light.PAUSED
        elif due_at - now <= dt.timedelta(minutes=warn_minutes):
            colour = Light.YELLOW
        else:
            colour = Light.GREEN
        return TrafficLight(
            colour=colour,
            remaining_days=left,
            limit_days=limit_days,
            due_at=due_at,
            is_provisional=False,
            is_paused=is_paused,
            unit=unit,
        )
    remaining = calendar.remaining_workdays(now, due_at)
    warn_days = int(getattr(settings, "ONESTOP_WARN_REMAINING_WORKDAYS", 1))
    warn_ratio = float(getattr(settings, "ONESTOP_WARN_REMAINING_RATIO", 0.2))
    if now > due_at:
        colour = Light.RED  # overdue before the procedure began: still overdue
    elif is_paused:
        colour = Light.PAUSED
    elif remaining.value <= warn_days or remaining.value <= warn_ratio * limit_days:
        colour = Light.YELLOW
    else:
        colour = Light.GREEN
    return TrafficLight(
        colour=colour,
        remaining_days=remaining.value,
        limit_days=limit_days,
        due_at=due_at,
        is_provisional=is_provisional or remaining.is_provisional,
        is_paused=is_paused,
        unit=unit,
    )
