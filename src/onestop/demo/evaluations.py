"""Demo data of evaluations: six months of rated cases on every channel, 差评 in every stage.

Every case is played through the case services with the clock frozen in the past (entered,
accepted, decided, handed out), then rated through the rating services on its channel:
the window evaluator paired to a city-hall window, QR and SMS links, the portal on PC and
mobile, phone and paper ratings recorded by a clerk who did not handle the case, and the
system default rating for some that stayed unrated. Bad ratings are carried through the
差评 loop as far as their age allows (verify, rectify, feedback, the rater's opinion,
follow-up; an appeal upheld, one refused, one waiting), the newest left open.

The window evaluators are the city hall's comprehensive windows 1–3: the clerk pairs the
tablet of the window they work at that ISO week (window 3 every other week, 1 and 2 in
turn). Window 3 is short of staff: its ratings of the last ``SLOW_WORKDAYS`` working days
are 差评, so the monthly ranking (``evaluations.selectors.ranking_for``) shows it last two
months running, flagged.

Dates sit on a fixed grid (every fourth working day by ordinal), keyed
``demo-rating-YYYYMMDD-N``: a second load the same day creates nothing, a load days later
adds only the grid days that have come since.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager

from onestop.accounts.models import Applicant
from onestop.cases import services as case_services
from onestop.cases.models import Case
from onestop.cases.states import Channel
from onestop.core import clock
from onestop.demo import cases as demo_cases
from onestop.demo.summary import DemoSummary
from onestop.evaluations import services
from onestop.evaluations.models import EvaluatorPairing, Rating, Rectification
from onestop.evaluations.states import (
    RatingChannel,
    RatingLevel,
    RectificationRating,
    Triage,
)
from onestop.regions.models import Window
from onestop.workdays import calendar

KEY_PREFIX = "demo-rating-"
SPAN_WORKDAYS = 125  # about six months
GRID = 4  # a grid day every fourth working day
PER_DAY = 3
C = demo_cases.C

CHANNELS = (
    RatingChannel.WINDOW_TABLET,
    RatingChannel.QR,
    RatingChannel.PC,
    RatingChannel.WINDOW_TABLET,
    RatingChannel.MOBILE,
    RatingChannel.SMS,
    RatingChannel.PHONE,
    RatingChannel.WINDOW_TABLET,
    RatingChannel.PAPER,
)
WINDOWS = ("1", "2")  # the city hall's windows paired in odd weeks, in turn
SLOW_WINDOW = "3"  # paired in even weeks; its recent ratings are 差评
SLOW_WORKDAYS = 70  # "recent": enough for the two whole months before any day
ITEMS = (C.SOCIAL_SECURITY_CARD, C.SENIOR_CARD, C.BIRTH_REGISTRATION)
TEXTS_GOOD = ("窗口人员热情耐心", "一次就办好了，很方便", "", "流程清楚，材料一次说清", "")
TEXTS_BAD = ("排队时间太长", "窗口人员态度冷淡", "办事指南和窗口说法不一致", "等了很久没人接待")
# What happens to the bad ratings, oldest first (the newest stay open).
STAGES = (
    "closed",
    "upheld",
    "rated",
    "fed_back",
    "rectifying",
    "appealed",
    "verified",
    "closed",
    "refused",
    "rated",
    "closed",
)


@contextmanager
def _at(day: dt.date, hour: int, minute: int = 0) -> Iterator[dt.datetime]:
    with clock.frozen(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.SHANGHAI)) as m:
        yield m


def _grid_days(today: dt.date) -> list[dt.date]:
    """Working days on the grid within the span, oldest first, none later than two working
    days ago (the case needs a day to be decided and handed out)."""
    latest = demo_cases.workday_before(today, 2)
    oldest = demo_cases.workday_before(today, SPAN_WORKDAYS)
    days = []
    day = oldest
    while day <= latest:
        if calendar.is_workday(day) and day.toordinal() % GRID == 0:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _level(rng: random.Random) -> RatingLevel:
    roll = rng.random()
    if roll < 0.55:
        return RatingLevel.VERY_SATISFIED
    if roll < 0.76:
        return RatingLevel.SATISFIED
    if roll < 0.85:
        return RatingLevel.BASIC
    if roll < 0.93:
        return RatingLevel.DISSATISFIED
    return RatingLevel.VERY_DISSATISFIED


def _play_case(
    cast: demo_cases.Cast, day: dt.date, slot: int, channel: RatingChannel, key: str
) -> Case:
    """Entered, accepted, decided the next working day and handed out; returns the case."""
    persons = list(cast.persons.values())
    applicant: Applicant = persons[(day.toordinal() + slot) % len(persons)]
    code = ITEMS[(day.toordinal() // GRID + slot) % len(ITEMS)]
    version = cast.items[code]
    online = channel in (
        RatingChannel.PC,
        RatingChannel.MOBILE,
        RatingChannel.QR,
        RatingChannel.SMS,
    )
    heshan = channel in (RatingChannel.PHONE, RatingChannel.PAPER)
    clerk = cast.staff["clerk_heshan" if heshan else "clerk"]
    with _at(day, 9, 10 + 15 * slot):
        if online:
            case = case_services.case_submit(
                applicant=applicant,
                channel=Channel.MOBILE if channel == RatingChannel.MOBILE else Channel.ONLINE,
                accepting_region=cast.regions["4309"],
                created_by=applicant.user,
                idempotency_key=key,
                **demo_cases.application(version, applicant=applicant),
            )
            case = case_services.case_pre_review_pass(case_id=case.pk, clerk=clerk)
        else:
            case = case_services.case_intake(
                staff=clerk,
                applicant=applicant,
                channel=Channel.HALL_WINDOW,
                idempotency_key=key,
                **demo_cases.application(version, applicant=applicant),
            )
    with _at(day, 10, 10 + 15 * slot):
        case = case_services.case_accept(case_id=case.pk, clerk=clerk)
    next_day = calendar.add_workdays(day, 1).value
    with _at(next_day, 11, 10 + 15 * slot):
        demo_cases.decide(cast, case, code)
    with _at(next_day, 15, 10 + 15 * slot):
        return case_services.case_hand_out(case_id=case.pk, clerk=clerk)


def _rate(
    cast: demo_cases.Cast,
    case: Case,
    channel: RatingChannel,
    level: RatingLevel,
    rng: random.Random,
    pairing: EvaluatorPairing | None,
) -> Rating:
    bad = level >= RatingLevel.DISSATISFIED
    scope = services.indicator_scope(case)
    codes = (
        [rng.choice(["201", "202", "203"] if scope == "onsite" else ["101", "102", "103", "104"])]
        if bad
        else []
    )
    text = rng.choice(TEXTS_BAD if bad else TEXTS_GOOD)
    assert case.delivered_at is not None
    with clock.frozen(case.delivered_at + dt.timedelta(minutes=3)):
        if channel == RatingChannel.WINDOW_TABLET:
            assert pairing is not None
            services.evaluator_light(case_id=case.pk, clerk_id=pairing.clerk_id)
            return services.rating_submit_at_window(
                pairing_token=pairing.token,
                case_id=case.pk,
                level=level,
                indicator_codes=codes,
                text=text,
            )
        if channel in (RatingChannel.QR, RatingChannel.SMS):
            token = services.rating_token_issue(case_id=case.pk, channel=channel)
            return services.rating_submit_by_token(
                token=token.token, level=level, indicator_codes=codes, text=text
            )
        if channel in (RatingChannel.PC, RatingChannel.MOBILE):
            return services.rating_submit(
                case_id=case.pk,
                user=case.applicant.user,
                level=level,
                channel=channel,
                indicator_codes=codes,
                text=text,
            )
    # Phone (12345) and paper forms are entered by the city clerk a little later.
    with clock.frozen(case.delivered_at + dt.timedelta(hours=2)):
        return services.rating_record(
            case_id=case.pk,
            clerk=cast.staff["clerk"],
            level=level,
            channel=channel,
            indicator_codes=codes,
            text=text if channel == RatingChannel.PAPER else f"12345来电：{text or '表示满意'}",
        )


def _advance(cast: demo_cases.Cast, rect: Rectification, stage: str, today: dt.date) -> None:
    """Carry a rectification to ``stage`` with each step a working day after the last."""
    officer = rect.officer
    if officer is None or stage == "open":
        return
    start = clock.local(rect.rating.rated_at).date()
    steps: list[tuple[str, dict[str, object]]] = []
    if stage in ("upheld", "refused", "appealed"):
        steps.append(("appeal", {"reason": "调取窗口监控录像，评价人当日误触评价器，申请复核"}))
        if stage != "appealed":
            steps.append(("review", {"upheld": stage == "upheld"}))
    else:
        deadline_fix = stage == "rectifying" or (stage != "verified" and rect.pk % 2 == 0)
        steps.append(("verify", {"deadline": deadline_fix}))
        if stage != "verified" and stage != "rectifying":
            steps.append(("feedback", {}))
            if stage in ("rated", "closed"):
                steps.append(("rate", {}))
            if stage == "closed":
                steps.append(("follow_up", {}))
    for n, (step, args) in enumerate(steps, start=1):
        day = calendar.add_workdays(start, n).value
        if day >= today:
            return
        with _at(day, 14):
            if step == "appeal":
                services.rectification_appeal(
                    rectification_id=rect.pk, officer=officer, reason=str(args["reason"])
                )
            elif step == "review":
                services.rectification_review(
                    rectification_id=rect.pk,
                    supervisor=cast.staff["supervisor"],
                    upheld=bool(args["upheld"]),
                    decision="录像显示误操作，认定误评，差评不计入"
                    if args["upheld"]
                    else "证据不足以认定误评，继续整改",
                )
            elif step == "verify":
                services.rectification_verify(
                    rectification_id=rect.pk,
                    officer=officer,
                    finding="已电话联系评价人核实，反映情况属实",
                    triage=Triage.DEADLINE if args["deadline"] else Triage.IMMEDIATE,
                    reform_on=calendar.add_workdays(day, 10).value if args["deadline"] else None,
                )
            elif step == "feedback":
                services.rectification_feedback(
                    rectification_id=rect.pk,
                    officer=officer,
                    reform_content="已对窗口人员开展服务规范培训，高峰时段增开窗口，并向您致歉",
                )
            elif step == "rate":
                services.rectification_rate(
                    rectification_id=rect.pk,
                    user=rect.rating.applicant.user,
                    opinion=RectificationRating.SATISFIED
                    if rect.pk % 3
                    else RectificationRating.BASIC,
                )
            elif step == "follow_up":
                services.rectification_follow_up(
                    rectification_id=rect.pk, officer=officer, note="电话回访，评价人对整改表示认可"
                )
        rect.refresh_from_db()


def _window_number(day: dt.date) -> str:
    """The window the city clerk works at (and pairs the tablet of) in that ISO week."""
    week = day.isocalendar().week
    return SLOW_WINDOW if week % 2 == 0 else WINDOWS[week // 2 % len(WINDOWS)]


def _pairing(cast: demo_cases.Cast, number: str) -> EvaluatorPairing:
    """The clerk's tablet pairing at window ``number`` of their hall (paired anew on a move)."""
    clerk = cast.staff["clerk"]
    existing = (
        EvaluatorPairing.objects.filter(clerk=clerk, is_active=True)
        .select_related("window")
        .first()
    )
    if existing is not None and existing.window.number == number:
        return existing
    window = Window.objects.filter(hall_id=clerk.hall_id, number=number).first()
    assert window is not None, f"the city hall has window {number}"
    return services.evaluator_pair(window_id=window.pk, clerk=clerk)


