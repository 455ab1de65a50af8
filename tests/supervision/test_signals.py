"""Each rule raises its signal once while the cause lasts and clears it when it is gone."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.cases import services as cases
from onestop.cases.models import Case, Extension
from onestop.cases.states import Channel
from onestop.catalog.models import ProcessStep
from onestop.core import clock
from onestop.supervision.models import Signal
from onestop.supervision.services import signals_sweep
from onestop.supervision.states import Colour, SignalState, Trigger

SH = clock.SHANGHAI
MONDAY = dt.datetime(2026, 11, 2, 10, tzinfo=SH)  # package promised 5 working days: Mon 11-09
WEDNESDAY = dt.datetime(2026, 11, 4, 10, tzinfo=SH)
FRIDAY = dt.datetime(2026, 11, 6, 10, tzinfo=SH)  # one working day left: yellow
AFTER_DUE = dt.datetime(2026, 11, 10, 10, tzinfo=SH)


def sweep(at):
    with clock.frozen(at):
        return signals_sweep()


def open_signals(trigger=None, **filters):
    rows = Signal.objects.filter(state=SignalState.OPEN, **filters)
    if trigger:
        rows = rows.filter(rule__trigger=trigger)
    return list(rows)


def test_an_overdue_case_is_red_once_and_clears_when_it_is_handed_out(setup):
    with clock.frozen(MONDAY):
        case = setup.accepted()
    first = sweep(AFTER_DUE)
    assert first.raised > 0
    [red] = open_signals(Trigger.CASE_OVERDUE)
    assert (red.case_id, red.colour, red.region_code) == (case.pk, Colour.RED, "430903")
    again = sweep(AFTER_DUE + dt.timedelta(hours=1))
    assert (again.raised, again.cleared) == (0, 0)
    assert open_signals(Trigger.CASE_OVERDUE) == [red]
    with clock.frozen(AFTER_DUE):
        for key in ("licence", "seal", "invoice"):
            setup.decide(case, key)
        cases.case_hand_out(case_id=case.pk, clerk=setup.clerk)
    sweep(AFTER_DUE + dt.timedelta(hours=2))
    red.refresh_from_db()
    assert red.state == SignalState.CLEARED
    assert red.cleared_at == AFTER_DUE + dt.timedelta(hours=2)
    assert open_signals(case=case) == []


def test_a_case_near_its_limit_is_yellow_and_turns_red_after(setup):
    with clock.frozen(MONDAY):
        case = setup.accepted()
    sweep(FRIDAY)
    [yellow] = open_signals(Trigger.CASE_NEAR_LIMIT)
    assert (yellow.case_id, yellow.colour) == (case.pk, Colour.YELLOW)
    sweep(AFTER_DUE)
    yellow.refresh_from_db()
    assert yellow.state == SignalState.CLEARED
    assert len(open_signals(Trigger.CASE_OVERDUE)) == 1


def test_tasks_have_their_own_lights(setup):
    with clock.frozen(MONDAY):
        case = setup.accepted()
    sweep(WEDNESDAY)  # licence (3 days) due Thu: yellow; invoice (2 days) due Wed: yellow
    yellow = {s.task.title for s in open_signals(Trigger.TASK_NEAR_LIMIT)}
    assert yellow == {"企业设立登记", "发票申领"}
    sweep(FRIDAY)
    red = {s.task_id for s in open_signals(Trigger.TASK_OVERDUE)}
    assert red == {setup.task(case, "licence").pk, setup.task(case, "invoice").pk}
    assert open_signals(Trigger.TASK_NEAR_LIMIT) == []


def test_a_step_over_its_own_limit_while_the_case_is_in_time(setup):
    ProcessStep.objects.create(item_version=setup.versions["licence"], name="审查", limit_days=1)
    with clock.frozen(MONDAY):
        case = setup.accepted()
    sweep(dt.datetime(2026, 11, 3, 18, tzinfo=SH))  # Tuesday: 审查 still within its day
    assert open_signals(Trigger.STEP_OVERDUE) == []
    sweep(WEDNESDAY)
    [step] = open_signals(Trigger.STEP_OVERDUE)
    task = setup.task(case, "licence")
    assert step.task_id == task.pk
    assert step.detail["step"] == "审查"
    assert step.officer == setup.officers["licence"]
    assert open_signals(Trigger.CASE_OVERDUE) == []  # the case itself is in time
    assert open_signals(Trigger.CASE_NEAR_LIMIT) == []
    with clock.frozen(WEDNESDAY):
        setup.decide(case, "licence")  # decided late: the step was still over its limit
    sweep(WEDNESDAY + dt.timedelta(hours=1))
    assert open_signals(Trigger.STEP_OVERDUE) == [step]
    # Once the case itself is overdue, the case's red signal says it instead.
    sweep(AFTER_DUE)
    step.refresh_from_db()
    assert step.state == SignalState.CLEARED


def test_a_step_paused_by_a_special_procedure_is_not_over(setup):
    ProcessStep.objects.create(item_version=setup.versions["licence"], name="审查", limit_days=1)
    with clock.frozen(MONDAY):
        case = setup.accepted()
        task = setup.task(case, "licence")
        cases.task_claim(task_id=task.pk, officer=setup.officers["licence"])
        cases.task_pause(
            task_id=task.pk,
            officer=setup.officers["licence"],
            kind="expert_review",
            reason="专家评审",
        )
    sweep(WEDNESDAY)
    assert open_signals(Trigger.STEP_OVERDUE) == []


def test_an_online_application_left_in_pre_review(setup):
    with clock.frozen(MONDAY):
        case = setup.submit(channel=Channel.ONLINE)
    sweep(dt.datetime(2026, 11, 3, 12, tzinfo=SH))  # one working day allowed: Tuesday is fine
    assert open_signals(Trigger.PRE_REVIEW_OVERDUE) == []
    sweep(WEDNESDAY)
    [late] = open_signals(Trigger.PRE_REVIEW_OVERDUE)
    assert late.case_id == case.pk and late.colour == Colour.RED
    with clock.frozen(WEDNESDAY):
        cases.case_pre_review_pass(case_id=case.pk, clerk=setup.clerk)
    sweep(WEDNESDAY + dt.timedelta(minutes=5))
    late.refresh_from_db()
    assert late.state == SignalState.CLEARED


def test_a_rejection_without_a_reason(setup):
    with clock.frozen(MONDAY):
        case = setup.submit()
        cases.case_reject(case_id=case.pk, clerk=setup.clerk, reason="不属于本地管辖")
    sweep(MONDAY)
    assert open_signals(Trigger.REASON_MISSING) == []
    # A rejection that reached the data without its reason (an import, a repair by hand).
    Case.objects.filter(pk=case.pk).update(rejection_reason="  ")
    sweep(MONDAY)
    [missing] = open_signals(Trigger.REASON_MISSING)
    assert missing.case_id == case.pk
    sweep(MONDAY)
    assert len(open_signals(Trigger.REASON_MISSING)) == 1
    Case.objects.filter(pk=case.pk).update(rejection_reason="不属于本地管辖")
    sweep(MONDAY)
    assert open_signals(Trigger.REASON_MISSING) == []


def test_an_extension_without_the_chief_approver(setup):
    with clock.frozen(MONDAY):
        case = setup.accepted()
        task = setup.task(case, "licence")
        officer = setup.officers["licence"]
        cases.task_claim(task_id=task.pk, officer=officer)
        ext = cases.extension_request(task_id=task.pk, officer=officer, days=2, reason="材料复杂")
        cases.extension_approve(extension_id=ext.pk, chief=setup.chief)
    sweep(MONDAY)
    assert open_signals(Trigger.EXTENSION_UNAPPROVED) == []
    Extension.objects.filter(pk=ext.pk).update(approved_by=officer)  # not a chief approver
    sweep(MONDAY)
    [unapproved] = open_signals(Trigger.EXTENSION_UNAPPROVED)
    assert unapproved.task_id == task.pk
    Extension.objects.filter(pk=ext.pk).update(approved_by=setup.chief)
    sweep(MONDAY)
    assert open_signals(Trigger.EXTENSION_UNAPPROVED) == []


def test_the_sweep_twice_gives_the_same_signals(setup):
    ProcessStep.objects.create(item_version=setup.versions["licence"], name="审查", limit_days=1)
    with clock.frozen(MONDAY):
        setup.accepted()
        setup.accepted()
        setup.submit(channel=Channel.ONLINE)
    first = sweep(FRIDAY)
    rows = sorted(Signal.objects.values_list("rule__code", "subject", "state", "raised_at"))
    second = sweep(FRIDAY)
    assert first.raised == len(rows) > 0
    assert (second.raised, second.cleared, second.open) == (0, 0, first.open)
    assert sorted(Signal.objects.values_list("rule__code", "subject", "state", "raised_at")) == rows


def test_one_open_signal_per_rule_and_subject_in_the_database(setup):
    from django.db import IntegrityError, transaction

    with clock.frozen(MONDAY):
        setup.accepted()
    sweep(AFTER_DUE)
    red = open_signals(Trigger.CASE_OVERDUE)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Signal.objects.create(
            rule=red.rule,
            subject=red.subject,
            colour=red.colour,
            region_code=red.region_code,
            raised_at=AFTER_DUE,
        )


def test_switching_a_rule_off_clears_its_signals(setup):
    from onestop.supervision.models import SupervisionRule

    with clock.frozen(MONDAY):
        setup.accepted()
    sweep(AFTER_DUE)
    assert open_signals(Trigger.CASE_OVERDUE)
    SupervisionRule.objects.filter(trigger=Trigger.CASE_OVERDUE).update(is_active=False)
    sweep(AFTER_DUE)
    assert open_signals(Trigger.CASE_OVERDUE) == []


def test_a_case_completed_late_is_no_step_signal(setup):
    ProcessStep.objects.create(item_version=setup.versions["licence"], name="审查", limit_days=1)
    with clock.frozen(MONDAY):
        case = setup.accepted()
    with clock.frozen(AFTER_DUE):
        for key in ("licence", "seal", "invoice"):
            setup.decide(case, key)
    sweep(AFTER_DUE)  # completed after its due date: the case was late, not only a step
    assert open_signals(Trigger.STEP_OVERDUE) == []
