"""Sample applications for the demo desks: cases in every state, through the real services.

Each scenario is one application whose history is played through ``cases.services`` with
the clock frozen at moments in the past (``clock.frozen``), so acceptance dates, due dates
and traffic lights are computed by the engine exactly as for real cases: a case accepted six
working days ago under a two-day promise is overdue (red) because it is, not because a
column says so.

The history is relative to the day of loading: ``Timeline`` counts working days back from
it (weekends and holidays by ``workdays.calendar``; on a day off, from the last working
day), so the newest case is submitted that day and the open tasks are as green, yellow or
red as the scenario says. The sample cases of one load form a **generation**, anchored on
that working day: a scenario is identified by the idempotency key of its first submission,
``onestop-demo-<YYYYMMDD>-NN`` with the generation's anchor, and a scenario whose key exists
is skipped, so a second load the same day (or the next working day) creates no case. A load
later than that finds the generation stale: the events are append-only, so old cases cannot
be moved forward in time; instead the stale generation is retired through the services
(each open sample case withdrawn by its applicant, each result waiting at the window handed
out, at the present moment) and a new generation is played relative to today. Keys without
a date (``onestop-demo-NN``, loads before generations) count as stale. The states a case can rest in are all covered except ``draft`` (the engine has no
draft service yet: applications arrive submitted) and ``accepted`` (acceptance fans out and
moves the case to ``in_progress`` in the same transaction).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import SimpleUploadedFile

from onestop.accounts.models import Applicant, ApplicantKind, Staff
from onestop.cases import services
from onestop.cases.actions import CaseAction, case_actions
from onestop.cases.models import Case, ItemTask
from onestop.cases.services import MaterialInput
from onestop.cases.states import CASE_FINAL_STATES, Channel, PauseKind, TaskState
from onestop.catalog.conditions import is_always
from onestop.catalog.models import (
    MaterialNecessity,
    MaterialSource,
    PackageVersion,
    ServiceItemVersion,
    VersionStatus,
)
from onestop.catalog.selectors import package_plan
from onestop.core import clock
from onestop.core.errors import DomainError
from onestop.demo.data import catalog as catalog_data
from onestop.demo.data import people
from onestop.regions.models import Region
from onestop.workdays import calendar

if TYPE_CHECKING:
    from onestop.demo.summary import DemoSummary

KEY_PREFIX = "onestop-demo-"
_DATED_KEY = re.compile(rf"{re.escape(KEY_PREFIX)}(\d{{8}})-\d{{2}}")

# A one-page PDF: uploaded materials go through the same size, type and SHA-256 checks.
_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# Superset of the demo packages' form fields; each case sends only the applicable ones.
_FORM_VALUES: dict[str, Any] = {
    # 开办企业
    "enterprise_name": "益阳市资江食品有限公司",
    "registered_capital": "100",
    "business_scope": "食品销售；餐饮服务；农副产品加工",
    "business_address": "益阳市赫山区康富路88号",
    "legal_representative": "赵磊",
    "legal_representative_id_number": people.resident_id("430903", "19900315", "057"),
    "contact_phone": "13807372001",
    "seal_kinds": "basic",
    "invoice_kind": "ordinary",
    "food_business_kind": "retail",
    "employee_count": "12",
    # 不动产登记
    "property_address": "益阳市赫山区梓山湖小区3栋1单元502室",
    "certificate_number": "湘（2021）益阳市不动产权第0012345号",
    "buyer_name": "赵磊",
    "buyer_id_number": people.resident_id("430903", "19900315", "057"),
    "price": "860000",
    "mortgagee": "中国建设银行益阳分行",
    "loan_amount": "500000",
    # village packages (the person fields are filled per applicant)
    "last_employer": "益阳市某建材有限公司",
    "spouse_name": "刘强",
    "spouse_id_number": people.resident_id("430902", "19910211", "039"),
    "destination": "广东省东莞市长安镇",
    # 复工复产
    "enterprise_uscc": people.ENTERPRISES[0].uscc,
    "insured_count": "46",
    "trainee_count": "8",
}


# --- time -----------------------------------------------------------------------------


def workday_before(today: dt.date, days: int) -> dt.date:
    """The working day ``days`` working days before ``today`` (0: today, or the last workday)."""
    day = today
    while not calendar.is_workday(day):
        day -= dt.timedelta(days=1)
    for _ in range(days):
        day -= dt.timedelta(days=1)
        while not calendar.is_workday(day):
            day -= dt.timedelta(days=1)
    return day


def reference_moment(now: dt.datetime) -> dt.datetime:
    """ "Now" for the history: ``now`` on a working day; on a day off, 16:30 of the last one
    (so nothing is submitted on a Sunday and the lights are those of the last office day)."""
    today = clock.local(now).date()
    if calendar.is_workday(today):
        return now
    return dt.datetime.combine(workday_before(today, 0), dt.time(16, 30), tzinfo=clock.SHANGHAI)


class Timeline:
    """Moments for one scenario, strictly increasing: ``at(days_ago)`` freezes the clock there.

    ``days_ago`` counts working days back from the load date; ``0`` means "a little before
    now", so nothing is ever recorded in the future.
    """

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.today = clock.local(now).date()
        self.last: dt.datetime | None = None

    def moment(self, days_ago: int) -> dt.datetime:
        if days_ago == 0:
            start = self.now - dt.timedelta(minutes=90)
        else:
            day = workday_before(self.today, days_ago)
            start = dt.datetime.combine(day, dt.time(9, 0), tzinfo=clock.SHANGHAI)
        if self.last is not None and start <= self.last:
            start = self.last + dt.timedelta(minutes=7)
        self.last = start
        return start

    @contextmanager
    def at(self, days_ago: int) -> Iterator[dt.datetime]:
        with clock.frozen(self.moment(days_ago)) as moment:
            yield moment


# --- the cast -------------------------------------------------------------------------


@dataclass
class Cast:
    staff: dict[str, Staff]
    persons: dict[str, Applicant]
    enterprise: Applicant
    regions: dict[str, Region]
    packages: dict[str, PackageVersion]
    items: dict[str, ServiceItemVersion]

    @classmethod
    def load(cls) -> Cast:
        staff = {
            s.user.username: s
            for s in Staff.objects.select_related("user", "region", "department", "hall")
        }
        by_id = {a.id_number: a for a in Applicant.objects.filter(kind=ApplicantKind.PERSON)}
        persons = {p.username: by_id[p.id_number] for p in people.PERSONS}
        enterprise = Applicant.objects.get(
            kind=ApplicantKind.ENTERPRISE, uscc=people.ENTERPRISES[0].uscc
        )
        codes = {"4309", "430903", "430903101206"}
        regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
        packages = {
            v.package.code: v
            for v in PackageVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
                "package"
            )
        }
        items = {
            v.item.basic_code: v
            for v in ServiceItemVersion.objects.filter(
                status=VersionStatus.PUBLISHED
            ).select_related("item")
        }
        return cls(staff, persons, enterprise, regions, packages, items)


def _person_form(applicant: Applicant) -> dict[str, Any]:
    return {
        "applicant_name": applicant.name,
        "applicant_id_number": applicant.id_number,
        "contact_phone": applicant.phone,
        "address": applicant.address or "益阳市赫山区",
    }


def _pdf(key: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{key}.pdf", _PDF, content_type="application/pdf")


def _plan_materials(
    version: PackageVersion | ServiceItemVersion, answers: dict[str, Any]
) -> list[tuple[str, str, str]]:
    """(key, necessity, source) of each material the application's list asks for."""
    if isinstance(version, PackageVersion):
        plan = package_plan(version, answers)
        return [(m.key, m.necessity, m.source) for m in plan.materials]
    return [
        (m.key, m.necessity, m.source)
        for m in version.materials.order_by("order", "pk")
        if is_always(m.condition)
    ]


