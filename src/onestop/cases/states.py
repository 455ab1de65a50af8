"""States, outcomes, channels and event kinds of cases and item tasks, with one transition table each.

Only services assign ``state``, and only through :func:`transition`, which refuses any move
the table does not list.

Decisions recorded here (see also docs in the module docstrings of ``services``):

- **accepted vs in_progress**: acceptance fans the case out into item tasks and moves it to
  ``in_progress`` in the same transaction, writing both events (``accepted`` then
  ``processing_started``). ``accepted`` is therefore a state a case passes through, never one
  it rests in; it stays in the table so the event log records the legal moment of 受理.
- **pre-review**: remote channels (online, mobile, kiosk) arrive in ``pre_review``; passing
  pre-review moves the case to ``submitted`` (the window queue). Window and village intake
  arrive in ``submitted`` directly.
- **return to window** (子件退回窗口): the case goes back to ``submitted``; every other open
  task of the case is closed as ``returned``; decided tasks keep their decision. The clerk then
  re-accepts (new tasks for the undecided items), requests correction or rejects. The clock
  keeps running from the first acceptance.
- ``cancelled`` (已撤销) is a task state added to the brief's list: it closes the open tasks of
  a case that is withdrawn or terminated.
"""

from __future__ import annotations

from typing import NoReturn, Protocol

from django.db import models
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import IllegalTransition


class CaseState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    PRE_REVIEW = "pre_review", _("预审中")
    ACCEPTED = "accepted", _("已受理")
    REJECTED = "rejected", _("不予受理")
    CORRECTION_REQUESTED = "correction_requested", _("待补正")
    IN_PROGRESS = "in_progress", _("办理中")
    COMPLETED = "completed", _("已办结")
    DELIVERED = "delivered", _("已送达/已领取")
    WITHDRAWN = "withdrawn", _("已撤回")
    TERMINATED = "terminated", _("已终止")


S = CaseState
CASE_TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.PRE_REVIEW, S.WITHDRAWN}),
    S.PRE_REVIEW: frozenset({S.SUBMITTED, S.CORRECTION_REQUESTED, S.REJECTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.ACCEPTED, S.CORRECTION_REQUESTED, S.REJECTED, S.WITHDRAWN}),
    S.CORRECTION_REQUESTED: frozenset({S.SUBMITTED, S.REJECTED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS}),
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.SUBMITTED, S.WITHDRAWN, S.TERMINATED}),
    S.COMPLETED: frozenset({S.DELIVERED, S.TERMINATED}),
    S.DELIVERED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.TERMINATED: frozenset(),
}
del S

CASE_FINAL_STATES = frozenset(state for state, nxt in CASE_TRANSITIONS.items() if not nxt)
# Where an overdue tolerated (容缺) material ends the case: the table's sources of 终止.
CASE_TERMINABLE_STATES = frozenset(
    state for state, nxt in CASE_TRANSITIONS.items() if CaseState.TERMINATED in nxt
)
# Before acceptance: where the window works on the case.
CASE_WINDOW_STATES = frozenset(
    {CaseState.PRE_REVIEW, CaseState.SUBMITTED, CaseState.CORRECTION_REQUESTED}
)
# In the window's queue: waiting for pre-review or acceptance.
CASE_QUEUE_STATES = frozenset({CaseState.PRE_REVIEW, CaseState.SUBMITTED})
# The clock runs (a due date exists and may be overdue).
CASE_CLOCK_STATES = frozenset({CaseState.ACCEPTED, CaseState.IN_PROGRESS})


class TaskState(models.TextChoices):
    PENDING = "pending", _("等待前置")
    READY = "ready", _("待认领")
    CLAIMED = "claimed", _("办理中")
    PAUSED = "paused", _("特别程序中")
    APPROVED = "approved", _("通过")
    DENIED = "denied", _("不予许可")
    NOT_APPLICABLE = "not_applicable", _("不适用")
    RETURNED = "returned", _("退回窗口")
    CANCELLED = "cancelled", _("已撤销")


T = TaskState
TASK_TRANSITIONS: dict[TaskState, frozenset[TaskState]] = {
    T.PENDING: frozenset({T.READY, T.NOT_APPLICABLE, T.RETURNED, T.CANCELLED}),
    T.READY: frozenset({T.CLAIMED, T.RETURNED, T.CANCELLED}),
    # claimed → ready: reassigned to another officer, who claims it afresh.
    T.CLAIMED: frozenset({T.APPROVED, T.DENIED, T.PAUSED, T.READY, T.RETURNED, T.CANCELLED}),
    T.PAUSED: frozenset({T.CLAIMED, T.CANCELLED}),
    T.APPROVED: frozenset(),
    T.DENIED: frozenset(),
    T.NOT_APPLICABLE: frozenset(),
    T.RETURNED: frozenset(),
    T.CANCELLED: frozenset(),
}
del T

