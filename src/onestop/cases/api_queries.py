"""Read-only helpers the JSON API needs on top of ``cases.selectors``.

Scope stays in ``selectors.case_scope_for``: a task or an extension is visible exactly when
its case is, so an out-of-scope id is "not found" (404), never "forbidden".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onestop.accounts.models import Staff
from onestop.cases.deadlines import TrafficLight, traffic_light
from onestop.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    Extension,
    ItemTask,
    VerificationTask,
)
from onestop.cases.selectors import Viewer, case_scope_for
from onestop.cases.states import CASE_CLOCK_STATES, MaterialStatus
from onestop.core.errors import NotFound


def task_get_for(viewer: Viewer, task_id: int) -> ItemTask:
    """A task whose case the viewer may see; otherwise ``NotFound``."""
    task = (
        ItemTask.objects.filter(pk=task_id, case__in=case_scope_for(viewer))
        .select_related("case", "department", "assignee")
        .first()
    )
    if task is None:
        raise NotFound(_("子件不存在或不在您的查看范围内。"))
    return task


def extension_get_for(viewer: Viewer, extension_id: int) -> Extension:
    """An extension request whose case the viewer may see; otherwise ``NotFound``."""
    extension = (
        Extension.objects.filter(pk=extension_id, case__in=case_scope_for(viewer))
        .select_related("task", "case")
        .first()
    )
    if extension is None:
        raise NotFound(_("延期申请不存在或不在您的查看范围内。"))
    return extension


def verification_get_for(viewer: Viewer, verification_id: int) -> VerificationTask:
    """A 告知承诺 verification task whose case the viewer may see; otherwise ``NotFound``."""
    verification = (
        VerificationTask.objects.filter(pk=verification_id, case__in=case_scope_for(viewer))
        .select_related("case", "task", "department")
        .first()
    )
    if verification is None:
        raise NotFound(_("核查任务不存在或不在您的查看范围内。"))
    return verification


def staff_get_in_department(*, department_id: int, staff_id: int) -> Staff | None:
    """A member of one department (the target of a reassignment), or None."""
    return (
        Staff.objects.select_related("region", "department")
        .filter(pk=staff_id, department_id=department_id)
        .first()
    )


def case_by_idempotency_key(*, user: Any, key: str) -> Case | None:
    """The case this user already submitted under this ``Idempotency-Key``, if any."""
    key = (key or "").strip()
    if not key:
        return None
    return Case.objects.filter(created_by=user, idempotency_key=key).first()


def case_list_light(case: Case) -> TrafficLight | None:
    """A list row's light from the stored due date (no event query; detail views recompute)."""
    if case.state not in CASE_CLOCK_STATES or case.due_at is None:
        return None
    return traffic_light(
        due_at=case.due_at,
        limit_days=case.promised_days,
        is_provisional=case.due_is_provisional,
        unit=case.promised_unit,
    )


def case_events_for_timeline(case: Case) -> QuerySet[CaseEvent]:
    """The case's events in order, with the actor's staff profile for names (one query)."""
    return (
        CaseEvent.objects.filter(case=case)
        .select_related("actor", "actor__staff", "actor__staff__department")
        .order_by("seq")
    )


def cases_waiting_for_tolerated(case_ids: Sequence[int]) -> set[int]:
    """Of these cases, those with a tolerated (容缺) material still missing (one query)."""
    return set(
        CaseMaterial.objects.filter(
            case_id__in=list(case_ids), status=MaterialStatus.TOLERATED_MISSING
        ).values_list("case_id", flat=True)
    )
