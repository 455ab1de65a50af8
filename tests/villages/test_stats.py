"""The minutes figure: share of cases with a limit in minutes completed within it, per village.

Three 失业登记 cases at 龙光桥村 on Friday 2026-12-04: 12 and 29 minutes (within 30), 41
minutes (over); one at a second village, 30 minutes exactly (within); one still open.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onestop.core import clock
from onestop.regions.models import HallKind, RegionLevel
from onestop.stats import selectors, services
from onestop.stats.models import CaseFigure
from onestop.workdays import calendar
from tests.factories.accounts import StaffFactory
from tests.factories.regions import HallFactory, RegionFactory

DAY = dt.date(2026, 12, 4)
PERIOD = selectors.Period(dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 12, 4, hour, minute, tzinfo=calendar.SHANGHAI)


def _case(village, accepted: dt.datetime, minutes: int | None):
    with clock.frozen(accepted):
        case = village.accepted()
    if minutes is not None:
        with clock.frozen(accepted + dt.timedelta(minutes=minutes)):
            village.approve(case)
    return case


@pytest.fixture
def known(village):
    cases = {
        "a": _case(village, at(9, 0), 12),
        "b": _case(village, at(9, 30), 29),
        "c": _case(village, at(10, 0), 41),
        "open": _case(village, at(11, 0), None),
    }
    second = RegionFactory(
        code="430903101202", name="新桥村", level=RegionLevel.VILLAGE, parent=village.township
    )
    village.clerk.region = second
    village.clerk.hall = HallFactory(
        name="新桥村便民服务站", kind=HallKind.VILLAGE_STATION, region=second
    )
    village.clerk.save(update_fields=["region", "hall"])
    cases["d"] = _case(village, at(14, 0), 30)
    services.figures_rebuild()
    return village, cases


def test_used_minutes_and_the_share_within_the_limit(known):
    _village, cases = known
    used = {k: CaseFigure.objects.get(case=c).used_minutes for k, c in cases.items()}
    assert used == {"a": 12, "b": 29, "c": 41, "open": None, "d": 30}
    f = selectors.figures_summary(region_code="430903", period=PERIOD)
    assert (f.minutes_completed, f.minutes_met) == (4, 3)
    assert f.minutes_rate == pytest.approx(0.75)
    # Such a case is on time by its minutes too.
    assert CaseFigure.objects.get(case=cases["c"]).is_on_time is False
    assert CaseFigure.objects.get(case=cases["b"]).is_on_time is True


def test_per_village_rows(known):
    rows = selectors.village_minutes_rows(region_code="430903", period=PERIOD)
    assert [(r.name, r.completed, r.met, r.late) for r in rows] == [
        ("龙光桥村", 3, 2, 1),
        ("新桥村", 1, 1, 0),
    ]
    assert selectors.village_minutes_rows(region_code="430902", period=PERIOD) == []


def test_the_aggregates_equal_a_recount(village):
    case = _case(village, at(9, 0), None)
    services.case_figures_refresh(case_ids=[case.pk])
    with clock.frozen(at(9, 40)):
        village.approve(case)
    services.case_figures_refresh(case_ids=[case.pk])
    f = selectors.figures_summary(region_code="430903", period=PERIOD)
    assert (f.minutes_completed, f.minutes_met) == (1, 0)
    assert selectors.figures_check().ok


def test_dashboard_and_api_show_the_figure(known, client):
    village, _cases = known
    client.force_login(StaffFactory(supervisor=True, region=village.county).user)
    query = {"region": "430903", "start": "2026-12-01", "end": "2026-12-31"}
    body = client.get(reverse("stats:dashboard"), query).content.decode()
    assert "村级30分钟办结率" in body
    table = body[body.index('id="table-minutes"') :]
    table = table[: table.index("</section>")].replace("\n", "")
    assert "龙光桥村</th><td>3</td><td>2</td><td>1</td><td>66.7%</td>" in table
    data = client.get("/api/stats/figures", query).json()["village_minutes"]
    assert (data["completed"], data["met"]) == (4, 3)
    assert data["rate"] == pytest.approx(0.75)
    assert [v["code"] for v in data["villages"]] == ["430903101201", "430903101202"]
