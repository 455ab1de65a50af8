"""Demo data of delivery: 邮政双向专递 in volume, played through the services.

Each load day (the demo's reference moment, see ``demo.cases``) has one generation of
postal cases, keyed ``onestop-post-demo-<day>-<n>``: single items (社会保障卡, 老年优待证,
流动人口婚育证明, 企业设立登记) applied for at the city hall by the demo's applicants, each of
whom keeps an address in their book and chose 邮寄送达 under the signed free-post
authorisation. By how long ago the hall posted the result, the parcels are

* delivered (posted 1–15 working days ago): signed for, so the case was handed out;
* under way (posted 1–3 hours ago): 揽收, 运输中 or 派送中 on the applicant's case page;
* returned (the simulator returns an address marked 查无此人 or 拒收): an alert on the desk;
* waiting at the 寄递台 (completed, post chosen, not yet posted);
* and paper materials on their way to the hall (online applications before acceptance).

The carrier is the configured one (the embedded simulator by default, its clock the
platform's): orders are placed after each commit at the frozen moment, then one
``shipments_sync`` at the real now records the tracking and hands the delivered cases out.
A second load creates nothing while the last generation is fresh (made today or on the
working day before, as the sample cases count it); a later load adds a new generation (the
older parcels stay, as history, and the beat's sync moves them on)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from onestop.accounts.models import Applicant, Staff
from onestop.cases import services as case_services
from onestop.cases.models import Case
from onestop.cases.states import Channel
from onestop.core import clock
from onestop.delivery import services
from onestop.delivery.models import Address, DeliveryMethod, Shipment
from onestop.delivery.states import ShipmentKind
from onestop.demo import cases as demo_cases
from onestop.demo.data import catalog as catalog_data
from onestop.demo.summary import DemoSummary

KEY_PREFIX = "onestop-post-demo-"
C = catalog_data

# Where the demo's applicants have their results sent (one address each; the simulator
# returns the parcels of the last one, whose address it cannot find).
ADDRESSES = {
    "liming": ("李明", "13807371001", "湖南省益阳市赫山区泉交河镇芙蓉村三组12号"),
    "wangfang": ("王芳", "13807371002", "湖南省益阳市资阳区长春镇长春村五组8号"),
    "zhangguiying": ("张桂英", "13807371003", "湖南省益阳市桃江县桃花江镇獭溪桥村二组"),
    "zhaolei": ("赵磊", "13807371004", "湖南省益阳市赫山区会龙山街道梓山湖社区7栋"),
    "enterprise": ("赵磊", "13807372001", "湖南省益阳市赫山区康富路88号资江食品办公楼"),
    "returned": ("王芳", "13807371002", "湖南省益阳市资阳区汽车路42号（查无此人）"),
}


@dataclass(frozen=True)
class Parcel:
    """One postal case: who applies for what, and how long ago the hall posted it."""

    item: str
    applicant: str  # a demo username, or "enterprise"
    posted_hours_ago: float | None  # None: not posted yet (waiting at the 寄递台)
    address: str = ""  # a key of ADDRESSES (default: the applicant's own)
    materials: bool = False  # an online application whose paper materials come by post


_DAY = 24.0  # hours; a working day back is counted by demo_cases.workday_before
PARCELS: tuple[Parcel, ...] = (
    # delivered: posted days ago
    *(
        Parcel(item, who, days * _DAY)
        for days, (item, who) in enumerate(
            [
                (C.SOCIAL_SECURITY_CARD, "liming"),
                (C.SENIOR_CARD, "zhangguiying"),
                (C.COMPANY_REGISTRATION, "enterprise"),
                (C.SOCIAL_SECURITY_CARD, "wangfang"),
                (C.MIGRANT_CERTIFICATE, "wangfang"),
                (C.SOCIAL_SECURITY_CARD, "zhaolei"),
                (C.COMPANY_REGISTRATION, "enterprise"),
                (C.SENIOR_CARD, "zhangguiying"),
                (C.SOCIAL_SECURITY_CARD, "liming"),
                (C.MIGRANT_CERTIFICATE, "wangfang"),
                (C.COMPANY_REGISTRATION, "enterprise"),
                (C.SOCIAL_SECURITY_CARD, "zhaolei"),
            ],
            start=1,
        )
    ),
    # under way: posted this afternoon
    Parcel(C.SOCIAL_SECURITY_CARD, "wangfang", 1.2),
    Parcel(C.COMPANY_REGISTRATION, "enterprise", 2.2),
    Parcel(C.SENIOR_CARD, "zhangguiying", 3.2),
    # returned
    Parcel(C.MIGRANT_CERTIFICATE, "wangfang", 2 * _DAY, address="returned"),
    Parcel(C.SOCIAL_SECURITY_CARD, "wangfang", 6.0, address="returned"),
    # waiting at the 寄递台
    Parcel(C.SOCIAL_SECURITY_CARD, "zhaolei", None),
    Parcel(C.SENIOR_CARD, "zhangguiying", None),
    # paper materials to the hall, before acceptance
    Parcel(C.COMPANY_REGISTRATION, "enterprise", 1 * _DAY, materials=True),
    Parcel(C.SOCIAL_SECURITY_CARD, "liming", 1.5, materials=True),
)


def _key(day: dt.date, number: int) -> str:
    return f"{KEY_PREFIX}{day:%Y%m%d}-{number:02d}"


def _applicant(cast: demo_cases.Cast, who: str) -> Applicant:
    return cast.enterprise if who == "enterprise" else cast.persons[who]


def _address(applicant: Applicant, which: str) -> Address:
    name, phone, text = ADDRESSES[which]
    found = Address.objects.filter(applicant=applicant, address=text).first()
    if found is not None:
        return found
    return services.address_save(
        applicant=applicant, name=name, phone=phone, address=text, is_default=which != "returned"
    )


def _posting_moment(now: dt.datetime, hours_ago: float) -> dt.datetime:
    """When the hall posted: hours back today, or whole days counted as working days (at
    15:00, after the decision at 14:00)."""
    if hours_ago < _DAY:
        return now - dt.timedelta(hours=hours_ago)
    day = demo_cases.workday_before(clock.local(now).date(), int(hours_ago // _DAY))
    return dt.datetime.combine(day, dt.time(15, 0), tzinfo=clock.SHANGHAI)


def _play(cast: demo_cases.Cast, parcel: Parcel, key: str, now: dt.datetime) -> None:
    applicant = _applicant(cast, parcel.applicant)
    clerk = cast.staff["clerk"]
    version = cast.items[parcel.item]
    if parcel.materials:
        # Applied for online; the paper originals go to the hall by free post.
        posted = _posting_moment(now, parcel.posted_hours_ago or 0.0)
        with clock.frozen(posted - dt.timedelta(minutes=30)):
            _address(applicant, parcel.address or parcel.applicant)
            case = case_services.case_submit(
                applicant=applicant,
                channel=Channel.ONLINE,
                accepting_region=cast.regions["4309"],
                created_by=applicant.user,
                idempotency_key=key,
                **demo_cases.application(version, applicant=applicant),
            )
        with clock.frozen(posted):
            _post(case_id=case.pk, kind=ShipmentKind.MATERIALS_TO_HALL, by=applicant, key=key)
        return

    posted = parcel.posted_hours_ago
    decided = (
        now - dt.timedelta(hours=4)
        if posted is None
        else _posting_moment(now, posted) - dt.timedelta(hours=1)
    )
    submitted = decided - dt.timedelta(hours=5)
    with clock.frozen(submitted):
        address = _address(applicant, parcel.address or parcel.applicant)
        case = case_services.case_intake(
            staff=clerk,
            applicant=applicant,
            channel=Channel.HALL_WINDOW,
            idempotency_key=key,
            **demo_cases.application(version, applicant=applicant),
        )
        services.delivery_choose(
            case_id=case.pk,
            applicant=applicant,
            method=DeliveryMethod.POST,
            address_id=address.pk,
            authorisation_signed=True,
        )
    with clock.frozen(submitted + dt.timedelta(minutes=20)):
        case_services.case_accept(case_id=case.pk, clerk=clerk)
    with clock.frozen(decided):
        demo_cases.decide(cast, case, parcel.item)
    if posted is None:
        return
    with clock.frozen(_posting_moment(now, posted)):
        _post(case_id=case.pk, kind=ShipmentKind.RESULTS_TO_APPLICANT, by=clerk, key=key)


def _post(*, case_id: int, kind: ShipmentKind, by: Staff | Applicant, key: str) -> None:
    """Register the parcel and order its waybill now, at the frozen moment (the after-commit
    order would come later with a worker, or never inside a test's transaction); the
    carrier answers the same order with the same waybill."""
    shipment = services.shipment_create(case_id=case_id, kind=kind, by=by, request_key=key)
    services.shipment_order(shipment_id=shipment.pk)


def _fresh_generation(today: dt.date) -> dt.date | None:
    """The day of the newest generation still fresh on ``today`` (made today or on the
    working day before, as the sample cases count it), None when there is none."""
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


def load_delivery(summary: DemoSummary) -> None:
    """A generation of postal cases unless a fresh one exists, then the carrier's news."""
    now = demo_cases.reference_moment(clock.now())
    today = clock.local(now).date()
    day = _fresh_generation(today) or today
    keys = [_key(day, n) for n in range(1, len(PARCELS) + 1)]
    have = set(
        Case.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
    )
    todo = [(p, k) for p, k in zip(PARCELS, keys, strict=True) if k not in have]
    if todo:
        cast = demo_cases.Cast.load()
        for parcel, key in todo:
            _play(cast, parcel, key, now)
        services.shipments_sync()
    for key in keys:
        summary.tally("postal cases", created=key not in have)
    shipments = Shipment.objects.filter(case__idempotency_key__in=keys)
    for key in shipments.values_list("case__idempotency_key", flat=True):
        summary.tally("shipments", created=key not in have)
