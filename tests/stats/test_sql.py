"""The upsert of stats/sql.py stores what the ORM would, and month rows sum like day rows."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.stats import selectors, services, sql
from onestop.stats.models import DAILY_MEASURES, DailyDuration, DailyFigure
from tests.stats.test_figures import build


@pytest.mark.django_db
def test_upsert_creates_then_adds_like_the_orm():
    key = ("d", dt.date(2026, 10, 9), "430903", "channel", "online")
    sql.daily_figures_add([(key, {"received": 2, "corrections": 1})])
    sql.daily_figures_add(
        [(key, {"received": 3, "accepted": 1}), (("m", *key[1:]), {"received": 5})]
    )
    orm = DailyFigure(
        grain="d",
        day=key[1],
        region_code="430903",
        dimension="channel",
        key="online",
        received=5,
        corrections=1,
        accepted=1,
    )
    row = DailyFigure.objects.get(grain="d")
    assert {m: getattr(row, m) for m in DAILY_MEASURES} == {
        m: getattr(orm, m) for m in DAILY_MEASURES
    }
    assert (row.day, row.region_code, row.dimension, row.key) == (
        orm.day,
        orm.region_code,
        orm.dimension,
        orm.key,
    )
    assert DailyFigure.objects.get(grain="m").received == 5
    sql.daily_durations_add([(("d", key[1], "430903", 4), 1)])
    sql.daily_durations_add([(("d", key[1], "430903", 4), 2)])
    assert DailyDuration.objects.get().count == 3


def test_a_period_of_partial_months_sums_day_and_month_rows_exactly(setup):
    build(setup)
    services.figures_rebuild()
    for start, end in [
        (dt.date(2026, 9, 15), dt.date(2026, 10, 12)),  # no whole month
        (dt.date(2026, 9, 29), dt.date(2026, 11, 3)),  # October whole, edges by day
        (dt.date(2026, 9, 1), dt.date(2026, 10, 31)),  # whole months only
    ]:
        period = selectors.Period(start, end)
        mixed = selectors._sums(selectors._daily("4309", period))
        by_day = selectors._sums(selectors._daily("4309", period, days_only=True))
        assert mixed == by_day, (start, end)
