"""Demo history: six months of cases across every county, channel and package, in bulk.

The sample cases (``demo.cases``) show each state once; the desks, the dashboards
(``stats``) and the supervisor desk (``supervision``) need volume to show life. This section
writes ``ONESTOP_DEMO_HISTORY_CASES`` cases (20,000 by default; the test suite sets 0)
through the bulk loader (``cases.bulk``), so every row is what the services would have
written: each kind of application is played once through the services and copied.

* **Who and what**: a few hundred generated applicants (persons and enterprises of the six
  counties, registered through ``accounts.services``, half with a login so they can apply
  online) besides the demo's own; every published package (two sets of answers each) and
  single item, for the applicants it serves.
* **Where and how**: the hall of a county (大厅窗口, 电话预约), a village's service station
  (便民服务站), or online, mobile and kiosk — as each item's 办理形式 and online depth
  allow (a kind the services refuse is left out). Window clerks see the paper originals;
  online applicants upload (the loader stores each file).
* **When**: submitted on a working day in office hours, uniformly over the last six months
  up to the moment of loading; each later step (pre-review, acceptance, each task claimed
  and decided, hand-out) follows after a realistic wait, mostly within the promised limit.
  A case has taken the steps whose moments are already past, so old cases are delivered
  and recent ones are in the window queue or a department's inbox — relative to today.
  About 3% are refused at the window and 3% have a task denied.

Each case is keyed ``demo-history-NNNNNN`` (its idempotency key) and drawn from a generator
seeded with that key, so a second load adds nothing; a load with a larger setting adds the
missing keys. The sections after this one catch up from the events: supervision's sweep
raises the signals of the open cases, the stats sweep computes their figures. History
sends no messages (the bulk path writes no outbox rows), and the demo issues no signed
results for it (the certificates sweep does, where a worker runs).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from onestop.accounts import services as accounts_services
from onestop.accounts.models import Applicant, ApplicantKind, Staff, User
from onestop.cases import bulk
from onestop.cases.models import Case
from onestop.cases.services import MaterialInput
from onestop.cases.services.plans import minutes_promised
from onestop.cases.states import REMOTE_CHANNELS, Channel
from onestop.catalog.models import (
    PackageVersion,
    QuestionKind,
    ServiceItemVersion,
    ServiceObject,
    VersionStatus,
)
from onestop.core import clock
from onestop.core.errors import DomainError
from onestop.demo.cases import application, reference_moment
from onestop.demo.data import people
from onestop.demo.summary import DemoSummary
from onestop.regions.models import Hall, HallKind, Region, RegionLevel
from onestop.workdays import calendar

KEY_PREFIX = "demo-history-"
DEFAULT_CASES = 20_000
DAYS = 182
CLERK = "clerk"  # the city's window clerk, whose scope covers every county

# Channel and its share of the cases (before the items' own restrictions).
CHANNEL_WEIGHTS = (
    (Channel.HALL_WINDOW, 40),
    (Channel.ONLINE, 25),
    (Channel.MOBILE, 15),
    (Channel.VILLAGE_CENTRE, 10),
    (Channel.PHONE_APPOINTMENT, 5),
    (Channel.KIOSK, 5),
)
ENDING_WEIGHTS = ((bulk.APPROVE, 94), (bulk.REJECT, 3), (bulk.DENY, 3))
OPEN_AT, CLOSE_AT = dt.time(8, 30), dt.time(17, 30)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅兰平辉玲志新文斌浩宇子轩雨萱欣怡"
TRADES = ("食品", "建材", "农业", "商贸", "电子", "物流", "餐饮", "茶业", "竹木", "纺织")
FORMS = ("有限公司", "有限责任公司", "商贸有限公司")
BODY_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def history_size() -> int:
    """How many history cases the demo keeps (``ONESTOP_DEMO_HISTORY_CASES``)."""
    return int(getattr(settings, "ONESTOP_DEMO_HISTORY_CASES", DEFAULT_CASES))


# --- applicants -------------------------------------------------------------------------


def _login(username: str) -> User | None:
    """A login without a usable password (history applicants never sign in); None when the
    name is already another applicant's."""
    user = User.objects.filter(username=username).first()
    if user is None:
        return User.objects.create_user(username=username, password=None)
    return None if Applicant.objects.filter(user=user).exists() else user


