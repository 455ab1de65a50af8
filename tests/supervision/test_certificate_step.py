"""制证: a task's result (证照 or 决定书) issued later than the item's 制证 step allows is a
纠错 signal while the case itself is in time; raised once, cleared when the case is done."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.cases import services as cases
from onestop.catalog.models import ProcessStep
from onestop.certificates import services as certificates
from onestop.certificates.states import SealKind
from onestop.core import clock
from onestop.supervision.models import Signal, SupervisionRule
from onestop.supervision.services import rule_update, signals_sweep
from onestop.supervision.states import SignalState, Trigger
from tests.factories.accounts import StaffFactory

SH = clock.SHANGHAI
MONDAY = dt.datetime(2026, 11, 2, 10, tzinfo=SH)  # package promised 5 working days: Mon 11-09
TUESDAY_EVENING = dt.datetime(2026, 11, 3, 18, tzinfo=SH)
WEDNESDAY = dt.datetime(2026, 11, 4, 10, tzinfo=SH)


@pytest.fixture(autouse=True)
def _keys(settings, tmp_path):
    settings.ONESTOP_CERTIFICATES_KEY_DIR = str(tmp_path / "keys")
    settings.ONESTOP_CERTIFICATES_PUBLIC_URL = "https://zwfw.example.cn"


@pytest.fixture
def licence_decided(setup):
    """制证 of the licence item: 1 working day; the licence decided on Monday (its seal
    authorised, but no result issued yet: nothing runs the certificates hook here)."""
    ProcessStep.objects.create(item_version=setup.versions["licence"], name="制证", limit_days=1)
    with clock.frozen(MONDAY):
        seal = certificates.seal_create(
            department=setup.departments["licence"], kind=SealKind.APPROVAL
        )
        certificates.seal_authorise(seal_id=seal.pk, staff=setup.officers["licence"])
        case = setup.accepted()
        task = setup.decide(case, "licence")
    return case, task


def sweep(at):
    with clock.frozen(at):
        return signals_sweep()


def step_signals(state=SignalState.OPEN):
    return list(Signal.objects.filter(rule__trigger=Trigger.STEP_OVERDUE, state=state))


def test_a_result_not_issued_within_its_step_is_red_once_while_the_case_is_in_time(
    setup, licence_decided
):
    case, task = licence_decided
    sweep(TUESDAY_EVENING)  # 制证 still within its working day
    assert step_signals() == []
    sweep(WEDNESDAY)
    [signal] = step_signals()
    assert signal.task_id == task.pk
    assert signal.detail["step"] == "制证"
    assert signal.detail["phase"] == "certificate"
    assert signal.detail["ended_at"] is None  # still no result
    assert signal.department == setup.departments["licence"]
    assert signal.officer == setup.officers["licence"]
    assert not Signal.objects.filter(
        rule__trigger__in=[Trigger.CASE_OVERDUE, Trigger.CASE_NEAR_LIMIT], state="open"
    ).exists()
    again = sweep(WEDNESDAY + dt.timedelta(hours=1))
    assert again.raised == 0
    assert step_signals() == [signal]
    # Issued late, the step was still over its limit: the signal stays until the case is done.
    with clock.frozen(WEDNESDAY + dt.timedelta(hours=2)):
        certificates.results_issue(task_id=task.pk)
    sweep(WEDNESDAY + dt.timedelta(hours=3))
    signal.refresh_from_db()
    assert signal.state == SignalState.OPEN
    assert signal.detail["ended_at"] is None  # the detail is what was found when raised


def test_the_signal_clears_when_the_case_is_handed_out(setup, licence_decided):
    case, task = licence_decided
    sweep(WEDNESDAY)
    [signal] = step_signals()
    with clock.frozen(WEDNESDAY + dt.timedelta(hours=1)):
        certificates.results_issue(task_id=task.pk)
        setup.decide(case, "seal")
        setup.decide(case, "invoice")
        cases.case_hand_out(case_id=case.pk, clerk=setup.clerk)
    sweep(WEDNESDAY + dt.timedelta(hours=2))
    signal.refresh_from_db()
    assert signal.state == SignalState.CLEARED
    assert step_signals() == []


def test_a_result_issued_in_time_raises_nothing(setup, licence_decided):
    case, task = licence_decided
    with clock.frozen(TUESDAY_EVENING):
        certificates.results_issue(task_id=task.pk)
    sweep(WEDNESDAY)
    assert step_signals() == []


def test_a_supervisor_who_takes_certificate_off_the_rule_clears_it(setup, licence_decided):
    sweep(WEDNESDAY)
    [signal] = step_signals()
    rule = SupervisionRule.objects.get(trigger=Trigger.STEP_OVERDUE)
    assert "certificate" in rule.parameters["steps"]  # seeded with the other steps
    supervisor = StaffFactory(supervisor=True, region=setup.city)
    rule_update(
        rule_id=rule.pk,
        by=supervisor,
        is_active=True,
        parameters={"steps": ["accept", "review", "decision", "delivery"]},
        note=rule.note,
    )
    sweep(WEDNESDAY + dt.timedelta(hours=1))
    signal.refresh_from_db()
    assert signal.state == SignalState.CLEARED
