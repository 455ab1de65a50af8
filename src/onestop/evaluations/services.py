"""好差评 writes: ratings on every channel, tokens, the window evaluator, the default sweep,
and the 差评 loop (核实 → 整改 → 反馈 → 回访 → 申诉复核).

Rules (DOMAIN.md §1.5, issue 9): one first rating per case and applicant; one follow-up
(二次评价) within ``ONESTOP_RATING_FOLLOW_UP_WORKDAYS`` of the first; a late (补充) rating
within ``ONESTOP_RATING_LATE_WORKDAYS`` of completion; a 差评 names at least one indicator;
a member of staff never rates (nor records a rating of) a case they handled; the public
page takes at most ``ONESTOP_RATING_PUBLIC_PER_HOUR`` ratings per address or device and
hour; a token works once and expires. The system default rating is off unless configured.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Sequence

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant, Staff, User
from onestop.accounts.roles import Permission
from onestop.cases.models import Case, CaseEvent, ItemTask
from onestop.cases.states import REMOTE_CHANNELS, TASK_SET_ASIDE_STATES, EventKind
from onestop.core import clock
from onestop.core.errors import (
    Conflict,
    DomainError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from onestop.evaluations import push, seed
from onestop.evaluations.models import (
    EvaluatorPairing,
    Indicator,
    IndicatorSet,
    PushRecord,
    RatedItem,
    Rating,
    RatingToken,
    Rectification,
)
from onestop.evaluations.states import (
    PUBLIC_CHANNELS,
    RATEABLE_CASE_STATES,
    RECORDED_CHANNELS,
    RECTIFICATION_TRANSITIONS,
    IndicatorScope,
    RatingChannel,
    RatingKind,
    RatingLevel,
    RatingStatus,
    RectificationRating,
    RectificationState,
    Triage,
    is_bad,
)
from onestop.notifications.models import MessageKind
from onestop.notifications.services import (
    Notice,
    applicant_recipient,
    messages_enqueue,
    staff_recipient,
)
from onestop.regions.models import Window
from onestop.workdays import calendar as workdays

TEXT_MAX = 500
FIRST_KINDS = (RatingKind.FIRST, RatingKind.LATE, RatingKind.DEFAULT)


class TooManyRatings(DomainError):
    """429: the public page's limit per address or device and hour is reached."""

    status = 429
    code = "too_many_ratings"


def _hash(value: str) -> str:
    if not value:
        return ""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()


def _staff_of(user: User | None) -> Staff | None:
    if user is None or not user.is_authenticated:
        return None
    return Staff.objects.filter(user_id=user.pk).first()


def _handled(case: Case, staff: Staff) -> bool:
    """Whether the member of staff acted on the case or was assigned one of its tasks."""
    if CaseEvent.objects.filter(case_id=case.pk, actor_id=staff.user_id).exists():
        return True
    return ItemTask.objects.filter(
        Q(assignee_id=staff.pk) | Q(decided_by_id=staff.pk), case_id=case.pk
    ).exists()


def _refuse_handler(case: Case, staff: Staff | None) -> None:
    if staff is not None and _handled(case, staff):
        raise PermissionDenied(_("工作人员不能评价自己经办的办件。"))


def indicator_scope(case: Case) -> IndicatorScope:
    """Online indicators for a case applied for online, on-site ones otherwise."""
    return IndicatorScope.ONLINE if case.channel in REMOTE_CHANNELS else IndicatorScope.ONSITE


def _indicators(case: Case, codes: Sequence[str]) -> list[Indicator]:
    wanted = sorted({code.strip() for code in codes if code.strip()})
    if not wanted:
        return []
    found = list(
        Indicator.objects.filter(
            indicator_set__is_current=True, scope=indicator_scope(case), code__in=wanted
        )
    )
    if len(found) != len(wanted):
        unknown = sorted(set(wanted) - {i.code for i in found})
        raise ValidationFailed(
            _("评价内容不在现行指标中：%(codes)s") % {"codes": "、".join(unknown)},
            field="indicators",
        )
    return found


def _end_of_service(case: Case) -> dt.datetime | None:
    return case.completed_at or case.closed_at


