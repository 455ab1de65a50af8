"""The 30-minute promise: a limit in minutes on a package version, counted by the engine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from onestop.cases.deadlines import Light, traffic_light
from onestop.cases.selectors import case_due_dates, case_traffic_light, task_traffic_light
from onestop.cases.states import Channel
from onestop.catalog import services as catalog_services
from onestop.catalog.models import VillageClass
from onestop.core import clock
from onestop.core.errors import ValidationFailed
from onestop.workdays import calendar
from onestop.workdays.units import TimeUnit, time_limit_text, time_limit_within_text
from tests.factories.catalog import PackageItemFactory, PackageVersionFactory

T0 = dt.datetime(2026, 12, 4, 9, 30, tzinfo=calendar.SHANGHAI)


def test_a_minutes_package_gives_case_and_task_a_limit_in_minutes(village):
    with clock.frozen(T0):
        case = village.accepted()
    assert (case.promised_days, case.promised_unit) == (30, TimeUnit.MINUTE)
    assert case.due_at == T0 + dt.timedelta(minutes=30)
    task = case.tasks.get()
    assert (task.promised_days, task.promised_unit) == (30, TimeUnit.MINUTE)
    assert task.due_at == T0 + dt.timedelta(minutes=30)
    dues = case_due_dates(case, now=T0)
    assert dues.case is not None and dues.case.at == T0 + dt.timedelta(minutes=30)
    assert dues.tasks[task.pk].at == T0 + dt.timedelta(minutes=30)


def test_the_minutes_light_turns_yellow_at_20_and_red_past_30(village):
    with clock.frozen(T0):
        case = village.accepted()
    task = case.tasks.get()
    seen = {}
    for minute in (0, 19, 20, 30, 31):
        now = T0 + dt.timedelta(minutes=minute, seconds=1 if minute == 30 else 0)
        light = case_traffic_light(case, now=now)
        assert light is not None and light.unit == TimeUnit.MINUTE
        seen[minute] = light.colour
        assert task_traffic_light(task, now=now).colour == light.colour
    assert seen == {
        0: Light.GREEN,
        19: Light.GREEN,
        20: Light.YELLOW,
        30: Light.RED,
        31: Light.RED,
    }


def test_the_yellow_threshold_is_a_setting(settings):
    settings.ONESTOP_WARN_REMAINING_MINUTES = 5
    due = T0 + dt.timedelta(minutes=30)
    light = traffic_light(
        due_at=due, limit_days=30, unit=TimeUnit.MINUTE, now=T0 + dt.timedelta(minutes=20)
    )
    assert light.colour == Light.GREEN and light.remaining_days == 10
    light = traffic_light(
        due_at=due, limit_days=30, unit=TimeUnit.MINUTE, now=T0 + dt.timedelta(minutes=26)
    )
    assert light.colour == Light.YELLOW


def test_other_packages_keep_their_day_limits(village):
    other = PackageVersionFactory(
        name="老年优待证",
        lead_department=village.back_office,
        promised_days=3,
        village_class=VillageClass.PROXY,
        published=True,
    )
    assert other.promised_minutes is None
    PackageItemFactory(package_version=other, item=village.item.item, order=1)
    with clock.frozen(T0):
        case = village.intake(package_version=other)
    assert (case.promised_days, case.promised_unit) == (3, TimeUnit.WORKDAY)


def test_the_minutes_promise_is_made_at_the_village_centre_only(village):
    """The same package taken at a hall window keeps its limit in days."""
    village.clerk.hall = None
    with clock.frozen(T0):
        case = village.intake(channel=Channel.HALL_WINDOW)
    assert (case.promised_days, case.promised_unit) == (1, TimeUnit.WORKDAY)
    assert {t.promised_unit for t in case.tasks.all()} <= {TimeUnit.WORKDAY}


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=86_400))
def test_a_deadline_in_minutes_is_that_many_minutes_later(amount, offset):
    start = T0 + dt.timedelta(seconds=offset)
    deadline = calendar.deadline(start, amount, TimeUnit.MINUTE)
    assert deadline.at - start == dt.timedelta(minutes=amount)
    assert deadline.on == deadline.at.astimezone(calendar.SHANGHAI).date()
    assert not deadline.is_provisional


def test_limits_in_minutes_read_as_minutes():
    assert time_limit_text(30, TimeUnit.MINUTE) == "30 分钟"
    assert time_limit_within_text(30, TimeUnit.MINUTE) == "30 分钟内办结"


@pytest.mark.parametrize(
    ("village_class", "minutes", "ok"),
    [
        (VillageClass.DIRECT, 30, True),
        (VillageClass.DIRECT, None, True),
        (VillageClass.PROXY, None, True),
        ("", None, True),
        (VillageClass.PROXY, 30, False),
        (VillageClass.ASSIST, 30, False),
        ("", 30, False),
        (VillageClass.DIRECT, 0, False),
        (VillageClass.DIRECT, 241, False),
    ],
)
def test_only_a_village_direct_package_may_promise_minutes(db, village_class, minutes, ok):
    version = PackageVersionFactory()
    fields = {"village_class": village_class, "promised_minutes": minutes}
    if ok:
        catalog_services.package_version_update(version=version, **fields)
        version.refresh_from_db()
        assert version.promised_minutes == minutes
    else:
        with pytest.raises((ValidationFailed, ValidationError)):
            catalog_services.package_version_update(version=version, **fields)


def test_desks_show_a_minutes_due_with_its_time(village):
    from onestop.cases.templatetags.case_ui import due

    with clock.frozen(T0):
        case = village.accepted()
    assert due(case.tasks.get()) == "2026-12-04 10:00"
    village.clerk.hall = None
    with clock.frozen(T0):
        hall_case = village.intake(channel=Channel.HALL_WINDOW)
    assert due(hall_case) == "—"  # not accepted yet
