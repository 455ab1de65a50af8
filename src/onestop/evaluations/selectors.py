"""好差评 reads: what each viewer may see (raters masked), the evaluator's state, and the
rates per hall, window, department, staff member, item and region for any period."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext

from onestop.accounts.models import Applicant, ApplicantKind, Staff
from onestop.accounts.roles import Permission
from onestop.cases.models import Case
from onestop.core import clock
from onestop.core.masking import mask_id_number, mask_name
from onestop.evaluations.models import (
    EvaluatorPairing,
    Indicator,
    RatedItem,
    Rating,
    RatingToken,
    Rectification,
)
from onestop.evaluations.states import (
    BAD_LEVELS,
    GOOD_LEVELS,
    RECTIFICATION_OPEN_STATES,
    RECTIFICATION_TRANSITIONS,
    IndicatorScope,
    RatingKind,
    RatingLevel,
    RatingStatus,
    RectificationRating,
    RectificationState,
)
from onestop.regions.models import Department, Hall, Window
from onestop.workdays import calendar as workdays


def rater_masked(applicant: Applicant) -> dict[str, str]:
    """The rater as staff and exports see them: family name and masked number only."""
    if applicant.kind == ApplicantKind.PERSON:
        return {
            "name": mask_name(applicant.name),
            "identifier": mask_id_number(applicant.id_number),
        }
    return {"name": applicant.name, "identifier": applicant.uscc}  # an enterprise is public


def indicators_current(scope: IndicatorScope | str) -> QuerySet[Indicator]:
    return Indicator.objects.filter(indicator_set__is_current=True, scope=scope).order_by("order")


def rating_list_for_case(case: Case) -> QuerySet[Rating]:
    return (
        Rating.objects.filter(case_id=case.pk)
        .select_related("applicant")
        .prefetch_related("indicators")
        .order_by("rated_at")
    )


def ratings_of_applicant(applicant: Applicant) -> QuerySet[Rating]:
    return (
        Rating.objects.filter(applicant_id=applicant.pk)
        .select_related("case", "rectification")
        .prefetch_related("indicators")
        .order_by("-rated_at")
    )


def token_get(token: str) -> RatingToken | None:
    return RatingToken.objects.select_related("case").filter(token=token).first()


def pairing_get(token: str) -> EvaluatorPairing | None:
    return (
        EvaluatorPairing.objects.select_related("window__hall", "current_case")
        .filter(token=token, is_active=True)
        .first()
    )


def evaluator_state(pairing: EvaluatorPairing) -> dict[str, Any]:
    """What the tablet shows: the window, and the case waiting for a tap (no personal data)."""
    case = pairing.current_case
    return {
        "window": f"{pairing.window.number}",
        "hall": pairing.window.hall.name,
        "lit": case is not None,
        "case": None
        if case is None
        else {"id": case.pk, "title": case.title, "number_tail": (case.number or "")[-5:]},
    }


def rectification_inbox_for(officer: Staff) -> QuerySet[Rectification]:
    """The 差评 an officer must handle: their department's open rectifications."""
    if officer.department_id is None:
        return Rectification.objects.none()
    return (
        Rectification.objects.filter(
            department_id=officer.department_id, state__in=RECTIFICATION_OPEN_STATES
        )
        .select_related("rating__case", "rating__applicant")
        .order_by("due_at")
    )


def rectifications_overdue(staff: Staff) -> QuerySet[Rectification]:
    """Overdue rectifications in the supervisor's region (their desk)."""
    return Rectification.objects.filter(
        rating__region_code__startswith=staff.region.code,
        state__in=RECTIFICATION_OPEN_STATES,
        due_at__lt=clock.now(),
    ).select_related("rating__case", "department")


def rater_visible_to(staff: Staff, rectification: Rectification) -> bool:
    """Staff never see who rated, except the officer assigned that 差评 (to verify and call
    back); supervisors reviewing an appeal see the rater masked like everyone else."""
    return rectification.officer_id == staff.pk and staff.has_permission(
        Permission.RECTIFICATION_HANDLE
    )