def _kind_for(case: Case, applicant: Applicant, now: dt.datetime) -> RatingKind:
    """首次 / 补充 / 二次 by what exists and how long ago the service ended."""
    previous = list(
        Rating.objects.filter(case_id=case.pk, applicant_id=applicant.pk).values_list(
            "kind", "rated_at"
        )
    )
    firsts = [at for kind, at in previous if kind in FIRST_KINDS]
    if firsts:
        if any(kind == RatingKind.FOLLOW_UP for kind, _at in previous):
            raise Conflict(_("该办件已评价过两次（首次评价和二次评价），不能再评价。"))
        limit = workdays.deadline(firsts[0], int(settings.ONESTOP_RATING_FOLLOW_UP_WORKDAYS))
        if now > limit.at:
            raise Conflict(
                _("二次评价须在首次评价后 %(n)s 个工作日内作出，已过期。")
                % {"n": settings.ONESTOP_RATING_FOLLOW_UP_WORKDAYS}
            )
        return RatingKind.FOLLOW_UP
    ended = _end_of_service(case)
    if ended is None or now <= workdays.deadline(ended, 0).at:
        return RatingKind.FIRST
    if now <= workdays.deadline(ended, int(settings.ONESTOP_RATING_LATE_WORKDAYS)).at:
        return RatingKind.LATE
    raise Conflict(
        _("补充评价须在办结后 %(n)s 个工作日内作出，评价期已过。")
        % {"n": settings.ONESTOP_RATING_LATE_WORKDAYS}
    )


def indicators_ensure() -> bool:
    """Put back the seeded indicator set if it is gone (a flushed database); True if it was."""
    return seed.indicator_set_2020(IndicatorSet, Indicator)


def rating_kind_open(*, case: Case, applicant: Applicant) -> RatingKind | None:
    """The rating the applicant may give on their case now, once its service has ended
    (首次, 补充 or 二次); None when none is open. Pages ask this before offering 评价."""
    if case.applicant_id != applicant.pk or _end_of_service(case) is None:
        return None
    try:
        return _kind_for(case, applicant, clock.now())
    except Conflict:
        return None


def _serving_staff(case: Case) -> Staff | None:
    """The window clerk who served: who handed the result out, else who accepted."""
    for kind in (EventKind.HANDED_OUT, EventKind.ACCEPTED, EventKind.SUBMITTED):
        actor_id = (
            CaseEvent.objects.filter(case_id=case.pk, kind=kind, actor__isnull=False)
            .order_by("-seq")
            .values_list("actor_id", flat=True)
            .first()
        )
        if actor_id is not None:
            staff = Staff.objects.filter(user_id=actor_id).first()
            if staff is not None:
                return staff
    return None


def _department_id(case: Case) -> int | None:
    if case.package_version is not None:
        return case.package_version.lead_department_id
    if case.item_version is not None:
        return case.item_version.department_id
    return None


def _check_level(level: int) -> RatingLevel:
    try:
        return RatingLevel(int(level))
    except (TypeError, ValueError):
        raise ValidationFailed(_("请选择满意度。"), field="level") from None


def _rate_limit(client_hash: str, device_hash: str, now: dt.datetime) -> None:
    limit = int(settings.ONESTOP_RATING_PUBLIC_PER_HOUR)
    keys = Q()
    if client_hash:
        keys |= Q(client_hash=client_hash)
    if device_hash:
        keys |= Q(device_hash=device_hash)
    if not keys:
        return
    since = now - dt.timedelta(hours=1)
    if Rating.objects.filter(keys, rated_at__gte=since).count() >= limit:
        raise TooManyRatings(
            _("同一网络或设备一小时内最多提交 %(n)s 次评价，请稍后再试。") % {"n": limit}
        )


