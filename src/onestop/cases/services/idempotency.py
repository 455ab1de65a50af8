"""Idempotent submission, decided once for the API and the pages.

A submission may carry an idempotency key (the API's ``Idempotency-Key`` header, the hidden
key of a rendered apply or intake form), scoped to the login that submits. A retry with the
same key and the same application returns the case the first one created; the same key with
another application is refused (422 ``idempotency_key_reused``, as the IETF idempotency-key
draft has it), naming what differs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop.cases.models import Case
from onestop.cases.services.formdata import form_data_clean
from onestop.cases.services.materials import MaterialInput
from onestop.cases.states import EventKind, MaterialStatus
from onestop.catalog.models import PackageVersion, ServiceItemVersion
from onestop.catalog.selectors import package_plan
from onestop.core.errors import ValidationFailed
from onestop.regions.models import Region

KEY_MAX = 128


class IdempotencyKeyReused(ValidationFailed):
    """The same key with another application."""

    code = "idempotency_key_reused"
    title = gettext_lazy("幂等键已用于另一份申请")


def key_clean(key: str | None) -> str | None:
    """The key as stored (None without one); an overlong key is refused."""
    key = (key or "").strip() or None
    if key is not None and len(key) > KEY_MAX:
        raise ValidationFailed(
            _("幂等键过长（最多%(n)d个字符）。") % {"n": KEY_MAX}, field="idempotency_key"
        )
    return key


def _given(material: MaterialInput) -> dict[str, str]:
    if material.file is not None:
        digest = hashlib.sha256()
        material.file.seek(0)
        for chunk in material.file.chunks():
            digest.update(chunk)
        material.file.seek(0)
        return {"sha256": digest.hexdigest()}
    if material.licence_reference.strip():
        return {"licence": material.licence_reference.strip()[:255]}
    if material.commitment.strip():
        return {"status": str(MaterialStatus.COMMITMENT_SIGNED)}
    if material.original_seen:
        return {"status": str(MaterialStatus.ORIGINAL_VERIFIED)}
    return {"status": "?"}


def _recorded(case: Case) -> dict[str, dict[str, str]]:
    """What the ``submitted`` event recorded of each material handed in (not later changes)."""
    submitted = (
        case.events.filter(kind=EventKind.SUBMITTED).values_list("payload", flat=True).first()
    ) or {}
    return {
        key: summary
        for key, summary in (submitted.get("materials") or {}).items()
        if "sha256" in summary
        or "licence" in summary
        or summary.get("status")
        in (MaterialStatus.COMMITMENT_SIGNED, MaterialStatus.ORIGINAL_VERIFIED)
    }


def submission_differences(
    case: Case,
    *,
    package_version: PackageVersion | None,
    item_version: ServiceItemVersion | None,
    accepting_region: Region,
    channel: str,
    answers: Mapping[str, Any],
    form_data: Mapping[str, Any],
    materials: Sequence[MaterialInput],
) -> list[str]:
    """Which parts of a retried submission differ from the case first created with its key.

    Names are those of the application's fields (``package_code``, ``item_code``,
    ``region_code``, ``channel``, ``answers``, ``form_data``, ``materials``,
    ``materials.<key>``); files are compared by SHA-256 with what the ``submitted`` event
    recorded, so a later supplement does not make an honest retry look different.
    """
    differences: list[str] = []
    if case.package_version is not None:
        if package_version is None or package_version.package_id != (
            case.package_version.package_id
        ):
            differences.append("package_code")
    elif (
        item_version is None
        or case.item_version is None
        or item_version.item_id != case.item_version.item_id
    ):
        differences.append("item_code")
    if accepting_region.code != case.region_code:
        differences.append("region_code")
    if str(channel) != case.channel:
        differences.append("channel")
    if dict(answers) != case.answers:
        differences.append("answers")
    elif case.package_version is not None:
        try:
            plan = package_plan(case.package_version, answers)
            cleaned = form_data_clean(plan.form_fields, form_data)
        except ValidationFailed:
            cleaned = None
        if cleaned != case.form_data:
            differences.append("form_data")
    elif form_data and dict(form_data) != case.form_data:
        differences.append("form_data")
    recorded = _recorded(case)
    given = {m.key: _given(m) for m in materials}
    if set(given) != set(recorded):
        differences.append("materials")
    else:
        for key, summary in given.items():
            if any(recorded[key].get(name) != value for name, value in summary.items()):
                differences.append(f"materials.{key}")
                break
    return differences


def replay_or_refuse(case: Case, *, key: str, **submission: Any) -> Case:
    """The earlier case of a retry with the same application; 422 for another application."""
    differences = submission_differences(case, **submission)
    if differences:
        raise IdempotencyKeyReused(
            _("幂等键“%(key)s”已用于办件 %(number)s，但本次请求的内容不同（%(fields)s）。")
            % {"key": key, "number": case.number, "fields": "、".join(differences)},
            field="idempotency_key",
            differences=differences,
        )
    return case