@dataclass(frozen=True)
class Rates:
    """好评率, 差评率 and participation for one subject and period (invalid ratings excluded)."""

    ratings: int
    good: int
    bad: int
    rated_cases: int
    completed_cases: int | None
    rectified: int = 0  # 差评 fed back (or further): 整改 done
    followed_up: int = 0  # 差评 whose 回访 is recorded
    opinions: int = 0  # rectifications the rater rated
    opinions_satisfied: int = 0  # … 满意 or 基本满意

    @property
    def rectification_rate(self) -> float | None:
        """差评整改率."""
        return self.rectified / self.bad if self.bad else None

    @property
    def follow_up_rate(self) -> float | None:
        """实名差评回访率 (every rating here is 实名: the rater is the case's applicant)."""
        return self.followed_up / self.bad if self.bad else None

    @property
    def rectification_satisfaction(self) -> float | None:
        """整改满意率: 满意 or 基本满意 among the raters who rated the rectification."""
        return self.opinions_satisfied / self.opinions if self.opinions else None

    @property
    def good_rate(self) -> float | None:
        return self.good / self.ratings if self.ratings else None

    @property
    def bad_rate(self) -> float | None:
        return self.bad / self.ratings if self.ratings else None

    @property
    def participation(self) -> float | None:
        if not self.completed_cases:
            return None
        return self.rated_cases / self.completed_cases


RECTIFIED_STATES = [
    RectificationState.FED_BACK,
    RectificationState.RATED,
    RectificationState.CLOSED,
]


FIRST_KINDS = [RatingKind.FIRST, RatingKind.LATE, RatingKind.DEFAULT]


def _counted(start: dt.datetime, end: dt.datetime) -> QuerySet[Rating]:
    """The ratings the figures count: valid first / late / default ratings made in [start, end)."""
    return Rating.objects.filter(
        rated_at__gte=start, rated_at__lt=end, status=RatingStatus.VALID, kind__in=FIRST_KINDS
    )


def _figures(*, distinct: bool) -> dict[str, Count]:
    """The aggregates behind ``Rates``, computed in SQL. ``distinct`` only when the query joins
    a many-valued relation (rated items); the rectification is one-to-one and never multiplies
    rows, and COUNT(DISTINCT …) over a year of ratings is what made the figures slow.

    Rated cases are the counted ratings: the rater is always the case's applicant and the
    database allows one first (首次, 补充, 默认) rating per case and applicant
    (``rating_one_first_per_case``), so no case is counted twice."""
    return {
        "total": Count("pk", distinct=distinct),
        "good": Count("pk", filter=Q(level__in=[int(v) for v in GOOD_LEVELS]), distinct=distinct),
        "bad": Count("pk", filter=Q(level__in=[int(v) for v in BAD_LEVELS]), distinct=distinct),
        "rated": Count("pk", distinct=distinct),
        "rectified": Count(
            "pk", filter=Q(rectification__state__in=RECTIFIED_STATES), distinct=distinct
        ),
        "followed_up": Count(
            "pk", filter=Q(rectification__state=RectificationState.CLOSED), distinct=distinct
        ),
        "opinions": Count(
            "pk",
            filter=Q(rectification__rater_opinion__in=RectificationRating.values),
            distinct=distinct,
        ),
        "satisfied": Count(
            "pk",
            filter=Q(
                rectification__rater_opinion__in=[
                    RectificationRating.SATISFIED,
                    RectificationRating.BASIC,
                ]
            ),
            distinct=distinct,
        ),
    }


def _rates(figures: dict[str, Any], completed: int | None) -> Rates:
    return Rates(
        ratings=int(figures["total"] or 0),
        good=int(figures["good"] or 0),
        bad=int(figures["bad"] or 0),
        rated_cases=int(figures["rated"] or 0),
        completed_cases=completed,
        rectified=int(figures["rectified"] or 0),
        followed_up=int(figures["followed_up"] or 0),
        opinions=int(figures["opinions"] or 0),
        opinions_satisfied=int(figures["satisfied"] or 0),
    )


