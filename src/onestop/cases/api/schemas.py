"""Request and response bodies of the case API (pydantic, through django-ninja)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from onestop.cases.actions import CaseAction, TaskAction
from onestop.cases.states import CaseState, Channel, IdentityCheck, PauseKind, TaskMode

# ------------------------------------------------------------------------------- inputs


class FileIn(Schema):
    """A scanned document sent inline: the file name (its extension decides the type) and the
    bytes in standard base64. The whole JSON body is bounded by Django's
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB unless the deployment raises it); larger files go
    through the multipart endpoint ``POST /api/cases/{id}/materials/{key}``."""

    filename: str = Field(..., min_length=1, max_length=255, examples=["身份证.pdf"])
    content_base64: str = Field(..., min_length=1)


class MaterialIn(Schema):
    """How one entry of the material list is satisfied: exactly one of ``file``,
    ``licence_reference`` (an e-licence the platform holds) or ``commitment`` (告知承诺 text)."""

    key: str = Field(..., min_length=1, max_length=64, examples=["id_card"])
    file: FileIn | None = None
    licence_reference: str = Field("", max_length=255)
    commitment: str = Field("", max_length=2000)


class ApplicationIn(Schema):
    """What an application contains, whoever enters it."""

    package_code: str | None = Field(None, description="一件事编码（与 item_code 二选一）")
    item_code: str | None = Field(None, description="事项基本编码（与 package_code 二选一）")
    answers: dict[str, Any] = Field(default_factory=dict, description="情形问题的回答")
    form_data: dict[str, Any] = Field(default_factory=dict, description="一表申请的内容")
    materials: list[MaterialIn] = Field(default_factory=list)


class CaseApplyIn(ApplicationIn):
    """An applicant applying online (网上申报)."""

    region_code: str = Field(
        ...,
        min_length=2,
        max_length=12,
        pattern=r"^[0-9]+$",
        description="收件地区划代码（有效位数：省2、市4、县6、乡镇9、村12位）",
    )
    channel: Literal["online", "mobile", "kiosk"] = "online"
    draft_id: int | None = Field(
        None, description="从草稿提交：草稿的 id（提交后草稿即成为该办件，不再出现在草稿中）"
    )


class DraftIn(Schema):
    """An application saved for later (草稿): checked only when it is submitted."""

    package_code: str | None = Field(None, description="一件事编码（与 item_code 二选一）")
    item_code: str | None = Field(None, description="事项基本编码（与 package_code 二选一）")
    answers: dict[str, Any] = Field(
        default_factory=dict, description="情形问题的回答（须答全：它决定表单和材料）"
    )
    form_data: dict[str, Any] = Field(
        default_factory=dict, description="已填写的表单内容，原样保存，提交时再校验"
    )
    region_code: str = Field(
        ...,
        min_length=2,
        max_length=12,
        pattern=r"^[0-9]+$",
        description="收件地区划代码（有效位数：省2、市4、县6、乡镇9、村12位）",
    )
    channel: Literal["online", "mobile", "kiosk"] = "online"
    materials: list[MaterialIn] = Field(
        default_factory=list,
        description="要保存在草稿中的文件（仅 file；每份替换草稿中该材料原有的文件）",
    )


class DraftOut(Schema):
    id: int
    title: str
    package_code: str | None
    item_code: str | None
    answers: dict[str, Any]
    form_data: dict[str, Any]
    region_code: str
    channel: str
    files: dict[str, str] = Field(description="草稿中保存的文件：材料标识 → SHA-256")
    created_at: dt.datetime
    updated_at: dt.datetime


class CaseIntakeIn(ApplicationIn):
    """A window clerk or an agent entering the application of an applicant who is present."""

    applicant_identifier: str = Field(
        ..., min_length=8, max_length=32, description="申请人居民身份证号码或统一社会信用代码"
    )
    channel: Literal["hall_window", "village_centre", "phone_appointment"] = "hall_window"
    region_code: str | None = Field(None, description="收件地区划代码，默认为录入人的管辖区划")
    agent_authorisation: str = Field(
        "", max_length=255, description="帮代办员录入时必填：授权委托书编号"
    )


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class AcceptIn(Schema):
    tolerated: dict[str, dt.date] = Field(
        default_factory=dict,
        description="容缺受理：材料标识 → 补交期限（不晚于承诺办结日期）",
        examples=[{"lease": "2026-06-05"}],
    )
    note: str = Field("", max_length=2000)


class ReceivingCheckIn(Schema):
    """收件地's 形式审查 and 身份核验 of a case another region handles (异地代收代办)."""

    form_checked: bool = Field(description="已完成形式审查（申请表和材料齐全、符合法定形式）")
    identity_checked: bool = Field(description="已完成申请人身份核验")
    identity_method: IdentityCheck = Field(description="身份核验方式")
    note: str = Field("", max_length=500)


class CorrectionIn(Schema):
    missing: list[str] = Field(default_factory=list, description="需要补正的材料标识")
    note: str = Field("", max_length=2000, description="一次性告知的补正内容")


