"""The one mapping from a rating to the GB/T 39046 表9 data set and to the provincial
"办件评价服务" interface record (DOMAIN.md §1.7).

Orders differ and are reversed here only:
- GB/T 39046 A.8 满意度代码 1 = 非常满意 … 5 = 非常不满意 (our stored ``level``);
  the interface's ``satisfaction`` 1 = 非常不满意 … 5 = 非常满意, so ``6 - level``.
- GB/T 39046 A.6 办件类型 1 = 即办件, 2 = 承诺件 (the catalogue's ``case_type``);
  the interface's ``promiseTime`` 1 = 承诺件, 2 = 即办件.
- ``pf`` (variant A): 1 PC端, 2 移动端, 3 二维码, 4 政务大厅平板电脑, 5 政务大厅其他终端,
  6 短信, 7 系统默认评价. Variant A has no telephone: 电话 is sent as 8 (a local extension,
  docs/evaluations.md); a paper form entered at the hall is 5.

``facts_of`` reads what a record needs from the database; ``interface_record`` and
``standard_record`` are pure functions of those facts, so a property test can try any.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from onestop.accounts.models import ApplicantKind
from onestop.cases.states import CaseState
from onestop.catalog.models import CaseType
from onestop.core import clock
from onestop.core.masking import mask_id_number, mask_name
from onestop.evaluations.models import Rating, Rectification
from onestop.evaluations.states import RatingChannel, RatingKind, RatingLevel

PF = {
    RatingChannel.PC: 1,
    RatingChannel.MOBILE: 2,
    RatingChannel.QR: 3,
    RatingChannel.WINDOW_TABLET: 4,
    RatingChannel.HALL_TERMINAL: 5,
    RatingChannel.PAPER: 5,
    RatingChannel.SMS: 6,
    RatingChannel.SYSTEM_DEFAULT: 7,
    RatingChannel.PHONE: 8,
}

# GB/T 39046 表9 评价渠道 names (系统默认评价 is not in its list: named as such).
STANDARD_CHANNEL = {
    RatingChannel.PC: "PC端",
    RatingChannel.MOBILE: "移动服务端",
    RatingChannel.QR: "二维码",
    RatingChannel.WINDOW_TABLET: "政务大厅平板电脑",
    RatingChannel.HALL_TERMINAL: "政务大厅其他终端",
    RatingChannel.PAPER: "政务大厅其他终端",
    RatingChannel.SMS: "短信",
    RatingChannel.PHONE: "电话",
    RatingChannel.SYSTEM_DEFAULT: "系统默认评价",
}

# The GB/T labels, fixed in Chinese whatever the request's language.
LEVEL_NAMES = {1: "非常满意", 2: "满意", 3: "基本满意", 4: "不满意", 5: "非常不满意"}

_PRO_STATUS = {
    CaseState.IN_PROGRESS: 2,
    CaseState.ACCEPTED: 2,
    CaseState.COMPLETED: 3,
    CaseState.DELIVERED: 3,
    CaseState.REJECTED: 3,
    CaseState.TERMINATED: 3,
    CaseState.WITHDRAWN: 3,
}


@dataclass(frozen=True)
class RatingFacts:
    """Everything a record says about one rating, read once."""

    rating_id: int
    case_number: str
    case_state: str
    level: int
    channel: str
    kind: str
    rated_at: dt.datetime
    text: str
    indicator_codes: tuple[str, ...]
    region_code: str
    area_code: str
    area_name: str
    dept_code: str
    dept_name: str
    task_code: str
    task_handle_item: str
    task_name: str
    case_type: str
    manager: str
    rater_name: str
    rater_identifier: str
    rater_is_person: bool
    accepted_at: dt.datetime | None
    reform_content: str = ""
    reform_on: dt.date | None = None


def facts_of(rating: Rating) -> RatingFacts:
    case = rating.case
    item = rating.items.select_related("item").order_by("pk").first()
    department = rating.department or (item.department if item else None)
    version = case.item_version
    if version is None and item is not None:
        task = case.tasks.filter(item_version__item_id=item.item_id).select_related("item_version")
        found = task.first()
        version = found.item_version if found else None
    rect = Rectification.objects.filter(rating_id=rating.pk).first()
    applicant = rating.applicant
    is_person = applicant.kind == ApplicantKind.PERSON
    return RatingFacts(
        rating_id=rating.pk,
        case_number=case.number or "",
        case_state=case.state,
        level=rating.level,
        channel=rating.channel,
        kind=rating.kind,
        rated_at=rating.rated_at,
        text=rating.text,
        indicator_codes=tuple(sorted(i.code for i in rating.indicators.all())),
        region_code=rating.region_code,
        area_code=department.region.code if department else rating.region_code,
        area_name=department.region.name if department else "",
        dept_code=department.uscc if department else "",
        dept_name=department.name if department else "",
        task_code=item.item_code if item else "",
        task_handle_item=version.handling_item_code if version else "",
        task_name=item.item_name if item else case.title,
        case_type=version.case_type if version else CaseType.PROMISED,
        manager=rating.staff.name if rating.staff else "",
        rater_name=applicant.name,
        rater_identifier=applicant.id_number if is_person else applicant.uscc,
        rater_is_person=is_person,
        accepted_at=case.accepted_at or case.submitted_at,
        reform_content=rect.reform_content if rect else "",
        reform_on=(rect.reform_on or clock.local(rect.due_at).date()) if rect else None,
    )


def _time(moment: dt.datetime | None) -> str:
    return clock.local(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def satisfaction(level: int) -> int:
    """GB/T 39046 A.8 code → interface ``satisfaction`` (5 = 非常满意)."""
    return 6 - int(RatingLevel(level))


def promise_time(case_type: str) -> int:
    """GB/T 39046 A.6 办件类型 → interface ``promiseTime`` (1 = 承诺件, 2 = 即办件)."""
    return 2 if case_type == CaseType.IMMEDIATE else 1


def interface_record(facts: RatingFacts, *, full_identity: bool = True) -> dict[str, Any]:
    """The provincial interface record (DOMAIN.md §1.7(b) field names)."""
    name, identifier = facts.rater_name, facts.rater_identifier
    if not full_identity and facts.rater_is_person:
        name, identifier = mask_name(name), mask_id_number(identifier)
    return {
        "areaCode": facts.area_code.ljust(12, "0")[:12],
        "areaName": facts.area_name,
        "deptCode": facts.dept_code,
        "taskCode": facts.task_code,
        "taskHandleItem": facts.task_handle_item,
        "taskName": facts.task_name,
        "subMatter": 1 if facts.rater_is_person else 2,
        "projectNo": facts.case_number,
        "proStatus": _PRO_STATUS.get(CaseState(facts.case_state), 1),
        "proDepartCode": facts.dept_code,
        "proDepart": facts.dept_name,
        "proManager": facts.manager,
        "pf": PF[RatingChannel(facts.channel)],
        "certKeyGOV": identifier,
        "userName": name,
        "userProp": 1 if facts.rater_is_person else 2,
        "satisfaction": satisfaction(facts.level),
        "evalDetail": ",".join(facts.indicator_codes),
        "writingEvaluation": facts.text,
        "assessTime": _time(facts.rated_at),
        "assessNumber": 2 if facts.kind == RatingKind.FOLLOW_UP else 1,
        "appStatus": 1,  # 无需审核: there is no review before publication
        "promiseTime": promise_time(facts.case_type),
        "acceptDate": _time(facts.accepted_at),
        "dataSource": str(settings.ONESTOP_RATING_DATA_SOURCE),
        "reformContent": facts.reform_content,
        "reformDate": facts.reform_on.isoformat() if facts.reform_on else "",
    }


def standard_record(facts: RatingFacts) -> dict[str, Any]:
    """GB/T 39046 表9 政务服务绩效评价基础数据集 (the rater masked: a..30 name only)."""
    name = mask_name(facts.rater_name) if facts.rater_is_person else facts.rater_name
    return {
        "办件编号": facts.case_number[:50],
        "评价渠道": STANDARD_CHANNEL[RatingChannel(facts.channel)],
        "评价人": name[:30],
        "评价时间": clock.local(facts.rated_at).strftime("%Y%m%dT%H%M%S"),
        "评价次数": 2 if facts.kind == RatingKind.FOLLOW_UP else 1,
        "满意度": LEVEL_NAMES[int(RatingLevel(facts.level))],
        "满意度代码": int(RatingLevel(facts.level)),
        "文字评价": facts.text,
        "行政区划": facts.region_code[:9],
    }


INTERFACE_FIELDS = (
    "areaCode", "areaName", "deptCode", "taskCode", "taskHandleItem", "taskName",
    "subMatter", "projectNo", "proStatus", "proDepartCode", "proDepart", "proManager",
    "pf", "certKeyGOV", "userName", "userProp", "satisfaction", "evalDetail",
    "writingEvaluation", "assessTime", "assessNumber", "appStatus", "promiseTime",
    "acceptDate", "dataSource", "reformContent", "reformDate",
)  # fmt: skip
