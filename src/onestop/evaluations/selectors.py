"""好差评 reads: what each viewer may see (raters masked), the evaluator's state, and the
rates per hall, window, department, staff member, item and region for any period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from onestop.accounts.models import Applicant, ApplicantKind, Staff
from onestop.accounts.roles import Permission
from onestop.cases.models import Case
from onestop.core import clock
from onestop.core.masking import mask_id_number, mask_name
from onestop.evaluations.models import (
    EvaluatorPairing,
    Indicator,
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
    ratings = Rating.objects.filter(
        rated_at__gte=start,
        rated_at__lt=end,
        status=RatingStatus.VALID,
        kind__in=[RatingKind.FIRST, RatingKind.LATE, RatingKind.DEFAULT],
    )
    cases: QuerySet[Case] | None = Case.objects.filter(
        completed_at__gte=start, completed_at__lt=end
    )
    if region_code:
        ratings = ratings.filter(region_code__startswith=region_code)
        cases = cases.filter(region_code__startswith=region_code) if cases is not None else None
    if hall_id is not None:
        ratings = ratings.filter(hall_id=hall_id)
        cases = cases.filter(hall_id=hall_id) if cases is not None else None
    if department_id is not None:
        ratings = ratings.filter(
            Q(department_id=department_id) | Q(items__department_id=department_id)
        ).distinct()
        cases = (
            cases.filter(tasks__department_id=department_id).distinct()
            if cases is not None
            else None
        )
    if window_id is not None:
        ratings, cases = ratings.filter(window_id=window_id), None
    if staff_id is not None:
        ratings = ratings.filter(Q(staff_id=staff_id) | Q(items__officer_id=staff_id)).distinct()
        cases = None
    if item_id is not None:
        ratings, cases = ratings.filter(items__item_id=item_id).distinct(), None
    figures = ratings.aggregate(
        total=Count("pk", distinct=True),
        good=Count("pk", filter=Q(level__in=[int(v) for v in GOOD_LEVELS]), distinct=True),
        bad=Count("pk", filter=Q(level__in=[int(v) for v in BAD_LEVELS]), distinct=True),
        rated=Count("case", distinct=True),
        rectified=Count("pk", filter=Q(rectification__state__in=RECTIFIED_STATES), distinct=True),
        followed_up=Count(
            "pk", filter=Q(rectification__state=RectificationState.CLOSED), distinct=True
        ),
        opinions=Count(
            "pk",
            filter=Q(rectification__rater_opinion__in=RectificationRating.values),
            distinct=True,
        ),
        satisfied=Count(
            "pk",
            filter=Q(
                rectification__rater_opinion__in=[
                    RectificationRating.SATISFIED,
                    RectificationRating.BASIC,
                ]
            ),
            distinct=True,
        ),
    )
    return Rates(
        ratings=figures["total"],
        good=figures["good"],
        bad=figures["bad"],
        rated_cases=figures["rated"],
        completed_cases=cases.count() if cases is not None else None,
        rectified=figures["rectified"],
        followed_up=figures["followed_up"],
        opinions=figures["opinions"],
        opinions_satisfied=figures["satisfied"],
    )


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