def _applicants(counties: list[Region], size: int) -> dict[str, list[Applicant]]:
    """The demo's applicants with a login, and generated ones (about one per 60 cases, each
    drawn from its own seed, so a later load with a larger size finds the earlier ones), by
    kind."""
    persons = max(20, size // 70)
    enterprises = max(5, size // 350)
    known: dict[str, Applicant] = {}
    for a in Applicant.objects.all():
        known[a.id_number or a.uscc] = a
    generated: list[Applicant] = []
    for n in range(persons):
        rng = random.Random(f"history-person-{n}")  # noqa: S311 — demo data
        county = counties[n % len(counties)]
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 55))
        id_number = people.resident_id(county.code, f"{born:%Y%m%d}", f"{n % 1000:03d}")
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _i in range(rng.choice((1, 2))))
        if id_number not in known:
            known[id_number] = accounts_services.applicant_register_person(
                name=name,
                id_number=id_number,
                phone=f"139{county.code[-2:]}{n:06d}",
                user=_login(f"hist-p{n:05d}") if n % 2 == 0 else None,
                address=f"{county.name}{rng.randrange(1, 200)}号",
                region=county,
            )
        generated.append(known[id_number])
    for n in range(enterprises):
        rng = random.Random(f"history-enterprise-{n}")  # noqa: S311
        county = counties[n % len(counties)]
        body = "MA" + "".join(rng.choice(BODY_CHARS) for _i in range(7))
        uscc = people.enterprise_uscc(county.code, body)
        if uscc not in known:
            known[uscc] = accounts_services.applicant_register_enterprise(
                name=f"益阳{county.name[:2]}{rng.choice(TRADES)}{FORMS[n % len(FORMS)]}{n:03d}",
                uscc=uscc,
                legal_representative=rng.choice(SURNAMES) + rng.choice(GIVEN),
                legal_representative_id_number=people.resident_id(
                    county.code, "19800101", f"{n % 1000:03d}"
                ),
                phone=f"137{county.code[-2:]}{n:06d}",
                user=_login(f"hist-e{n:05d}"),
                address=f"{county.name}工业园{n + 1}号",
                region=county,
            )
        generated.append(known[uscc])
    ours = {a.pk for a in generated}
    demo = list(
        Applicant.objects.exclude(pk__in=ours)
        .filter(user__isnull=False)
        .exclude(user__username__startswith="hist-")
        .order_by("pk")
    )
    every = generated + demo
    return {
        ApplicantKind.PERSON: [a for a in every if a.kind == ApplicantKind.PERSON],
        ApplicantKind.ENTERPRISE: [a for a in every if a.kind == ApplicantKind.ENTERPRISE],
    }


# --- shapes -----------------------------------------------------------------------------


def _answers(version: PackageVersion, variant: int) -> dict[str, Any]:
    """Answers to the package's situation questions: ``variant`` 0 the fullest, 1 varied."""
    rng = random.Random(f"history-answers-{version.pk}-{variant}")  # noqa: S311
    answers: dict[str, Any] = {}
    for question in version.questions.order_by("order", "pk"):
        if question.kind == QuestionKind.YES_NO:
            answers[question.key] = True if variant == 0 else rng.random() < 0.6
        elif question.kind == QuestionKind.CHOICE:
            values = [c["value"] for c in question.choices or []]
            if values:
                answers[question.key] = values[0] if variant == 0 else rng.choice(values)
        elif question.kind == QuestionKind.NUMBER:
            answers[question.key] = 70 + rng.randrange(25) if "age" in question.key else 10
    return answers


def _application_for(
    version: PackageVersion | ServiceItemVersion, answers: dict[str, Any], channel: Channel
) -> Callable[[Applicant], dict[str, Any]]:
    def make(applicant: Applicant) -> dict[str, Any]:
        made = application(version, applicant=applicant, answers=answers)
        if channel not in REMOTE_CHANNELS:  # the clerk sees the originals at the window
            made["materials"] = [
                MaterialInput(key=m.key, original_seen=True) if m.file is not None else m
                for m in made["materials"]
            ]
        return made

    return make


@dataclass(frozen=True)
class _Kind:
    """A target (package with one set of answers, or an item) for one kind of applicant."""

    name: str
    version: PackageVersion | ServiceItemVersion
    answers: dict[str, Any]
    applicant_kind: str
    promised_days: int
    tasks: int