class ReasonIn(Schema):
    reason: str = Field(..., max_length=2000)


class OptionalReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class SupplementIn(Schema):
    materials: list[MaterialIn] = Field(..., min_length=1)


class ReassignIn(Schema):
    to_staff_id: int = Field(..., description="改派给本部门的哪位工作人员")
    reason: str = Field("", max_length=2000)


class OpinionIn(Schema):
    opinion: str = Field("", max_length=4000)


class DenyIn(Schema):
    opinion: str = Field(..., max_length=4000, description="不予许可的理由")


class PauseIn(Schema):
    kind: PauseKind
    reason: str = Field(..., max_length=2000)


class ResumeIn(Schema):
    result: str = Field(..., max_length=2000)


class ExtensionIn(Schema):
    days: int = Field(..., ge=1, le=60, description="延长的工作日数")
    reason: str = Field(..., max_length=2000)


# ------------------------------------------------------------------------------ outputs


class LightOut(Schema):
    colour: Literal["green", "yellow", "red", "paused"]
    label: str
    remaining_days: int = Field(description="剩余时限，单位为 unit（分钟时限为剩余分钟）")
    limit_days: int
    due_at: dt.datetime
    is_provisional: bool
    is_paused: bool
    unit: str = Field(description="时限单位：workday、natural_day 或 minute")


class DueOut(Schema):
    start_at: dt.datetime
    due_at: dt.datetime
    promised_days: int
    unit: str
    paused_days: int
    extension_days: int
    limit_days: int
    is_provisional: bool
    is_paused: bool
    legal_due_at: dt.datetime | None = Field(
        description="法定办结期限：同一起算与暂停，按事项法定时限计算，不因延期而延长"
    )
    is_past_legal: bool = Field(description="已超过法定办结期限")


class ApplicantOut(Schema):
    id: int
    kind: str
    name: str
    identifier: str = Field(..., description="身份证号码或统一社会信用代码（按角色脱敏）")
    phone: str = Field(..., description="手机号（按角色脱敏）")


class RegionRef(Schema):
    code: str
    name: str


class DepartmentRef(Schema):
    id: int
    name: str


class StaffRef(Schema):
    id: int
    name: str


class MaterialOut(Schema):
    key: str
    name: str
    necessity: str
    source: str
    status: str
    status_label: str
    item_names: list[str]
    file_size: int | None
    content_type: str
    sha256: str
    licence_reference: str
    has_commitment: bool
    supplement_due_on: dt.date | None
    supplied_at: dt.datetime | None


class TaskOut(Schema):
    actions: list[TaskAction] = Field(
        description="What the caller may do with this task now (one POST endpoint each)."
    )
    id: int
    case_id: int
    case_number: str
    title: str
    item_code: str
    state: str
    state_label: str
    department: DepartmentRef
    region_code: str
    handling_region: str = Field(description="办理地区划代码")
    mode: TaskMode = Field(
        description="办理模式：local 属地办理、online 全程网办、proxy 异地代收代办、multi_site 多地联办"
    )
    assignee: StaffRef | None = Field(None, description="承办人（申请人看不到）")
    round: int
    depends_on: list[int]
    promised_days: int
    ready_at: dt.datetime | None
    due_at: dt.datetime | None
    due_is_provisional: bool
    decided_at: dt.datetime | None
    opinion: str
    due: DueOut | None
    traffic_light: LightOut | None


class EventOut(Schema):
    seq: int
    kind: str
    kind_label: str
    at: dt.datetime
    actor: str | None = Field(None, description="操作人姓名（申请人只看到部门或窗口）")
    actor_role: str
    department: str | None
    from_state: str
    to_state: str
    reason: str
    payload: dict[str, Any]


class ResultOut(Schema):
    """A result issued for the case (决定书, 证照): the PDF and its public verification."""

    title: str
    kind: str
    kind_label: str
    identifier: str = Field(description="电子证照标识（决定书为空）")
    state: str
    state_label: str
    is_current: bool = Field(description="是否有效（未撤销、注销、失效）")
    issued_at: dt.datetime | None
    task_id: int | None
    pdf_url: str
    verify_url: str = Field(description="公开核验页（证照上二维码指向的地址）")


class CaseOut(Schema):
    actions: list[CaseAction] = Field(
        description="What the caller may do with this case now (one POST endpoint each)."
    )
    id: int
    number: str
    title: str
    state: str
    state_label: str
    outcome: str
    outcome_label: str
    channel: str
    channel_label: str
    package_code: str | None
    item_code: str | None
    applicant: ApplicantOut
    has_agent: bool
    agent: StaffRef | None
    accepting_region: RegionRef
    receiving_region: str = Field(description="收件地区划代码")
    hall: str | None
    answers: dict[str, Any]
    form_data: dict[str, Any]
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    due_at: dt.datetime | None
    is_provisional: bool = Field(..., description="办结期限按暂定日历计算（日历尚未发布）")
    completed_at: dt.datetime | None
    delivered_at: dt.datetime | None
    closed_at: dt.datetime | None
    promised_days: int
    promised_unit: str
    correction_notice: dict[str, Any] | None
    rejection_reason: str
    due: DueOut | None
    traffic_light: LightOut | None
    materials: list[MaterialOut]
    tasks: list[TaskOut]
    timeline: list[EventOut]
    results: list[ResultOut] = Field(description="办理结果：决定书、电子证照")


