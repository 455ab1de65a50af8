"""Read-only helpers the JSON API needs on top of ``cases.selectors``.

Scope stays in ``selectors.case_scope_for``: a task or an extension is visible exactly when
its case is, so an out-of-scope id is "not found" (404), never "forbidden".
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
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
from onestop.cases.services.formdata import form_data_clean
from onestop.cases.states import CASE_CLOCK_STATES, EventKind, MaterialStatus
from onestop.catalog.selectors import package_plan
from onestop.core.errors import NotFound, ValidationFailed


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
        due_at=case.due_at, limit_days=case.promised_days, is_provisional=case.due_is_provisional
    )


def case_events_for_timeline(case: Case) -> QuerySet[CaseEvent]:
    """The case's events in order, with the actor's staff profile for names (one query)."""
    return (
        CaseEvent.objects.filter(case=case)
        .select_related("actor", "actor__staff", "actor__staff__department")
        .order_by("seq")
    )


def _given_summary(
    key: str, *, sha256: str | None, licence_reference: str, commitment: str
) -> dict[str, str]:
    if sha256 is not None:
        return {"sha256": sha256}
    if licence_reference.strip():
        return {"licence": licence_reference.strip()[:255]}
    if commitment.strip():
        return {"status": str(MaterialStatus.COMMITMENT_SIGNED)}
    return {"status": "?"}


def submission_differences(
    case: Case,
    *,
    package_code: str | None,
    item_code: str | None,
    region_code: str,
    channel: str,
    answers: Mapping[str, Any],
    form_data: Mapping[str, Any],
    materials: Sequence[tuple[str, bytes | None, str, str]],
) -> list[str]:
    """Which parts of a retried submission differ from the case first created with its key.

    ``materials`` are (key, file bytes or None, licence reference, commitment). Files are
    compared by SHA-256 with what the ``submitted`` event recorded, so a later supplement
    does not make an honest retry look different. Returns field names, empty when equal.
    """
    differences: list[str] = []
    if case.package_version_id is not None:
        if package_code != case.package_version.package.code or item_code:
            differences.append("package_code")
    elif item_code != case.item_version.item.basic_code or package_code:
        differences.append("item_code")
    if region_code != case.region_code:
        differences.append("region_code")
    if channel != case.channel:
        differences.append("channel")
    if dict(answers) != case.answers:
        differences.append("answers")
    elif case.package_version_id is not None:
        try:
            plan = package_plan(case.package_version, answers)
            cleaned = form_data_clean(plan.form_fields, form_data)
        except ValidationFailed:
            cleaned = None
        if cleaned != case.form_data:
            differences.append("form_data")
    elif form_data:
        differences.append("form_data")

    submitted = (
        case.events.filter(kind=EventKind.SUBMITTED).values_list("payload", flat=True).first()
    ) or {}
    recorded = {
        key: summary
        for key, summary in (submitted.get("materials") or {}).items()
        if "sha256" in summary
        or "licence" in summary
        or summary.get("status") == MaterialStatus.COMMITMENT_SIGNED
    }
    given = {
        key: _given_summary(
            key,
            sha256=hashlib.sha256(body).hexdigest() if body is not None else None,
            licence_reference=licence,
            commitment=commitment,
        )
        for key, body, licence, commitment in materials
    }
    if set(given) != set(recorded):
        differences.append("materials")
    else:
        for key, summary in given.items():
            if any(recorded[key].get(name) != value for name, value in summary.items()):
                differences.append(f"materials.{key}")
                break
    return differences


def cases_waiting_for_tolerated(case_ids: Sequence[int]) -> set[int]:
    """Of these cases, those with a tolerated (容缺) material still missing (one query)."""
    return set(
        CaseMaterial.objects.filter(
            case_id__in=list(case_ids), status=MaterialStatus.TOLERATED_MISSING
        ).values_list("case_id", flat=True)
    )