TASK_OPEN_STATES = frozenset(
    {TaskState.PENDING, TaskState.READY, TaskState.CLAIMED, TaskState.PAUSED}
)
# In an officer's inbox.
TASK_INBOX_STATES = frozenset({TaskState.READY, TaskState.CLAIMED, TaskState.PAUSED})
TASK_DECIDED_STATES = frozenset({TaskState.APPROVED, TaskState.DENIED, TaskState.NOT_APPLICABLE})
# An officer holds the task (it has an assignee who works on it).
TASK_HELD_STATES = frozenset({TaskState.CLAIMED, TaskState.PAUSED})
# Closed with the case, not decided: left out of a case's progress once it is handled again.
TASK_SET_ASIDE_STATES = frozenset({TaskState.RETURNED, TaskState.CANCELLED})


class CaseOutcome(models.TextChoices):
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")
    PARTLY_APPROVED = "partly_approved", _("部分准予")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上办事大厅")
    MOBILE = "mobile", _("移动端")
    HALL_WINDOW = "hall_window", _("大厅窗口")
    VILLAGE_CENTRE = "village_centre", _("村（社区）便民服务站")
    KIOSK = "kiosk", _("自助终端")
    PHONE_APPOINTMENT = "phone_appointment", _("电话预约")


# No clerk sees the applicant when they apply: the window pre-reviews first.
REMOTE_CHANNELS = frozenset({Channel.ONLINE, Channel.MOBILE, Channel.KIOSK})


class TaskMode(models.TextChoices):
    """How a task is handled across regions (国办发〔2020〕35号; docs/cross_domain.md)."""

    LOCAL = "local", _("属地办理")
    ONLINE = "online", _("全程网办")
    PROXY = "proxy", _("异地代收代办")
    MULTI_SITE = "multi_site", _("多地联办")


# The modes in which the receiving side and the handling side are different offices.
TASK_CROSS_REGION_MODES = frozenset({TaskMode.PROXY, TaskMode.MULTI_SITE})


