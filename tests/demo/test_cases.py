"""The demo's sample applications: every state, real due dates and lights, loaded once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from onestop.cases import selectors
from onestop.cases.deadlines import Light
from onestop.cases.models import Case, CaseEvent, ItemTask
from onestop.cases.states import CaseOutcome, CaseState, Channel, TaskState
from onestop.core import clock
from onestop.demo.cases import SCENARIOS
from onestop.demo.loader import demo_load
from onestop.workdays.units import TimeUnit
from tests.demo.conftest import LOADED_AT


@pytest.fixture
def loaded(demo):
    return demo


@pytest.mark.django_db
def test_every_state_a_case_can_rest_in_is_present(loaded):
    states = Counter(Case.objects.values_list("state", flat=True))
    # draft: the engine has no drafts; accepted: acceptance moves on to in_progress at once.
    resting = set(CaseState.values) - {CaseState.DRAFT, CaseState.ACCEPTED}
    assert resting <= set(states)
    # The sample scenarios, plus the rated cases of the evaluations section.
    assert loaded.present["cases"] == len(SCENARIOS) <= sum(states.values())
    outcomes = set(Case.objects.filter(state=CaseState.COMPLETED).values_list("outcome", flat=True))
    assert outcomes == set(CaseOutcome.values)


@pytest.mark.django_db
def test_every_task_state_and_several_channels_appear(loaded):
    assert set(ItemTask.objects.values_list("state", flat=True)) == set(TaskState.values)
    channels = set(Case.objects.values_list("channel", flat=True))
    assert {Channel.ONLINE, Channel.HALL_WINDOW, Channel.VILLAGE_CENTRE} <= channels
    village = Case.objects.filter(channel=Channel.VILLAGE_CENTRE)
    assert village.exclude(agent=None).exists()


@pytest.mark.django_db
def test_a_second_load_adds_no_case(loaded):
    cases, events = Case.objects.count(), CaseEvent.objects.count()
    with clock.frozen(LOADED_AT + dt.timedelta(days=1)):
        again = demo_load()
    assert again.created["cases"] == 0
    assert again.present["cases"] == loaded.present["cases"]
    assert (Case.objects.count(), CaseEvent.objects.count()) == (cases, events)


@pytest.mark.django_db
def test_audit_verify_passes_on_the_demo_cases(loaded):
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().startswith(f"OK: {Case.objects.count()} cases")


@pytest.mark.django_db
def test_traffic_lights_show_red_yellow_and_green(loaded):
    with clock.frozen(LOADED_AT):
        cases = [selectors.case_traffic_light(c) for c in Case.objects.all()]
        tasks = [selectors.task_traffic_light(t) for t in ItemTask.objects.all()]
    case_colours = {light.colour for light in cases if light is not None}
    task_colours = {light.colour for light in tasks if light is not None}
    # Every colour shows; the overdue case stays red although one of its tasks is now in a
    # special procedure (it was late before the procedure began).
    assert case_colours >= {Light.RED, Light.YELLOW, Light.GREEN}
    assert task_colours == {Light.RED, Light.YELLOW, Light.GREEN}


@pytest.mark.django_db
def test_history_lies_in_the_past_and_the_overdue_case_was_accepted_days_ago(loaded):
    assert not CaseEvent.objects.filter(at__gt=LOADED_AT).exists()
    # Limits in days; a village case's 30 minutes (TimeUnit.MINUTE) run out the same day.
    overdue = [
        c
        for c in Case.objects.filter(state=CaseState.IN_PROGRESS).exclude(
            promised_unit=TimeUnit.MINUTE
        )
        if c.due_at is not None and c.due_at < LOADED_AT
    ]
    assert overdue
    assert all(clock.local(c.accepted_at).date() < LOADED_AT.date() for c in overdue)


@pytest.mark.django_db
def test_desks_have_work(loaded):
    from onestop.accounts.models import Staff

    clerk = Staff.objects.get(user__username="clerk")
    assert selectors.window_queue(clerk).exists()
    assert selectors.handout_queue(clerk).exists()
    inbox_states = {
        state
        for officer in Staff.objects.filter(user__username__startswith="officer_")
        for state in selectors.inbox_for(officer).values_list("state", flat=True)
    }
    assert inbox_states == {TaskState.READY, TaskState.CLAIMED, TaskState.PAUSED}