def _kinds() -> list[_Kind]:
    packages = PackageVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
        "package"
    )
    kinds = [
        _Kind(
            f"{version.package.code}/{variant}",
            version,
            _answers(version, variant),
            version.subject_kind,
            version.promised_days,
            max(1, version.package_items.count()),
        )
        for version in packages
        for variant in (0, 1)
    ]
    items = ServiceItemVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("item")
    for version in items:
        audience = (
            [ApplicantKind.PERSON, ApplicantKind.ENTERPRISE]
            if version.service_object == ServiceObject.BOTH
            else [version.service_object]
        )
        kinds.extend(
            _Kind(f"{version.item.basic_code}/{kind}", version, {}, kind, version.promised_days, 1)
            for kind in audience
        )
    return kinds


class _Shapes:
    """The shapes drawn so far, made (and their templates played) on first use."""

    def __init__(self, loader: bulk.CaseLoader, clerk: Staff, city: Region) -> None:
        self.loader, self.clerk, self.city = loader, clerk, city
        self._made: dict[tuple[str, str, str], bulk.Shape | None] = {}
        self.template_seconds = 0.0

    def get(
        self, kind: _Kind, channel: Channel, ending: str, applicant: Applicant
    ) -> bulk.Shape | None:
        key = (kind.name, str(channel), ending)
        if key in self._made:
            return self._made[key]
        shape = bulk.Shape(
            name=f"{kind.name}/{channel}/{ending}",
            application=_application_for(kind.version, kind.answers, channel),
            channel=channel,
            applicant=applicant,
            clerk=self.clerk,
            accepting_region=self.city,
            hall=None,
            ending=ending,
        )
        try:
            self.loader.steps(shape)
        except (DomainError, bulk.TemplateError):
            # the services refuse this kind through this channel, or no demo officer
            # works in a department it needs
            shape = None
        self._made[key] = shape
        return shape


# --- moments ----------------------------------------------------------------------------


def _office(moment: dt.datetime) -> dt.datetime:
    """The moment, or the next opening of a working day when it falls outside office hours."""
    local = clock.local(moment)
    day, time = local.date(), local.time()
    if time < OPEN_AT:
        time = OPEN_AT
    elif time > CLOSE_AT:
        day, time = day + dt.timedelta(days=1), OPEN_AT
    while not calendar.is_workday(day):
        day, time = day + dt.timedelta(days=1), OPEN_AT
    return max(local, dt.datetime.combine(day, time, tzinfo=clock.SHANGHAI))


def _schedule(
    rng: random.Random,
    start: dt.datetime,
    labels: tuple[str, ...],
    kind: _Kind,
    minutes: int | None = None,
) -> list[dt.datetime]:
    """A moment for each step after ``start`` (the submission), in office hours.

    ``minutes``: a limit in minutes (村级直办 at a village centre): the applicant waits at
    the counter, so acceptance, claims and decisions follow within minutes (a few late)."""
    hours = dt.timedelta(hours=1)
    late = rng.random() < 0.08  # a case whose decisions run past the promised limit
    if minutes is not None:
        return _schedule_minutes(rng, start, labels, late=late)
    per_task = max(0.3, kind.promised_days / max(1, kind.tasks))
    moments = [start]
    for label in labels[1:]:
        if label == "pre_reviewed":
            wait = hours * rng.uniform(0.3, 6)
        elif label == "accepted":
            wait = hours * rng.uniform(0.1, 4)
        elif label == "claimed":
            wait = hours * rng.uniform(0.2, 8)
        elif label == "decided":
            days = per_task * rng.uniform(0.1, 0.9) * (2.5 if late else 1)
            wait = hours * max(0.5, days * 24)
        elif label == "handed_out":
            wait = hours * rng.uniform(1, 72)
        else:  # rejected
            wait = hours * rng.uniform(0.2, 3)
        at = _office(moments[-1] + wait)
        if at <= moments[-1]:
            at = moments[-1] + dt.timedelta(minutes=rng.randrange(3, 40))
        moments.append(at)
    return moments


def _schedule_minutes(
    rng: random.Random, start: dt.datetime, labels: tuple[str, ...], *, late: bool
) -> list[dt.datetime]:
    moments = [start]
    for label in labels[1:]:
        if label == "handed_out":
            wait = dt.timedelta(minutes=rng.uniform(1, 4))
        elif label == "decided":
            wait = dt.timedelta(minutes=rng.uniform(2, 7) * (4 if late else 1))
        else:
            wait = dt.timedelta(minutes=rng.uniform(0.5, 3))
        moments.append(moments[-1] + wait)
    return moments