def _create(
    *,
    case: Case,
    level: int,
    channel: RatingChannel,
    indicator_codes: Sequence[str],
    text: str,
    recorded_by: Staff | None = None,
    window: Window | None = None,
    client_ip: str = "",
    device_id: str = "",
    kind: RatingKind | None = None,
) -> Rating:
    """Every rating is made here: the rules, the subjects, the 差评's rectification, the push."""
    now = clock.now()
    if case.state not in RATEABLE_CASE_STATES:
        raise Conflict(_("办件尚未受理，暂不能评价。"))
    checked = _check_level(level)
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise ValidationFailed(_("文字评价不超过 %(n)s 字。") % {"n": TEXT_MAX}, field="text")
    chosen = _indicators(case, indicator_codes)
    if is_bad(checked) and not chosen:
        raise ValidationFailed(_("差评须至少选择一项评价内容。"), field="indicators")
    applicant = case.applicant
    if kind is None:
        kind = _kind_for(case, applicant, now)
    client_hash, device_hash = _hash(client_ip), _hash(device_id)
    if channel in PUBLIC_CHANNELS:
        _rate_limit(client_hash, device_hash, now)
    rating = Rating(
        case=case,
        applicant=applicant,
        kind=kind,
        level=int(checked),
        channel=channel,
        text=text,
        rated_at=now,
        is_bad=is_bad(checked),
        region_code=case.region_code,
        department_id=_department_id(case),
        hall_id=case.hall_id or (window.hall_id if window else None),
        window=window,
        staff=_serving_staff(case),
        recorded_by=recorded_by,
        client_hash=client_hash if channel in PUBLIC_CHANNELS else "",
        device_hash=device_hash if channel in PUBLIC_CHANNELS else "",
    )
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        raise Conflict(_("该办件已评价。")) from None
    if chosen:
        rating.indicators.set(chosen)
    tasks = case.tasks.exclude(state__in=TASK_SET_ASIDE_STATES).select_related("item_version")
    RatedItem.objects.bulk_create(
        RatedItem(
            rating=rating,
            item_id=task.item_version.item_id,
            item_code=task.item_code,
            item_name=task.title,
            department_id=task.department_id,
            officer_id=task.decided_by_id or task.assignee_id,
        )
        for task in tasks
    )
    if rating.is_bad:
        _rectification_open(rating, now)
    PushRecord.objects.create(rating=rating, next_attempt_at=now)
    transaction.on_commit(_push_soon(rating.pk), robust=True)
    return rating


def _push_soon(rating_id: int) -> Callable[[], None]:
    """After commit: push now in-process, or hand it to a worker (by task name: tasks.py
    imports this module)."""

    def run() -> None:
        if not settings.ONESTOP_RATING_PUSH_URL:
            return
        if settings.CELERY_TASK_ALWAYS_EAGER:
            push.push_due(rating_ids=[rating_id])
        else:
            current_app.send_task(
                "onestop.evaluations.tasks.ratings_push", kwargs={"rating_id": rating_id}
            )

    return run


@transaction.atomic
def rating_submit(
    *,
    case_id: int,
    user: User,
    level: int,
    channel: RatingChannel = RatingChannel.PC,
    indicator_codes: Sequence[str] = (),
    text: str = "",
) -> Rating:
    """The applicant rates their own case from the portal (PC or mobile), logged in."""
    if channel not in (RatingChannel.PC, RatingChannel.MOBILE):
        raise ValidationFailed(_("该渠道不能在门户提交。"), field="channel")
    case = Case.objects.select_related("applicant").filter(pk=case_id).first()
    applicant = Applicant.objects.filter(user_id=user.pk).first()
    if case is None or applicant is None or case.applicant_id != applicant.pk:
        raise NotFound(_("未找到该办件。"))
    _refuse_handler(case, _staff_of(user))
    return _create(
        case=case, level=level, channel=channel, indicator_codes=indicator_codes, text=text
    )


@transaction.atomic
def rating_record(
    *,
    case_id: int,
    clerk: Staff,
    level: int,
    channel: RatingChannel,
    indicator_codes: Sequence[str] = (),
    text: str = "",
) -> Rating:
    """A clerk records a rating given by phone (12345, with the caller's words) or on paper."""
    if not clerk.has_permission(Permission.RATING_RECORD):
        raise PermissionDenied(_("无权代录评价。"))
    if channel not in RECORDED_CHANNELS:
        raise ValidationFailed(_("代录评价只能是电话或书面评价。"), field="channel")
    case = Case.objects.select_related("applicant").filter(pk=case_id).first()
    if case is None or not clerk.covers(case.region_code):
        raise NotFound(_("未找到该办件。"))
    _refuse_handler(case, clerk)
    return _create(
        case=case,
        level=level,
        channel=channel,
        indicator_codes=indicator_codes,
        text=text,
        recorded_by=clerk,
    )


