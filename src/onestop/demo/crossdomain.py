"""Demo data of 跨域通办 (docs/cross_domain.md), played through the services.

Each load day has one generation of cases keyed ``onestop-xd-demo-<day>-<n>`` around the
package 跨县通办·城乡居民社保参保 (routed to the applicant's residence; the 低保 part to the
receiving county), received at the 赫山, 资阳 and 桃江 county halls for residents of the other
two and of their own:

* 异地代收代办, for each (receiving, residence) pair: one handed out (originals delivered, the
  task decided days ago), one whose originals are on their way, one whose originals were never
  posted (JC-JC-08 raises a signal for the receiving hall), one waiting for the window's checks;
* 多地联办: pension at the residence, 低保 where received, one per county;
* 全程网办: applied online by the demo's logged-in residents, handled at home;
* 属地办理: received at home.

Orders are placed at the frozen moment (``shipment_order``) and tracking applied directly, so
nothing relies on after-commit work. A second load adds nothing while the generation is fresh
(today or the working day before); a later load adds a new one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from onestop.accounts import services as accounts_services
from onestop.accounts.models import Applicant, ApplicantKind, Staff
from onestop.accounts.roles import DEPARTMENT_ROLES
from onestop.cases import services as case_services
from onestop.cases.models import Case, ItemTask
from onestop.cases.states import TASK_INBOX_STATES, Channel, IdentityCheck, TaskState
from onestop.catalog.models import PackageVersion, VersionStatus
from onestop.core import clock
from onestop.delivery import services as delivery_services
from onestop.delivery.contract import TrackEvent
from onestop.delivery.states import ShipmentState
from onestop.demo import cases as demo_cases
from onestop.demo.data import crossdomain as data
from onestop.demo.summary import DemoSummary
from onestop.regions.models import Region

KEY_PREFIX = "onestop-xd-demo-"
CLERKS = {data.HESHAN: "clerk_heshan", data.ZIYANG: "clerk_ziyang", data.TAOJIANG: "clerk_taojiang"}


@dataclass(frozen=True)
class Play:
    """One case: where received, whose residence, how far it got (working days ago)."""

    at: str  # receiving county code
    lives: str  # applicant's county code
    ending: str  # handed_out, originals_moving, originals_late, waiting, multi, online, local
    days_ago: int = 0
    allowance: bool = False


def _plays() -> list[Play]:
    counties = [data.HESHAN, data.ZIYANG, data.TAOJIANG]
    plays: list[Play] = []
    for at in counties:
        for lives in counties:
            if at == lives:
                plays.append(Play(at, lives, "local", 2))
                continue
            plays += [
                Play(at, lives, "handed_out", 6),
                Play(at, lives, "originals_moving", 1),
                Play(at, lives, "originals_late", 4),
                Play(at, lives, "waiting", 0),
            ]
        other = counties[(counties.index(at) + 1) % 3]
        plays.append(Play(at, other, "multi", 3, allowance=True))
        plays.append(Play(at, other, "online", 2))
    return plays


PLAYS = _plays()


def _key(day: dt.date, number: int) -> str:
    return f"{KEY_PREFIX}{day:%Y%m%d}-{number:02d}"


def _residents() -> dict[str, list[Applicant]]:
    """The residents of each county who apply away from home, registered when missing."""
    by_id = {
        a.id_number: a
        for a in Applicant.objects.filter(
            kind=ApplicantKind.PERSON, id_number__in=[p[1] for p in data.PERSONS]
        )
    }
    regions = {r.code: r for r in Region.objects.filter(code__in=[p[3] for p in data.PERSONS])}
    found: dict[str, list[Applicant]] = {code: [] for code in data.COUNTIES}
    for name, id_number, phone, region_code, address in data.PERSONS:
        person = by_id.get(id_number) or accounts_services.applicant_register_person(
            name=name,
            id_number=id_number,
            phone=phone,
            address=address,
            region=regions[region_code],
        )
        found[region_code[:6]].append(person)
    return found


def _online_applicant(cast: demo_cases.Cast, county: str) -> Applicant:
    """A demo resident of ``county`` with a login (online applications need one)."""
    for person in cast.persons.values():
        if person.region is not None and person.region.code.startswith(county):
            return person
    return next(iter(cast.persons.values()))


def _officer(task: ItemTask) -> Staff:
    officer = (
        Staff.objects.filter(
            department_id=task.department_id, role__in=list(DEPARTMENT_ROLES), is_active=True
        )
        .order_by("-is_designated", "pk")
        .first()
    )
    assert officer is not None, f"no officer for {task.department_id}"
    return officer


def _decide(case: Case) -> None:
    for task in case.tasks.filter(state__in=list(TASK_INBOX_STATES)).order_by("pk"):
        officer = task.assignee or _officer(task)
        if task.state == TaskState.READY:
            case_services.task_claim(task_id=task.pk, officer=officer)
        case_services.task_approve(
            task_id=task.pk, officer=officer, opinion="经核查符合条件，准予办理。"
        )


def _track(shipment_id: int, moment: dt.datetime, statuses: list[ShipmentState]) -> None:
    delivery_services.tracking_apply(
        shipment_id=shipment_id,
        events=[
            TrackEvent(seq, status, moment + dt.timedelta(minutes=10 * seq), "益阳")
            for seq, status in enumerate(statuses, start=1)
        ],
    )


def _play(
    play: Play,
    key: str,
    *,
    cast: demo_cases.Cast,
    package: PackageVersion,
    applicant: Applicant,
    staff: dict[str, Staff],
    t: demo_cases.Timeline,
) -> Case:
    clerk = staff[CLERKS[play.at]]
    answers = {"needs_allowance": play.allowance}
    with t.at(play.days_ago):
        if play.ending == "online":
            applicant = _online_applicant(cast, play.lives)
            case = case_services.case_submit(
                applicant=applicant,
                channel=Channel.ONLINE,
                accepting_region=cast.regions.get(play.at) or Region.objects.get(code=play.at),
                created_by=applicant.user,
                idempotency_key=key,
                **demo_cases.application(package, applicant=applicant, answers=answers),
            )
            case_services.case_pre_review_pass(case_id=case.pk, clerk=clerk)
            case = case_services.case_accept(case_id=case.pk, clerk=clerk)
            return case
        case = case_services.case_intake(
            staff=clerk,
            applicant=applicant,
            idempotency_key=key,
            **demo_cases.application(package, applicant=applicant, answers=answers),
        )
        if play.ending == "waiting":
            return case
        if play.at != play.lives:
            case_services.case_receiving_check(
                case_id=case.pk,
                clerk=clerk,
                form_checked=True,
                identity_checked=True,
                identity_method=IdentityCheck.ID_CARD_READER,
            )
        case = case_services.case_accept(case_id=case.pk, clerk=clerk)
    if play.ending in {"local", "originals_late"}:
        return case
    with t.at(max(play.days_ago - 1, 0)) as moment:
        shipment = delivery_services.originals_forward(case_id=case.pk, clerk=clerk)
        delivery_services.shipment_order(shipment_id=shipment.pk)
        moving = [ShipmentState.PICKED_UP, ShipmentState.IN_TRANSIT]
        arrived = [*moving, ShipmentState.OUT_FOR_DELIVERY, ShipmentState.DELIVERED]
        _track(shipment.pk, moment, moving if play.ending == "originals_moving" else arrived)
    if play.ending != "handed_out":
        return case
    with t.at(max(play.days_ago - 3, 0)):
        _decide(case)
    with t.at(max(play.days_ago - 4, 0)):
        case = case_services.case_hand_out(case_id=case.pk, clerk=clerk)
    return case


def _fresh_generation(today: dt.date) -> dt.date | None:
    keys = Case.objects.filter(idempotency_key__startswith=KEY_PREFIX).values_list(
        "idempotency_key", flat=True
    )
    days = set()
    for key in keys:
        try:
            days.add(dt.datetime.strptime(key[len(KEY_PREFIX) :][:8], "%Y%m%d").date())  # noqa: DTZ007
        except ValueError:
            continue
    fresh = [day for day in days if day >= demo_cases.workday_before(today, 1)]
    return max(fresh, default=None)


def load_cross_domain(summary: DemoSummary) -> None:
    """A generation of cross-domain cases unless a fresh one exists."""
    now = demo_cases.reference_moment(clock.now())
    today = clock.local(now).date()
    day = _fresh_generation(today) or today
    keys = [_key(day, n) for n, _play_ in enumerate(PLAYS, start=1)]
    have = set(
        Case.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
    )
    todo = [(p, k) for p, k in zip(PLAYS, keys, strict=True) if k not in have]
    if todo:
        cast = demo_cases.Cast.load()
        package = PackageVersion.objects.get(
            package__code=data.PACKAGE_CODE, status=VersionStatus.PUBLISHED
        )
        residents = _residents()
        staff = {s.user.username: s for s in Staff.objects.select_related("user")}
        turn = dict.fromkeys(data.COUNTIES, 0)
        for play, key in todo:
            people = residents[play.lives]
            applicant = people[turn[play.lives] % len(people)]
            turn[play.lives] += 1
            _play(
                play,
                key,
                cast=cast,
                package=package,
                applicant=applicant,
                staff=staff,
                t=demo_cases.Timeline(now),
            )
    for key in keys:
        summary.tally("cross-domain cases", created=key not in have)