def _start(rng: random.Random, now: dt.datetime) -> dt.datetime:
    today = clock.local(now).date()
    for _attempt in range(20):
        day = today - dt.timedelta(days=rng.randrange(DAYS))
        if calendar.is_workday(day):
            break
    minute = rng.randrange(8 * 60 + 30, 17 * 60 + 30)
    moment = dt.datetime.combine(
        day, dt.time(minute // 60, minute % 60, rng.randrange(60)), tzinfo=clock.SHANGHAI
    )
    return min(moment, now - dt.timedelta(minutes=rng.randrange(5, 240)))


# --- the section ------------------------------------------------------------------------


def _where(
    rng: random.Random, channel: Channel, counties: list[Region], halls: dict[str, list[Hall]]
) -> tuple[Region, Hall | None]:
    county = rng.choice(counties)
    if channel in REMOTE_CHANNELS:
        return county, None
    if channel == Channel.VILLAGE_CENTRE:
        stations = [h for h in halls.get("village", []) if h.region.code.startswith(county.code)]
        station = rng.choice(stations or halls.get("village", []) or [None])
        if station is not None:
            return station.region, station
    hall = next(iter(h for h in halls.get("county", []) if h.region_id == county.pk), None)
    return county, hall


def load_history(summary: DemoSummary) -> None:
    """Write the history cases not written yet (see the module docstring)."""
    size = history_size()
    clerk = Staff.objects.filter(user__username=CLERK).select_related("region", "hall").first()
    if size <= 0 or clerk is None:
        return
    present = Case.objects.filter(idempotency_key__startswith=KEY_PREFIX).count()
    summary.present["history cases"] += max(size, present)
    if present >= size:
        return
    have = set(
        Case.objects.filter(idempotency_key__startswith=KEY_PREFIX).values_list(
            "idempotency_key", flat=True
        )
    )
    city = clerk.region
    counties = list(
        Region.objects.filter(code__startswith=city.code, level=RegionLevel.COUNTY).order_by("code")
    ) or [city]
    halls: dict[str, list[Hall]] = {"county": [], "village": []}
    for hall in Hall.objects.select_related("region").filter(region__code__startswith=city.code):
        if hall.kind == HallKind.VILLAGE_STATION:
            halls["village"].append(hall)
        elif hall.region.level == RegionLevel.COUNTY:
            halls["county"].append(hall)
    applicants = _applicants(counties, size)
    kinds = [k for k in _kinds() if applicants.get(k.applicant_kind)]
    if not kinds:
        return
    loader = bulk.CaseLoader(files=True)
    shapes = _Shapes(loader, clerk, city)
    now = reference_moment(clock.now())
    channels = [c for c, _w in CHANNEL_WEIGHTS]
    channel_weights = [w for _c, w in CHANNEL_WEIGHTS]
    endings = [e for e, _w in ENDING_WEIGHTS]
    ending_weights = [w for _e, w in ENDING_WEIGHTS]
    orders: list[bulk.CaseOrder] = []
    for n in range(size):
        key = f"{KEY_PREFIX}{n:06d}"
        if key in have:
            continue
        rng = random.Random(key)  # noqa: S311 — demo data
        kind = rng.choice(kinds)
        ending = rng.choices(endings, ending_weights)[0]
        shape = None
        for _attempt in range(6):
            channel = rng.choices(channels, channel_weights)[0]
            if channel == Channel.VILLAGE_CENTRE and not (
                isinstance(kind.version, PackageVersion) and kind.version.village_class
            ):
                continue  # a 便民服务站 takes only the packages of a village class
            template_applicant = next(
                (a for a in applicants[kind.applicant_kind] if a.user_id is not None),
                applicants[kind.applicant_kind][0],
            )
            shape = shapes.get(kind, channel, ending, template_applicant)
            if shape is not None:
                break
        if shape is None:
            continue
        pool = applicants[kind.applicant_kind]
        if channel in REMOTE_CHANNELS:
            pool = [a for a in pool if a.user_id is not None] or pool
        applicant = rng.choice(pool)
        region, hall = _where(rng, channel, counties, halls)
        minutes = (
            minutes_promised(kind.version, channel)
            if isinstance(kind.version, PackageVersion)
            else None
        )
        moments = _schedule(rng, _start(rng, now), loader.steps(shape), kind, minutes)
        taken = [m for m in moments if m <= now]
        orders.append(
            bulk.CaseOrder(
                shape=shape,
                moments=taken,
                applicant=applicant,
                accepting_region=region,
                hall=hall,
                idempotency_key=key,
            )
        )
    result = loader.write(orders)
    summary.created["history cases"] += result.cases