def load_evaluations(summary: DemoSummary) -> None:
    """Rated cases on the grid days of the last six months (see the module doc)."""
    services.indicators_ensure()  # a flushed database lost the migration's set
    now = demo_cases.reference_moment(clock.now())
    today = clock.local(now).date()
    days = _grid_days(today)
    keys = {f"{KEY_PREFIX}{day:%Y%m%d}-{slot}" for day in days for slot in range(PER_DAY)}
    done = set(
        Case.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
    )
    if len(done) < len(keys):
        cast = demo_cases.Cast.load()
        slow_since = demo_cases.workday_before(today, SLOW_WORKDAYS)
        bad: list[Rectification] = []
        for day in days:
            for slot in range(PER_DAY):
                key = f"{KEY_PREFIX}{day:%Y%m%d}-{slot}"
                if key in done:
                    continue
                rng = random.Random(day.toordinal() * 10 + slot)  # noqa: S311 (demo data)
                channel = CHANNELS[(day.toordinal() // GRID * PER_DAY + slot) % len(CHANNELS)]
                number = _window_number(day)
                slow = (
                    channel == RatingChannel.WINDOW_TABLET
                    and number == SLOW_WINDOW
                    and day >= slow_since
                )
                case = _play_case(cast, day, slot, channel, key)
                if rng.random() < 0.1 and not slow:
                    continue  # not rated: the default sweep or the SMS invitation reaches it
                level = (
                    rng.choice([RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED])
                    if slow
                    else _level(rng)
                )
                pairing = None
                if channel == RatingChannel.WINDOW_TABLET:
                    with _at(day, 8, 50):
                        pairing = _pairing(cast, number)
                rating = _rate(cast, case, channel, level, rng, pairing)
                if rating.is_bad:
                    bad.append(rating.rectification)
        for n, rect in enumerate(bad):
            remaining = len(bad) - n
            stage = "open" if remaining <= 2 else STAGES[n % len(STAGES)]
            _advance(cast, rect, stage, today)
        # Cases unrated long ago get the system default rating (demonstrated even though
        # the setting is off by default); recent ones an SMS invitation.
        services.ratings_default_sweep(enabled=True)
        with clock.frozen(now):
            services.rating_invitations_send()
    for key in sorted(keys):
        summary.tally("rated cases", created=key not in done)
