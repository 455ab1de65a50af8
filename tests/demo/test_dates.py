"""The demo's history is relative to the day it is loaded, and a later load renews it.

Before, the sample cases were played once, relative to the first load, and skipped on every
later load: a month later every open task was overdue and the newest case a month old. Now
the cases of a load form a generation anchored on its working day; a load two or more
working days later retires the stale generation through the services and plays a new one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Max

from onestop.cases import selectors
from onestop.cases.deadlines import Light
from onestop.cases.models import Case, CaseEvent, ItemTask
from onestop.cases.states import CASE_FINAL_STATES, TASK_INBOX_STATES, CaseState
from onestop.core import clock
from onestop.demo.cases import KEY_PREFIX, SCENARIOS, reference_moment, workday_before
from onestop.demo.loader import demo_load
from onestop.workdays import calendar

pytestmark = pytest.mark.django_db

# Two Wednesdays a month apart (no holiday in the weeks of history before either).
FIRST = dt.datetime(2026, 6, 17, 15, 30, tzinfo=clock.SHANGHAI)
MONTH_LATER = dt.datetime(2026, 7, 15, 10, 0, tzinfo=clock.SHANGHAI)


@pytest.fixture(autouse=True)
def _fast(fast_passwords):
    return fast_passwords


def lights(at: dt.datetime) -> Counter[str]:
    """The colours of the open tasks (inbox) at ``at``."""
    with clock.frozen(at):
        found = [selectors.task_traffic_light(t) for t in ItemTask.objects.all()]
    return Counter(light.colour for light in found if light is not None)


def newest_submission() -> dt.datetime:
    return Case.objects.aggregate(at=Max("submitted_at"))["at"]


def current_cases(at: dt.datetime):
    anchor = clock.local(reference_moment(at)).date()
    return Case.objects.filter(idempotency_key__startswith=f"{KEY_PREFIX}{anchor:%Y%m%d}-")


def load_at(at: dt.datetime):
    # The sample cases alone: the other apps' sections add cases of their own.
    with clock.frozen(at):
        return demo_load(until="cases")


def assert_fresh(at: dt.datetime, *, first: Counter[str]) -> None:
    newest = newest_submission()
    assert newest <= at
    assert at - newest < dt.timedelta(days=3)  # submitted within the last few days
    now = lights(at)
    assert now == first  # the same working-day structure, a month later
    # mostly green/yellow; red only where a scenario is overdue on purpose (s06)
    assert now[Light.GREEN] + now[Light.YELLOW] > now[Light.RED]
    assert not CaseEvent.objects.filter(at__gt=at).exists()


def test_a_load_a_month_later_renews_the_history_relative_to_that_day():
    load_at(FIRST)
    first = lights(FIRST)
    assert first[Light.GREEN] and first[Light.YELLOW]
    assert_fresh(FIRST, first=first)

    # A month later, without renewal, everything open would be overdue:
    stale = lights(MONTH_LATER)
    assert set(stale) == {Light.RED}

    summary = load_at(MONTH_LATER)
    assert summary.created["cases"] == summary.present["cases"] == len(SCENARIOS)
    assert_fresh(MONTH_LATER, first=first)
    assert current_cases(MONTH_LATER).count() == len(SCENARIOS)

    # The stale generation is closed through the services (withdrawn / handed out), its
    # event log intact; nothing of it waits on a desk any more.
    old = Case.objects.exclude(pk__in=current_cases(MONTH_LATER))
    assert old.count() == len(SCENARIOS)
    resting = set(old.values_list("state", flat=True))
    assert resting <= set(CASE_FINAL_STATES) | {CaseState.COMPLETED}
    assert not ItemTask.objects.filter(case__in=old, state__in=list(TASK_INBOX_STATES)).exists()
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().startswith(f"OK: {2 * len(SCENARIOS)} cases")


def test_a_load_the_same_or_the_next_working_day_changes_nothing():
    load_at(FIRST)
    cases, events = Case.objects.count(), CaseEvent.objects.count()
    next_day = FIRST + dt.timedelta(days=1)
    assert calendar.is_workday(clock.local(next_day).date())
    again = load_at(next_day)
    assert again.created["cases"] == 0 and again.present["cases"] == len(SCENARIOS)
    assert (Case.objects.count(), CaseEvent.objects.count()) == (cases, events)


def test_a_load_on_a_day_off_dates_the_history_on_the_last_working_day():
    sunday = dt.datetime(2026, 7, 19, 11, 0, tzinfo=clock.SHANGHAI)
    assert not calendar.is_workday(sunday.date())
    load_at(sunday)
    friday = workday_before(sunday.date(), 0)
    assert friday == dt.date(2026, 7, 17)
    submitted = {
        clock.local(at).date() for at in Case.objects.values_list("submitted_at", flat=True)
    }
    assert max(submitted) == friday
    assert all(calendar.is_workday(day) for day in submitted)


def test_dates_of_a_generation_from_before_generations_count_as_stale():
    load_at(FIRST)
    # a database loaded by an earlier version: keys without the anchor date
    for case in Case.objects.all():
        number = case.idempotency_key.rsplit("-", 1)[1]
        Case.objects.filter(pk=case.pk).update(idempotency_key=f"{KEY_PREFIX}{number}")
    summary = load_at(FIRST + dt.timedelta(hours=1))
    assert summary.created["cases"] == len(SCENARIOS)
