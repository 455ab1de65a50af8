"""What a case event tells whom: the mapping from case events to notifications.

The case engine calls :func:`case_events_notify` inside a transition's transaction, after
building its events. It reads nothing (only attributes already loaded on the case and the
events) and writes the messages with ONE insert (``notifications.services.messages_enqueue``);
they are delivered after commit.

Who is told:

- the applicant (站内信, SMS and e-mail) and the case's agent (帮代办员, a member of staff:
  站内信 only) when the case is submitted, needs correction (补正, with the materials), is
  accepted (with the promised date), rejected (with the reason), when a task enters a special
  procedure (特别程序) or is extended (延期), when the case is completed (办结: the result can
  be collected; a denial says so), handed out (出件) or terminated (终止);
- the officer a task is assigned to (站内信 only) when a ready task is created for them, a
  task turns ready with an assignee, or a task is reassigned to them.

Personal data typed into free text (a reason, a correction note) is masked before it is
stored in a message: ID numbers and mobile numbers keep only what ``core.masking`` keeps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from django.utils import translation

from onestop.cases.models import Case, CaseEvent
from onestop.cases.states import CaseOutcome, EventKind, PauseKind, TaskState
from onestop.core import clock
from onestop.core.masking import mask_id_number, mask_phone
from onestop.notifications.models import Message, MessageKind
from onestop.notifications.services import (
    Notice,
    Recipient,
    applicant_recipient,
    messages_build,
    messages_enqueue,
    staff_recipient,
)

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")


def mask_text(text: str) -> str:
    """Free text with every ID number and mobile number in it masked."""
    if not text:
        return ""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(1)), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group(1)), text)


def _loaded(case: Case, attname: str) -> Any:
    """A field's value if the case has it loaded; None for a deferred field (never a query)."""
    return case.__dict__.get(attname)


def _date(value: Any) -> str:
    return clock.local(value).date().isoformat() if value is not None else ""


def _source(label: Any) -> str:
    """The untranslated (Chinese) text of a lazy label: the template translates it later."""
    with translation.override(None):
        return str(label)


def _people(case: Case) -> list[Recipient]:
    people = [applicant_recipient(case.applicant_id)]
    agent_id = _loaded(case, "agent_id")
    if agent_id:
        people.append(staff_recipient(agent_id))
    return people


def _about_case(case: Case, kind: MessageKind, **context: Any) -> Notice:
    return Notice(
        kind=kind,
        recipients=_people(case),
        case_id=case.pk,
        case_number=case.number or "",
        context={"case_title": case.title, **context},
    )


def _submitted(case: Case, event: CaseEvent) -> Notice:
    return _about_case(case, MessageKind.CASE_SUBMITTED, pre_review=event.to_state == "pre_review")


def _correction(case: Case, event: CaseEvent) -> Notice:
    notice = _loaded(case, "correction_notice") or {}
    names = [m.get("name") or m.get("key", "") for m in notice.get("materials", [])]
    if not names:
        names = list(event.payload.get("materials", []))
    note = notice.get("note", event.reason)
    return _about_case(
        case, MessageKind.CORRECTION_REQUESTED, materials=names, note=mask_text(note)
    )


def _accepted(case: Case, event: CaseEvent) -> Notice:
    return _about_case(case, MessageKind.CASE_ACCEPTED, due_on=_date(_loaded(case, "due_at")))


def _rejected(case: Case, event: CaseEvent) -> Notice:
    return _about_case(case, MessageKind.CASE_REJECTED, reason=mask_text(event.reason))


def _paused(case: Case, event: CaseEvent) -> Notice:
    try:
        kind = _source(PauseKind(event.payload.get("pause_kind", "")).label)
    except ValueError:
        kind = _source(PauseKind.OTHER.label)
    return _about_case(
        case, MessageKind.TASK_PAUSED, item=event.payload.get("item", ""), pause_kind=kind
    )


def _extended(case: Case, event: CaseEvent) -> Notice:
    return _about_case(
        case,
        MessageKind.EXTENSION_APPROVED,
        item=event.payload.get("item", ""),
        days=int(event.payload.get("days", 0)),
        due_on=_date(_loaded(case, "due_at")),
    )


def _completed(case: Case, event: CaseEvent) -> Notice:
    outcome = event.payload.get("outcome", "")
    try:
        label = _source(CaseOutcome(outcome).label)
    except ValueError:
        label = ""
    return _about_case(case, MessageKind.CASE_COMPLETED, outcome=outcome, outcome_label=label)


def _handed_out(case: Case, event: CaseEvent) -> Notice:
    return _about_case(case, MessageKind.HANDED_OUT, on=_date(event.at))


def _terminated(case: Case, event: CaseEvent) -> Notice:
    return _about_case(case, MessageKind.CASE_TERMINATED, reason=mask_text(event.reason))


def _assigned(case: Case, event: CaseEvent) -> Notice | None:
    assignee = event.payload.get("assignee")
    if not assignee:
        return None
    if event.kind == EventKind.TASK_CREATED and event.to_state != TaskState.READY:
        return None  # waiting for a prerequisite: told when it turns ready
    return Notice(
        kind=MessageKind.TASK_ASSIGNED,
        recipients=[staff_recipient(int(assignee))],
        case_id=case.pk,
        case_number=case.number or "",
        context={"case_title": case.title, "item": event.payload.get("item", "")},
    )


_RULES: dict[str, Callable[[Case, CaseEvent], Notice | None]] = {
    EventKind.SUBMITTED: _submitted,
    EventKind.CORRECTION_REQUESTED: _correction,
    EventKind.ACCEPTED: _accepted,
    EventKind.REJECTED: _rejected,
    EventKind.TASK_PAUSED: _paused,
    EventKind.EXTENSION_APPROVED: _extended,
    EventKind.COMPLETED: _completed,
    EventKind.HANDED_OUT: _handed_out,
    EventKind.TERMINATED: _terminated,
    EventKind.TASK_CREATED: _assigned,
    EventKind.TASK_READY: _assigned,
    EventKind.TASK_REASSIGNED: _assigned,
}


def case_events_notices(*, case: Case, events: Sequence[CaseEvent]) -> list[Notice]:
    """What the events of one transition tell whom (reads nothing)."""
    notices = []
    for event in events:
        rule = _RULES.get(event.kind)
        notice = rule(case, event) if rule is not None else None
        if notice is not None:
            notices.append(notice)
    return notices


def case_events_messages(*, case: Case, events: Sequence[CaseEvent]) -> list[Message]:
    """The unsaved outbox rows of one transition's events (the unit of work inserts them)."""
    notices = case_events_notices(case=case, events=events)
    return messages_build(notices=notices) if notices else []


def case_events_notify(*, case: Case, events: Sequence[CaseEvent]) -> None:
    """Queue the messages the events of one transition cause: one INSERT, no read.

    Call inside the transition's transaction; the messages are delivered after commit.
    """
    notices = case_events_notices(case=case, events=events)
    if notices:
        messages_enqueue(notices=notices)
