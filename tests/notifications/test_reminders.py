"""The sweeps: tolerated (容缺) materials due in three working days, tasks turning yellow/red."""

from __future__ import annotations

import datetime as dt

from onestop.cases.reminders import task_lights_notify, tolerated_reminders_send
from onestop.core import clock
from onestop.notifications.models import Channel, Message, MessageKind
from onestop.notifications.rendering import message_render
from onestop.workdays import calendar
from tests.notifications.conftest import MONDAY


def _inbox(kind: MessageKind) -> list[Message]:
    return list(Message.objects.filter(kind=kind, channel=Channel.INBOX).order_by("pk"))


def test_the_applicant_is_reminded_once_three_working_days_before_the_supplement_date(setup):
    with clock.frozen(MONDAY):
        case = setup.tolerated()
    due_on = case.materials.get(key="lease").supplement_due_on
    early = due_on - dt.timedelta(days=10)
    three_before = due_on
    for _ in range(3):  # three working days back from the date
        three_before -= dt.timedelta(days=1)
        while not calendar.is_workday(three_before):
            three_before -= dt.timedelta(days=1)
    assert tolerated_reminders_send(today=early) == 0
    assert tolerated_reminders_send(today=three_before) == 1
    (message,) = _inbox(MessageKind.TOLERATED_DUE_SOON)
    text = message_render(message).text
    assert "租赁合同" in text and due_on.isoformat() in text and case.number in text
    # the next days' runs tell nobody again
    tolerated_reminders_send(today=three_before + dt.timedelta(days=1))
    tolerated_reminders_send(today=due_on)
    assert len(_inbox(MessageKind.TOLERATED_DUE_SOON)) == 1
    assert Message.objects.filter(kind=MessageKind.TOLERATED_DUE_SOON).count() == 3  # +sms, mail
    # after the date: the termination sweep's business, no reminder
    assert tolerated_reminders_send(today=due_on + dt.timedelta(days=1)) == 0


def test_an_officer_is_told_once_when_a_task_turns_yellow_and_once_when_red(setup):
    with clock.frozen(MONDAY):
        case = setup.accepted()
    licence = setup.task(case, "licence")  # 3 working days: due Thu 2026-11-05
    officer = setup.officers["licence"]
    assert licence.assignee_id == officer.pk
    task_lights_notify(now=MONDAY + dt.timedelta(hours=1))
    assert _inbox(MessageKind.TASK_YELLOW) == []
    yellow_at = dt.datetime(2026, 11, 4, 9, tzinfo=clock.SHANGHAI)  # one working day left
    task_lights_notify(now=yellow_at)
    task_lights_notify(now=yellow_at + dt.timedelta(hours=2))
    yellow = [m for m in _inbox(MessageKind.TASK_YELLOW) if m.recipient_id == officer.pk]
    assert len(yellow) == 1
    assert "即将到期" in message_render(yellow[0]).text
    assert "2026-11-05" in message_render(yellow[0]).text
    red_at = dt.datetime(2026, 11, 6, 9, tzinfo=clock.SHANGHAI)
    task_lights_notify(now=red_at)
    task_lights_notify(now=red_at + dt.timedelta(days=1))
    red = [m for m in _inbox(MessageKind.TASK_RED) if m.recipient_id == officer.pk]
    assert len(red) == 1
    assert "已超过办结期限 2026-11-05" in message_render(red[0]).text
    # staff are told in the message box only
    assert not Message.objects.filter(recipient_kind="staff").exclude(channel=Channel.INBOX)