@transaction.atomic
def rating_token_issue(*, case_id: int, channel: RatingChannel = RatingChannel.QR) -> RatingToken:
    """A fresh one-use rating link for a case (QR code on a receipt, SMS invitation)."""
    if channel not in PUBLIC_CHANNELS:
        raise ValidationFailed(_("评价链接只用于二维码或短信。"), field="channel")
    if not Case.objects.filter(pk=case_id).exists():
        raise NotFound(_("未找到该办件。"))
    now = clock.now()
    return RatingToken.objects.create(
        token=secrets.token_urlsafe(32),
        case_id=case_id,
        channel=channel,
        created_at=now,
        expires_at=now + dt.timedelta(days=int(settings.ONESTOP_RATING_TOKEN_DAYS)),
    )


def rating_kind_open_on_paper(*, case: Case) -> RatingKind | None:
    """The first rating (首次 or 补充) a QR code printed on the case's paper now leads to: the
    case was accepted or refused, its applicant has not rated it and the late period is not
    over; None otherwise. A follow-up (二次) is offered on the portal, not on paper."""
    if case.state not in RATEABLE_CASE_STATES:
        return None
    try:
        kind = _kind_for(case, case.applicant, clock.now())
    except Conflict:
        return None
    return kind if kind in FIRST_KINDS else None


@transaction.atomic
def rating_token_for_paper(*, case_id: int) -> RatingToken | None:
    """The QR token a notice or hand-out receipt printed now carries; None when the case
    cannot be rated on paper. Printing again reuses the case's newest unused QR token while
    it has at least half its life (``ONESTOP_RATING_TOKEN_DAYS``) left, so reprints do not
    pile up tokens: at most one new token per half-life while the case can be rated."""
    case = Case.objects.select_related("applicant").filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("未找到该办件。"))
    if rating_kind_open_on_paper(case=case) is None:
        return None
    now = clock.now()
    life = dt.timedelta(days=int(settings.ONESTOP_RATING_TOKEN_DAYS))
    kept = (
        RatingToken.objects.filter(
            case_id=case_id,
            channel=RatingChannel.QR,
            used_at__isnull=True,
            expires_at__gte=now + life / 2,
        )
        .order_by("-expires_at", "-pk")
        .first()
    )
    return kept or rating_token_issue(case_id=case_id, channel=RatingChannel.QR)


def rating_link_for_paper(case: Case) -> str | None:
    """The ``cases.rating_links`` provider: the rating page's path for a QR code printed now."""
    token = rating_token_for_paper(case_id=case.pk)
    return reverse("evaluations:token", args=[token.token]) if token is not None else None


@transaction.atomic
def rating_submit_by_token(
    *,
    token: str,
    level: int,
    indicator_codes: Sequence[str] = (),
    text: str = "",
    user: User | None = None,
    client_ip: str = "",
    device_id: str = "",
) -> Rating:
    """The tokenised public page: no login; the token works once and expires."""
    row = RatingToken.objects.select_for_update().filter(token=token).first()
    if row is None:
        raise NotFound(_("评价链接无效。"))
    now = clock.now()
    if row.used_at is not None:
        raise Conflict(_("该评价链接已使用过。"))
    if now > row.expires_at:
        raise Conflict(_("该评价链接已过期。"))
    case = Case.objects.select_related("applicant").get(pk=row.case_id)
    _refuse_handler(case, _staff_of(user))
    rating = _create(
        case=case,
        level=level,
        channel=RatingChannel(row.channel),
        indicator_codes=indicator_codes,
        text=text,
        client_ip=client_ip,
        device_id=device_id,
    )
    row.used_at = now
    row.save(update_fields=["used_at"])
    return rating