def _form_fields(version: PackageVersion | ServiceItemVersion, answers: dict[str, Any]) -> set[str]:
    if isinstance(version, PackageVersion):
        return {f.key for f in package_plan(version, answers).form_fields}
    return set()


def application(
    version: PackageVersion | ServiceItemVersion,
    *,
    applicant: Applicant,
    answers: dict[str, Any] | None = None,
    leave_out: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Keyword arguments for ``case_submit``: answers, the applicable form, the materials.

    Files for what the applicant must hand in, a signed commitment where one may replace the
    proof; licences the government holds are fetched by the engine. ``leave_out`` names
    materials left missing (for 补正 or 容缺).
    """
    answers = dict(answers or {})
    values = {**_FORM_VALUES, **_person_form(applicant)}
    form = {k: values[k] for k in _form_fields(version, answers) if k in values}
    materials = []
    for key, necessity, source in _plan_materials(version, answers):
        if key in leave_out or source != MaterialSource.APPLICANT:
            continue
        if necessity == MaterialNecessity.OPTIONAL:
            continue
        if necessity == MaterialNecessity.COMMITMENT:
            materials.append(MaterialInput(key=key, commitment="本人承诺所填信息和材料真实有效。"))
        else:
            materials.append(MaterialInput(key=key, file=_pdf(key)))
    target = (
        {"package_version": version}
        if isinstance(version, PackageVersion)
        else {"item_version": version}
    )
    return {**target, "answers": answers, "form_data": form, "materials": materials}


# --- driving tasks --------------------------------------------------------------------


def _tasks(case: Case) -> dict[str, ItemTask]:
    """The case's current tasks by item basic code."""
    return {
        t.item_code: t
        for t in case.tasks.exclude(state__in=[TaskState.RETURNED, TaskState.CANCELLED])
    }


def _officer(cast: Cast, task: ItemTask) -> Staff:
    return cast.staff[f"officer_{_OFFICER_BY_KIND[task.department.kind]}"]


_OFFICER_BY_KIND = {
    "market": "market",
    "tax": "tax",
    "police": "police",
    "hrss": "hrss",
    "natural_resources": "natres",
    "housing": "housing",
    "health": "health",
    "civil": "civil",
}


def claim(cast: Cast, case: Case, code: str) -> ItemTask:
    task = _tasks(case)[code]
    return services.task_claim(task_id=task.pk, officer=_officer(cast, task))


def decide(cast: Cast, case: Case, code: str, *, approve: bool = True, opinion: str = "") -> None:
    task = _tasks(case)[code]
    officer = _officer(cast, task)
    if task.state == TaskState.READY:
        services.task_claim(task_id=task.pk, officer=officer)
    if approve:
        services.task_approve(
            task_id=task.pk, officer=officer, opinion=opinion or "符合条件，准予办理。"
        )
    else:
        services.task_deny(task_id=task.pk, officer=officer, opinion=opinion or "不符合办理条件。")


# --- scenarios ------------------------------------------------------------------------

C = catalog_data
OPEN_BUSINESS = C.OPEN_BUSINESS.code
REAL_ESTATE = C.REAL_ESTATE.code
UNEMPLOYMENT, HARDSHIP, SOCIAL_CARD, SENIOR, BIRTH, MIGRANT = (p.code for p in C.VILLAGE_PACKAGES)
POLICY = C.WORK_RESUMPTION.code

BUSINESS_ALL = {
    "enterprise_type": "company",
    "needs_seal": True,
    "needs_invoices": True,
    "sells_food": True,
    "hires_staff": True,
}
BUSINESS_SMALL = {
    "enterprise_type": "sole",
    "needs_seal": True,
    "needs_invoices": True,
    "sells_food": False,
    "hires_staff": False,
}
TRANSFER_WITH_LOAN = {"registration_kind": "transfer", "has_loan": True}
POLICY_ALL = {"has_trainees": True, "is_small_taxpayer": True}


@dataclass(frozen=True)
class Scenario:
    """One sample application; ``play`` brings it to its state and returns the case."""

    number: int
    play: Callable[[Cast, Timeline, str], Case]

    def key(self, anchor: dt.date) -> str:
        """The idempotency key of this scenario in the generation anchored on ``anchor``."""
        return f"{KEY_PREFIX}{anchor:%Y%m%d}-{self.number:02d}"


def _window(cast: Cast, key: str, version: Any, applicant: Applicant, **kwargs: Any) -> Case:
    """Entered by the city hall's comprehensive window (大厅窗口)."""
    clerk = kwargs.pop("clerk", cast.staff["clerk"])
    return services.case_intake(
        staff=clerk,
        applicant=applicant,
        channel=kwargs.pop("channel", Channel.HALL_WINDOW),
        idempotency_key=key,
        **application(version, applicant=applicant, **kwargs),
    )


def _online(
    cast: Cast, key: str, version: Any, applicant: Applicant, *, channel: Channel, **kwargs: Any
) -> Case:
    return services.case_submit(
        applicant=applicant,
        channel=channel,
        accepting_region=cast.regions["4309"],
        created_by=applicant.user,
        idempotency_key=key,
        **application(version, applicant=applicant, **kwargs),
    )


def _village(cast: Cast, key: str, version: Any, applicant: Applicant, **kwargs: Any) -> Case:
    """Entered by the 芙蓉村 helper-agent (帮代办) at the village service centre."""
    return services.case_intake(
        staff=cast.staff["agent"],
        applicant=applicant,
        channel=Channel.VILLAGE_CENTRE,
        agent_authorisation=f"芙蓉村帮代办授权委托书 FR-2026-{int(key[-2:]):03d}",
        idempotency_key=key,
        **application(version, applicant=applicant, **kwargs),
    )


def _accept(cast: Cast, case: Case, clerk: str = "clerk", **kwargs: Any) -> Case:
    return services.case_accept(case_id=case.pk, clerk=cast.staff[clerk], **kwargs)


def s01_pre_review(cast: Cast, t: Timeline, key: str) -> Case:
    """Online 开办企业 waiting for pre-review (预审中)."""
    with t.at(0):
        return _online(
            cast,
            key,
            cast.packages[OPEN_BUSINESS],
            cast.enterprise,
            channel=Channel.ONLINE,
            answers=BUSINESS_SMALL,
        )


def s02_submitted_online(cast: Cast, t: Timeline, key: str) -> Case:
    """Mobile 不动产登记, pre-review passed: in the window queue (已提交)."""
    with t.at(1):
        case = _online(
            cast,
            key,
            cast.packages[REAL_ESTATE],
            cast.persons["zhaolei"],
            channel=Channel.MOBILE,
            answers=TRANSFER_WITH_LOAN,
        )
    with t.at(0):
        return services.case_pre_review_pass(case_id=case.pk, clerk=cast.staff["clerk"])


def s03_correction(cast: Cast, t: Timeline, key: str) -> Case:
    """Hall window 不动产登记 missing the sale contract: 一次性告知补正."""
    with t.at(1):
        case = _window(
            cast,
            key,
            cast.packages[REAL_ESTATE],
            cast.persons["zhaolei"],
            answers=TRANSFER_WITH_LOAN,
            leave_out=("sale_contract",),
        )
    with t.at(1):
        return services.case_request_correction(
            case_id=case.pk,
            clerk=cast.staff["clerk"],
            missing=["sale_contract", "real_estate_application"],
            note="未提交存量房买卖合同；登记申请书缺少买受人签字。",
        )


def s04_rejected(cast: Cast, t: Timeline, key: str) -> Case:
    """Village 社保卡 application refused (不予受理): the card was already issued."""
    with t.at(2):
        case = _village(
            cast,
            key,
            cast.packages[SOCIAL_CARD],
            cast.persons["liming"],
            answers={"is_minor": False, "has_medical_insurance": True},
        )
    with t.at(2):
        return services.case_reject(
            case_id=case.pk,
            clerk=cast.staff["clerk_village"],
            reason="申请人已持有有效的第三代社会保障卡，无需重复申领；如需补换卡请申请“社会保障卡补换”。",
        )


def s05_withdrawn_before(cast: Cast, t: Timeline, key: str) -> Case:
    """Phone-appointment 老年优待证, withdrawn by the applicant before acceptance."""
    applicant = cast.persons["zhangguiying"]
    with t.at(3):
        case = _window(
            cast,
            key,
            cast.packages[SENIOR],
            applicant,
            channel=Channel.PHONE_APPOINTMENT,
            answers={"age": 70},
        )
    with t.at(3):
        return services.case_withdraw(
            case_id=case.pk, by=applicant, reason="改为到村便民服务站办理。"
        )


def s06_overdue(cast: Cast, t: Timeline, key: str) -> Case:
    """开办企业 accepted six working days ago under a two-day promise (red): one task
    approved, one ready, one claimed, one with an approved extension and a site survey
    (paused), one ready for the department."""
    with t.at(6):
        case = _window(
            cast, key, cast.packages[OPEN_BUSINESS], cast.enterprise, answers=BUSINESS_ALL
        )
    with t.at(6):
        case = _accept(cast, case, note="材料齐全，一次受理。")
    with t.at(5):
        decide(cast, case, C.COMPANY_REGISTRATION)
    with t.at(5):
        food = claim(cast, case, C.FOOD_LICENCE)
    with t.at(5):
        extension = services.extension_request(
            task_id=food.pk,
            officer=cast.staff["officer_market"],
            days=2,
            reason="经营场所涉及中央厨房，需补充核查布局流程。",
        )
    with t.at(4):
        services.extension_approve(extension_id=extension.pk, chief=cast.staff["chief_market"])
    with t.at(3):
        claim(cast, case, C.FIRST_INVOICES)
    with t.at(0):
        services.task_pause(
            task_id=food.pk,
            officer=cast.staff["officer_market"],
            kind=PauseKind.SITE_SURVEY,
            reason="食品经营场所现场核查（现场踏勘）。",
        )
    return case


def s07_due_soon(cast: Cast, t: Timeline, key: str) -> Case:
    """不动产登记 accepted four working days ago under a five-day promise (yellow)."""
    with t.at(4):
        case = _window(
            cast,
            key,
            cast.packages[REAL_ESTATE],
            cast.persons["zhaolei"],
            answers=TRANSFER_WITH_LOAN,
        )
    with t.at(4):
        case = _accept(cast, case)
    with t.at(4):
        decide(cast, case, C.CONTRACT_FILING, opinion="网签备案完成。")
    with t.at(3):
        decide(cast, case, C.DEED_TAX, opinion="契税已足额缴纳。")
    with t.at(1):
        claim(cast, case, C.TRANSFER_REGISTRATION)
    return case


def s08_fresh_tolerated(cast: Cast, t: Timeline, key: str) -> Case:
    """复工复产政策兑现 accepted today with the bank account tolerated (容缺) (green)."""
    with t.at(0):
        case = _window(
            cast,
            key,
            cast.packages[POLICY],
            cast.enterprise,
            answers=POLICY_ALL,
            leave_out=("corporate_account",),
        )
    with t.at(0) as now:
        due = calendar.deadline(now, cast.packages[POLICY].promised_days)
        return _accept(cast, case, tolerated={"corporate_account": due.on}, note="容缺受理。")


def s09_policy_mobile(cast: Cast, t: Timeline, key: str) -> Case:
    """Mobile 政策兑现 accepted three working days ago; the VAT relief is already approved."""
    with t.at(3):
        case = _online(
            cast,
            key,
            cast.packages[POLICY],
            cast.enterprise,
            channel=Channel.MOBILE,
            answers=POLICY_ALL,
        )
    with t.at(3):
        services.case_pre_review_pass(case_id=case.pk, clerk=cast.staff["clerk"])
    with t.at(3):
        case = _accept(cast, case)
    with t.at(2):
        decide(cast, case, C.VAT_RELIEF)
    with t.at(1):
        claim(cast, case, C.JOB_RETENTION_REFUND)
    return case


def s10_returned(cast: Cast, t: Timeline, key: str) -> Case:
    """开办企业 returned to the window by the market officer (子件退回窗口)."""
    with t.at(2):
        case = _window(
            cast, key, cast.packages[OPEN_BUSINESS], cast.enterprise, answers=BUSINESS_SMALL
        )
    with t.at(2):
        case = _accept(cast, case)
    with t.at(1):
        task = claim(cast, case, C.COMPANY_REGISTRATION)
    with t.at(1):
        services.task_return(
            task_id=task.pk,
            officer=cast.staff["officer_market"],
            reason="经营范围含“预包装食品销售”，请申请人勾选经营食品并补充食品经营许可材料。",
        )
    case.refresh_from_db()
    return case


def s11_completed_village(cast: Cast, t: Timeline, key: str) -> Case:
    """Village 失业登记 + 失业保险金 entered by the helper-agent: completed, to hand out."""
    with t.at(2):
        case = _village(
            cast,
            key,
            cast.packages[UNEMPLOYMENT],
            cast.persons["liming"],
            answers={"insured_one_year": True},
        )
    with t.at(2):
        case = _accept(cast, case, clerk="clerk_village")
    with t.at(2):
        decide(cast, case, C.UNEMPLOYMENT_REGISTRATION)
    with t.at(1):
        decide(cast, case, C.UNEMPLOYMENT_BENEFIT)
    case.refresh_from_db()
    return case


def s12_completed_denied(cast: Cast, t: Timeline, key: str) -> Case:
    """Online 生育服务登记, denied (办结：不予许可)."""
    applicant = cast.persons["wangfang"]
    with t.at(2):
        case = _online(
            cast,
            key,
            cast.packages[BIRTH],
            applicant,
            channel=Channel.ONLINE,
            answers={"child_order": "second"},
        )
    with t.at(2):
        services.case_pre_review_pass(case_id=case.pk, clerk=cast.staff["clerk"])
    with t.at(2):
        case = _accept(cast, case)
    with t.at(1):
        decide(
            cast,
            case,
            C.BIRTH_REGISTRATION,
            approve=False,
            opinion="经核查，申请人本次为三孩，应按三孩政策办理生育登记，请重新申请。",
        )
    case.refresh_from_db()
    return case


def s13_completed_partly(cast: Cast, t: Timeline, key: str) -> Case:
    """开办企业: licence and seal approved, invoices denied (部分准予)."""
    with t.at(3):
        case = _window(
            cast, key, cast.packages[OPEN_BUSINESS], cast.enterprise, answers=BUSINESS_SMALL
        )
    with t.at(3):
        case = _accept(cast, case)
    with t.at(3):
        decide(cast, case, C.COMPANY_REGISTRATION)
    with t.at(2):
        decide(cast, case, C.SEAL_FILING)
    with t.at(2):
        decide(
            cast,
            case,
            C.FIRST_INVOICES,
            approve=False,
            opinion="法定代表人存在未办结的非正常户记录，暂不能申领发票。",
        )
    case.refresh_from_db()
    return case


def s14_denied_delivered(cast: Cast, t: Timeline, key: str) -> Case:
    """开办企业 whose registration is denied: the rest becomes not applicable; notice handed out."""
    with t.at(5):
        case = _window(
            cast, key, cast.packages[OPEN_BUSINESS], cast.enterprise, answers=BUSINESS_SMALL
        )
    with t.at(5):
        case = _accept(cast, case)
    with t.at(4):
        decide(
            cast,
            case,
            C.COMPANY_REGISTRATION,
            approve=False,
            opinion="申报名称与已登记企业名称近似，不予登记。",
        )
    with t.at(4):
        return services.case_hand_out(
            case_id=case.pk, clerk=cast.staff["clerk"], note="不予登记通知书已送达。"
        )


def s15_delivered_senior(cast: Cast, t: Timeline, key: str) -> Case:
    """老年优待证 + 高龄津贴 at the hall window: approved and handed out (已领取)."""
    with t.at(8):
        case = _window(
            cast, key, cast.packages[SENIOR], cast.persons["zhangguiying"], answers={"age": 82}
        )
    with t.at(8):
        case = _accept(cast, case)
    with t.at(8):
        decide(cast, case, C.SENIOR_CARD)
    with t.at(8):
        decide(cast, case, C.LONGEVITY_ALLOWANCE)
    with t.at(7):
        return services.case_hand_out(case_id=case.pk, clerk=cast.staff["clerk"])


def s16_single_item(cast: Cast, t: Timeline, key: str) -> Case:
    """A single item (企业设立登记) applied for online, approved and delivered."""
    with t.at(7):
        case = _online(
            cast, key, cast.items[C.COMPANY_REGISTRATION], cast.enterprise, channel=Channel.ONLINE
        )
    with t.at(7):
        services.case_pre_review_pass(case_id=case.pk, clerk=cast.staff["clerk"])
    with t.at(7):
        case = _accept(cast, case)
    with t.at(6):
        decide(cast, case, C.COMPANY_REGISTRATION)
    with t.at(6):
        return services.case_hand_out(case_id=case.pk, clerk=cast.staff["clerk"])


def s17_withdrawn_after(cast: Cast, t: Timeline, key: str) -> Case:
    """不动产登记 withdrawn after acceptance: the open tasks are cancelled."""
    applicant = cast.persons["zhaolei"]
    with t.at(3):
        case = _window(
            cast,
            key,
            cast.packages[REAL_ESTATE],
            applicant,
            answers={"registration_kind": "mortgage_only", "has_loan": True},
        )
    with t.at(3):
        case = _accept(cast, case)
    with t.at(2):
        return services.case_withdraw(
            case_id=case.pk, by=applicant, reason="贷款银行变更，撤回后重新申请。"
        )


def s18_terminated(cast: Cast, t: Timeline, key: str) -> Case:
    """政策兑现 accepted with a tolerated material never supplied: terminated by the sweep."""
    with t.at(12):
        case = _window(
            cast,
            key,
            cast.packages[POLICY],
            cast.enterprise,
            answers={"has_trainees": False, "is_small_taxpayer": False},
            leave_out=("corporate_account",),
        )
    with t.at(12):
        supplement_on = workday_before(t.today, 9)
        case = _accept(cast, case, tolerated={"corporate_account": supplement_on})
    with t.at(11):
        claim(cast, case, C.JOB_RETENTION_REFUND)
    with t.at(8) as moment:
        services.case_terminate_overdue_tolerated(today=clock.local(moment).date())
    case.refresh_from_db()
    return case


def s19_kiosk_single(cast: Cast, t: Timeline, key: str) -> Case:
    """A single item (社会保障卡申领) from a self-service kiosk, waiting for pre-review."""
    with t.at(0):
        return _online(
            cast,
            key,
            cast.items[C.SOCIAL_SECURITY_CARD],
            cast.persons["liming"],
            channel=Channel.KIOSK,
        )


def s20_village_in_progress(cast: Cast, t: Timeline, key: str) -> Case:
    """Village 流动人口婚育证明 (commitment) accepted today, waiting for the health officer:
    past its 30-minute limit (one of the few village cases over)."""
    with t.at(0):
        case = _village(cast, key, cast.packages[MIGRANT], cast.persons["liming"])
    with t.at(0):
        return _accept(cast, case, clerk="clerk_village")


SCENARIOS: list[Scenario] = [
    Scenario(n, play)
    for n, play in enumerate(
        [
            s01_pre_review,
            s02_submitted_online,
            s03_correction,
            s04_rejected,
            s05_withdrawn_before,
            s06_overdue,
            s07_due_soon,
            s08_fresh_tolerated,
            s09_policy_mobile,
            s10_returned,
            s11_completed_village,
            s12_completed_denied,
            s13_completed_partly,
            s14_denied_delivered,
            s15_delivered_senior,
            s16_single_item,
            s17_withdrawn_after,
            s18_terminated,
            s19_kiosk_single,
            s20_village_in_progress,
        ],
        start=1,
    )
]


def _anchor_of(key: str) -> dt.date | None:
    match = _DATED_KEY.fullmatch(key)
    if match is None:
        return None
    try:
        return dt.datetime.strptime(match.group(1), "%Y%m%d").date()  # noqa: DTZ007 - a date
    except ValueError:
        return None


def current_anchor(keys: set[str], today: dt.date) -> dt.date | None:
    """The anchor of the newest generation still fresh on ``today`` (anchored on today's
    working day or the one before), ``None`` when there is none (first load, or stale)."""
    anchors = {anchor for key in keys if (anchor := _anchor_of(key)) is not None}
    fresh = [anchor for anchor in anchors if anchor >= workday_before(today, 1)]
    return max(fresh, default=None)


def retire_stale(cast: Cast) -> int:
    """Close the sample cases of stale generations through the services, now: withdrawn by
    their applicant while that is allowed, handed out when the result waits at the window.
    Returns how many cases moved; one that cannot move (a race, a rule) is left as it is."""
    clerk = cast.staff["clerk"]
    moved = 0
    stale = (
        Case.objects.filter(idempotency_key__startswith=KEY_PREFIX)
        .exclude(state__in=list(CASE_FINAL_STATES))
        .select_related("applicant")
        .order_by("pk")
    )
    for case in stale:
        try:
            if CaseAction.WITHDRAW in case_actions(case, case.applicant):
                services.case_withdraw(
                    case_id=case.pk, by=case.applicant, reason="演示数据已按今天重新生成。"
                )
            elif CaseAction.HAND_OUT in case_actions(case, clerk):
                services.case_hand_out(case_id=case.pk, clerk=clerk, note="演示数据已更新。")
            else:
                continue
        except DomainError:
            continue
        moved += 1
    return moved


def load_cases(summary: DemoSummary) -> None:
    """Sample applications in every state, played through the case services relative to
    today (see module doc): the current generation is kept, a stale one retired and
    replaced."""
    keys = set(
        Case.objects.filter(idempotency_key__startswith=KEY_PREFIX).values_list(
            "idempotency_key", flat=True
        )
    )
    now = reference_moment(clock.now())
    today = clock.local(now).date()
    anchor = current_anchor(keys, today)
    stale = anchor is None
    anchor = anchor or today
    todo = [s for s in SCENARIOS if s.key(anchor) not in keys]
    if todo:
        cast = Cast.load()
        if stale:
            retire_stale(cast)
        for scenario in todo:
            scenario.play(cast, Timeline(now), scenario.key(anchor))
    for scenario in SCENARIOS:
        summary.tally("cases", created=scenario.key(anchor) not in keys)


__all__ = [
    "KEY_PREFIX",
    "SCENARIOS",
    "current_anchor",
    "load_cases",
    "reference_moment",
    "retire_stale",
    "workday_before",
]
