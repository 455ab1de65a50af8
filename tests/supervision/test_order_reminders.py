"""The department is reminded once, by the sweep, when a 督办's response deadline is near
(ONESTOP_WARN_REMAINING_WORKDAYS working days, the desks' yellow) and no answer is in."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.core import clock
from onestop.notifications.models import Message, MessageKind
from onestop.supervision import services
from onestop.supervision.services import signals_sweep
from tests.factories.accounts import StaffFactory

SH = clock.SHANGHAI
MONDAY = dt.datetime(2026, 11, 2, 10, tzinfo=SH)  # 3 working days: answer by end of Thu 11-05
TUESDAY = dt.datetime(2026, 11, 3, 10, tzinfo=SH)
WEDNESDAY = dt.datetime(2026, 11, 4, 10, tzinfo=SH)  # one working day left
FRIDAY = dt.datetime(2026, 11, 6, 10, tzinfo=SH)  # the deadline has passed


@pytest.fixture
def order(setup, settings):
    settings.ONESTOP_WARN_REMAINING_WORKDAYS = 1
    supervisor = StaffFactory(supervisor=True, region=setup.county)
    with clock.frozen(MONDAY):
        return services.order_issue(
            supervisor=supervisor,
            department=setup.departments["licence"],
            content="请报送本月超期办件的原因分析。",
            respond_days=3,
        )


def reminders(order):
    return Message.objects.filter(
        kind=MessageKind.SUPERVISION_ORDER, dedupe_key=f"order:{order.pk}:remind"
    )


def sweep(at):
    with clock.frozen(at):
        return signals_sweep()


def test_the_department_is_reminded_once_when_the_deadline_is_near(setup, order):
    assert sweep(TUESDAY).reminded == 0
    assert not reminders(order).exists()
    assert sweep(WEDNESDAY).reminded == 1
    told = set(reminders(order).values_list("recipient_id", flat=True))
    assert setup.officers["licence"].pk in told
    assert setup.officers["seal"].pk not in told  # another department
    [message] = reminders(order).filter(channel="inbox", recipient_id=setup.officers["licence"].pk)
    assert message.context["action"] == "答复期限将至"
    assert message.context["respond_on"] == "2026-11-05"
    count = reminders(order).count()
    assert sweep(WEDNESDAY + dt.timedelta(hours=2)).reminded == 0
    assert reminders(order).count() == count
    order.refresh_from_db()
    assert order.reminded_at == WEDNESDAY


def test_an_answered_order_is_not_reminded(setup, order):
    with clock.frozen(TUESDAY):
        services.order_answer(
            order_id=order.pk, officer=setup.officers["licence"], answer="已报送。"
        )
    sweep(WEDNESDAY)
    assert not reminders(order).exists()


def test_a_deadline_already_past_gets_no_reminder(setup, order):
    sweep(FRIDAY)
    assert not reminders(order).exists()


def test_the_case_hook_does_not_remind(setup, order):
    with clock.frozen(WEDNESDAY):
        result = signals_sweep(case_ids=[])
    assert result.reminded == 0
    assert not reminders(order).exists()