def rates_for(
    *,
    start: dt.datetime,
    end: dt.datetime,
    region_code: str | None = None,
    hall_id: int | None = None,
    window_id: int | None = None,
    department_id: int | None = None,
    staff_id: int | None = None,
    item_id: int | None = None,
) -> Rates:
    """Rates of the valid first ratings made in [start, end) for the subjects named.

    Participation (rated / completed cases) is given for region, hall and department, the
    subjects a completed case is counted against; for a window, staff member or item None.
    """
    ratings = _counted(start, end)
    cases: QuerySet[Case] | None = Case.objects.filter(
        completed_at__gte=start, completed_at__lt=end
    )
    joins_many = False
    if region_code:
        ratings = ratings.filter(region_code__startswith=region_code)
        cases = cases.filter(region_code__startswith=region_code) if cases is not None else None
    if hall_id is not None:
        ratings = ratings.filter(hall_id=hall_id)
        cases = cases.filter(hall_id=hall_id) if cases is not None else None
    if department_id is not None:
        ratings, joins_many = (
            ratings.filter(Q(department_id=department_id) | Q(items__department_id=department_id)),
            True,
        )
        cases = (
            cases.filter(tasks__department_id=department_id).distinct()
            if cases is not None
            else None
        )
    if window_id is not None:
        ratings, cases = ratings.filter(window_id=window_id), None
    if staff_id is not None:
        ratings = ratings.filter(Q(staff_id=staff_id) | Q(items__officer_id=staff_id))
        cases, joins_many = None, True
    if item_id is not None:
        ratings, cases, joins_many = ratings.filter(items__item_id=item_id), None, True
    figures = ratings.aggregate(**_figures(distinct=joins_many))
    return _rates(figures, cases.count() if cases is not None else None)


RankedBy = Literal["window", "hall", "department"]


