"""Demo data of 办事不出村: the pilot villages' centres completing the six packages within
30 minutes under an authorised seal.

* **Clerks**: every pilot village's 便民服务站 (赫山, 资阳, 桃江) gets a window clerk of its
  own (芙蓉村's, 曹丽, is in ``people``).
* **Seals delegated to the centres**: the approval seal (行政审批专用章) of each department
  that decides the six packages' items is delegated to every pilot station for those items,
  by a document (文号), for a year around today — ``certificates.services.seal_place_authorise``.
  In the demo catalogue those items are implemented by the city's 人社局 and 卫健委 (one
  published version of an item has one department), so the back office that approves online
  is theirs; a township's own back office needs an item version of the township.
* **Cases**: ``CASES_PER_STATION`` applications at each station over the last working days,
  relative to today, each taken by the station's clerk with the applicant present, accepted,
  approved online minutes later, its results sealed under the delegated seal and handed
  out — most within 30 minutes, about one in eight over. Keyed ``demo-village-…`` and played
  once per database, so a later load adds nothing (they are all delivered: no aged backlog).

Everything goes through the services with the clock set to each step's moment.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from onestop.accounts import services as accounts_services
from onestop.accounts.models import Applicant, ApplicantKind, Staff
from onestop.accounts.roles import Permission, Role
from onestop.cases import services as case_services
from onestop.cases.models import Case
from onestop.cases.states import Channel, TaskState
from onestop.catalog.models import PackageVersion, VersionStatus, VillageClass
from onestop.catalog.selectors import package_plan
from onestop.certificates import services as certificates
from onestop.certificates.models import Seal, SealAuthorisation, SealPlaceAuthorisation
from onestop.certificates.states import SealKind
from onestop.core import clock
from onestop.demo.cases import application, reference_moment
from onestop.demo.data import people
from onestop.demo.summary import DemoSummary
from onestop.regions.models import Department, Hall, HallKind
from onestop.workdays import calendar

KEY_PREFIX = "demo-village-"
CASES_PER_STATION = 4
DAYS_BACK = 8  # working days the cases spread over, today included
# Answers per package (the six packages' situation questions).
ANSWERS: dict[str, list[dict[str, Any]]] = {
    "4309YJS0301": [{"insured_one_year": True}, {"insured_one_year": False}],
    "4309YJS0302": [
        {"hardship_kind": "older", "flexible_employment": True},
        {"hardship_kind": "zero_employment", "flexible_employment": False},
    ],
    "4309YJS0303": [
        {"is_minor": False, "has_medical_insurance": True},
        {"is_minor": False, "has_medical_insurance": False},
    ],
    "4309YJS0304": [{"age": 68}, {"age": 83}],
    "4309YJS0305": [{"child_order": "first"}, {"child_order": "second"}],
    "4309YJS0306": [{}],
}
# Document numbers of the delegations, by department kind.
DOCUMENT = {"hrss": "益人社审授〔2026〕%d号", "health": "益卫审授〔2026〕%d号"}


def _stations() -> list[Hall]:
    return list(
        Hall.objects.filter(kind=HallKind.VILLAGE_STATION, region__is_pilot=True)
        .select_related("region")
        .order_by("region__code")
    )


def _clerks(summary: DemoSummary, stations: list[Hall]) -> dict[int, Staff]:
    clerks: dict[int, Staff] = {}
    for staff in Staff.objects.filter(
        hall__in=stations, role=Role.WINDOW_CLERK, is_active=True
    ).order_by("pk"):
        clerks.setdefault(staff.hall_id, staff)
    for n, station in enumerate(stations, start=1):
        created = station.pk not in clerks
        if not created and not clerks[station.pk].user.username.startswith("clerk-"):
            continue  # a clerk of ``people`` (芙蓉村's): the people section counts them
        if created:
            clerks[station.pk] = accounts_services.staff_create(
                username=f"clerk-{station.region.code}",
                password=people.DEMO_PASSWORD,
                name=f"{station.region.name}代办员",
                role=Role.WINDOW_CLERK,
                region=station.region,
                hall=station,
                phone=f"1390737{n:04d}",
            )
        summary.tally("village clerks", created=created)
    return clerks


def _packages() -> list[PackageVersion]:
    return list(
        PackageVersion.objects.filter(
            status=VersionStatus.PUBLISHED,
            village_class=VillageClass.DIRECT,
            promised_minutes__isnull=False,
        )
        .select_related("package")
        .order_by("package__code")
    )


def _deciding_departments(packages: list[PackageVersion]) -> dict[int, set[str]]:
    """The departments that decide the packages' items, with those items' codes."""
    out: dict[int, set[str]] = {}
    for version in packages:
        for package_item in version.package_items.select_related("item"):
            current = package_item.item.versions.filter(status=VersionStatus.PUBLISHED).first()
            if current is not None:
                out.setdefault(current.department_id, set()).add(package_item.item.basic_code)
    return out


def _seals(summary: DemoSummary, departments: dict[int, set[str]]) -> dict[int, Seal]:
    """An approval seal per deciding department, its officers authorised to use it — both
    from a year back, since the village cases were sealed on the days before today."""
    since = clock.today() - dt.timedelta(days=365)
    seals = {
        s.department_id: s
        for s in Seal.objects.filter(kind=SealKind.APPROVAL, department_id__in=departments)
    }
    for department in Department.objects.filter(pk__in=departments).order_by("pk"):
        if department.pk not in seals:
            seals[department.pk] = certificates.seal_create(
                department=department,
                kind=SealKind.APPROVAL,
                valid_from=since,
                valid_to=since.replace(year=since.year + 5),
            )
            # Counted as made by this load; the certificates section, which tallies every
            # department's seal once, then finds it present (not created) and adds it again.
            summary.tally("seals", created=True)
            summary.present["seals"] -= 1
        granted = set(
            SealAuthorisation.objects.filter(seal=seals[department.pk]).values_list(
                "staff_id", flat=True
            )
        )
        for staff in Staff.objects.filter(department=department).order_by("pk"):
            if staff.has_permission(Permission.SEAL_USE) and staff.pk not in granted:
                certificates.seal_authorise(
                    seal_id=seals[department.pk].pk, staff=staff, valid_from=since
                )
                summary.tally("seal authorisations", created=True)  # as for the seals
                summary.present["seal authorisations"] -= 1
    return seals


def _grants(
    summary: DemoSummary,
    stations: list[Hall],
    departments: dict[int, set[str]],
    seals: dict[int, Seal],
) -> None:
    today = clock.today()
    kinds = dict(Department.objects.filter(pk__in=departments).values_list("pk", "kind"))
    have = set(
        SealPlaceAuthorisation.objects.filter(revoked_at=None).values_list(
            "seal_id", "hall_id", "item_code"
        )
    )
    for number, station in enumerate(stations, start=1):
        for department_id, codes in sorted(departments.items()):
            seal = seals[department_id]
            document = DOCUMENT.get(kinds[department_id], "益政审授〔2026〕%d号") % number
            for code in sorted(codes):
                created = (seal.pk, station.pk, code) not in have
                if created:
                    certificates.seal_place_authorise(
                        seal_id=seal.pk,
                        hall_id=station.pk,
                        item_code=code,
                        document_number=document,
                        valid_from=today - dt.timedelta(days=90),
                        valid_to=today + dt.timedelta(days=275),
                    )
                summary.tally("village seal authorisations", created=created)


def _working_days(today: dt.date, n: int) -> list[dt.date]:
    days: list[dt.date] = []
    day = today
    while len(days) < n:
        if calendar.is_workday(day):
            days.append(day)
        day -= dt.timedelta(days=1)
    return days


def _officer(task: Any) -> Staff:
    if task.assignee_id:
        return Staff.objects.get(pk=task.assignee_id)
    found = (
        Staff.objects.filter(department_id=task.department_id, role=Role.OFFICER, is_active=True)
        .order_by("-is_designated", "pk")
        .first()
    )
    assert found is not None, task.department_id
    return found


def _play(
    summary: DemoSummary,
    *,
    key: str,
    clerk: Staff,
    applicant: Applicant,
    version: PackageVersion,
    answers: dict[str, Any],
    start: dt.datetime,
    rng: random.Random,
    late: bool,
) -> Case:
    """One sitting: intake, acceptance, online approval, sealed results, hand-out."""
    moment = start
    with clock.frozen(moment):
        case = case_services.case_intake(
            staff=clerk,
            applicant=applicant,
            channel=Channel.VILLAGE_CENTRE,
            idempotency_key=key,
            **application(version, applicant=applicant, answers=answers),
        )
    moment += dt.timedelta(minutes=rng.uniform(1, 4))
    with clock.frozen(moment):
        case = case_services.case_accept(case_id=case.pk, clerk=clerk)
    while True:
        ready = list(case.tasks.filter(state=TaskState.READY).order_by("pk"))
        if not ready:
            break
        for task in ready:
            officer = _officer(task)
            moment += dt.timedelta(minutes=rng.uniform(1, 3))
            with clock.frozen(moment):
                case_services.task_claim(task_id=task.pk, officer=officer)
            moment += dt.timedelta(minutes=rng.uniform(3, 8) * (4 if late else 1))
            with clock.frozen(moment):
                case_services.task_approve(
                    task_id=task.pk, officer=officer, opinion="材料齐全，符合条件，准予办理。"
                )
                certificates.results_issue(task_id=task.pk)
                # the certificates section counts every certificate present, these included
                summary.created["certificates"] += 1
    moment += dt.timedelta(minutes=rng.uniform(1, 3))
    with clock.frozen(moment):
        return case_services.case_hand_out(case_id=case.pk, clerk=clerk, note="现场打印出件")


def _applications() -> list[tuple[PackageVersion, dict[str, Any]]]:
    """The (package, answers) the demo plays: those whose every item has a demo officer in
    its department (the demo staffs some departments only)."""
    staffed = set(
        Staff.objects.filter(role=Role.OFFICER, is_active=True).values_list(
            "department_id", flat=True
        )
    )
    out = []
    for version in _packages():
        for answers in ANSWERS.get(version.package.code, [{}]):
            plan = package_plan(version, answers)
            if all(p.item_version.department_id in staffed for p in plan.items):
                out.append((version, answers))
    return out


def _cases(summary: DemoSummary, stations: list[Hall], clerks: dict[int, Staff]) -> None:
    applications = _applications()
    persons = list(Applicant.objects.filter(kind=ApplicantKind.PERSON).order_by("pk")[:200])
    if not applications or not persons:
        return
    now = reference_moment(clock.now())
    days = _working_days(clock.local(now).date(), DAYS_BACK)
    present = Case.objects.filter(idempotency_key__startswith=KEY_PREFIX).count()
    if present:  # played once per database: a later load adds none
        summary.present["village cases"] += present
        return
    for station in stations:
        for n in range(CASES_PER_STATION):
            rng = random.Random(f"village-{station.region.code}-{n}")  # noqa: S311 — demo data
            day = days[(n * 3 + int(station.region.code[-2:])) % len(days)]
            start = dt.datetime.combine(
                day,
                dt.time(9 + rng.randrange(7), rng.randrange(60)),
                tzinfo=clock.SHANGHAI,
            )
            if start + dt.timedelta(hours=2) > now:
                start = now - dt.timedelta(hours=2, minutes=rng.randrange(60))
            version, answers = applications[rng.randrange(len(applications))]
            _play(
                summary,
                key=f"{KEY_PREFIX}{station.region.code}-{n}",
                clerk=clerks[station.pk],
                applicant=persons[rng.randrange(len(persons))],
                version=version,
                answers=answers,
                start=start,
                rng=rng,
                late=rng.random() < 0.125,
            )
            summary.tally("village cases", created=True)


def load_villages(summary: DemoSummary) -> None:
    """Station clerks, the delegated seals, then the village cases of the six packages."""
    stations = _stations()
    if not stations:
        return
    clerks = _clerks(summary, stations)
    packages = _packages()
    departments = _deciding_departments(packages)
    seals = _seals(summary, departments)
    _grants(summary, stations, departments, seals)
    _cases(summary, stations, clerks)