@transaction.atomic
def evaluator_pair(*, window_id: int, clerk: Staff) -> EvaluatorPairing:
    """The clerk at a window pairs the hall tablet to it; earlier pairings stop working."""
    if not clerk.has_permission(Permission.CASE_HAND_OUT):
        raise PermissionDenied(_("只有窗口人员可以配对评价器。"))
    window = Window.objects.select_related("hall").filter(pk=window_id).first()
    if window is None or not clerk.covers(window.hall.region.code):
        raise NotFound(_("未找到该窗口。"))
    if clerk.hall_id and window.hall_id != clerk.hall_id:
        raise ValidationFailed(_("只能配对本大厅的窗口。"), field="window")
    EvaluatorPairing.objects.filter(Q(window_id=window_id) | Q(clerk_id=clerk.pk)).filter(
        is_active=True
    ).update(is_active=False)
    return EvaluatorPairing.objects.create(
        token=secrets.token_urlsafe(24), window=window, clerk=clerk, paired_at=clock.now()
    )


@transaction.atomic
def evaluator_light(*, case_id: int, clerk_id: int) -> EvaluatorPairing | None:
    """The case just handed out by this clerk lights up the tablet paired to their window."""
    pairing = (
        EvaluatorPairing.objects.select_for_update()
        .filter(clerk_id=clerk_id, is_active=True)
        .first()
    )
    if pairing is None:
        return None
    if Rating.objects.filter(case_id=case_id, kind__in=FIRST_KINDS).exists():
        return pairing  # rated already: nothing to ask
    pairing.current_case_id = case_id
    pairing.lit_at = clock.now()
    pairing.save(update_fields=["current_case", "lit_at"])
    return pairing


def handed_out_light(case_id: int, events: Sequence[CaseEvent]) -> None:
    """cases.hooks handler for ``HANDED_OUT``: light the evaluator of the handing clerk."""
    for event in events:
        staff = Staff.objects.filter(user_id=event.actor_id).first() if event.actor_id else None
        if staff is not None:
            evaluator_light(case_id=case_id, clerk_id=staff.pk)


def evaluators_catch_up(*, within: dt.timedelta = dt.timedelta(minutes=10)) -> int:
    """The sweep behind ``handed_out_light``: a paired clerk's latest hand-out in the last
    minutes, still unrated, lights their tablet if the handler failed. Returns how many."""
    since = clock.now() - within
    lit = 0
    for pairing in EvaluatorPairing.objects.filter(
        is_active=True, current_case__isnull=True
    ).select_related("clerk"):
        event = (
            CaseEvent.objects.filter(
                kind=EventKind.HANDED_OUT, actor_id=pairing.clerk.user_id, at__gte=since
            )
            .order_by("-at")
            .first()
        )
        if event is None or (pairing.lit_at and pairing.lit_at >= event.at):
            continue  # nothing new, or already lit (and rated) for it
        if evaluator_light(case_id=event.case_id, clerk_id=pairing.clerk_id) is not None:
            lit += 1
    return lit


@transaction.atomic
def rating_submit_at_window(
    *,
    pairing_token: str,
    case_id: int,
    level: int,
    indicator_codes: Sequence[str] = (),
    text: str = "",
) -> Rating:
    """One tap on the window evaluator rates the case it lit up for (no login)."""
    pairing = (
        EvaluatorPairing.objects.select_for_update()
        .select_related("window")
        .filter(token=pairing_token, is_active=True)
        .first()
    )
    if pairing is None:
        raise NotFound(_("评价器未配对。"))
    if pairing.current_case_id != case_id:
        raise Conflict(_("该办件已评价或不在本窗口。"))
    case = Case.objects.select_related("applicant").get(pk=case_id)
    rating = _create(
        case=case,
        level=level,
        channel=RatingChannel.WINDOW_TABLET,
        indicator_codes=indicator_codes,
        text=text,
        window=pairing.window,
    )
    pairing.current_case = None
    pairing.save(update_fields=["current_case"])
    return rating


