"""Each figure on a hand-built data set with known answers.

Five cases of the package 我要开办企业 at 赫山区 (430903, under the city 4309), around the
2026 National Day (10-01…10-07 off, Saturday 10-10 worked, 调休):

====  ==========  ==========  =======================  ===========  =======================
case  applicant   channel     submitted → accepted      completed    working days used
====  ==========  ==========  =======================  ===========  =======================
A     enterprise  online      09-29 → 09-30             10-09        2 (10-08, 10-09)
B     person      window      09-29 → 09-29             10-12        5 (09-30, 10-08, 10-09,
                                                                        10-10 调休, 10-12)
C     person      window      09-28, 补正 once → 09-28  10-13        7 → late (limit 5)
D     enterprise  window      10-09 → 10-09             —            —
E     person      window      10-09, rejected           —            —
====  ==========  ==========  =======================  ===========  =======================
"""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.cases import services as cases
from onestop.cases.states import Channel
from onestop.catalog.models import ServiceItemVersion
from onestop.core import clock
from onestop.stats import selectors, services
from tests.factories.accounts import ApplicantFactory, UserFactory
from tests.stats.conftest import at

PERIOD = selectors.Period(dt.date(2026, 9, 1), dt.date(2026, 10, 31))


def _complete(setup, case, when):
    with clock.frozen(when):
        for key in ("licence", "seal", "invoice"):
            setup.decide(case, key)


def build(setup):
    enterprise = ApplicantFactory(enterprise=True, user=UserFactory())
    with clock.frozen(at(9, 29, 9)):
        a = setup.submit(channel=Channel.ONLINE, applicant=enterprise, created_by=enterprise.user)
        cases.case_pre_review_pass(case_id=a.pk, clerk=setup.clerk)
    with clock.frozen(at(9, 30)):
        cases.case_accept(case_id=a.pk, clerk=setup.clerk)
    _complete(setup, a, at(10, 9, 15))

    with clock.frozen(at(9, 29)):
        b = setup.accepted()
    _complete(setup, b, at(10, 12, 16))

    with clock.frozen(at(9, 28, 9)):
        c = setup.submit(materials=setup.without("lease"))
        cases.case_request_correction(case_id=c.pk, clerk=setup.clerk, missing=["lease"])
        from tests.factories.cases import upload

        cases.case_supplement(case_id=c.pk, by=setup.applicant, materials=[upload("lease")])
    with clock.frozen(at(9, 28, 15)):
        cases.case_accept(case_id=c.pk, clerk=setup.clerk)
    _complete(setup, c, at(10, 13, 11))

    with clock.frozen(at(10, 9)):
        setup.accepted(applicant=enterprise, created_by=enterprise.user)
        e = setup.submit()
        cases.case_reject(case_id=e.pk, clerk=setup.clerk, reason="不属于本地管辖")
    # online depth of the three items: Ⅳ, Ⅲ, Ⅱ
    for key, depth in (("licence", 4), ("seal", 3), ("invoice", 2)):
        ServiceItemVersion.objects.filter(pk=setup.versions[key].pk).update(online_depth=depth)


@pytest.fixture
def built(setup):
    build(setup)
    services.figures_rebuild()
    return setup


def test_counts_received_accepted_completed(built):
    f = selectors.figures_summary(region_code="4309", period=PERIOD)
    assert (f.received, f.accepted, f.completed) == (5, 4, 3)
    assert f.package_accepted == 4
    assert f.enterprise_accepted == 2


def test_on_time_and_working_days_across_national_day_and_tiaoxiu(built):
    f = selectors.figures_summary(region_code="4309", period=PERIOD)
    # A used 2, B 5 (the 调休 Saturday counts), C 7 against the package's 5
    assert (f.on_time, f.late) == (2, 1)
    assert f.on_time_rate == pytest.approx(2 / 3)
    assert f.avg_used_days == pytest.approx(14 / 3)
    assert f.avg_limit_days == pytest.approx(5)
    assert f.p90_used_days == 7


def test_online_rate_is_enterprise_cases_handled_online(built):
    f = selectors.figures_summary(region_code="4309", period=PERIOD)
    assert f.online_enterprise_accepted == 1
    assert f.online_rate == pytest.approx(0.5)
    assert f.online_rate_all == pytest.approx(0.25)