def rates_by(
    *, start: dt.datetime, end: dt.datetime, by: RankedBy, region_code: str = ""
) -> dict[int, Rates]:
    """``rates_for`` of every window, hall or department of the region subtree (the
    subject's own region: a window's hall, a department's seat) at once, keyed by id; the
    subjects without a rating in [start, end) are left out. Each figure equals
    ``rates_for(…, window_id= | hall_id= | department_id=…)`` of that subject."""
    ratings = _counted(start, end)
    completed = Case.objects.filter(completed_at__gte=start, completed_at__lt=end)
    found: dict[int, dict[str, int]] = {}
    if by in ("window", "hall"):
        where = "window__hall__region__code" if by == "window" else "hall__region__code"
        subjects: dict[str, bool | str] = {f"{by}__isnull": False}
        if region_code:
            subjects[f"{where}__startswith"] = region_code
        rows = ratings.filter(**subjects).values(f"{by}_id").annotate(**_figures(distinct=False))
        found = {row[f"{by}_id"]: row for row in rows}
        if by == "window":
            return {pk: _rates(row, None) for pk, row in found.items()}
        if region_code:
            completed = completed.filter(hall__region__code__startswith=region_code)
        cases = dict(
            completed.filter(hall__isnull=False)
            .values("hall_id")
            .annotate(n=Count("pk"))
            .values_list("hall_id", "n")
        )
        return {pk: _rates(row, cases.get(pk, 0)) for pk, row in found.items()}
    # A department is rated for the items it handled and, where it handled none of them,
    # as the case's lead department (rates_for's Q(department) | Q(items__department)):
    # two disjoint groups of (rating, department), so their counts add up.
    in_region = {"department__region__code__startswith": region_code} if region_code else {}
    handled = (
        ratings.filter(items__isnull=False, **{f"items__{k}": v for k, v in in_region.items()})
        .values("items__department_id")
        .annotate(**_figures(distinct=True))
    )
    led = (
        ratings.filter(department__isnull=False, **in_region)
        .filter(
            ~Exists(
                RatedItem.objects.filter(
                    rating_id=OuterRef("pk"), department_id=OuterRef("department_id")
                )
            )
        )
        .values("department_id")
        .annotate(**_figures(distinct=False))
    )
    for row in [*({**r, "department_id": r["items__department_id"]} for r in handled), *led]:
        into = found.setdefault(row["department_id"], dict.fromkeys(_figures(distinct=False), 0))
        for key in into:
            into[key] += int(row[key] or 0)
    cases = dict(
        completed.filter(tasks__isnull=False, **{f"tasks__{k}": v for k, v in in_region.items()})
        .values("tasks__department_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("tasks__department_id", "n")
    )
    return {pk: _rates(row, cases.get(pk, 0)) for pk, row in found.items()}


def month_moments(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the calendar month of ``month`` in Asia/Shanghai."""
    first = month.replace(day=1)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=clock.SHANGHAI),
        dt.datetime.combine(after, dt.time.min, tzinfo=clock.SHANGHAI),
    )


def month_before(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def ranking_month(until: dt.date) -> dt.date:
    """The last whole month up to ``until`` that is over: the month of ``until`` when it is
    its last day and already past, else the month before (first day returned)."""
    last_day = (until.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    if until == last_day and until < clock.today():
        return until.replace(day=1)
    return month_before(until)


def _rank_key(rates: Rates) -> tuple[float, float]:
    """Best first: the lower 差评率, then the higher 好评率."""
    return (rates.bad_rate or 0.0, -(rates.good_rate or 0.0))


@dataclass(frozen=True)
class RankedRow:
    """One window or department in the month's ranking."""

    subject_id: int
    name: str
    place: str  # the hall of a window, the region of a department
    rates: Rates
    position: int  # 1 = best; subjects with equal figures share a position
    is_lowest: bool  # among the lowest ONESTOP_RATING_RANKING_LOWEST this month
    was_lowest: bool  # … and the month before
    previous: Rates | None  # the month before (None: not rated then)

    @property
    def is_flagged(self) -> bool:
        """Among the lowest two months running (DOMAIN.md §1.6: 约谈)."""
        return self.is_lowest and self.was_lowest

    @property
    def good_percent(self) -> str:
        return _percent(self.rates.good_rate)

    @property
    def bad_percent(self) -> str:
        return _percent(self.rates.bad_rate)

    @property
    def rectification_percent(self) -> str:
        return _percent(self.rates.rectification_rate)

    @property
    def participation_percent(self) -> str:
        return _percent(self.rates.participation)

    @property
    def previous_bad_percent(self) -> str:
        return _percent(self.previous.bad_rate if self.previous else None)


@dataclass(frozen=True)
class Ranking:
    month: dt.date
    previous_month: dt.date
    lowest: int
    windows: list[RankedRow]
    departments: list[RankedRow]

    @property
    def flagged_windows(self) -> list[RankedRow]:
        return [row for row in self.windows if row.is_flagged]


def ranking_lowest() -> int:
    return max(int(settings.ONESTOP_RATING_RANKING_LOWEST), 1)


def _lowest(rates: dict[int, Rates], lowest: int) -> tuple[dict[int, int], set[int]]:
    """Positions (1 = best, shared on equal figures) and the subjects among the lowest
    ``lowest``: fewer than ``lowest`` subjects have worse figures, and theirs are worse than
    the best one's (where every subject is equal, none is lowest)."""
    keys = {pk: _rank_key(r) for pk, r in rates.items()}
    ordered = sorted(keys.values())
    positions = {pk: 1 + bisect_left(ordered, key) for pk, key in keys.items()}
    best = ordered[0] if ordered else None
    low = {
        pk
        for pk, key in keys.items()
        if key != best and len(ordered) - bisect_right(ordered, key) < lowest
    }
    return positions, low


def ranking_for(*, region_code: str, month: dt.date) -> Ranking:
    """月度排名: the windows and departments of the region subtree rated in ``month``, best
    first by 差评率 then 好评率; each flagged when it was among the lowest N
    (``ONESTOP_RATING_RANKING_LOWEST``) in this month and in the month before."""
    month = month.replace(day=1)
    before = month_before(month)
    lowest = ranking_lowest()
    sections: dict[str, list[RankedRow]] = {}
    for by in ("window", "department"):
        start, end = month_moments(month)
        now_rates = rates_by(start=start, end=end, by=by, region_code=region_code)
        start, end = month_moments(before)
        then_rates = rates_by(start=start, end=end, by=by, region_code=region_code)
        positions, low = _lowest(now_rates, lowest)
        _then_positions, low_then = _lowest(then_rates, lowest)
        names = _subject_names(by, now_rates.keys())
        rows = [
            RankedRow(
                subject_id=pk,
                name=names[pk][0],
                place=names[pk][1],
                rates=rates,
                position=positions[pk],
                is_lowest=pk in low,
                was_lowest=pk in low_then,
                previous=then_rates.get(pk),
            )
            for pk, rates in now_rates.items()
        ]
        rows.sort(key=lambda r: (r.position, r.place, r.name))
        sections[by] = rows
    return Ranking(
        month=month,
        previous_month=before,
        lowest=lowest,
        windows=sections["window"],
        departments=sections["department"],
    )


FIGURES_CACHE_SECONDS = 300


def ranking_cached(*, region_code: str, month: dt.date) -> Ranking:
    """``ranking_for`` read through the cache for a few minutes, as the dashboard's other
    rating figures are: at a million ratings a year it takes a second or two."""
    key = f"evaluations:ranking:{region_code}:{month:%Y-%m}:{ranking_lowest()}"
    found = cache.get(key)
    if isinstance(found, Ranking):
        return found
    found = ranking_for(region_code=region_code, month=month)
    cache.set(key, found, FIGURES_CACHE_SECONDS)
    return found


def _subject_names(by: str, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    if by == "window":
        return {
            w.pk: (f"{w.number}号 {w.name}", w.hall.name)
            for w in Window.objects.filter(pk__in=list(ids)).select_related("hall")
        }
    if by == "hall":
        return {
            h.pk: (h.name, h.region.name)
            for h in Hall.objects.filter(pk__in=list(ids)).select_related("region")
        }
    return {
        d.pk: (d.name, d.region.name)
        for d in Department.objects.filter(pk__in=list(ids)).select_related("region")
    }


@dataclass(frozen=True)
class PublishedRow:
    """One department or hall on the public page: names and rates only."""

    name: str
    place: str
    ratings: int
    good_rate: float | None
    bad_rate: float | None
    rectification_rate: float | None

    @property
    def good_percent(self) -> str:
        return _percent(self.good_rate)

    @property
    def bad_percent(self) -> str:
        return _percent(self.bad_rate)

    @property
    def rectification_percent(self) -> str:
        """差评整改率; "—" where there was no 差评."""
        return _percent(self.rectification_rate)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@dataclass(frozen=True)
class PublishedPeriod:
    label: str
    start: dt.date
    end: dt.date  # inclusive
    departments: list[PublishedRow]
    halls: list[PublishedRow]

    @property
    def sections(self) -> list[tuple[str, list[PublishedRow]]]:
        return [(gettext("按部门"), self.departments), (gettext("按服务大厅"), self.halls)]


def quarter_last(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last whole calendar quarter before ``today``: (first day, last day)."""
    first_this = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    last = first_this - dt.timedelta(days=1)
    return last.replace(month=(last.month - 1) // 3 * 3 + 1, day=1), last


def results_published(*, today: dt.date | None = None) -> list[PublishedPeriod]:
    """评价结果向社会公开: per department and per hall, last month and last quarter — counts
    and rates only, never a rater, a case or a member of staff. Read through the cache for
    a few minutes: the page is public and its figures take seconds at a million ratings."""
    today = today or clock.today()
    key = f"evaluations:published:{today}:{translation.get_language()}"
    found = cache.get(key)
    if isinstance(found, list):
        return found
    periods = _results_published(today)
    cache.set(key, periods, FIGURES_CACHE_SECONDS)
    return periods


def _results_published(today: dt.date) -> list[PublishedPeriod]:
    month = month_before(today)
    month_end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    q_start, q_end = quarter_last(today)
    periods = []
    for label, first, last in (
        (gettext("上月（%(y)d年%(m)d月）") % {"y": month.year, "m": month.month}, month, month_end),
        (
            gettext("上季度（%(y)d年第%(q)d季度）")
            % {"y": q_start.year, "q": (q_start.month - 1) // 3 + 1},
            q_start,
            q_end,
        ),
    ):
        start = dt.datetime.combine(first, dt.time.min, tzinfo=clock.SHANGHAI)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI)
        sections = {}
        for by in ("department", "hall"):
            rates = rates_by(start=start, end=end, by=by)
            names = _subject_names(by, rates.keys())
            sections[by] = sorted(
                (
                    PublishedRow(
                        name=names[pk][0],
                        place=names[pk][1],
                        ratings=r.ratings,
                        good_rate=r.good_rate,
                        bad_rate=r.bad_rate,
                        rectification_rate=r.rectification_rate,
                    )
                    for pk, r in rates.items()
                ),
                key=lambda row: (row.place, row.name),
            )
        periods.append(
            PublishedPeriod(
                label=label,
                start=first,
                end=last,
                departments=sections["department"],
                halls=sections["hall"],
            )
        )
    return periods


def level_choices() -> list[tuple[int, str]]:
    return [(int(level), str(level.label)) for level in RatingLevel]


def ratings_between(start: dt.date, end: dt.date) -> QuerySet[Rating]:
    """Ratings made on the Shanghai dates start … end (inclusive), oldest first, for export."""
    since = dt.datetime.combine(start, dt.time.min, tzinfo=clock.SHANGHAI)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI)
    return (
        Rating.objects.filter(rated_at__gte=since, rated_at__lt=until)
        .select_related(
            "case__item_version",
            "applicant",
            "department__region",
            "staff",
        )
        .prefetch_related("indicators")
        .order_by("rated_at", "pk")
    )


def rectification_light(rect: Rectification, *, now: dt.datetime | None = None) -> str:
    """Traffic light as on tasks: red past the due date, yellow when at most
    ``ONESTOP_WARN_REMAINING_WORKDAYS`` working days remain, green otherwise; "" once final."""
    if rect.state not in RECTIFICATION_OPEN_STATES:
        return ""
    moment = now or clock.now()
    if moment > rect.due_at:
        return "red"
    warn = int(settings.ONESTOP_WARN_REMAINING_WORKDAYS)
    if workdays.deadline(moment, warn).at >= rect.due_at:
        return "yellow"
    return "green"


def rectification_actions(rect: Rectification, staff: Staff | None) -> dict[str, bool]:
    """What a member of staff may do to a rectification now: the moves the transition table
    allows from its state, narrowed by permission and department (the pages draw these)."""
    moves = RECTIFICATION_TRANSITIONS[RectificationState(rect.state)]
    handles = (
        staff is not None
        and staff.has_permission(Permission.RECTIFICATION_HANDLE)
        and staff.department_id == rect.department_id
    )
    reviews = staff is not None and staff.has_permission(Permission.RATING_APPEAL_REVIEW)
    return {
        "verify": handles and RectificationState.VERIFIED in moves,
        "feedback": handles and RectificationState.FED_BACK in moves,
        "follow_up": handles and RectificationState.CLOSED in moves,
        "appeal": handles and RectificationState.APPEALED in moves,
        "review": reviews and RectificationState.UPHELD in moves,
    }


def rectification_opinion_open(rect: Rectification) -> bool:
    """Whether the rater may now rate the rectification (after feedback, once)."""
    return RectificationState.RATED in RECTIFICATION_TRANSITIONS[RectificationState(rect.state)]


def rectification_get(pk: int) -> Rectification | None:
    return (
        Rectification.objects.select_related(
            "rating__case", "rating__applicant", "department", "officer"
        )
        .prefetch_related("rating__indicators")
        .filter(pk=pk)
        .first()
    )


def rectifications_published(*, limit: int = 50) -> QuerySet[Rectification]:
    """评价结果及整改情况向社会公开: closed rectifications, no personal data in what is shown."""
    return (
        Rectification.objects.filter(state=RectificationState.CLOSED)
        .select_related("department", "rating")
        .order_by("-closed_at")[:limit]
    )