def ratings_default_sweep(*, limit: int = 1000, enabled: bool | None = None) -> int:
    """系统默认评价 for cases whose late period ended unrated — only when enabled
    (``enabled`` None: ``ONESTOP_RATING_DEFAULT_ENABLED``; the demo passes True)."""
    if not (settings.ONESTOP_RATING_DEFAULT_ENABLED if enabled is None else enabled):
        return 0
    level = int(settings.ONESTOP_RATING_DEFAULT_LEVEL)
    if level not in RatingLevel.values or is_bad(level):
        raise ValidationFailed(_("系统默认评价的满意度须为 1–3。"), field="level")
    now = clock.now()
    days = int(settings.ONESTOP_RATING_LATE_WORKDAYS)
    # Working days are never fewer than calendar days: a calendar prefilter, then the rule.
    candidates = (
        Case.objects.filter(
            state__in=RATEABLE_CASE_STATES,
            completed_at__isnull=False,
            completed_at__lt=now - dt.timedelta(days=days),
        )
        .exclude(ratings__kind__in=FIRST_KINDS)
        .select_related("applicant")
        .order_by("completed_at")[:limit]
    )
    made = 0
    for case in candidates:
        assert case.completed_at is not None
        if now <= workdays.deadline(case.completed_at, days).at:
            continue
        try:
            with transaction.atomic():
                _create(
                    case=case,
                    level=level,
                    channel=RatingChannel.SYSTEM_DEFAULT,
                    indicator_codes=(),
                    text="",
                    kind=RatingKind.DEFAULT,
                )
        except Conflict:
            continue  # rated meanwhile
        made += 1
    return made


def _rectification_open(rating: Rating, now: dt.datetime) -> Rectification:
    """谁办理、谁负责: the department that handled (or leads) the case, its designated officer."""
    department_id = (
        rating.items.values_list("department_id", flat=True).first() or rating.department_id
    )
    if department_id is None:
        department_id = _department_id(rating.case)
    if department_id is None:
        raise ValidationFailed(_("无法确定差评的责任部门。"))
    officer = (
        Staff.objects.filter(department_id=department_id, is_active=True)
        .order_by("-is_designated", "pk")
        .first()
    )
    due = workdays.deadline(now, int(settings.ONESTOP_RECTIFICATION_WORKDAYS))
    rect = Rectification.objects.create(
        rating=rating,
        department_id=department_id,
        officer=officer,
        due_at=due.at,
        history=[{"at": now.isoformat(), "step": "open"}],
    )
    _notify_assigned(rect)
    return rect


# --- the 差评 loop: 核实 → 整改 → 反馈 → 回访 → 申诉复核 ---------------------------------


def _move(rect: Rectification, to: RectificationState, *, by: Staff | None, note: str) -> None:
    current = RectificationState(rect.state)
    if to not in RECTIFICATION_TRANSITIONS[current]:
        raise IllegalTransition(
            _("整改处于“%(state)s”，不能变更为“%(to)s”。")
            % {"state": current.label, "to": to.label},
            current_state=str(current),
            target_state=str(to),
        )
    rect.state = to
    rect.history = [
        *rect.history,
        {
            "at": clock.now().isoformat(),
            "step": str(to),
            "by": by.pk if by else None,
            "note": note[:500],
        },
    ]


def _rect_for(rectification_id: int) -> Rectification:
    rect = (
        Rectification.objects.select_for_update()
        .select_related("rating__case")
        .filter(pk=rectification_id)
        .first()
    )
    if rect is None:
        raise NotFound(_("未找到该整改。"))
    return rect


def _handler_require(rect: Rectification, officer: Staff) -> None:
    """The department's officers handle its rectifications (谁办理、谁负责)."""
    if not officer.has_permission(Permission.RECTIFICATION_HANDLE):
        raise PermissionDenied(_("无权处理差评整改。"))
    if officer.department_id != rect.department_id:
        raise NotFound(_("未找到该整改。"))


