"""Drafts (草稿): an application saved for later, before it is submitted.

A draft is a ``Case`` in state ``draft`` that only its author sees: no case number (numbers
are given at submission, so they stay gapless), no events (the chain starts with the
``submitted`` event, whose ``from_state`` is ``draft``), no tasks and no clock. It keeps the
situation answers and what was typed into the merged form, unchecked — the checks run when
it is submitted (``case_submit(draft_id=…)``), which turns the same row into the case — and
the files chosen so far (each checked for size and type as any upload is), which the
submission carries over for every material it is not given anew.

Staff never see drafts (``selectors.case_scope_for`` leaves them out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant, User
from onestop.cases import sql
from onestop.cases.models import Case, CaseMaterial
from onestop.cases.services._common import require_may_apply
from onestop.cases.services.materials import (
    MaterialInput,
    file_check,
    material_apply,
    material_row,
)
from onestop.cases.services.plans import accepting_region_for, case_plan_for_submit
from onestop.cases.states import CaseState, Channel
from onestop.catalog.models import PackageVersion, ServiceItemVersion
from onestop.catalog.selectors import MergedMaterial
from onestop.core.errors import NotFound, ValidationFailed
from onestop.regions.models import Region

# An author keeps at most this many drafts; the longest value kept per form field.
DRAFTS_MAX = 20
DRAFT_VALUE_MAX = 2000


def drafts_of(user: User) -> QuerySet[Case]:
    """The user's drafts, the most recently saved first."""
    return (
        Case.objects.filter(state=CaseState.DRAFT, created_by=user)
        .select_related("package_version__package", "item_version__item", "applicant")
        .order_by("-updated_at", "-pk")
    )


def draft_get(*, user: User, draft_id: int, lock: bool = False) -> Case:
    """One of the user's drafts; anyone else's, or a submitted one, is ``NotFound``."""
    drafts = Case.objects.filter(pk=draft_id, state=CaseState.DRAFT, created_by=user)
    draft = (drafts.select_for_update() if lock else drafts).first()
    if draft is None:
        raise NotFound(_("草稿不存在，或已提交、已删除。"))
    return draft


def draft_require_same_target(
    draft: Case,
    *,
    package_version: PackageVersion | None,
    item_version: ServiceItemVersion | None,
) -> None:
    """A draft is submitted (or saved again) for the package or item it was started for; a
    newer published version of that same package or item is fine."""

    def identity(package: PackageVersion | None, item: ServiceItemVersion | None) -> tuple:
        return (
            package.package_id if package is not None else None,
            item.item_id if item is not None else None,
        )

    if identity(draft.package_version, draft.item_version) != identity(
        package_version, item_version
    ):
        raise ValidationFailed(_("草稿与申请事项不一致。"), field="draft")


def _kept_form(form_fields: list[Any], form_data: Mapping[str, Any] | None) -> dict[str, str]:
    """What was typed into the form's own fields, as text; empty values and unknown keys dropped."""
    if form_data is None:
        return {}
    if not isinstance(form_data, Mapping):
        raise ValidationFailed(_("申请表内容格式不正确。"), field="form_data")
    kept = {}
    for form_field in form_fields:
        value = form_data.get(form_field.key)
        if value is None:
            continue
        text = str(value).strip()
        if len(text) > DRAFT_VALUE_MAX:
            raise ValidationFailed(
                _("“%(label)s”过长（最多%(n)d个字符）。")
                % {"label": form_field.label, "n": DRAFT_VALUE_MAX},
                field=f"form_data.{form_field.key}",
            )
        if text:
            kept[form_field.key] = text
    return kept


@transaction.atomic
def case_draft_save(
    *,
    created_by: User,
    applicant: Applicant,
    package_version: PackageVersion | None = None,
    item_version: ServiceItemVersion | None = None,
    answers: Mapping[str, Any] | None = None,
    form_data: Mapping[str, Any] | None = None,
    accepting_region: Region | None = None,
    channel: Channel | str = Channel.ONLINE,
    draft_id: int | None = None,
    files: Sequence[MaterialInput] = (),
) -> Case:
    """Save an application for later: a new draft, or ``draft_id`` updated in place.

    The situation answers must be complete (they decide which form and materials apply);
    the form values are kept as typed, without the checks a submission runs. ``files``
    (materials given as files) are kept, each replacing the draft's earlier file for its
    material; files of materials the answers no longer ask for are dropped.
    """
    if accepting_region is None:
        accepting_region = accepting_region_for(
            applicant, package_version=package_version, item_version=item_version
        )
    require_may_apply(applicant=applicant, created_by=created_by, region=accepting_region)
    try:
        channel = Channel(channel)
    except ValueError:
        raise ValidationFailed(
            _("未知的申报渠道：%(c)s。") % {"c": channel}, field="channel"
        ) from None
    plan = case_plan_for_submit(
        package_version=package_version, item_version=item_version, answers=answers or {}
    )
    fields = {
        "title": plan.title,
        "package_version": package_version,
        "item_version": item_version,
        "applicant": applicant,
        "channel": channel,
        "accepting_region": accepting_region,
        "region_code": accepting_region.code,
        "answers": dict(answers or {}),
        "form_data": _kept_form(plan.form_fields, form_data),
        "promised_days": plan.promised_days,
        "promised_unit": plan.promised_unit,
    }
    if draft_id is not None:
        draft = draft_get(user=created_by, draft_id=draft_id, lock=True)
        draft_require_same_target(draft, package_version=package_version, item_version=item_version)
        for name, value in fields.items():
            setattr(draft, name, value)
        sql.row_update(draft, [*fields, "updated_at"])
    else:
        if Case.objects.filter(state=CaseState.DRAFT, created_by=created_by).count() >= DRAFTS_MAX:
            raise ValidationFailed(
                _("草稿已有%(n)d份，请先提交或删除不需要的草稿。") % {"n": DRAFTS_MAX},
                field="draft",
            )
        draft = Case(state=CaseState.DRAFT, number=None, created_by=created_by, **fields)
        sql.rows_insert([draft])
    _keep_files(draft, plan.materials, files)
    return draft


def _keep_files(
    draft: Case, materials: list[MergedMaterial], files: Sequence[MaterialInput]
) -> None:
    """Store the draft's new files (one row per material) and drop those no longer asked for."""
    wanted = {m.key: m for m in materials if not m.is_held_by_government}
    draft.materials.exclude(key__in=list(wanted)).delete()
    seen: set[str] = set()
    for given in files:
        entry = wanted.get(given.key)
        field = f"materials.{given.key}"
        if entry is None:
            raise ValidationFailed(
                _("以下材料不在本次申请的材料清单中：%(keys)s。") % {"keys": given.key},
                field=field,
            )
        if given.file is None or given.key in seen:
            raise ValidationFailed(
                _("草稿只保存所选的文件：“%(m)s”请选择一个文件。") % {"m": entry.name},
                field=field,
            )
        seen.add(given.key)
        checked = file_check(given.file, label=entry.name, field=field)
        draft.materials.filter(key=given.key).delete()
        row = material_row(draft, entry)
        material_apply(row, given, checked)
        sql.rows_insert([row])


def draft_files(draft: Case) -> dict[str, CaseMaterial]:
    """The files a draft keeps, by material key."""
    return {m.key: m for m in draft.materials.exclude(file="")}


@transaction.atomic
def case_draft_discard(*, created_by: User, draft_id: int) -> None:
    """Delete one of the author's drafts (a draft is not yet an application: nothing to keep)."""
    draft = draft_get(user=created_by, draft_id=draft_id, lock=True)
    draft.delete()
