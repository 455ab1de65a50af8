"""What the desks show about a case: answers and form as labels, materials, tasks, history.

Reads only (through ``cases.selectors`` and the case's own relations); nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onestop.cases.events import actor_role_label
from onestop.cases.models import Case, CaseMaterial, ItemTask
from onestop.cases.selectors import case_timeline, task_list_for_case
from onestop.cases.states import (
    CASE_WINDOW_STATES,
    MATERIAL_ORIGINAL_VERIFIABLE,
    MATERIAL_PRESENT,
    TASK_OPEN_STATES,
    TASK_SET_ASIDE_STATES,
    CaseState,
    EventKind,
    MaterialStatus,
)
from onestop.catalog.models import FieldKind, MaterialNecessity
from onestop.core import clock
from onestop.core.errors import DomainError
from onestop.workdays import calendar

_YES = {"true", "yes", "1", "是"}
_NO = {"false", "no", "0", "否"}


def _yes_no(value: Any) -> str:
    text = str(value).strip().lower()
    if value is True or text in _YES:
        return _("是")
    if value is False or text in _NO:
        return _("否")
    return str(value)


def _choice_label(choices: list[dict[str, Any]] | None, value: Any) -> str:
    for choice in choices or []:
        if isinstance(choice, dict) and str(choice.get("value")) == str(value):
            return str(choice.get("label") or value)
    return str(value)


def answer_label(question: Any, value: Any) -> str:
    """How an answer reads: 是/否, the choice's label, or the number with its unit."""
    if value is None or value == "":
        return "—"
    if question.kind == "yes_no":
        return _yes_no(value)
    if question.kind == "choice":
        return _choice_label(question.choices, value)
    return f"{value}{question.unit}"


def answer_rows(case: Case) -> list[tuple[str, str]]:
    """(question text, answer label) in the package's question order."""
    if not case.package_version_id:
        return []
    rows = []
    for question in case.package_version.questions.all():
        if question.key not in case.answers:
            continue
        rows.append((question.text, answer_label(question, case.answers[question.key])))
    return rows


def form_rows(case: Case) -> list[tuple[str, str]]:
    """(field label, value) for the merged form; unknown keys shown by key."""
    data = dict(case.form_data or {})
    rows: list[tuple[str, str]] = []
    if case.package_version_id:
        for form_field in case.package_version.form_fields.all():
            if form_field.key not in data:
                continue
            value = data.pop(form_field.key)
            if form_field.kind == FieldKind.YES_NO:
                value = _yes_no(value)
            elif form_field.kind == FieldKind.CHOICE:
                value = _choice_label(form_field.choices, value)
            rows.append((form_field.label, str(value)))
    rows.extend((key, str(value)) for key, value in data.items())
    return rows


@dataclass
class MaterialRow:
    material: CaseMaterial
    is_present: bool
    is_tolerable_missing: bool
    is_tolerated_missing: bool
    is_verifiable: bool
    error: str = ""

    @property
    def size_kb(self) -> str:
        size = self.material.file_size
        if not size:
            return ""
        if size < 1024:
            return f"{size} B"
        if size < 1024 * 1024:
            return f"{size / 1024:.1f} KB"
        return f"{size / 1048576:.1f} MB"


def material_rows(case: Case) -> list[MaterialRow]:
    return [
        MaterialRow(
            material=m,
            is_present=m.status in MATERIAL_PRESENT,
            is_tolerable_missing=(
                m.necessity == MaterialNecessity.TOLERABLE and m.status == MaterialStatus.MISSING
            ),
            is_tolerated_missing=m.status == MaterialStatus.TOLERATED_MISSING,
            is_verifiable=m.status in MATERIAL_ORIGINAL_VERIFIABLE,
        )
        for m in case.materials.all()
    ]


def latest_supplement_on(case: Case) -> dt.date:
    """The latest supplement date a 容缺 material may get: the case's promised completion day."""
    if case.accepted_at is not None and case.due_at is not None:
        return clock.local(case.due_at).date()
    return calendar.deadline(clock.now(), case.promised_days, case.promised_unit).on


@dataclass
class TaskRow:
    """A task as other departments see it: department and state, never the officer's name."""

    task: ItemTask
    state_label: str
    is_open: bool


def shows_set_aside_tasks(case: Case) -> bool:
    """INTERIM, until the engine names it (asked of the lead): tasks closed with the case
    (returned, cancelled) stay in its progress until the case is handled again."""
    return case.state != CaseState.IN_PROGRESS


def task_rows(case: Case) -> list[TaskRow]:
    keep_set_aside = shows_set_aside_tasks(case)
    return [
        TaskRow(task=t, state_label=t.get_state_display(), is_open=t.state in TASK_OPEN_STATES)
        for t in task_list_for_case(case)
        if keep_set_aside or t.state not in TASK_SET_ASIDE_STATES
    ]


@dataclass
class TimelineRow:
    kind: str
    at: dt.datetime
    label: str
    role: str
    reason: str
    item: str


def timeline_rows(case: Case) -> list[TimelineRow]:
    """The history; the actor shown by role only (other officers' names stay private)."""
    rows = []
    for event in case_timeline(case):
        try:
            label = EventKind(event.kind).label
        except ValueError:
            label = event.kind
        rows.append(
            TimelineRow(
                kind=event.kind,
                at=event.at,
                label=str(label),
                role=actor_role_label(event.actor_role),
                reason=event.reason,
                item=str((event.payload or {}).get("item", "")),
            )
        )
    return rows


def awaits_correction(case: Case) -> bool:
    """The window told the applicant what to correct and waits for it (the notice is shown)."""
    return bool(case.correction_notice) and case.state == CaseState.CORRECTION_REQUESTED


def returned_reason(case: Case, timeline: list[TimelineRow]) -> str:
    """Why a department sent the case back to the window (while it waits there again)."""
    if case.state not in CASE_WINDOW_STATES:
        return ""
    for row in reversed(timeline):
        if row.kind == EventKind.RETURNED_TO_WINDOW:
            return f"{row.item}：{row.reason}" if row.item else row.reason
        if row.kind in (EventKind.SUBMITTED, EventKind.SUPPLEMENTED, EventKind.PRE_REVIEW_PASSED):
            return ""
    return ""


def action_names(actions: Iterable[Any]) -> frozenset[str]:
    """Allowed actions (``cases.actions``) as the strings templates test: ``"accept" in actions``."""
    return frozenset(str(action) for action in actions)


def errors_of(exc: DomainError | ValidationError) -> dict[str, str]:
    """A domain error as {field: message}; ``top`` when it names no field."""
    if isinstance(exc, ValidationError):
        return {"top": "；".join(exc.messages)}
    return {exc.field or "top": exc.message}