def _notify_assigned(rect: Rectification) -> None:
    if rect.officer_id is None:
        return
    case = rect.rating.case
    messages_enqueue(
        notices=[
            Notice(
                kind=MessageKind.RECTIFICATION_ASSIGNED,
                recipients=[staff_recipient(rect.officer_id)],
                case_id=case.pk,
                case_number=case.number or "",
                context={
                    "case_title": case.title,
                    "case_number": case.number or "",
                    "due_on": clock.local(rect.due_at).date().isoformat(),
                },
                dedupe_key=f"rect-assigned-{rect.pk}",
            )
        ]
    )


@transaction.atomic
def rectification_verify(
    *,
    rectification_id: int,
    officer: Staff,
    finding: str,
    triage: Triage,
    reform_on: dt.date | None = None,
) -> Rectification:
    """核实: the finding after contacting the rater, and the triage (限期整改 needs a date)."""
    rect = _rect_for(rectification_id)
    _handler_require(rect, officer)
    if not finding.strip():
        raise ValidationFailed(_("请填写核实情况。"), field="finding")
    triage = Triage(triage)
    if triage == Triage.DEADLINE:
        if reform_on is None:
            raise ValidationFailed(_("限期整改须填写整改期限。"), field="reform_on")
        if reform_on < clock.today():
            raise ValidationFailed(_("整改期限不能早于今天。"), field="reform_on")
    _move(rect, RectificationState.VERIFIED, by=officer, note=finding)
    rect.finding, rect.triage, rect.officer = finding.strip(), triage, officer
    rect.reform_on = reform_on if triage == Triage.DEADLINE else None
    fields = ["state", "history", "finding", "triage", "officer", "reform_on", "updated_at"]
    if triage == Triage.DEADLINE:
        _move(rect, RectificationState.RECTIFYING, by=officer, note=str(reform_on))
    rect.save(update_fields=fields)
    return rect


@transaction.atomic
def rectification_feedback(
    *, rectification_id: int, officer: Staff, reform_content: str
) -> Rectification:
    """反馈: what was done (or explained) goes to the rater's message box through the outbox."""
    rect = _rect_for(rectification_id)
    _handler_require(rect, officer)
    if not reform_content.strip():
        raise ValidationFailed(_("请填写整改回复内容。"), field="reform_content")
    _move(rect, RectificationState.FED_BACK, by=officer, note=reform_content)
    rect.reform_content = reform_content.strip()
    rect.fed_back_at = clock.now()
    rect.save(update_fields=["state", "history", "reform_content", "fed_back_at", "updated_at"])
    case = rect.rating.case
    messages_enqueue(
        notices=[
            Notice(
                kind=MessageKind.RECTIFICATION_FEEDBACK,
                recipients=[applicant_recipient(rect.rating.applicant_id)],
                case_id=case.pk,
                case_number=case.number or "",
                context={
                    "case_title": case.title,
                    "case_number": case.number or "",
                    "reform_content": rect.reform_content[:200],
                    "url": "/ratings/mine/",
                },
                dedupe_key=f"rect-feedback-{rect.pk}",
            )
        ]
    )
    PushRecord.objects.filter(rating_id=rect.rating_id).update(
        sent_at=None, next_attempt_at=clock.now()
    )  # the platform gets the record again with reformContent / reformDate
    transaction.on_commit(_push_soon(rect.rating_id), robust=True)
    return rect


@transaction.atomic
def rectification_rate(
    *, rectification_id: int, user: User, opinion: RectificationRating
) -> Rectification:
    """The rater rates the rectification 满意 / 基本满意 / 不满意."""
    rect = _rect_for(rectification_id)
    applicant = Applicant.objects.filter(user_id=user.pk).first()
    if applicant is None or applicant.pk != rect.rating.applicant_id:
        raise NotFound(_("未找到该整改。"))
    opinion = RectificationRating(opinion)
    _move(rect, RectificationState.RATED, by=None, note=str(opinion))
    rect.rater_opinion = opinion
    rect.save(update_fields=["state", "history", "rater_opinion", "updated_at"])
    return rect