def test_depth_share_counts_items_at_level_three_or_four(built):
    f = selectors.figures_summary(region_code="4309", period=PERIOD)
    assert (f.depth_3, f.depth_4, f.depth_items) == (1, 1, 3)
    assert f.depth_share == pytest.approx(2 / 3)
    assert f.depth_target_met is False


def test_corrections_per_case(built):
    f = selectors.figures_summary(region_code="4309", period=PERIOD)
    assert f.corrections == 1
    assert f.corrections_per_case == pytest.approx(0.2)


def test_period_edges_are_days_in_shanghai(built):
    only_october = selectors.Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    f = selectors.figures_summary(region_code="4309", period=only_october)
    assert (f.received, f.accepted, f.completed) == (2, 1, 3)


def test_other_subtree_sees_nothing(built):
    from tests.factories.regions import RegionFactory

    RegionFactory(code="4310", name="郴州市")
    f = selectors.figures_summary(region_code="4310", period=PERIOD)
    assert (f.received, f.accepted, f.completed) == (0, 0, 0)
    assert f.on_time_rate is None and f.online_rate is None


def test_breakdowns(built):
    by_channel = {
        r.key: r
        for r in selectors.figures_breakdown(region_code="4309", period=PERIOD, by="channel")
    }
    assert by_channel["online"].accepted == 1
    assert by_channel["hall_window"].accepted == 3
    by_region = selectors.figures_breakdown(region_code="4309", period=PERIOD, by="region")
    assert [(r.label, r.accepted) for r in by_region] == [("赫山区", 4)]
    by_department = selectors.figures_breakdown(region_code="4309", period=PERIOD, by="department")
    assert [(r.label, r.completed) for r in by_department] == [("赫山区市场监督管理局", 3)]
    by_item = selectors.figures_breakdown(region_code="4309", period=PERIOD, by="item")
    assert by_item[0].label == "一件事：" + built.package.package.name
    officers = {
        r.label: r.completed
        for r in selectors.figures_breakdown(region_code="4309", period=PERIOD, by="officer")
    }
    assert officers == {"licence专人": 3, "seal专人": 3, "invoice专人": 3}


def test_trend_by_week_and_month(built):
    months = selectors.figures_trend(region_code="4309", period=PERIOD, step="month")
    assert [(p.start, p.received, p.completed) for p in months] == [
        (dt.date(2026, 9, 1), 3, 0),
        (dt.date(2026, 10, 1), 2, 3),
    ]
    weeks = selectors.figures_trend(region_code="4309", period=PERIOD, step="week")
    assert weeks[0].start == dt.date(2026, 9, 28)  # a Monday
    assert sum(p.accepted for p in weeks) == 4


def test_ratings_come_from_the_evaluations_selector_or_show_no_data(built, monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr(
        selectors,
        "_ratings_source",
        lambda: lambda **kw: SimpleNamespace(ratings=8, good_rate=0.75),
    )
    f = selectors.figures_summary(region_code="4309", period=PERIOD)
    assert (f.ratings.total, f.ratings.good_rate) == (8, 0.75)

    def broken(**kw):
        raise RuntimeError("evaluations not migrated")

    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(selectors, "_ratings_source", lambda: broken)
    assert selectors.figures_summary(region_code="4309", period=PERIOD).ratings is None
    monkeypatch.setattr(selectors, "_ratings_source", lambda: None)
    assert selectors.figures_summary(region_code="4309", period=PERIOD).ratings is None


def test_cross_domain_counts_tasks_handled_in_another_region(setup):
    from onestop.cases.models import ItemTask
    from tests.factories.regions import RegionFactory

    with clock.frozen(at(9, 29)):
        case = setup.accepted()
    other = RegionFactory(code="430902", name="资阳区", parent=setup.city, level="county")
    ItemTask.objects.filter(case=case).update(region=other, region_code=other.code)
    services.figures_rebuild()
    f = selectors.figures_summary(region_code="4309", period=PERIOD)
    assert f.cross_domain_accepted == 1