class CaseRowOut(Schema):
    """A case in a list: no form data, identifiers always masked."""

    id: int
    number: str
    title: str
    state: str
    state_label: str
    outcome: str
    channel: str
    applicant_name: str
    applicant_identifier: str
    applicant_phone: str
    region_code: str
    hall: str | None
    submitted_at: dt.datetime | None
    completed_at: dt.datetime | None
    due_at: dt.datetime | None
    is_provisional: bool
    traffic_light: LightOut | None
    waiting_for_tolerated: bool = Field(False, description="出件队列：容缺材料尚未补齐，暂不能出件")


class PageMeta(Schema):
    """What every keyset-paged list answers besides its items (``cases.api.common.paged``)."""

    count: int = Field(
        description="符合条件的条数，最多数到 1000（count_capped 为 true 表示超过 1000 条）"
    )
    count_capped: bool = Field(description="符合条件的超过 1000 条，count 只数到 1000")
    next: str | None = Field(
        description="下一页的游标，作为 cursor 参数传回（同时带上相同的筛选条件）；最后一页为 null"
    )


class CasePage(PageMeta):
    items: list[CaseRowOut]


class CaseSearchIn(Schema):
    """The filters of a staff search (all optional, combined) and its page."""

    number: str = Field("", max_length=40, description="办件编号（精确）")
    state: list[CaseState] = Field([], description="办件状态，可多选")
    channel: Channel | None = Field(None, description="申报渠道")
    item_code: str = Field("", max_length=32, description="一件事编码或事项基本编码")
    applicant: str = Field("", max_length=18, description="申请人身份证号或统一社会信用代码")
    region: str = Field("", pattern=r"^(\d{2,12})?$", description="区划代码前缀")
    submitted_from: dt.date | None = Field(None, description="提交日期起（含）")
    submitted_to: dt.date | None = Field(None, description="提交日期止（含）")
    updated_since: dt.datetime | None = Field(
        None, description="此时刻以后有过事件（办件或任一子件的任何变化）"
    )
    overdue: bool | None = Field(None, description="true：办理中且已超过承诺期限；false：其余")
    cursor: str = Field("", max_length=40, description="上一页返回的 next")
    limit: int = Field(50, ge=1, le=200, description="每页条数，1～200")


class EventFeedIn(Schema):
    cursor: str = Field("", max_length=40, description="上次返回的 next；首次不带，从头开始")
    limit: int = Field(100, ge=1, le=500, description="每次最多条数，1～500")


class CaseSearchPage(Schema):
    """One page of a search; ``next`` continues it (null on the last page). No total."""

    items: list[CaseRowOut]
    next: str | None = Field(description="下一页的游标，作为 cursor 参数传回；最后一页为 null")


class FeedEventOut(EventOut):
    id: int = Field(description="事件序号（全局递增）")
    case_id: int
    case_number: str


class EventFeedPage(Schema):
    items: list[FeedEventOut]
    next: str = Field(description="下次从这里继续的游标（没有新事件时与传入的相同）")


class InboxRowOut(Schema):
    id: int
    title: str
    state: str
    state_label: str
    case_id: int
    case_number: str
    case_title: str
    applicant_name: str
    assignee: StaffRef | None
    is_mine: bool
    ready_at: dt.datetime | None
    due_at: dt.datetime | None
    due_is_provisional: bool
    traffic_light: LightOut | None


class InboxPage(PageMeta):
    items: list[InboxRowOut]


class ExtensionOut(Schema):
    id: int
    task_id: int
    case_id: int
    days: int
    reason: str
    state: str
    state_label: str
    requested_by: StaffRef
    requested_at: dt.datetime
    approved_by: StaffRef | None
    approved_at: dt.datetime | None
    task_due_at: dt.datetime | None
    case_due_at: dt.datetime | None


class ExtensionPage(PageMeta):
    items: list[ExtensionOut]


class VerificationIn(Schema):
    is_true: bool = Field(..., description="承诺是否属实")
    note: str = Field("", max_length=4000, description="核查情况；虚假承诺时必填")


class VerificationOut(Schema):
    id: int
    case_id: int
    case_number: str
    task_id: int
    task_title: str
    department: DepartmentRef
    material_keys: list[str]
    state: str
    state_label: str
    decided_by: StaffRef | None
    decided_at: dt.datetime | None
    note: str
    created_at: dt.datetime


class VerificationPage(PageMeta):
    items: list[VerificationOut]


class PauseOut(Schema):
    id: int
    task: TaskOut
    kind: str
    kind_label: str
    reason: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    result: str
    paused_workdays: int | None
