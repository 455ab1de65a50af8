"""The departments' actions on item tasks (子件), the inbox, and extensions (延期)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from onestop.accounts.auth import api_auth, client_auth
from onestop.accounts.models import ApiScope, Applicant, Staff
from onestop.accounts.roles import Permission
from onestop.cases import api_queries, selectors, services
from onestop.cases.api import common
from onestop.cases.api.common import PROBLEMS, Json
from onestop.cases.api.schemas import (
    DenyIn,
    ExtensionIn,
    ExtensionOut,
    ExtensionPage,
    InboxPage,
    OpinionIn,
    PauseIn,
    PauseOut,
    ReasonIn,
    ReassignIn,
    ResumeIn,
    TaskOut,
    VerificationIn,
    VerificationOut,
    VerificationPage,
)
from onestop.cases.models import ItemTask, Pause
from onestop.cases.states import PauseKind
from onestop.core.errors import ValidationFailed

router = Router(tags=["部门子件"], auth=api_auth)


def _task(request: HttpRequest, task_id: int, permission: Permission) -> tuple[Staff, ItemTask]:
    officer = common.staff_with(request, permission)
    return officer, api_queries.task_get_for(officer, task_id)


def _out(task: ItemTask, viewer: Staff) -> Json:
    task.refresh_from_db()
    return common.task_out(task, viewer=viewer)


def _pause_out(pause: Pause, viewer: Staff) -> Json:
    return {
        "id": pause.pk,
        "task": _out(pause.task, viewer),
        "kind": pause.kind,
        "kind_label": str(PauseKind(pause.kind).label),
        "reason": pause.reason,
        "started_at": pause.started_at,
        "ended_at": pause.ended_at,
        "result": pause.result,
        "paused_workdays": pause.paused_workdays,
    }


@router.get(
    "/inbox",
    response={200: InboxPage, **PROBLEMS},
    summary="部门待办：本部门本辖区待认领、办理中、特别程序中的子件，最紧急的在前",
)
def inbox(
    request: HttpRequest,
    limit: int = common.limit_param(),
    cursor: str = common.cursor_param(),
) -> Json:
    officer = common.staff_with(request, Permission.TASK_HANDLE)
    page = selectors.inbox_page(officer, cursor=cursor, limit=limit)
    items = [common.inbox_row(t, officer) for t in page.rows]
    return common.paged(page, items, selectors.inbox_for(officer))


@router.get(
    "/tasks/{int:task_id}",
    response={200: TaskOut, **PROBLEMS},
    auth=client_auth(ApiScope.TASKS_READ),
    summary="子件详情：状态、承办人、期限与红黄绿灯、可进行的操作",
    description="不在查看范围内的子件返回 404。",
)
def task_detail(request: HttpRequest, task_id: int) -> Json:
    viewer = common.caller(request).viewer
    task = api_queries.task_get_for(viewer, task_id)
    due = selectors.case_due_dates(task.case).tasks.get(task.pk)
    return common.task_out(
        task, viewer=viewer, for_applicant=isinstance(viewer, Applicant), due=due
    )


@router.post("/tasks/{int:task_id}/claim", response={200: TaskOut, **PROBLEMS}, summary="认领")
def task_claim(request: HttpRequest, task_id: int) -> Json:
    officer, task = _task(request, task_id, Permission.TASK_HANDLE)
    return _out(services.task_claim(task_id=task.pk, officer=officer), officer)


@router.post(
    "/tasks/{int:task_id}/reassign",
    response={200: TaskOut, **PROBLEMS},
    summary="改派给本部门另一位工作人员（当前承办人或首席审批员）",
)
def task_reassign(request: HttpRequest, task_id: int, payload: ReassignIn) -> Json:
    officer, task = _task(request, task_id, Permission.TASK_HANDLE)
    to = api_queries.staff_get_in_department(
        department_id=task.department_id, staff_id=payload.to_staff_id
    )
    if to is None:
        raise ValidationFailed(_("只能改派给本部门在岗的工作人员。"), field="to_staff_id")
    return _out(
        services.task_reassign(task_id=task.pk, by=officer, to=to, reason=payload.reason), officer
    )


@router.post(
    "/tasks/{int:task_id}/return",
    response={200: TaskOut, **PROBLEMS},
    summary="退回窗口（整件退回，须说明理由）",
)
def task_return(request: HttpRequest, task_id: int, payload: ReasonIn) -> Json:
    officer, task = _task(request, task_id, Permission.TASK_HANDLE)
    return _out(
        services.task_return(task_id=task.pk, officer=officer, reason=payload.reason), officer
    )


@router.post(
    "/tasks/{int:task_id}/approve", response={200: TaskOut, **PROBLEMS}, summary="作出通过决定"
)
def task_approve(request: HttpRequest, task_id: int, payload: OpinionIn) -> Json:
    officer, task = _task(request, task_id, Permission.TASK_DECIDE)
    return _out(
        services.task_approve(task_id=task.pk, officer=officer, opinion=payload.opinion), officer
    )


@router.post(
    "/tasks/{int:task_id}/deny",
    response={200: TaskOut, **PROBLEMS},
    summary="作出不予许可决定（须说明理由；后续依赖事项不再办理）",
)
def task_deny(request: HttpRequest, task_id: int, payload: DenyIn) -> Json:
    officer, task = _task(request, task_id, Permission.TASK_DECIDE)
    return _out(
        services.task_deny(task_id=task.pk, officer=officer, opinion=payload.opinion), officer
    )


@router.post(
    "/tasks/{int:task_id}/pause",
    response={200: PauseOut, **PROBLEMS},
    summary="启动特别程序（听证、检验、专家评审……），计时暂停",
)
def task_pause(request: HttpRequest, task_id: int, payload: PauseIn) -> Json:
    officer, task = _task(request, task_id, Permission.TASK_PAUSE)
    pause = services.task_pause(
        task_id=task.pk, officer=officer, kind=payload.kind, reason=payload.reason
    )
    return _pause_out(pause, officer)


@router.post(
    "/tasks/{int:task_id}/resume",
    response={200: PauseOut, **PROBLEMS},
    summary="结束特别程序，期限顺延暂停的工作日",
)
def task_resume(request: HttpRequest, task_id: int, payload: ResumeIn) -> Json:
    officer, task = _task(request, task_id, Permission.TASK_PAUSE)
    pause = services.task_resume(task_id=task.pk, officer=officer, result=payload.result)
    return _pause_out(pause, officer)


@router.post(
    "/tasks/{int:task_id}/extensions",
    response={201: ExtensionOut, **PROBLEMS},
    summary="申请延期（由本部门首席审批员批准）",
)
def extension_request(request: HttpRequest, task_id: int, payload: ExtensionIn) -> Status:
    officer, task = _task(request, task_id, Permission.TASK_HANDLE)
    extension = services.extension_request(
        task_id=task.pk, officer=officer, days=payload.days, reason=payload.reason
    )
    return Status(201, common.extension_out(extension))


@router.post(
    "/extensions/{int:extension_id}/approve",
    response={200: ExtensionOut, **PROBLEMS},
    summary="批准延期（首席审批员），子件和办件期限顺延",
)
def extension_approve(request: HttpRequest, extension_id: int) -> Json:
    chief = common.staff_with(request, Permission.EXTENSION_APPROVE)
    extension = api_queries.extension_get_for(chief, extension_id)
    extension = services.extension_approve(extension_id=extension.pk, chief=chief)
    return common.extension_out(extension)


@router.get(
    "/extensions/pending",
    response={200: ExtensionPage, **PROBLEMS},
    summary="待批准的延期申请（首席审批员：本部门本辖区）",
)
def extension_list_pending(
    request: HttpRequest,
    limit: int = common.limit_param(),
    cursor: str = common.cursor_param(),
) -> Json:
    chief = common.staff_with(request, Permission.EXTENSION_APPROVE)
    page = selectors.extension_pending_page(chief, cursor=cursor, limit=limit)
    items = [common.extension_out(e, refresh=False) for e in page.rows]
    return common.paged(page, items, selectors.extension_list_pending_for(chief))


@router.get(
    "/verifications",
    response={200: VerificationPage, **PROBLEMS},
    summary="待核查的告知承诺（本部门）",
)
def verification_list(
    request: HttpRequest,
    limit: int = common.limit_param(),
    cursor: str = common.cursor_param(),
) -> Json:
    officer = common.staff_with(request, Permission.TASK_DECIDE)
    page = selectors.verification_page(officer, cursor=cursor, limit=limit)
    items = [common.verification_out(v) for v in page.rows]
    return common.paged(page, items, selectors.verification_list_for(officer))


@router.post(
    "/verifications/{int:verification_id}/record",
    response={200: VerificationOut, **PROBLEMS},
    summary="记录告知承诺核查结果（属实或虚假承诺）",
)
def verification_record(
    request: HttpRequest, verification_id: int, payload: VerificationIn
) -> Json:
    officer = common.staff_with(request, Permission.TASK_DECIDE)
    verification = api_queries.verification_get_for(officer, verification_id)
    verification = services.verification_record(
        verification_id=verification.pk,
        officer=officer,
        is_true=payload.is_true,
        note=payload.note,
    )
    return common.verification_out(verification)
