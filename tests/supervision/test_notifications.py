"""Who is told about a new signal: yellow the officer and their chief approver, red the
supervisors of the region; once per signal however often the sweep runs."""

from __future__ import annotations

import datetime as dt

from onestop.cases import services as cases
from onestop.cases.states import Channel
from onestop.core import clock
from onestop.notifications.models import Message, MessageKind
from onestop.notifications.rendering import message_render
from onestop.supervision.models import Signal
from onestop.supervision.services import signals_sweep
from onestop.supervision.states import SignalState, Trigger
from tests.factories.accounts import StaffFactory
from tests.factories.regions import RegionFactory

SH = clock.SHANGHAI
MONDAY = dt.datetime(2026, 11, 2, 10, tzinfo=SH)
WEDNESDAY = dt.datetime(2026, 11, 4, 10, tzinfo=SH)
AFTER_DUE = dt.datetime(2026, 11, 10, 10, tzinfo=SH)


def told(kind):
    return set(
        Message.objects.filter(kind=kind, recipient_kind="staff").values_list(
            "recipient_id", flat=True
        )
    )


def test_yellow_tells_the_officer_and_the_chief_red_the_regions_supervisors(
    setup, django_capture_on_commit_callbacks
):
    city_supervisor = StaffFactory(supervisor=True, region=setup.city)
    county_supervisor = StaffFactory(supervisor=True, region=setup.county)
    elsewhere = StaffFactory(  # another county: not told
        supervisor=True,
        region=RegionFactory(code="430902", name="资阳区", level="county", parent=setup.city),
    )
    with clock.frozen(MONDAY):
        case = setup.accepted()
    with clock.frozen(WEDNESDAY), django_capture_on_commit_callbacks(execute=True):
        signals_sweep()
    licence = Signal.objects.get(
        rule__trigger=Trigger.TASK_NEAR_LIMIT, task=setup.task(case, "licence")
    )
    assert licence.notified_at is not None
    yellow = Message.objects.filter(
        kind=MessageKind.SUPERVISION_YELLOW, dedupe_key=f"signal:{licence.pk}"
    )
    assert {m.recipient_id for m in yellow} == {setup.officers["licence"].pk, setup.chief.pk}
    assert told(MessageKind.SUPERVISION_RED) == set()
    with clock.frozen(AFTER_DUE), django_capture_on_commit_callbacks(execute=True):
        signals_sweep()
    assert told(MessageKind.SUPERVISION_RED) == {city_supervisor.pk, county_supervisor.pk}
    assert elsewhere.pk not in told(MessageKind.SUPERVISION_RED)
    text = message_render(Message.objects.filter(kind=MessageKind.SUPERVISION_RED).first()).text
    assert "红牌纠错" in text and case.number in text


def test_a_second_sweep_tells_nobody_again(setup, django_capture_on_commit_callbacks):
    StaffFactory(supervisor=True, region=setup.county)
    with clock.frozen(MONDAY):
        setup.accepted()
    for hours in (0, 1):
        with (
            clock.frozen(AFTER_DUE + dt.timedelta(hours=hours)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            signals_sweep()
        if hours == 0:
            count = Message.objects.count()
    assert Message.objects.count() == count > 0


def test_the_case_event_hook_clears_a_signal_when_the_cause_goes(
    setup, django_capture_on_commit_callbacks
):
    with clock.frozen(MONDAY):
        case = setup.submit(channel=Channel.ONLINE)
    with clock.frozen(WEDNESDAY):
        signals_sweep()
    [late] = Signal.objects.filter(state=SignalState.OPEN, rule__trigger=Trigger.PRE_REVIEW_OVERDUE)
    with clock.frozen(WEDNESDAY), django_capture_on_commit_callbacks(execute=True):
        cases.case_pre_review_pass(case_id=case.pk, clerk=setup.clerk)
    late.refresh_from_db()
    assert late.state == SignalState.CLEARED  # no sweep ran: the hook did it after commit


def test_the_hook_can_be_switched_off(setup, settings, django_capture_on_commit_callbacks):
    settings.ONESTOP_SUPERVISION_HOOK = False
    with clock.frozen(MONDAY):
        case = setup.submit(channel=Channel.ONLINE)
    with clock.frozen(WEDNESDAY):
        signals_sweep()
    with clock.frozen(WEDNESDAY), django_capture_on_commit_callbacks(execute=True):
        cases.case_pre_review_pass(case_id=case.pk, clerk=setup.clerk)
    assert Signal.objects.filter(state=SignalState.OPEN, case=case).exists()  # the sweep will
