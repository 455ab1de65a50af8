"""The "2、5、6" figure: package cases completed within their package's 限时办结 target,
counted in working days from submission to completion, on a hand-built data set.

The package 我要开办企业 (target 2 working days) at 赫山区, around the 2026 National Day
(10-01…10-07 off, Saturday 10-10 worked, 调休):

====  =================  ===========  ========================================  ======
case  submitted          completed    working days after submission             target
====  =================  ===========  ========================================  ======
A     Wed 09-30          Thu 10-08    1 (10-08; eight calendar days)            met
B     Tue 09-29          Fri 10-09    3 (09-30, 10-08, 10-09)                   late
C     Fri 10-09          Tue 10-13    3 (10-10 调休, 10-12, 10-13)              late
F     Mon 10-12          Tue 10-13    1                                         met
D     Mon 10-12          —            not completed: not counted                 —
====  =================  ===========  ========================================  ======
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onestop.catalog.models import PackageVersion
from onestop.core import clock
from onestop.stats import selectors, services
from onestop.stats.models import CaseFigure
from tests.factories.accounts import StaffFactory
from tests.stats.conftest import at

PERIOD = selectors.Period(dt.date(2026, 9, 1), dt.date(2026, 10, 31))


def _case(setup, submitted: dt.datetime, completed: dt.datetime | None):
    with clock.frozen(submitted):
        case = setup.accepted()
    if completed is not None:
        with clock.frozen(completed):
            for key in ("licence", "seal", "invoice"):
                setup.decide(case, key)
    return case


@pytest.fixture
def known(setup):
    PackageVersion.objects.filter(pk=setup.package.pk).update(sla_days=2)
    cases = {
        "A": _case(setup, at(9, 30), at(10, 8, 16)),
        "B": _case(setup, at(9, 29), at(10, 9, 16)),
        "C": _case(setup, at(10, 9), at(10, 13, 11)),
        "F": _case(setup, at(10, 12), at(10, 13, 15)),
        "D": _case(setup, at(10, 12, 11), None),
    }
    services.figures_rebuild()
    return setup, cases


def test_met_counts_working_days_from_submission_across_the_holiday_and_tiaoxiu(known):
    setup, cases = known
    used = {name: CaseFigure.objects.get(case=case).sla_used_days for name, case in cases.items()}
    assert used == {"A": 1, "B": 3, "C": 3, "F": 1, "D": None}
    f = selectors.figures_summary(region_code="4309", period=PERIOD)
    assert (f.sla_completed, f.sla_met) == (4, 2)
    assert f.sla_rate == pytest.approx(0.5)


def test_the_period_counts_cases_on_the_day_they_were_completed(known):
    f = selectors.figures_summary(
        region_code="4309", period=selectors.Period(dt.date(2026, 9, 1), dt.date(2026, 10, 9))
    )
    assert (f.sla_completed, f.sla_met) == (2, 1)  # A and B


def test_per_package_rows_name_the_target(known):
    setup, _cases = known
    [row] = selectors.package_sla_rows(region_code="430903", period=PERIOD)
    assert (row.code, row.sla_days, row.completed, row.met, row.late) == (
        setup.package.package.code,
        2,
        4,
        2,
        2,
    )
    assert selectors.package_sla_rows(region_code="430902", period=PERIOD) == []


def test_a_package_without_a_target_is_not_counted(setup):
    _case(setup, at(9, 29), at(10, 9, 16))
    services.figures_rebuild()
    f = selectors.figures_summary(region_code="4309", period=PERIOD)
    assert f.completed == 1
    assert (f.sla_completed, f.sla_met, f.sla_rate) == (0, 0, None)
    assert selectors.package_sla_rows(region_code="4309", period=PERIOD) == []


def test_the_aggregates_follow_each_completion_and_equal_a_recount(setup):
    PackageVersion.objects.filter(pk=setup.package.pk).update(sla_days=2)
    case = _case(setup, at(10, 9), None)
    services.case_figures_refresh(case_ids=[case.pk])
    assert selectors.figures_summary(region_code="4309", period=PERIOD).sla_completed == 0
    with clock.frozen(at(10, 13, 11)):
        for key in ("licence", "seal", "invoice"):
            setup.decide(case, key)
    services.case_figures_refresh(case_ids=[case.pk])
    f = selectors.figures_summary(region_code="4309", period=PERIOD)
    assert (f.sla_completed, f.sla_met) == (1, 0)
    assert selectors.figures_check().ok


def test_dashboard_and_api_show_the_figure_and_its_table(known, client):
    setup, _cases = known
    client.force_login(StaffFactory(supervisor=True, region=setup.city).user)
    query = {"region": "4309", "start": "2026-09-01", "end": "2026-10-31"}
    body = client.get(reverse("stats:dashboard"), query).content.decode()
    assert "“2、5、6”限时办结达标率" in body
    table = body[body.index('id="table-sla"') :]
    table = table[: table.index("</section>")]
    assert setup.package.package.name in table
    assert "<td>2</td><td>4</td><td>2</td><td>2</td><td>50.0%</td>" in table.replace("\n", "")
    data = client.get("/api/stats/figures", query).json()
    assert data["package_sla"]["completed"] == 4
    assert data["package_sla"]["met"] == 2
    assert data["package_sla"]["rate"] == pytest.approx(0.5)
    [package] = data["package_sla"]["packages"]
    assert (package["code"], package["sla_days"], package["met"]) == (
        setup.package.package.code,
        2,
        2,
    )
