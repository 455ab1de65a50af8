"""Applying, the window's actions and the reads of cases.

Every endpoint: parse the body, check the caller's role (403) and scope (404), call one
service, return the case as the caller may see it. Materials travel inline as base64 (see
``FileIn``); one large file can be handed in later with the multipart endpoint
``POST /api/cases/{id}/materials/{key}``.

Idempotency: ``Idempotency-Key`` is scoped to the calling login. The first submission answers
201, a retry with the same body 200 and the same case; the same key with another body is 422
``idempotency_key_reused`` (as the IETF idempotency-key draft has it), naming what differs.
Two retries in flight at the same moment still make one case (a unique constraint); both
may then answer 201 with that one case.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Header, Query, Router, Status
from ninja.files import UploadedFile

from onestop.accounts.auth import api_auth, client_auth
from onestop.accounts.models import ApiScope, Applicant, PersonalDataReadKind, Staff
from onestop.accounts.roles import Permission
from onestop.accounts.selectors import applicant_find
from onestop.accounts.services import personal_data_read_record
from onestop.accounts.throttle import client_ip
from onestop.cases import api_queries, selectors, services
from onestop.cases.api import common
from onestop.cases.api.common import PROBLEMS, Json
from onestop.cases.api.schemas import (
    AcceptIn,
    CaseApplyIn,
    CaseIntakeIn,
    CaseOut,
    CasePage,
    CaseSearchIn,
    CaseSearchPage,
    CorrectionIn,
    EventFeedIn,
    EventFeedPage,
    MaterialIn,
    NoteIn,
    OptionalReasonIn,
    ReasonIn,
    ReceivingCheckIn,
    SupplementIn,
)
from onestop.cases.models import Case
from onestop.cases.services import MaterialInput
from onestop.cases.services.idempotency import IdempotencyKeyReused
from onestop.core.errors import PermissionDenied, ValidationFailed

router = Router(tags=["办件"], auth=api_auth)


def _status_for(request: HttpRequest, key: str | None) -> int:
    """201 for a new case, 200 for a retry of an earlier submission under the same key
    (whether the retry is the same application, the service decides)."""
    if key and api_queries.case_by_idempotency_key(user=request.auth, key=key) is not None:
        return 200
    return 201


def _header_named(call: Callable[[], Case]) -> Case:
    """Call the service; a reused key is reported against the ``Idempotency-Key`` header."""
    try:
        return call()
    except IdempotencyKeyReused as exc:
        exc.field = "Idempotency-Key"
        raise


IDEMPOTENCY_HELP = (
    "同一账号重复提交时带上相同的值：第一次返回 201 和新办件，之后返回 200 和同一办件；"
    "同一键配不同内容返回 422（code=idempotency_key_reused）。"
)


@router.post(
    "/cases",
    response={200: CaseOut, 201: CaseOut, **PROBLEMS},
    summary="网上申报（申请人本人）",
    description=(
        "申请人一次提交一件事或单个事项：情形回答、一表申请、材料（文件以 base64 内嵌，"
        "或电子证照引用、告知承诺）。网上、移动端和自助终端的申请先进入预审。"
    ),
)
def case_apply(
    request: HttpRequest,
    payload: CaseApplyIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", description=IDEMPOTENCY_HELP
    ),
) -> Status:
    applicant = common.applicant_only(request)
    region = common.region_by_code(payload.region_code)
    package, item = common.application_target(payload)
    status = _status_for(request, idempotency_key)
    case = _header_named(
        lambda: services.case_submit(
            applicant=applicant,
            package_version=package,
            item_version=item,
            answers=payload.answers,
            form_data=payload.form_data,
            materials=common.material_inputs(payload.materials),
            channel=payload.channel,
            accepting_region=region,
            created_by=request.auth,
            idempotency_key=idempotency_key,
            draft_id=payload.draft_id,
        )
    )
    return Status(status, common.case_out(case, applicant))


@router.post(
    "/cases/intake",
    response={200: CaseOut, 201: CaseOut, **PROBLEMS},
    summary="窗口或帮代办员代为录入申请",
    description="申请人到场：按身份证号码或统一社会信用代码找到申请人，录入后直接进入待受理。",
)
def case_intake(
    request: HttpRequest,
    payload: CaseIntakeIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", description=IDEMPOTENCY_HELP
    ),
) -> Status:
    staff = common.staff_with(request, Permission.CASE_INTAKE)
    applicant = applicant_find(identifier=payload.applicant_identifier)
    if applicant is None:
        raise ValidationFailed(
            _("没有该身份证号码或统一社会信用代码的申请人，请先登记申请人。"),
            field="applicant_identifier",
        )
    region = common.region_by_code(payload.region_code) if payload.region_code else staff.region
    package, item = common.application_target(payload)
    status = _status_for(request, idempotency_key)
    case = _header_named(
        lambda: services.case_intake(
            staff=staff,
            applicant=applicant,
            channel=payload.channel,
            accepting_region=region,
            agent_authorisation=payload.agent_authorisation,
            idempotency_key=idempotency_key,
            package_version=package,
            item_version=item,
            answers=payload.answers,
            form_data=payload.form_data,
            materials=common.material_inputs(payload.materials),
        )
    )
    return Status(status, common.case_out(case, staff))


# ------------------------------------------------------------------------------- reads


@router.get("/cases/mine", response={200: CasePage, **PROBLEMS}, summary="我的办件（申请人）")
def case_list_mine(
    request: HttpRequest,
    limit: int = common.limit_param(),
    cursor: str = common.cursor_param(),
) -> Json:
    applicant = common.applicant_only(request)
    page = selectors.applicant_cases_page(applicant, cursor=cursor, limit=limit)
    items = [common.case_row(c) for c in page.rows]
    return common.paged(page, items, selectors.case_list_for_applicant(applicant))


def _any_staff(request: HttpRequest) -> Staff:
    staff = common.caller(request).staff
    if staff is None or not staff.is_active:
        raise PermissionDenied(_("只有在岗的工作人员可以进行此操作。"))
    return staff


def _cursor_read(cursor: str, *, field: str = "cursor") -> int:
    """The id an opaque cursor stands for; 422 for anything this API did not hand out."""
    try:
        value = int(base64.urlsafe_b64decode(cursor.encode("ascii") + b"==").decode("ascii"))
    except (ValueError, UnicodeError, binascii.Error):
        value = -1
    if not 0 <= value < 2**63:
        raise ValidationFailed(_("游标无效：请使用上一页返回的 next。"), field=field)
    return value


def _cursor_make(value: int) -> str:
    return base64.urlsafe_b64encode(str(value).encode("ascii")).decode("ascii").rstrip("=")


@router.get(
    "/cases",
    response={200: CaseSearchPage, **PROBLEMS},
    auth=client_auth(ApiScope.CASES_READ),
    summary="办件检索（工作人员）：按编号、状态、渠道、事项、申请人、区划、日期、变更时间、超期筛选",
    description=(
        "只返回调用者查看范围内的办件，新到旧。按游标翻页：把上一页的 next 作为 cursor 传回；"
        "不计算总数，任何深度的一页耗时相同。"
    ),
)
def case_search(request: HttpRequest, q: Query[CaseSearchIn]) -> Json:
    staff = _any_staff(request)
    where = selectors.CaseFilter(
        number=q.number.strip(),
        states=tuple(q.state),
        channel=q.channel or "",
        item_code=q.item_code.strip(),
        applicant_identifier=q.applicant.strip(),
        region=q.region,
        submitted_from=q.submitted_from,
        submitted_to=q.submitted_to,
        changed_since=q.updated_since,
        overdue=q.overdue,
    )
    before = _cursor_read(q.cursor) if q.cursor else None
    cases = selectors.case_search(staff, where, before_id=before, limit=q.limit + 1)
    more = len(cases) > q.limit
    cases = cases[: q.limit]
    return {
        "items": [common.case_row(c) for c in cases],
        "next": _cursor_make(cases[-1].pk) if more and cases else None,
    }


@router.get(
    "/cases/by-number/{number}",
    response={200: CaseOut, **PROBLEMS},
    auth=client_auth(ApiScope.CASES_READ),
    summary="按办件编号查询办件详情",
    description="与 GET /cases/{id} 相同；不在查看范围内的编号返回 404。",
)
def case_by_number(request: HttpRequest, number: str) -> Json:
    viewer = common.caller(request).viewer
    return case_detail(request, selectors.case_get_by_number_for(viewer, number).pk)


@router.get(
    "/events",
    response={200: EventFeedPage, **PROBLEMS},
    auth=client_auth(ApiScope.EVENTS_READ),
    summary="变更订阅：查看范围内办件的事件，自游标之后按发生顺序",
    description=(
        "对接系统保存返回的 next，下次从那里继续，便可得知每一个变化而无需逐件查询。"
        "首次调用不带 cursor 从头开始。事件按编号排列，只返回已提交的：仍在提交中的事务"
        "之后的事件等它结束后才出现，所以按 next 继续不会漏掉晚提交的事件。"
    ),
)
def event_feed(request: HttpRequest, q: Query[EventFeedIn]) -> Json:
    staff = _any_staff(request)
    after = _cursor_read(q.cursor) if q.cursor else 0
    page = selectors.event_feed_page(staff, after_id=after, limit=q.limit)
    events = page.events
    return {
        "items": [
            {
                **common.event_out(e, for_applicant=False),
                "id": e.pk,
                "case_id": e.case_id,
                "case_number": e.case.number,
            }
            for e in events
        ],
        "next": _cursor_make(page.next_id),
    }


@router.get(
    "/cases/{int:case_id}",
    response={200: CaseOut, **PROBLEMS},
    auth=client_auth(ApiScope.CASES_READ),
    summary="办件详情：子件、材料、时间线、期限与红黄绿灯",
    description="不在查看范围内的办件返回 404。申请人只看到办理部门，看不到承办人姓名。",
)
def case_detail(request: HttpRequest, case_id: int) -> Json:
    viewer = common.caller(request).viewer
    case = selectors.case_get_for(viewer, case_id)
    if isinstance(viewer, Staff) and common.sees_personal_data(viewer, case):
        personal_data_read_record(
            staff=viewer,
            applicant_id=case.applicant_id,
            kind=PersonalDataReadKind.API_CASE,
            case_number=case.number or "",
            address=client_ip(request),
        )
    return common.case_out(case, viewer)


@router.get(
    "/window/queue",
    response={200: CasePage, **PROBLEMS},
    summary="窗口待办：预审、待受理（含补正后和部门退回的）办件，先到先办",
)
def window_queue(
    request: HttpRequest,
    limit: int = common.limit_param(),
    cursor: str = common.cursor_param(),
) -> Json:
    clerk = common.staff_with(request, Permission.CASE_ACCEPT)
    page = selectors.window_queue_page(clerk, cursor=cursor, limit=limit)
    items = [common.case_row(c) for c in page.rows]
    return common.paged(page, items, selectors.window_queue(clerk))


@router.get(
    "/window/handout",
    response={200: CasePage, **PROBLEMS},
    summary="出件队列：已办结待统一出件的办件",
)
def window_handout(
    request: HttpRequest,
    limit: int = common.limit_param(),
    cursor: str = common.cursor_param(),
) -> Json:
    clerk = common.staff_with(request, Permission.CASE_HAND_OUT)
    page = selectors.handout_queue_page(clerk, cursor=cursor, limit=limit)
    waiting = api_queries.cases_waiting_for_tolerated([c.pk for c in page.rows])
    items = [common.case_row(c, waiting_for_tolerated=c.pk in waiting) for c in page.rows]
    return common.paged(page, items, selectors.handout_queue(clerk))


# ----------------------------------------------------------------------- window actions


def _window_case(request: HttpRequest, case_id: int, permission: Permission) -> tuple[Staff, Case]:
    clerk = common.staff_with(request, permission)
    return clerk, selectors.case_get_for(clerk, case_id)


@router.post(
    "/cases/{int:case_id}/pre-review",
    response={200: CaseOut, **PROBLEMS},
    summary="预审通过（网上申请进入待受理）",
)
def case_pre_review(request: HttpRequest, case_id: int, payload: NoteIn) -> Json:
    clerk, case = _window_case(request, case_id, Permission.CASE_ACCEPT)
    case = services.case_pre_review_pass(case_id=case.pk, clerk=clerk, note=payload.note)
    return common.case_out(case, clerk)


@router.post(
    "/cases/{int:case_id}/accept",
    response={200: CaseOut, **PROBLEMS},
    summary="受理（可容缺受理），分送各部门办理",
)
def case_accept(request: HttpRequest, case_id: int, payload: AcceptIn) -> Json:
    clerk, case = _window_case(request, case_id, Permission.CASE_ACCEPT)
    case = services.case_accept(
        case_id=case.pk, clerk=clerk, tolerated=payload.tolerated, note=payload.note
    )
    return common.case_out(case, clerk)


@router.post(
    "/cases/{int:case_id}/receiving-check",
    response={200: CaseOut, **PROBLEMS},
    summary="收件地形式审查和身份核验（异地代收代办，受理前）",
)
def case_receiving_check(request: HttpRequest, case_id: int, payload: ReceivingCheckIn) -> Json:
    clerk, case = _window_case(request, case_id, Permission.CASE_ACCEPT)
    case = services.case_receiving_check(
        case_id=case.pk,
        clerk=clerk,
        form_checked=payload.form_checked,
        identity_checked=payload.identity_checked,
        identity_method=payload.identity_method,
        note=payload.note,
    )
    return common.case_out(case, clerk)


@router.post(
    "/cases/{int:case_id}/request-correction",
    response={200: CaseOut, **PROBLEMS},
    summary="一次性告知补正",
)
def case_request_correction(request: HttpRequest, case_id: int, payload: CorrectionIn) -> Json:
    clerk, case = _window_case(request, case_id, Permission.CASE_ACCEPT)
    case = services.case_request_correction(
        case_id=case.pk, clerk=clerk, missing=payload.missing, note=payload.note
    )
    return common.case_out(case, clerk)


@router.post("/cases/{int:case_id}/reject", response={200: CaseOut, **PROBLEMS}, summary="不予受理")
def case_reject(request: HttpRequest, case_id: int, payload: ReasonIn) -> Json:
    clerk, case = _window_case(request, case_id, Permission.CASE_ACCEPT)
    case = services.case_reject(case_id=case.pk, clerk=clerk, reason=payload.reason)
    return common.case_out(case, clerk)


@router.post(
    "/cases/{int:case_id}/hand-out", response={200: CaseOut, **PROBLEMS}, summary="统一出件"
)
def case_hand_out(request: HttpRequest, case_id: int, payload: NoteIn) -> Json:
    clerk, case = _window_case(request, case_id, Permission.CASE_HAND_OUT)
    case = services.case_hand_out(case_id=case.pk, clerk=clerk, note=payload.note)
    return common.case_out(case, clerk)


# ------------------------------------------------------------- the applicant's actions


def _own_case(request: HttpRequest, case_id: int) -> tuple[Applicant | Staff, Case]:
    by = common.owner_or_window(request)
    return by, selectors.case_get_for(by, case_id)


@router.post(
    "/cases/{int:case_id}/withdraw",
    response={200: CaseOut, **PROBLEMS},
    summary="撤回申请（办结前，申请人本人或窗口代为）",
)
def case_withdraw(request: HttpRequest, case_id: int, payload: OptionalReasonIn) -> Json:
    by, case = _own_case(request, case_id)
    case = services.case_withdraw(case_id=case.pk, by=by, reason=payload.reason)
    return common.case_out(case, by)


@router.post(
    "/cases/{int:case_id}/supplement",
    response={200: CaseOut, **PROBLEMS},
    summary="补正：一次提交补正通知列出的全部材料",
)
def case_supplement(request: HttpRequest, case_id: int, payload: SupplementIn) -> Json:
    by, case = _own_case(request, case_id)
    case = services.case_supplement(
        case_id=case.pk, by=by, materials=common.material_inputs(payload.materials)
    )
    return common.case_out(case, by)


@router.post(
    "/cases/{int:case_id}/supply-tolerated",
    response={200: CaseOut, **PROBLEMS},
    summary="补交容缺材料（JSON：base64 文件、电子证照引用或告知承诺）",
)
def case_supply_tolerated(request: HttpRequest, case_id: int, payload: MaterialIn) -> Json:
    by, case = _own_case(request, case_id)
    (material,) = common.material_inputs([payload])
    case = services.case_supply_tolerated(
        case_id=case.pk, key=payload.key, material=material, by=by
    )
    return common.case_out(case, by)


@router.post(
    "/cases/{int:case_id}/materials/{key}",
    response={200: CaseOut, **PROBLEMS},
    summary="上传一份容缺材料文件（multipart/form-data，字段名 file）",
    description=(
        "与 supply-tolerated 相同的业务，供较大的文件使用：文件以 multipart 上传，"
        "不受 JSON 请求体大小的限制（上限见 ONESTOP_UPLOAD_MAX_BYTES）。"
    ),
)
def case_material_upload(
    request: HttpRequest, case_id: int, key: str, file: File[UploadedFile]
) -> Json:
    by, case = _own_case(request, case_id)
    case = services.case_supply_tolerated(
        case_id=case.pk, key=key, material=MaterialInput(key=key, file=file), by=by
    )
    return common.case_out(case, by)
