"""The 差评 loop: 核实 → 整改 → 反馈 → 评价整改 → 回访, and 申诉 → 复核."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.core import clock
from onestop.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from onestop.evaluations import selectors, services
from onestop.evaluations.models import Rating
from onestop.evaluations.states import (
    RATEABLE_CASE_STATES,
    RECTIFICATION_TRANSITIONS,
    RatingLevel,
    RatingStatus,
    RectificationRating,
    RectificationState,
    Triage,
)
from onestop.notifications.models import Message, MessageKind
from onestop.workdays import calendar as workdays
from tests.factories.accounts import StaffFactory

pytestmark = pytest.mark.django_db


def _portal_good(setup):
    case = setup.case_in("delivered")
    return services.rating_submit(case_id=case.pk, user=setup.applicant.user, level=1)


@pytest.fixture
def rect(setup):
    case = setup.case_in("delivered")
    rating = services.rating_submit(
        case_id=case.pk,
        user=setup.applicant.user,
        level=RatingLevel.VERY_DISSATISFIED,
        indicator_codes=["203"],
        text="窗口人员态度冷淡",
    )
    return rating.rectification


def test_the_whole_loop_reaches_the_rater_and_closes(setup, rect):
    officer = setup.officers["licence"]
    assert Message.objects.filter(
        kind=MessageKind.RECTIFICATION_ASSIGNED, recipient_id=officer.pk
    ).exists()
    on = clock.today() + dt.timedelta(days=10)
    rect = services.rectification_verify(
        rectification_id=rect.pk,
        officer=officer,
        finding="电话联系评价人，情况属实",
        triage=Triage.DEADLINE,
        reform_on=on,
    )
    assert rect.state == RectificationState.RECTIFYING and rect.reform_on == on
    rect = services.rectification_feedback(
        rectification_id=rect.pk, officer=officer, reform_content="已约谈窗口人员并开展培训"
    )
    assert rect.state == RectificationState.FED_BACK
    told = Message.objects.get(
        kind=MessageKind.RECTIFICATION_FEEDBACK, channel="inbox", recipient_kind="applicant"
    )
    assert told.recipient_id == setup.applicant.pk
    rect = services.rectification_rate(
        rectification_id=rect.pk, user=setup.applicant.user, opinion=RectificationRating.SATISFIED
    )
    assert rect.state == RectificationState.RATED
    rect = services.rectification_follow_up(
        rectification_id=rect.pk, officer=officer, note="回访：评价人表示满意"
    )
    assert rect.state == RectificationState.CLOSED and rect.closed_at
    start, end = clock.now() - dt.timedelta(days=1), clock.now() + dt.timedelta(days=1)
    _portal_good(setup)
    rates = selectors.rates_for(start=start, end=end, region_code="4309")
    assert (rates.ratings, rates.bad) == (2, 1)
    assert rates.rectification_rate == 1.0 and rates.follow_up_rate == 1.0
    assert rates.rectification_satisfaction == 1.0 and rates.opinions == 1
    assert [h["step"] for h in rect.history] == [
        "open", "verified", "rectifying", "fed_back", "rated", "closed",
    ]  # fmt: skip


def test_an_immediate_fix_goes_straight_to_feedback(setup, rect):
    officer = setup.officers["licence"]
    services.rectification_verify(
        rectification_id=rect.pk, officer=officer, finding="属实", triage=Triage.IMMEDIATE
    )
    rect = services.rectification_feedback(
        rectification_id=rect.pk, officer=officer, reform_content="已当场纠正"
    )
    assert rect.state == RectificationState.FED_BACK and rect.reform_on is None


def test_a_deadline_fix_needs_a_date_and_verification_needs_a_finding(setup, rect):
    officer = setup.officers["licence"]
    with pytest.raises(ValidationFailed) as err:
        services.rectification_verify(
            rectification_id=rect.pk, officer=officer, finding="属实", triage=Triage.DEADLINE
        )
    assert err.value.field == "reform_on"
    with pytest.raises(ValidationFailed) as err:
        services.rectification_verify(
            rectification_id=rect.pk, officer=officer, finding=" ", triage=Triage.EXPLANATION
        )
    assert err.value.field == "finding"


def test_only_the_responsible_department_handles_it(setup, rect):
    with pytest.raises(NotFound):
        services.rectification_verify(
            rectification_id=rect.pk,
            officer=setup.officers["seal"],
            finding="x",
            triage=Triage.EXPLANATION,
        )
    with pytest.raises(PermissionDenied):
        services.rectification_verify(
            rectification_id=rect.pk, officer=setup.clerk, finding="x", triage=Triage.EXPLANATION
        )


def test_steps_out_of_order_are_illegal(setup, rect):
    officer = setup.officers["licence"]
    with pytest.raises(IllegalTransition):
        services.rectification_feedback(
            rectification_id=rect.pk, officer=officer, reform_content="x"
        )
    with pytest.raises(IllegalTransition):
        services.rectification_follow_up(rectification_id=rect.pk, officer=officer, note="x")
    with pytest.raises(IllegalTransition):
        services.rectification_rate(
            rectification_id=rect.pk, user=setup.applicant.user, opinion="satisfied"
        )


def test_an_upheld_appeal_invalidates_the_rating_without_deleting_it(setup, rect):
    officer = setup.officers["licence"]
    services.rectification_appeal(
        rectification_id=rect.pk, officer=officer, reason="监控录像显示评价人误操作"
    )
    supervisor = StaffFactory(supervisor=True, region=setup.city)
    with pytest.raises(PermissionDenied):
        services.rectification_review(
            rectification_id=rect.pk, supervisor=officer, upheld=True, decision="x"
        )
    start, end = clock.now() - dt.timedelta(days=1), clock.now() + dt.timedelta(days=1)
    assert selectors.rates_for(start=start, end=end, region_code="4309").bad == 1
    rect = services.rectification_review(
        rectification_id=rect.pk, supervisor=supervisor, upheld=True, decision="误评，认定无效"
    )
    assert rect.state == RectificationState.UPHELD
    rating = Rating.objects.get(pk=rect.rating_id)
    assert rating.status == RatingStatus.INVALID
    assert selectors.rates_for(start=start, end=end, region_code="4309").bad == 0


def test_a_refused_appeal_sends_the_rectification_back_to_verification(setup, rect):
    officer = setup.officers["licence"]
    services.rectification_appeal(rectification_id=rect.pk, officer=officer, reason="恶意差评")
    supervisor = StaffFactory(supervisor=True, region=setup.city)
    rect = services.rectification_review(
        rectification_id=rect.pk, supervisor=supervisor, upheld=False, decision="证据不足"
    )
    assert rect.state == RectificationState.OPEN
    assert Rating.objects.get(pk=rect.rating_id).status == RatingStatus.VALID


def test_overdue_rectifications_appear_on_the_supervisors_desk(setup, rect):
    supervisor = StaffFactory(supervisor=True, region=setup.city)
    assert list(selectors.rectifications_overdue(supervisor)) == []
    with clock.frozen(rect.due_at + dt.timedelta(seconds=1)):
        assert list(selectors.rectifications_overdue(supervisor)) == [rect]
        assert selectors.rectification_light(rect) == "red"
    assert selectors.rectification_light(rect) in {"green", "yellow"}


def test_every_state_of_the_table_is_reachable_from_open():
    seen, todo = set(), [RectificationState.OPEN]
    while todo:
        state = todo.pop()
        if state not in seen:
            seen.add(state)
            todo.extend(RECTIFICATION_TRANSITIONS[state])
    assert seen == set(RectificationState)
    assert RATEABLE_CASE_STATES


def test_an_unrated_completed_case_gets_one_sms_invitation(setup, settings):
    settings.ONESTOP_RATING_INVITE_WORKDAYS = 3
    case = setup.case_in("completed")
    with clock.frozen(workdays.deadline(case.completed_at, 3).at + dt.timedelta(hours=1)):
        assert services.rating_invitations_send() == 1
        assert services.rating_invitations_send() == 0
    rows = Message.objects.filter(kind=MessageKind.RATING_INVITATION)
    assert rows.filter(channel="inbox").count() == 1
    assert "/ratings/t/" in rows.first().context["url"]