@transaction.atomic
def rectification_follow_up(*, rectification_id: int, officer: Staff, note: str) -> Rectification:
    """回访: the follow-up call is recorded and the rectification closes."""
    rect = _rect_for(rectification_id)
    _handler_require(rect, officer)
    if not note.strip():
        raise ValidationFailed(_("请填写回访记录。"), field="note")
    _move(rect, RectificationState.CLOSED, by=officer, note=note)
    rect.follow_up_note = note.strip()
    rect.closed_at = clock.now()
    rect.save(update_fields=["state", "history", "follow_up_note", "closed_at", "updated_at"])
    return rect


@transaction.atomic
def rectification_appeal(*, rectification_id: int, officer: Staff, reason: str) -> Rectification:
    """申诉: the department claims the rating is mistaken or malicious, with its evidence."""
    rect = _rect_for(rectification_id)
    _handler_require(rect, officer)
    if not reason.strip():
        raise ValidationFailed(_("请写明申诉理由及证据。"), field="reason")
    _move(rect, RectificationState.APPEALED, by=officer, note=reason)
    rect.appeal_reason = reason.strip()
    rect.save(update_fields=["state", "history", "appeal_reason", "updated_at"])
    return rect


@transaction.atomic
def rectification_review(
    *, rectification_id: int, supervisor: Staff, upheld: bool, decision: str
) -> Rectification:
    """复核: an upheld appeal marks the rating invalid (kept, excluded from rates)."""
    rect = _rect_for(rectification_id)
    if not supervisor.has_permission(Permission.RATING_APPEAL_REVIEW):
        raise PermissionDenied(_("无权复核差评申诉。"))
    if not supervisor.covers(rect.rating.region_code):
        raise NotFound(_("未找到该整改。"))
    if not decision.strip():
        raise ValidationFailed(_("请填写复核意见。"), field="decision")
    to = RectificationState.UPHELD if upheld else RectificationState.OPEN
    _move(rect, to, by=supervisor, note=decision)
    rect.appeal_decision = decision.strip()
    fields = ["state", "history", "appeal_decision", "updated_at"]
    if upheld:
        rect.closed_at = clock.now()
        fields.append("closed_at")
        Rating.objects.filter(pk=rect.rating_id).update(status=RatingStatus.INVALID)
    rect.save(update_fields=fields)
    return rect


def rating_invitations_send(*, limit: int = 500) -> int:
    """智能邀评: an SMS link to applicants whose completed case is unrated after N working days."""
    days = int(settings.ONESTOP_RATING_INVITE_WORKDAYS)
    late = int(settings.ONESTOP_RATING_LATE_WORKDAYS)
    now = clock.now()
    candidates = (
        Case.objects.filter(
            state__in=RATEABLE_CASE_STATES,
            completed_at__isnull=False,
            completed_at__lt=now - dt.timedelta(days=days),
            completed_at__gte=now - dt.timedelta(days=late * 2 + 14),
        )
        .exclude(ratings__isnull=False)
        .order_by("completed_at")[:limit]
    )
    sent = 0
    for case in candidates:
        assert case.completed_at is not None
        if now <= workdays.deadline(case.completed_at, days).at:
            continue
        if now > workdays.deadline(case.completed_at, late).at:
            continue  # too late to rate: no invitation
        with transaction.atomic():
            if RatingToken.objects.filter(case_id=case.pk, channel=RatingChannel.SMS).exists():
                continue
            token = rating_token_issue(case_id=case.pk, channel=RatingChannel.SMS)
            messages_enqueue(
                notices=[
                    Notice(
                        kind=MessageKind.RATING_INVITATION,
                        recipients=[applicant_recipient(case.applicant_id)],
                        case_id=case.pk,
                        case_number=case.number or "",
                        context={
                            "case_title": case.title,
                            "case_number": case.number or "",
                            "url": f"/ratings/t/{token.token}/",
                        },
                        dedupe_key=f"rating-invite-{case.pk}",
                    )
                ]
            )
        sent += 1
    return sent


@transaction.atomic
def pushes_retry(*, rating_ids: Sequence[int]) -> int:
    """Push these unsent records at the next run, whatever their backoff (admin "retry now")."""
    return PushRecord.objects.filter(rating_id__in=list(rating_ids), sent_at__isnull=True).update(
        next_attempt_at=clock.now()
    )
