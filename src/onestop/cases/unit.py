"""The unit of work of the case engine: one transaction's changes to one case.

Every service that changes a case opens one (``case_work``, ``task_work`` or
``new_case_work``) inside its atomic block. The unit

* takes the case's row lock (and the task's, case first, so writers never deadlock);
* reads the clock once: every event and timestamp of the transition carries the same moment;
* moves the case and its tasks only through the transition tables (``move_case``,
  ``move_task``) and collects the changed fields of each row (``change``);
* collects the events (``move_*`` and ``record``), hashing them into the case's chain when it
  writes;
* on a clean exit writes once: one UPDATE per changed row, or per group of rows of one model
  changed in the same fields (the first single-row UPDATE also reads the chain head, a round
  trip saved), the events in one INSERT and the notifications they cause in one INSERT into
  the outbox (``cases.notify``), whose delivery ``notifications`` schedules with
  ``transaction.on_commit`` — nothing leaves the process before the transaction has
  committed; other apps' reactions to the events (``cases.hooks``) are scheduled the same
  way.

New rows that later steps must point at (tasks, pauses, extensions) are inserted at once
with ``insert``, through the same statement builder (``sql.rows_insert``). On an exception
nothing is written by the unit and the service's atomic block rolls back the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from onestop.cases import hooks, notify, sql
from onestop.cases.events import Actor, event_build, head_known, head_set
from onestop.cases.models import Case, CaseEvent, ItemTask
from onestop.cases.states import CaseState, EventKind, TaskState, transition
from onestop.core import clock
from onestop.core.errors import NotFound
from onestop.notifications.services import messages_written


class CaseWork:
    """The pending changes of one case in one transaction (see the module docstring)."""

    def __init__(self, case: Case, *, now: dt.datetime | None = None) -> None:
        self.case = case
        self.now = now or clock.now()
        self._rows: dict[tuple[type[Model], Any], tuple[Model, dict[str, None]]] = {}
        self._events: list[dict[str, Any]] = []

    # ----------------------------------------------------------------------- changes

    def change(self, obj: Model, *fields: str) -> None:
        """Note changed fields of the case or of one of its rows (written on exit)."""
        key = (type(obj), obj.pk)
        entry = self._rows.get(key)
        if entry is None:
            entry = self._rows[key] = (obj, {})
        elif entry[0] is not obj:  # another instance of a row already changed: one write
            for name in fields:
                attname = obj._meta.get_field(name).attname
                setattr(entry[0], attname, getattr(obj, attname))
        entry[1].update(dict.fromkeys(fields))

    def move_case(
        self,
        to: CaseState,
        *,
        kind: EventKind,
        actor: Actor,
        action: str | Promise,
        reason: str = "",
        payload: dict[str, Any] | None = None,
        fields: Iterable[str] = (),
    ) -> None:
        """Move the case through the transition table and record the event."""
        old = transition(self.case, to=to, action=str(action))
        self.change(self.case, "state", *fields)
        self.record(kind, actor=actor, from_state=old, to_state=to, reason=reason, payload=payload)

    def move_task(
        self,
        task: ItemTask,
        to: TaskState,
        *,
        kind: EventKind,
        actor: Actor,
        action: str | Promise,
        reason: str = "",
        payload: dict[str, Any] | None = None,
        fields: Iterable[str] = (),
    ) -> None:
        """Move one of the case's tasks through the transition table and record the event."""
        old = transition(task, to=to, action=str(action))
        self.change(task, "state", *fields)
        self.record(
            kind,
            actor=actor,
            from_state=old,
            to_state=to,
            reason=reason,
            payload={"task": task.pk, "item": task.title, **(payload or {})},
        )

    def record(
        self,
        kind: EventKind,
        *,
        actor: Actor,
        from_state: str = "",
        to_state: str = "",
        reason: str = "",
        payload: dict[str, Any] | None = None,
    ) -> None:
        """An event of this transition (hashed into the chain when the unit writes)."""
        self._events.append(
            {
                "kind": kind,
                "actor": actor,
                "from_state": from_state,
                "to_state": to_state,
                "reason": reason,
                "payload": payload,
            }
        )

    def insert(self, objs: Iterable[Model]) -> None:
        """Insert new rows now (in one statement per model), so later steps can point at them."""
        by_model: dict[type[Model], list[Model]] = {}
        for obj in objs:
            by_model.setdefault(type(obj), []).append(obj)
        for rows in by_model.values():
            sql.rows_insert(rows)

    def pending_events(self) -> list[tuple[str, dt.datetime, str, dict[str, Any]]]:
        """The events recorded so far as (kind, at, to_state, payload), for derivations that
        read the history (due dates) before the unit has written it."""
        return [
            (str(e["kind"]), self.now, str(e["to_state"]), dict(e["payload"] or {}))
            for e in self._events
        ]

    # ------------------------------------------------------------------------- write

    def save(self) -> list[CaseEvent]:
        """Write the changed rows, the events and their notifications; schedule the effects."""
        case = self.case
        # Rows of one model changed in the same fields go in one statement; the first
        # single-row UPDATE also reads the chain head.
        groups: dict[tuple[type[Model], tuple[str, ...]], list[Model]] = {}
        for obj, fields in self._rows.values():
            groups.setdefault((type(obj), (*fields, "updated_at")), []).append(obj)
        for (_model, names), objs in groups.items():
            if len(objs) == 1 and not head_known(case) and self._events:
                head = sql.row_update(objs[0], names, chain_head_of=case.pk)
                if head is not None:
                    head_set(case, *head)
            else:
                sql.rows_update(objs, names)
        self._rows.clear()
        events: list[CaseEvent] = []
        if self._events:
            if not head_known(case):
                head_set(case, *sql.chain_head(case.pk))
            events = [event_build(case=case, at=self.now, **e) for e in self._events]
            sql.event_writer_enter()  # before the ids are drawn: the feed's horizon waits
            sql.rows_insert(events)
            self._events.clear()
            messages = notify.case_events_messages(case=case, events=events)
            if messages:  # the outbox, in this transaction; delivered after commit
                sql.rows_insert(messages, ignore_conflicts=True)
                messages_written(messages)
            hooks.events_written(case.pk, events)
        return events


def _require_atomic() -> None:
    if not connection.in_atomic_block:  # pragma: no cover - a programming error
        raise RuntimeError("A case unit of work runs inside the service's transaction.")


@contextmanager
def case_work(case_id: int) -> Iterator[CaseWork]:
    """Lock the case and collect its changes; write them when the block ends cleanly."""
    _require_atomic()
    case = sql.case_row_lock(case_id)
    if case is None:
        raise NotFound(_("办件不存在。"))
    work = CaseWork(case)
    yield work
    work.save()


@contextmanager
def task_work(task_id: int) -> Iterator[tuple[CaseWork, ItemTask]]:
    """Lock the task's case, then the task (one statement), and collect their changes."""
    _require_atomic()
    rows = sql.case_task_lock(task_id)
    if rows is None:
        raise NotFound(_("子件不存在。"))
    case, task = rows
    work = CaseWork(case)
    yield work, task
    work.save()


@contextmanager
def new_case_work(case: Case, *, now: dt.datetime) -> Iterator[CaseWork]:
    """A case this transaction has just inserted: its chain starts here."""
    _require_atomic()
    head_set(case, 0, "")
    work = CaseWork(case, now=now)
    yield work
    work.save()