def _nested(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def task_mode(
    *, channel: str, receiving_code: str, handling_code: str, case_handling_codes: set[str]
) -> TaskMode:
    """The mode of a task, decided at dispatch: an online application is 全程网办; a case
    whose tasks land in several places (handling regions not inside one another) is 多地联办;
    a task handled by a region the case was not received in is 异地代收代办; else 属地办理."""
    if channel in REMOTE_CHANNELS:
        return TaskMode.ONLINE
    codes = sorted(case_handling_codes | {handling_code})
    if any(not _nested(a, b) for i, a in enumerate(codes) for b in codes[i + 1 :]):
        return TaskMode.MULTI_SITE
    if not receiving_code.startswith(handling_code):
        return TaskMode.PROXY
    return TaskMode.LOCAL


class IdentityCheck(models.TextChoices):
    """How the receiving window verified who the applicant is (身份核验)."""

    ID_CARD_READER = "id_card_reader", _("居民身份证读卡")
    FACE_MATCH = "face_match", _("人脸识别比对")
    DOCUMENT_SEEN = "document_seen", _("查验证件原件")
    BUSINESS_LICENCE = "business_licence", _("查验营业执照和经办人身份")


class MaterialStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    LICENCE_REFERENCE = "licence_reference", _("调取电子证照")
    COMMITMENT_SIGNED = "commitment_signed", _("已签署告知承诺")
    # The paper original was seen at the window by a clerk (with or without a scan).
    ORIGINAL_VERIFIED = "original_verified", _("原件已核验")
    TOLERATED_MISSING = "tolerated_missing", _("容缺待补")
    MISSING = "missing", _("未提交")


MATERIAL_PRESENT = frozenset(
    {
        MaterialStatus.SUBMITTED,
        MaterialStatus.LICENCE_REFERENCE,
        MaterialStatus.COMMITMENT_SIGNED,
        MaterialStatus.ORIGINAL_VERIFIED,
    }
)
# What a clerk may confirm having seen the original of: a scan, or nothing handed in yet.
MATERIAL_ORIGINAL_VERIFIABLE = frozenset({MaterialStatus.SUBMITTED, MaterialStatus.MISSING})


class PauseKind(models.TextChoices):
    """特别程序 (行政许可法第四十五条)."""

    HEARING = "hearing", _("听证")
    INSPECTION = "inspection", _("检验")
    TESTING = "testing", _("检测")
    QUARANTINE = "quarantine", _("检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    SITE_SURVEY = "site_survey", _("现场踏勘")
    OTHER = "other", _("其他特别程序")

    @property
    def national_code(self) -> str:
        """GB/T 39046 A.7 特别程序种类: every pause is 2 (除延长审批之外的情况)."""
        return SPECIAL_PROCEDURE_OTHER_CODE


# GB/T 39046 A.7: an extension (``Extension``) is 1 延长审批; every ``PauseKind`` is 2.
SPECIAL_PROCEDURE_EXTENSION_CODE = "1"
SPECIAL_PROCEDURE_OTHER_CODE = "2"


class ExtensionState(models.TextChoices):
    REQUESTED = "requested", _("待批准")
    APPROVED = "approved", _("已批准")


class VerificationState(models.TextChoices):
    OPEN = "open", _("待核查")
    CONFIRMED = "confirmed", _("承诺属实")
    FALSE_COMMITMENT = "false_commitment", _("虚假承诺")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交申请")
    PRE_REVIEW_PASSED = "pre_review_passed", _("预审通过")
    CORRECTION_REQUESTED = "correction_requested", _("一次性告知补正")
    SUPPLEMENTED = "supplemented", _("补正材料")
    ACCEPTED = "accepted", _("受理")
    PROCESSING_STARTED = "processing_started", _("分送部门办理")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("撤回申请")
    RETURNED_TO_WINDOW = "returned_to_window", _("退回窗口")
    COMPLETED = "completed", _("办结")
    HANDED_OUT = "handed_out", _("统一出件")
    TERMINATED = "terminated", _("终止办理")
    TOLERATED_SUPPLIED = "tolerated_supplied", _("容缺材料补齐")
    ORIGINALS_VERIFIED = "originals_verified", _("核验原件")
    TASK_CREATED = "task_created", _("生成子件")
    TASK_READY = "task_ready", _("子件就绪")
    TASK_CLAIMED = "task_claimed", _("认领子件")
    TASK_REASSIGNED = "task_reassigned", _("改派子件")
    TASK_RETURNED = "task_returned", _("子件退回窗口")
    TASK_APPROVED = "task_approved", _("子件通过")
    TASK_DENIED = "task_denied", _("子件不予许可")
    TASK_NOT_APPLICABLE = "task_not_applicable", _("子件不适用")
    TASK_CANCELLED = "task_cancelled", _("子件撤销")
    TASK_PAUSED = "task_paused", _("启动特别程序")
    TASK_RESUMED = "task_resumed", _("特别程序结束")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_APPROVED = "extension_approved", _("批准延期")
    VERIFICATION_OPENED = "verification_opened", _("生成承诺核查")
    VERIFICATION_CONFIRMED = "verification_confirmed", _("核查承诺属实")
    VERIFICATION_FALSE = "verification_false", _("核查发现虚假承诺")
    # 邮政双向专递 (delivery): the applicant's 送达方式 and each shipment's tracking.
    DELIVERY_METHOD_CHOSEN = "delivery_method_chosen", _("选择送达方式")
    SHIPMENT_CREATED = "shipment_created", _("登记寄递")
    SHIPMENT_WAYBILL = "shipment_waybill", _("邮政已下单")
    SHIPMENT_PICKED_UP = "shipment_picked_up", _("邮件已揽收")
    SHIPMENT_IN_TRANSIT = "shipment_in_transit", _("邮件运输中")
    SHIPMENT_OUT_FOR_DELIVERY = "shipment_out_for_delivery", _("邮件派送中")
    SHIPMENT_DELIVERED = "shipment_delivered", _("邮件已签收")
    SHIPMENT_RETURNED = "shipment_returned", _("邮件被退回")
    SHIPMENT_CANCELLED = "shipment_cancelled", _("取消寄递")
    # 跨域通办 (docs/cross_domain.md): the receiving side's checks and the forwarding.
    RECEIVING_CHECKED = "receiving_checked", _("收件地形式审查和身份核验")
    FILES_FORWARDED = "files_forwarded", _("电子材料推送办理地")


class _Stateful(Protocol):
    state: str


def _label(choices: type[models.TextChoices], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def transition(obj: _Stateful, *, to: CaseState | TaskState, action: str = "") -> str:
    """Move ``obj`` (a Case or an ItemTask) to ``to`` if the table allows it; return the old state.

    ``action`` names what was attempted (``受理``), for the refusal message.
    """
    if isinstance(to, CaseState):
        table, choices, noun = CASE_TRANSITIONS, CaseState, _gettext("办件")
    else:
        table, choices, noun = TASK_TRANSITIONS, TaskState, _gettext("子件")
    current = choices(obj.state)
    if to not in table[current]:
        verb = action or _gettext("变更为「%(to)s」") % {"to": _label(choices, to)}
        raise IllegalTransition(
            _gettext("%(noun)s当前状态为「%(state)s」，不能%(verb)s。")
            % {"noun": noun, "state": _label(choices, current), "verb": verb},
            current_state=str(current),
            target_state=str(to),
        )
    obj.state = to
    return current


def require_state(
    obj: _Stateful, allowed: frozenset[str] | set[str], *, action: str, noun: str = ""
) -> None:
    """Refuse an action that is not a state change but needs one of ``allowed`` states."""
    if obj.state in allowed:
        return
    refuse_state(obj, action=action, noun=noun)


def refuse_state(obj: _Stateful, *, action: str, noun: str = "") -> NoReturn:
    """Raise ``IllegalTransition``: the object's state does not allow ``action``."""
    is_case = isinstance(obj.state, str) and obj.state in CaseState.values and not noun
    choices: type[models.TextChoices] = CaseState if is_case else TaskState
    raise IllegalTransition(
        _gettext("%(noun)s当前状态为「%(state)s」，不能%(verb)s。")
        % {
            "noun": noun or (_gettext("办件") if is_case else _gettext("子件")),
            "state": _label(choices, obj.state),
            "verb": action,
        },
        current_state=str(obj.state),
    )
