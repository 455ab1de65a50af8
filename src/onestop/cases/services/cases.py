"""Case services at the window: submit, pre-review, accept (容缺), correct, reject, withdraw,
supply tolerated materials, terminate overdue 容缺 cases, hand out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant, Staff, User
from onestop.accounts.roles import Permission
from onestop.cases import sql
from onestop.cases.actions import CaseAction, case_action_require
from onestop.cases.deadlines import due_from
from onestop.cases.models import AgentAuthorisation, Case, CaseMaterial
from onestop.cases.numbering import case_number_next
from onestop.cases.services._common import require_may_apply, require_text
from onestop.cases.services.agents import authorisation_for_intake
from onestop.cases.services.drafts import draft_files, draft_get, draft_require_same_target
from onestop.cases.services.formdata import form_data_clean
from onestop.cases.services.idempotency import key_clean, replay_or_refuse
from onestop.cases.services.materials import (
    MaterialInput,
    material_apply,
    material_input_check,
    material_original_seen,
    material_row,
    material_summary,
    materials_missing,
    materials_unsatisfied,
)
from onestop.cases.services.plans import (
    accepting_region_for,
    case_plan_for_submit,
    dispatch_entries,
    minutes_promised,
    plan_require_channel,
    village_centre_refusal,
)
from onestop.cases.services.tasks import tasks_close, tasks_dispatch
from onestop.cases.services.timing import dues_refresh
from onestop.cases.states import (
    CASE_TERMINABLE_STATES,
    MATERIAL_ORIGINAL_VERIFIABLE,
    REMOTE_CHANNELS,
    CaseOutcome,
    CaseState,
    Channel,
    EventKind,
    MaterialStatus,
    transition,
)
from onestop.cases.unit import CaseWork, case_work, new_case_work
from onestop.catalog.models import MaterialNecessity, PackageVersion, ServiceItemVersion
from onestop.core import clock
from onestop.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from onestop.regions.models import Hall, Region
from onestop.workdays import calendar
from onestop.workdays.units import TimeUnit

WINDOW_CHANNELS = frozenset(
    {Channel.HALL_WINDOW, Channel.VILLAGE_CENTRE, Channel.PHONE_APPOINTMENT}
)


def _materials_by_key(materials: Sequence[MaterialInput]) -> dict[str, MaterialInput]:
    given: dict[str, MaterialInput] = {}
    for material in materials:
        if material.key in given:
            raise ValidationFailed(
                _("材料“%(key)s”重复提交。") % {"key": material.key},
                field=f"materials.{material.key}",
            )
        given[material.key] = material
    return given


@transaction.atomic
def case_submit(
    *,
    applicant: Applicant,
    package_version: PackageVersion | None = None,
    item_version: ServiceItemVersion | None = None,
    answers: Mapping[str, Any] | None = None,
    form_data: Mapping[str, Any] | None = None,
    materials: Sequence[MaterialInput] = (),
    channel: Channel | str,
    accepting_region: Region | None = None,
    hall: Hall | None = None,
    agent: Staff | None = None,
    agent_authorisation: str = "",
    agent_in_person: bool = False,
    created_by: User | None = None,
    idempotency_key: str | None = None,
    draft_id: int | None = None,
) -> Case:
    """Apply once: validate answers, form and materials; remote channels go to pre-review.

    A retry with the same ``idempotency_key`` by the same ``created_by`` and the same
    application returns the same case; the same key with another application is refused.
    With ``draft_id`` (one of ``created_by``'s drafts, for the same package or item) the
    draft becomes the case: same row, now numbered, its chain starting here. Without an
    ``accepting_region`` the 收件地 follows ``plans.accepting_region_for``.
    """
    return _submit(
        applicant=applicant,
        package_version=package_version,
        item_version=item_version,
        answers=answers,
        form_data=form_data,
        materials=materials,
        channel=channel,
        accepting_region=accepting_region,
        hall=hall,
        agent=agent,
        agent_authorisation=agent_authorisation,
        agent_in_person=agent_in_person,
        created_by=created_by,
        idempotency_key=idempotency_key,
        draft_id=draft_id,
    )


def _channel(value: Channel | str) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        raise ValidationFailed(
            _("未知的申报渠道：%(c)s。") % {"c": value}, field="channel"
        ) from None


def _submit(
    *,
    applicant: Applicant,
    package_version: PackageVersion | None = None,
    item_version: ServiceItemVersion | None = None,
    answers: Mapping[str, Any] | None = None,
    form_data: Mapping[str, Any] | None = None,
    materials: Sequence[MaterialInput] = (),
    channel: Channel | str,
    accepting_region: Region | None = None,
    hall: Hall | None = None,
    agent: Staff | None = None,
    agent_authorisation: str = "",
    agent_in_person: bool = False,
    created_by: User | None = None,
    idempotency_key: str | None = None,
    draft_id: int | None = None,
) -> Case:
    """``case_submit`` inside the caller's transaction (no savepoint of its own)."""
    if accepting_region is None:
        accepting_region = accepting_region_for(
            applicant, package_version=package_version, item_version=item_version
        )
    require_may_apply(applicant=applicant, created_by=created_by, region=accepting_region)
    key = key_clean(idempotency_key)
    channel = _channel(channel)
    if key is not None:
        existing = Case.objects.filter(created_by=created_by, idempotency_key=key).first()
        if existing is not None:
            return replay_or_refuse(
                existing,
                key=key,
                package_version=package_version,
                item_version=item_version,
                accepting_region=accepting_region,
                channel=channel,
                answers=answers or {},
                form_data=form_data or {},
                materials=materials,
            )
    authorisation = None
    if agent is not None:
        if not agent.has_permission(Permission.AGENT_ACT):
            raise PermissionDenied(_("%(name)s不是帮代办员。") % {"name": agent.name})
        authorisation = authorisation_for_intake(
            agent=agent,
            applicant=applicant,
            package_version=package_version,
            item_version=item_version,
            document_number=agent_authorisation,
            in_person=agent_in_person,
        )
    if hall is not None and not hall.region.code.startswith(accepting_region.code):
        raise ValidationFailed(_("收件大厅不在收件地区划内。"), field="hall")
    seen_by = _window_staff(created_by, channel)
    draft = None
    if draft_id is not None:
        if created_by is None:
            raise NotFound(_("草稿不存在，或已提交、已删除。"))
        draft = draft_get(user=created_by, draft_id=draft_id, lock=True)
        draft_require_same_target(draft, package_version=package_version, item_version=item_version)
    carried: dict[str, CaseMaterial] = draft_files(draft) if draft is not None else {}

    plan = case_plan_for_submit(
        package_version=package_version, item_version=item_version, answers=answers or {}
    )
    plan_require_channel(plan, channel)
    form = form_data_clean(plan.form_fields, form_data or {})
    given = _materials_by_key(materials)
    merged = {m.key: m for m in plan.materials}
    unknown = sorted(set(given) - set(merged))
    if unknown:
        raise ValidationFailed(
            _("以下材料不在本次申请的材料清单中：%(keys)s。") % {"keys": "、".join(unknown)},
            field=f"materials.{unknown[0]}",
        )
    _require_originals_seen_by(seen_by, given.values())
    checked = {
        k: material_input_check(g, name=merged[k].name, necessity=merged[k].necessity)
        for k, g in given.items()
    }
    if channel in REMOTE_CHANNELS:
        unsatisfied = materials_unsatisfied(plan.materials, [*given, *carried])
        if unsatisfied:
            first = unsatisfied[0]
            raise ValidationFailed(
                first.message,
                field=first.field,
                missing=[e.field.split(".", 1)[1] for e in unsatisfied if e.field],
            )

    now = clock.now()
    minutes = minutes_promised(package_version, channel)
    initial = CaseState.PRE_REVIEW if channel in REMOTE_CHANNELS else CaseState.SUBMITTED
    case = Case(
        title=plan.title,
        package_version=package_version,
        item_version=item_version,
        applicant=applicant,
        agent=agent,
        agent_authorisation=_authorisation_text(authorisation, agent_authorisation),
        authorisation=authorisation,
        channel=channel,
        accepting_region=accepting_region,
        region_code=accepting_region.code,
        hall=hall,
        answers=dict(answers or {}),
        form_data=form,
        submitted_at=now,
        promised_days=minutes or plan.promised_days,
        promised_unit=TimeUnit.MINUTE if minutes else plan.promised_unit,
        dispatch_items=[
            e.as_json()
            for e in dispatch_entries(
                plan.items,
                applicant=applicant,
                receiving_region=accepting_region,
                package_version=package_version,
                channel=channel,
                promised_minutes=minutes,
            )
        ],
        has_commitments=any(g.commitment.strip() for g in given.values()),
        idempotency_key=key,
        created_by=created_by,
    )
    if draft is not None:  # the draft's row becomes the case; its files carry over
        case.pk, case.created_at = draft.pk, draft.created_at
    case.state = CaseState.DRAFT
    transition(case, to=initial, action=_("提交申请"))
    try:
        # Only a retried submission can collide (on the idempotency key): its savepoint
        # lets the loser read the winner's case, and gives the number back.
        with transaction.atomic(savepoint=key is not None):
            case.number = case_number_next(region=accepting_region)
            rows = []
            for entry in plan.materials:
                row = material_row(case, entry)
                if entry.key in given:
                    material_apply(
                        row, given[entry.key], checked[entry.key], seen_by=seen_by, at=now
                    )
                elif entry.key in carried:  # a file chosen while it was a draft
                    kept = carried[entry.key]
                    row.file, row.sha256 = kept.file.name, kept.sha256
                    row.file_size, row.content_type = kept.file_size, kept.content_type
                    row.status = MaterialStatus.SUBMITTED
                elif entry.is_held_by_government:
                    row.status = MaterialStatus.LICENCE_REFERENCE  # fetched (免提交)
                rows.append(row)
            case.materials_complete = not materials_missing(rows)
            if draft is None:
                sql.rows_insert([case])
            else:
                sql.row_update(case, _CASE_SUBMITTED_FIELDS)
    except IntegrityError:
        existing = Case.objects.filter(created_by=created_by, idempotency_key=key).first()
        if key is None or existing is None:
            raise
        return existing

    with new_case_work(case, now=now) as work:
        if draft is not None:  # its rows give way to the case's (the files stay, carried over)
            CaseMaterial.objects.filter(case_id=draft.pk).delete()
        work.insert(rows)
        work.record(
            EventKind.SUBMITTED,
            actor=created_by,
            from_state=CaseState.DRAFT,
            to_state=initial,
            payload={
                "channel": str(channel),
                "applicant": applicant.pk,
                "agent": agent.pk if agent else None,
                **(
                    {"authorisation": authorisation.pk, "authorised_by": authorisation.method}
                    if authorisation is not None
                    else {}
                ),
                "items": [item.item_version.name for item in plan.items],
                "materials": {row.key: material_summary(row) for row in rows},
            },
        )
    return case


# A draft turned into the case: every column the submission sets.
_CASE_SUBMITTED_FIELDS = [
    "number",
    "title",
    "package_version",
    "item_version",
    "applicant",
    "agent",
    "agent_authorisation",
    "authorisation",
    "channel",
    "accepting_region",
    "region_code",
    "hall",
    "state",
    "answers",
    "form_data",
    "submitted_at",
    "promised_days",
    "promised_unit",
    "dispatch_items",
    "has_commitments",
    "materials_complete",
    "idempotency_key",
    "created_by",
    "updated_at",
]


def _authorisation_text(authorisation: AgentAuthorisation | None, typed: str) -> str:
    """What ``Case.agent_authorisation`` keeps: the letter's number (or its file) the case
    went in under, or the authorisation's kind."""
    if authorisation is None:
        return ""
    text = typed.strip() or authorisation.document_number or authorisation.document.name
    return (text or str(authorisation.get_method_display()))[:255]


def _require_originals_seen_by(seen_by: Staff | None, given: Iterable[MaterialInput]) -> None:
    """Only a clerk taking the materials in at a window records an original as seen."""
    for material in given:
        if material.original_seen and seen_by is None:
            raise ValidationFailed(
                _("只有窗口人员在收件时可以核验原件。"), field=f"materials.{material.key}"
            )


def _window_staff(created_by: User | None, channel: Channel) -> Staff | None:
    """The clerk entering the case at a window, who may record originals seen; else None."""
    staff = getattr(created_by, "staff", None) if created_by is not None else None
    if (
        isinstance(staff, Staff)
        and channel in WINDOW_CHANNELS
        and staff.has_permission(Permission.CASE_INTAKE)
    ):
        return staff
    return None


@transaction.atomic
def case_intake(
    *,
    staff: Staff,
    applicant: Applicant,
    channel: Channel | str = Channel.HALL_WINDOW,
    accepting_region: Region | None = None,
    agent_authorisation: str = "",
    agent_in_person: bool = False,
    idempotency_key: str | None = None,
    **application: Any,
) -> Case:
    """A clerk or agent enters an application at a window or village centre (straight to submitted)."""
    if not staff.has_permission(Permission.CASE_INTAKE):
        raise PermissionDenied(_("%(role)s无权代为录入申请。") % {"role": staff.get_role_display()})
    if _channel(channel) not in WINDOW_CHANNELS:
        raise ValidationFailed(
            _("窗口录入只能选择大厅窗口、便民服务站或电话预约渠道。"), field="channel"
        )
    region = accepting_region or staff.region
    if not staff.covers(region.code):
        raise PermissionDenied(_("收件地不在您的管辖范围内。"))
    village_refusal = village_centre_refusal(
        staff, application.get("package_version"), application.get("item_version")
    )
    if village_refusal:
        raise ValidationFailed(village_refusal, field="package_version")
    return _submit(
        applicant=applicant,
        channel=channel,
        accepting_region=region,
        hall=application.pop("hall", None) or staff.hall,
        agent=staff if staff.has_permission(Permission.AGENT_ACT) else None,
        agent_authorisation=agent_authorisation,
        agent_in_person=agent_in_person,
        created_by=staff.user,
        idempotency_key=idempotency_key,
        **application,
    )


@transaction.atomic
def case_pre_review_pass(*, case_id: int, clerk: Staff, note: str = "") -> Case:
    """An online application passed pre-review: it joins the window queue for acceptance."""
    with case_work(case_id) as work:
        case_action_require(work.case, clerk, CaseAction.PRE_REVIEW_PASS)
        work.move_case(
            CaseState.SUBMITTED,
            kind=EventKind.PRE_REVIEW_PASSED,
            actor=clerk,
            action=CaseAction.PRE_REVIEW_PASS.label,
            reason=note,
        )
    return work.case


@transaction.atomic
def case_verify_originals(*, case_id: int, clerk: Staff, keys: Sequence[str]) -> Case:
    """原件已核验: the clerk saw the paper originals of these materials at the window."""
    with case_work(case_id) as work:
        case = work.case
        case_action_require(case, clerk, CaseAction.VERIFY_ORIGINAL)
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            raise ValidationFailed(_("请选择已核验原件的材料。"), field="keys")
        rows = {m.key: m for m in sql.case_materials(case.pk)}
        for key in wanted:
            row = rows.get(key)
            if row is None:
                raise ValidationFailed(
                    _("材料“%(key)s”不在本办件的材料清单中。") % {"key": key}, field="keys"
                )
            if row.status not in MATERIAL_ORIGINAL_VERIFIABLE:
                raise ValidationFailed(
                    _("“%(m)s”当前为“%(s)s”，无需核验原件。")
                    % {"m": row.name, "s": row.get_status_display()},
                    field="keys",
                )
            work.change(row, *material_original_seen(row, by=clerk, at=work.now))
        case.materials_complete = not materials_missing(rows.values())
        work.change(case, "materials_complete")
        work.record(
            EventKind.ORIGINALS_VERIFIED,
            actor=clerk,
            payload={"materials": {k: material_summary(rows[k]) for k in wanted}},
        )
    return case


def _tolerated_check(
    case: Case, materials: list[CaseMaterial], tolerated: Mapping[str, dt.date]
) -> None:
    by_key = {m.key: m for m in materials}
    for key in tolerated:
        material = by_key.get(key)
        if material is None:
            raise ValidationFailed(
                _("材料“%(key)s”不在本办件的材料清单中。") % {"key": key}, field=f"tolerated.{key}"
            )
        if material.necessity != MaterialNecessity.TOLERABLE:
            raise ValidationFailed(
                _("“%(m)s”不是可容缺后补的材料，不能容缺受理。") % {"m": material.name},
                field=f"tolerated.{key}",
            )
        if material.status != MaterialStatus.MISSING:
            raise ValidationFailed(
                _("“%(m)s”已经提交，无需容缺。") % {"m": material.name}, field=f"tolerated.{key}"
            )
    missing = [m for m in materials_missing(materials) if m.key not in tolerated]
    if missing:
        raise ValidationFailed(
            _(
                "以下材料未提交，不能受理：%(names)s。请一次性告知补正，或对可容缺的材料设定补交期限。"
            )
            % {"names": "、".join(m.name for m in missing)},
            field="materials",
            missing=[m.key for m in missing],
        )


@transaction.atomic
def case_accept(
    *,
    case_id: int,
    clerk: Staff,
    tolerated: Mapping[str, dt.date] | None = None,
    note: str = "",
) -> Case:
    """Accept once: the clock starts and the case fans out into item tasks (状态: 办理中).

    容缺: missing TOLERABLE materials may be accepted with a supplement date no later than the
    case's due date, and only when every other non-optional material is present.
    """
    with case_work(case_id) as work:
        case = work.case
        case_action_require(case, clerk, CaseAction.ACCEPT)
        tolerated = dict(tolerated or {})
        # A case whose materials are all in needs no read of them unless some are tolerated.
        complete = case.materials_complete and not tolerated
        materials = [] if complete else sql.case_materials(case.pk)
        first = case.accepted_at is None
        if first:
            case.accepted_at = work.now
        work.move_case(
            CaseState.ACCEPTED,
            kind=EventKind.ACCEPTED,
            actor=clerk,
            action=CaseAction.ACCEPT.label,
            reason=note,
            payload={
                "tolerated": {k: v.isoformat() for k, v in tolerated.items()},
                "again": not first,
            },
            fields=["accepted_at", "due_at", "due_is_provisional"],
        )
        _tolerated_check(case, materials, tolerated)
        if first:
            # The clock starts now; its history is only this event, so store what it gives.
            start = due_from(work.now, case.promised_days, case.promised_unit)
            case.due_at, case.due_is_provisional = start.at, start.is_provisional
        if tolerated:
            _tolerate(work, materials, tolerated, first=first)
        tasks = tasks_dispatch(work=work, actor=clerk, first=first)
        work.move_case(
            CaseState.IN_PROGRESS,
            kind=EventKind.PROCESSING_STARTED,
            actor=clerk,
            action=_("分送办理"),
            payload={"tasks": [t.pk for t in tasks]},
        )
        if not first:
            dues_refresh(work)  # a re-acceptance: the history has pauses, extensions, rounds
    return case


def _tolerate(
    work: CaseWork,
    materials: list[CaseMaterial],
    tolerated: Mapping[str, dt.date],
    *,
    first: bool,
) -> None:
    """容缺: the tolerated materials wait for their supplement dates, none after the due date."""
    case = work.case
    assert case.accepted_at is not None  # the clock has started
    due = calendar.deadline(case.accepted_at, case.promised_days, case.promised_unit)
    if not first and case.due_at is not None:
        due = calendar.Deadline(
            case.due_at, clock.local(case.due_at).date(), case.due_is_provisional
        )
    today = clock.local(work.now).date()
    for material in materials:
        if material.key not in tolerated:
            continue
        on = tolerated[material.key]
        if on < today:
            raise ValidationFailed(
                _("“%(m)s”的补交期限不能早于今天。") % {"m": material.name},
                field=f"tolerated.{material.key}",
            )
        if on > due.on:
            raise ValidationFailed(
                _("“%(m)s”的补交期限 %(on)s 超过了承诺办结期限 %(due)s。")
                % {"m": material.name, "on": on.isoformat(), "due": due.on.isoformat()},
                field=f"tolerated.{material.key}",
            )
        material.status = MaterialStatus.TOLERATED_MISSING
        material.supplement_due_on = on
        work.change(material, "status", "supplement_due_on")


@transaction.atomic
def case_request_correction(
    *, case_id: int, clerk: Staff, missing: Sequence[str] = (), note: str = ""
) -> Case:
    """补正: one notice listing everything missing or wrong at once. Before acceptance the
    clock has not started; after it (the case came back from a department) the case's clock
    stops until the applicant supplies the materials."""
    with case_work(case_id) as work:
        case = work.case
        case_action_require(case, clerk, CaseAction.REQUEST_CORRECTION)
        keys = list(dict.fromkeys(missing))
        if not keys and not note.strip():
            raise ValidationFailed(_("请列出需要补正的材料或说明需要补正的内容。"), field="missing")
        materials = {m.key: m for m in case.materials.filter(key__in=keys)}
        unknown = [k for k in keys if k not in materials]
        if unknown:
            raise ValidationFailed(
                _("以下材料不在本办件的材料清单中：%(keys)s。") % {"keys": "、".join(unknown)},
                field="missing",
            )
        for material in materials.values():
            material.status = MaterialStatus.MISSING
            work.change(material, "status")
        if keys:
            case.materials_complete = False
        case.correction_notice = {
            "materials": [{"key": k, "name": materials[k].name} for k in keys],
            "note": note.strip(),
            "issued_at": work.now.isoformat(),
            "issued_by": clerk.name,
        }
        work.move_case(
            CaseState.CORRECTION_REQUESTED,
            kind=EventKind.CORRECTION_REQUESTED,
            actor=clerk,
            action=CaseAction.REQUEST_CORRECTION.label,
            reason=note.strip(),
            payload={"materials": keys},
            fields=["correction_notice", "materials_complete"],
        )
        if case.accepted_at is not None:  # after acceptance the case's clock stops
            dues_refresh(work)
    return case


@transaction.atomic
def case_supplement(
    *, case_id: int, by: Applicant | Staff, materials: Sequence[MaterialInput]
) -> Case:
    """The applicant supplies everything the 补正 notice listed; the case returns to the window."""
    with case_work(case_id) as work:
        case = work.case
        case_action_require(case, by, CaseAction.SUPPLEMENT)
        given = _materials_by_key(materials)
        rows = {m.key: m for m in case.materials.all()}
        unknown = sorted(set(given) - set(rows))
        if unknown:
            raise ValidationFailed(
                _("以下材料不在本办件的材料清单中：%(keys)s。") % {"keys": "、".join(unknown)},
                field=f"materials.{unknown[0]}",
            )
        listed = [m["key"] for m in (case.correction_notice or {}).get("materials", [])]
        still = [rows[k].name for k in listed if k not in given]
        if still:
            raise ValidationFailed(
                _("补正通知中的以下材料尚未提交：%(names)s。") % {"names": "、".join(still)},
                field="materials",
            )
        seen_by = by if isinstance(by, Staff) and by.covers(case.region_code) else None
        _require_originals_seen_by(seen_by, given.values())
        checked = {
            k: material_input_check(g, name=rows[k].name, necessity=rows[k].necessity)
            for k, g in given.items()
        }
        for key, entry in given.items():
            row = rows[key]
            changed = material_apply(row, entry, checked[key], seen_by=seen_by, at=work.now)
            row.supplied_at = work.now
            work.change(row, *changed, "supplied_at")
        case.materials_complete = not materials_missing(rows.values())
        fields = ["materials_complete"]
        if any(g.commitment.strip() for g in given.values()) and not case.has_commitments:
            case.has_commitments = True
            fields.append("has_commitments")
        work.move_case(
            CaseState.SUBMITTED,
            kind=EventKind.SUPPLEMENTED,
            actor=by,
            action=CaseAction.SUPPLEMENT.label,
            payload={"materials": {k: material_summary(rows[k]) for k in given}},
            fields=fields,
        )
        if case.accepted_at is not None:  # the clock runs again, later by the days waited
            dues_refresh(work)
    return case


@transaction.atomic
def case_reject(*, case_id: int, clerk: Staff, reason: str) -> Case:
    """不予受理, always with the reason the applicant will read."""
    with case_work(case_id) as work:
        case = work.case
        case_action_require(case, clerk, CaseAction.REJECT)
        case.rejection_reason = require_text(reason, field="reason", what=_("不予受理的理由"))
        case.closed_at = work.now
        work.move_case(
            CaseState.REJECTED,
            kind=EventKind.REJECTED,
            actor=clerk,
            action=CaseAction.REJECT.label,
            reason=case.rejection_reason,
            fields=["rejection_reason", "closed_at"],
        )
    return case


@transaction.atomic
def case_withdraw(*, case_id: int, by: Applicant | Staff, reason: str = "") -> Case:
    """The applicant (or the window on their written request) withdraws before completion."""
    with case_work(case_id) as work:
        case = work.case
        case_action_require(case, by, CaseAction.WITHDRAW)
        case.closed_at = work.now
        work.move_case(
            CaseState.WITHDRAWN,
            kind=EventKind.WITHDRAWN,
            actor=by,
            action=CaseAction.WITHDRAW.label,
            reason=reason.strip(),
            fields=["closed_at"],
        )
        tasks_close(work=work, actor=by, reason=_("申请人撤回申请"))
    return case


@transaction.atomic
def case_supply_tolerated(
    *, case_id: int, key: str, material: MaterialInput, by: Applicant | Staff
) -> Case:
    """A tolerated (容缺) material arrives by its deadline; the clock was never stopped for it."""
    with case_work(case_id) as work:
        case = work.case
        case_action_require(case, by, CaseAction.SUPPLY_TOLERATED)
        row = case.materials.filter(key=key).first()
        if row is None or row.status != MaterialStatus.TOLERATED_MISSING:
            raise ValidationFailed(_("“%(key)s”不是待补交的容缺材料。") % {"key": key}, field="key")
        if row.supplement_due_on is not None and clock.today() > row.supplement_due_on:
            raise Conflict(
                _("“%(m)s”的补交期限 %(on)s 已过，办件将被终止。")
                % {"m": row.name, "on": row.supplement_due_on.isoformat()}
            )
        if material.key != key:
            material = replace(material, key=key)
        seen_by = by if isinstance(by, Staff) and by.covers(case.region_code) else None
        _require_originals_seen_by(seen_by, [material])
        checked = material_input_check(material, name=row.name, necessity=row.necessity)
        changed = material_apply(row, material, checked, seen_by=seen_by, at=work.now)
        row.supplied_at = work.now
        work.change(row, *changed, "supplied_at")
        if material.commitment.strip() and not case.has_commitments:
            case.has_commitments = True
            work.change(case, "has_commitments")
        work.record(
            EventKind.TOLERATED_SUPPLIED,
            actor=by,
            payload={"material": key, **material_summary(row)},
        )
    return case


def case_terminate_overdue_tolerated(*, today: dt.date | None = None) -> list[str]:
    """Sweep: a case whose tolerated material is past its supplement date is terminated.

    One transaction per case, so one failure does not undo the others; returns the numbers.
    """
    today = today or clock.today()
    rule = CASE_TERMINABLE_STATES
    ids = (
        Case.objects.filter(
            state__in=list(rule),
            materials__status=MaterialStatus.TOLERATED_MISSING,
            materials__supplement_due_on__lt=today,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    terminated: list[str] = []
    for case_id in list(ids):
        with transaction.atomic(), case_work(case_id) as work:
            case = work.case
            overdue = list(
                case.materials.filter(
                    status=MaterialStatus.TOLERATED_MISSING, supplement_due_on__lt=today
                ).values_list("name", flat=True)
            )
            if not overdue or case.state not in rule:
                continue  # supplied or closed meanwhile
            case.closed_at = work.now
            work.move_case(
                CaseState.TERMINATED,
                kind=EventKind.TERMINATED,
                actor=None,
                action=_("终止办理"),
                reason=_("容缺材料逾期未补交：%(names)s") % {"names": "、".join(overdue)},
                fields=["closed_at"],
            )
            tasks_close(work=work, actor=None, reason=_("容缺材料逾期未补交，办件终止"))
            terminated.append(case.number or "")
    return terminated


@transaction.atomic
def case_hand_out(*, case_id: int, clerk: Staff, note: str = "") -> Case:
    """统一出件: results leave the window only when every tolerated material is in."""
    with case_work(case_id) as work:
        case = work.case
        case_action_require(case, clerk, CaseAction.HAND_OUT)
        if case.outcome != CaseOutcome.DENIED:
            waiting = sql.material_names(case.pk, MaterialStatus.TOLERATED_MISSING)
            if waiting:
                raise Conflict(
                    _("容缺材料尚未补齐（%(names)s），办理结果暂不发放。")
                    % {"names": "、".join(waiting)}
                )
        case.delivered_at = work.now
        work.move_case(
            CaseState.DELIVERED,
            kind=EventKind.HANDED_OUT,
            actor=clerk,
            action=CaseAction.HAND_OUT.label,
            reason=note,
            fields=["delivered_at"],
        )
    return case
