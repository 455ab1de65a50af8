"""帮代办 in the pilot villages of 赫山, 资阳 and 桃江: agents, elderly applicants, their
authorisations of each kind (some expired, one revoked) and cases the agents entered and
acted on — through the accounts and case services, relative to today (docs/agents.md).

People are looked up by natural key (username, ID number) and created once. The
authorisations and cases form a generation keyed by ``onestop-agents-<YYYYMMDD>-NN`` (the
working day they were played on, as ``demo.cases`` does): a load on the same or the next
working day creates nothing; a later one revokes the previous generation's authorisations
still in force and withdraws its open cases (through the services), then plays a new one.
Nothing here relies on after-commit effects.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import SimpleUploadedFile

from onestop.accounts import services as accounts_services
from onestop.accounts.models import Applicant, ApplicantKind, Staff, User
from onestop.accounts.roles import Role
from onestop.cases import services
from onestop.cases.actions import (
    AuthorisationStatus,
    CaseAction,
    authorisation_status,
    case_actions,
)
from onestop.cases.models import AgentAuthorisation, Case
from onestop.cases.states import CASE_FINAL_STATES, Channel
from onestop.core import clock
from onestop.core.errors import DomainError
from onestop.demo.cases import (
    SENIOR,
    SOCIAL_CARD,
    Cast,
    Timeline,
    application,
    decide,
    reference_moment,
    workday_before,
)
from onestop.demo.data import catalog as catalog_data
from onestop.demo.data import people
from onestop.regions.models import Region

if TYPE_CHECKING:
    from onestop.demo.summary import DemoSummary

KEY_PREFIX = "onestop-agents-"
_DATED_KEY = re.compile(rf"{re.escape(KEY_PREFIX)}(\d{{8}})-\d{{2}}")
_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass(frozen=True)
class AgentSpec:
    username: str
    name: str
    region_code: str
    phone: str
    note: str


# 芙蓉村's agent is the demo's ``agent`` (demo/data/people.py); two more pilot villages.
AGENTS: list[AgentSpec] = [
    AgentSpec("agent_changchun", "彭志红", "430902101201", "13907370152", "资阳区长春村帮代办员"),
    AgentSpec("agent_taxiqiao", "符国庆", "430922100205", "13907370153", "桃江县獭溪桥村帮代办员"),
]

# Elderly villagers the agents act for; 谢德明's daughter set up a login for him (the
# browser test logs in as him to see what his agent did).
ELDERLY: list[people.PersonSpec] = [
    people.PersonSpec(
        "",
        "刘秋生",
        people.resident_id("430903", "19480315", "013"),
        "13807373001",
        "430903101206",
        "益阳市赫山区泉交河镇芙蓉村五组",
        "78岁，独居",
    ),
    people.PersonSpec(
        "xiedeming",
        "谢德明",
        people.resident_id("430903", "19460117", "035"),
        "13807373002",
        "430903101206",
        "益阳市赫山区泉交河镇芙蓉村七组",
        "80岁，行动不便",
    ),
    people.PersonSpec(
        "",
        "彭满秀",
        people.resident_id("430902", "19510922", "026"),
        "13807373003",
        "430902101201",
        "益阳市资阳区长春镇长春村二组",
        "75岁",
    ),
    people.PersonSpec(
        "",
        "胡金莲",
        people.resident_id("430902", "19490430", "062"),
        "13807373004",
        "430902101201",
        "益阳市资阳区长春镇长春村六组",
        "77岁",
    ),
    people.PersonSpec(
        "",
        "曹玉英",
        people.resident_id("430922", "19440608", "048"),
        "13807373005",
        "430922100205",
        "桃江县桃花江镇獭溪桥村四组",
        "82岁",
    ),
]


def _people(summary: DemoSummary) -> None:
    usernames = set(User.objects.values_list("username", flat=True))
    regions = {r.code: r for r in Region.objects.filter(code__in={a.region_code for a in AGENTS})}
    for spec in AGENTS:
        created = spec.username not in usernames
        if created:
            accounts_services.staff_create(
                username=spec.username,
                password=people.DEMO_PASSWORD,
                name=spec.name,
                role=Role.AGENT,
                region=regions[spec.region_code],
                phone=spec.phone,
            )
        summary.tally("staff", created=created)
    codes = {p.region_code for p in ELDERLY}
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    for person in ELDERLY:
        exists = Applicant.objects.filter(
            kind=ApplicantKind.PERSON, id_number=person.id_number
        ).exists()
        if not exists:
            user = None
            if person.username and person.username not in usernames:
                user = User.objects.create_user(
                    username=person.username, password=people.DEMO_PASSWORD, first_name=person.name
                )
            accounts_services.applicant_register_person(
                name=person.name,
                id_number=person.id_number,
                phone=person.phone,
                user=user,
                address=person.address,
                region=regions[person.region_code],
            )
        summary.tally("applicants", created=not exists)


def _anchor_of(key: str) -> dt.date | None:
    match = _DATED_KEY.fullmatch(key)
    return dt.datetime.strptime(match.group(1), "%Y%m%d").date() if match else None  # noqa: DTZ007


def _retire(agents: list[Staff]) -> None:
    """A stale generation: its authorisations still in force revoked by the agent, its open
    cases withdrawn by their applicant (now)."""
    for authorisation in AgentAuthorisation.objects.filter(agent__in=agents).select_related(
        "agent__region"
    ):
        if authorisation_status(authorisation) in (
            AuthorisationStatus.VALID,
            AuthorisationStatus.PENDING,
        ):
            services.authorisation_revoke(
                authorisation_id=authorisation.pk,
                by=authorisation.agent,
                reason="演示数据已按今天重新生成。",
            )
    open_cases = (
        Case.objects.filter(idempotency_key__startswith=KEY_PREFIX)
        .exclude(state__in=list(CASE_FINAL_STATES))
        .select_related("applicant")
    )
    for case in open_cases:
        if CaseAction.WITHDRAW in case_actions(case, case.applicant):
            try:
                services.case_withdraw(
                    case_id=case.pk, by=case.applicant, reason="演示数据已按今天重新生成。"
                )
            except DomainError:
                continue


class _Play:
    """One generation: the moments (``Timeline``), the cast and the keys."""

    def __init__(self, now: dt.datetime, anchor: dt.date) -> None:
        self.now = now
        self.t = Timeline(now)
        self.cast = Cast.load()
        self.anchor = anchor
        self.n = 0
        self.agent = {
            s.user.username: s
            for s in Staff.objects.filter(role=Role.AGENT).select_related("user", "region")
        }
        by_id = {p.id_number: p.name for p in ELDERLY}
        self.elder = {
            by_id[a.id_number]: a
            for a in Applicant.objects.filter(id_number__in=list(by_id)).select_related("user")
        }
        self.elder["张桂英"] = self.cast.persons["zhangguiying"]
        self.packages = {code: self.cast.packages[code] for code in (SENIOR, SOCIAL_CARD)}

    def key(self) -> str:
        self.n += 1
        return f"{KEY_PREFIX}{self.anchor:%Y%m%d}-{self.n:02d}"

    def days_ago(self, days: int, hour: int = 10) -> Any:
        moment = dt.datetime.combine(
            clock.local(self.now).date() - dt.timedelta(days=days),
            dt.time(hour, 0),
            tzinfo=clock.SHANGHAI,
        )
        return clock.frozen(min(moment, self.now - dt.timedelta(hours=3)))

    def intake(self, agent: str, elder: str, package: str, **kwargs: Any) -> Case:
        applicant = self.elder[elder]
        answers = kwargs.pop("answers")
        return services.case_intake(
            staff=self.agent[agent],
            applicant=applicant,
            channel=Channel.VILLAGE_CENTRE,
            idempotency_key=self.key(),
            **kwargs,
            **application(self.packages[package], applicant=applicant, answers=answers),
        )


_SENIOR_78 = {"age": 78}
_CARD = {"is_minor": False, "has_medical_insurance": True}


def _play(p: _Play) -> int:
    """The authorisations and cases of one generation; returns how many cases it entered."""
    gong, peng, fu = p.agent["agent"], p.agent["agent_changchun"], p.agent["agent_taxiqiao"]
    clerk_village, clerk = p.cast.staff["clerk_village"], p.cast.staff["clerk"]
    senior, card = p.packages[SENIOR].package, p.packages[SOCIAL_CARD].package
    year = dt.timedelta(days=365)

    # 刘秋生 → 龚建军: an old signed letter (expired), then in person at the centre, all items.
    with p.days_ago(420):
        services.authorisation_grant_document(
            applicant=p.elder["刘秋生"],
            agent=gong,
            recorded_by=clerk_village,
            document_number="芙蓉村帮代办授权委托书 FR-2025-009",
            packages=[senior],
            valid_until=clock.now() + year,
        )
    with p.days_ago(40):
        services.authorisation_grant_in_person(
            applicant=p.elder["刘秋生"],
            agent=gong,
            recorded_by=clerk_village,
            all_items=True,
            valid_until=clock.now() + year,
        )
    # 谢德明 → 龚建军: a signed letter with its scan, for 老年优待证 only.
    with p.days_ago(12):
        services.authorisation_grant_document(
            applicant=p.elder["谢德明"],
            agent=gong,
            recorded_by=clerk_village,
            document_number="芙蓉村帮代办授权委托书 FR-2026-051",
            document=SimpleUploadedFile("FR-2026-051.pdf", _PDF, content_type="application/pdf"),
            packages=[senior],
            valid_until=clock.now() + dt.timedelta(days=180),
        )
    # 彭满秀 → 彭志红: confirmed in person at her home (上门服务), 社保卡.
    with p.days_ago(6):
        services.authorisation_grant_in_person(
            applicant=p.elder["彭满秀"],
            agent=peng,
            recorded_by=peng,
            packages=[card],
            valid_until=clock.now() + dt.timedelta(days=90),
        )
    # 胡金莲 → 彭志红: a signed letter that expired last month.
    with p.days_ago(395):
        services.authorisation_grant_document(
            applicant=p.elder["胡金莲"],
            agent=peng,
            recorded_by=peng,
            document_number="长春村代办委托书 CC-2025-014",
            all_items=True,
            valid_until=clock.now() + year,
        )
    # 曹玉英 → 符国庆: in person, 老年优待证.
    with p.days_ago(3):
        services.authorisation_grant_in_person(
            applicant=p.elder["曹玉英"],
            agent=fu,
            recorded_by=fu,
            packages=[senior],
            valid_until=clock.now() + dt.timedelta(days=60),
        )
    # 张桂英 (her own login) → 符国庆: online consent, revoked once, given again.
    with p.days_ago(90):
        first = services.authorisation_grant_online(
            applicant=p.elder["张桂英"], agent_code=fu.phone, all_items=True
        )
    with p.days_ago(60):
        services.authorisation_revoke(
            authorisation_id=first.pk, by=p.elder["张桂英"], reason="改由女儿代办。"
        )
    with p.days_ago(10):
        services.authorisation_grant_online(
            applicant=p.elder["张桂英"], agent_code=fu.user.username, packages=[card]
        )

    t = p.t
    entered = 0
    # 刘秋生's 老年优待证: entered at the centre, completed and handed out there.
    with t.at(3):
        case = p.intake("agent", "刘秋生", SENIOR, answers=_SENIOR_78)
    with t.at(3):
        services.case_accept(case_id=case.pk, clerk=clerk_village)
    with t.at(2):
        decide(p.cast, case, catalog_data.SENIOR_CARD)
    with t.at(2):
        services.case_hand_out(case_id=case.pk, clerk=clerk_village, note="帮代办员代领。")
    entered += 1
    # 刘秋生's 社保卡: entered, then withdrawn by the agent at his request.
    with t.at(1):
        case = p.intake("agent", "刘秋生", SOCIAL_CARD, answers=_CARD)
    with t.at(1):
        services.case_withdraw(
            case_id=case.pk, by=gong, reason="申请人已由子女在县政务服务中心办理，委托撤回。"
        )
    entered += 1
    # 彭满秀's 社保卡: entered at her home, accepted by the window.
    with t.at(2):
        case = p.intake("agent_changchun", "彭满秀", SOCIAL_CARD, answers=_CARD)
    with t.at(1):
        services.case_accept(case_id=case.pk, clerk=clerk)
    entered += 1
    # 张桂英's 社保卡 under her online consent.
    with t.at(1):
        p.intake("agent_taxiqiao", "张桂英", SOCIAL_CARD, answers=_CARD)
    entered += 1
    # Today: 谢德明's and 曹玉英's 老年优待证, waiting for the window.
    with t.at(0):
        p.intake("agent", "谢德明", SENIOR, answers={"age": 80})
    with t.at(0):
        p.intake("agent_taxiqiao", "曹玉英", SENIOR, answers={"age": 82})
    entered += 2
    return entered


def load_agents(summary: DemoSummary) -> None:
    """Agents, elderly applicants, authorisations and the agents' cases (see module doc)."""
    _people(summary)
    keys = set(
        Case.objects.filter(idempotency_key__startswith=KEY_PREFIX).values_list(
            "idempotency_key", flat=True
        )
    )
    now = reference_moment(clock.now())
    today = clock.local(now).date()
    anchors = {a for k in keys if (a := _anchor_of(k)) is not None}
    fresh = [a for a in anchors if a >= workday_before(today, 1)]
    if fresh:
        for _key in keys:
            summary.tally("agent_cases", created=False)
        return
    agents = list(Staff.objects.filter(role=Role.AGENT))
    if keys:
        _retire(agents)
    count = _play(_Play(now, today))
    for _ in range(count):
        summary.tally("agent_cases", created=True)


__all__ = ["AGENTS", "ELDERLY", "KEY_PREFIX", "load_agents"]
