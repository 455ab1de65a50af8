"""The monthly ranking (月度排名) of windows and departments and its two-months flag, on a
hand-built set of window-evaluator ratings in October and November 2026 with known answers,
and the ranking on the supervisors' figures page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from onestop.core import clock
from onestop.evaluations import selectors, services
from onestop.evaluations.states import RatingLevel
from tests.factories.accounts import StaffFactory
from tests.factories.regions import WindowFactory

pytestmark = pytest.mark.django_db

V, S, B, D, VD = (
    RatingLevel.VERY_SATISFIED,
    RatingLevel.SATISFIED,
    RatingLevel.BASIC,
    RatingLevel.DISSATISFIED,
    RatingLevel.VERY_DISSATISFIED,
)
NOVEMBER, OCTOBER = dt.date(2026, 11, 1), dt.date(2026, 10, 1)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.SHANGHAI)


def _rate_at_window(setup, window, level, day: dt.date) -> None:
    """A case handed out at ``window`` on ``day`` and rated there with one tap."""
    with clock.frozen(_at(day)):
        pairing = services.evaluator_pair(window_id=window.pk, clerk=setup.clerk)
        case = setup.case_in("delivered")
        services.evaluator_light(case_id=case.pk, clerk_id=setup.clerk.pk)
        services.rating_submit_at_window(
            pairing_token=pairing.token,
            case_id=case.pk,
            level=level,
            indicator_codes=["203"] if level >= D else [],
        )


@pytest.fixture
def windows(setup):
    """Four windows of the 赫山区 hall rated in October and November:

    | window | October        | November           | November 差评率 / 好评率 |
    |--------|----------------|--------------------|--------------------------|
    | 1      | 非常满意        | 非常满意, 非常满意  | 0 / 100 %  (1st)         |
    | 2      | 基本满意        | 不满意, 满意        | 50 % / 50 % (3rd)        |
    | 3      | —              | 基本满意, 非常满意  | 0 / 50 %  (2nd)          |
    | 8      | 非常不满意      | 非常不满意          | 100 % / 0 (4th, last)    |
    """
    hall = setup.extra["hall"]
    w = {
        "1": WindowFactory(hall=hall, number="1", name="综合受理"),
        "2": WindowFactory(hall=hall, number="2", name="综合受理（跨域通办）"),
        "3": WindowFactory(hall=hall, number="3", name="统一出件"),
        "8": setup.extra["window"],
    }
    plan = {
        dt.date(2026, 10, 14): [("1", V), ("2", B), ("8", VD)],
        dt.date(2026, 11, 11): [("1", V), ("1", V), ("2", D), ("2", S)],
        dt.date(2026, 11, 12): [("3", B), ("3", V), ("8", VD)],
    }
    for day, ratings in plan.items():
        for number, level in ratings:
            _rate_at_window(setup, w[number], level, day)
    return w


def _by_number(ranking):
    return {row.name.split("号")[0]: row for row in ranking.windows}


def test_windows_rank_by_bad_then_good_rate_and_the_last_two_months_running_is_flagged(
    setup, windows
):
    ranking = selectors.ranking_for(region_code="4309", month=dt.date(2026, 11, 20))
    assert (ranking.month, ranking.previous_month, ranking.lowest) == (NOVEMBER, OCTOBER, 1)
    assert [row.name for row in ranking.windows] == [
        "1号 综合受理",
        "3号 统一出件",
        "2号 综合受理（跨域通办）",
        "8号 综合受理",
    ]
    rows = _by_number(ranking)
    assert [rows[n].position for n in ("1", "3", "2", "8")] == [1, 2, 3, 4]
    assert (rows["2"].rates.ratings, rows["2"].rates.bad_rate, rows["2"].rates.good_rate) == (
        2,
        0.5,
        0.5,
    )
    assert rows["8"].rates.bad_rate == 1.0 and rows["8"].rates.rectification_rate == 0.0
    assert rows["8"].place == "赫山区政务服务中心"
    assert [n for n, r in rows.items() if r.is_lowest] == ["8"]
    assert [row.name for row in ranking.flagged_windows] == ["8号 综合受理"]
    assert rows["3"].previous is None and not rows["3"].was_lowest
    assert rows["8"].previous.ratings == 1


def test_a_larger_lowest_n_flags_every_window_low_in_both_months(setup, windows, settings):
    settings.ONESTOP_RATING_RANKING_LOWEST = 2
    rows = _by_number(selectors.ranking_for(region_code="430903", month=NOVEMBER))
    assert sorted(n for n, r in rows.items() if r.is_lowest) == ["2", "8"]
    assert sorted(n for n, r in rows.items() if r.is_flagged) == ["2", "8"]
    # October had only window 1 above them; window 3 was not rated then.
    assert not rows["3"].is_flagged and not rows["1"].is_flagged


def test_equal_figures_share_a_position_and_an_all_equal_ranking_has_no_lowest(setup, windows):
    ranking = selectors.ranking_for(region_code="4309", month=NOVEMBER)
    # Every rating rated the same package, so every department has the same figures.
    assert ranking.departments and {r.position for r in ranking.departments} == {1}
    assert {r.rates.ratings for r in ranking.departments} == {7}
    assert not any(r.is_lowest or r.is_flagged for r in ranking.departments)
    # Elsewhere, and in a month nobody was rated, nothing is ranked.
    assert selectors.ranking_for(region_code="4301", month=NOVEMBER).windows == []
    assert selectors.ranking_for(region_code="4309", month=dt.date(2026, 9, 1)).windows == []


def test_the_grouped_figures_equal_the_figures_of_each_subject(setup, windows):
    start, end = selectors.month_moments(NOVEMBER)
    for by, key in (("window", "window_id"), ("hall", "hall_id"), ("department", "department_id")):
        grouped = selectors.rates_by(start=start, end=end, by=by, region_code="4309")
        assert grouped, by
        for pk, rates in grouped.items():
            assert rates == selectors.rates_for(start=start, end=end, **{key: pk}), (by, pk)


def test_the_ranking_month_is_the_last_whole_month_up_to_the_period_end(settings):
    with clock.frozen(_at(dt.date(2026, 12, 4))):
        assert selectors.ranking_month(dt.date(2026, 12, 4)) == NOVEMBER
        assert selectors.ranking_month(dt.date(2026, 11, 30)) == NOVEMBER
        assert selectors.ranking_month(dt.date(2026, 11, 29)) == OCTOBER
    with clock.frozen(_at(dt.date(2026, 11, 30))):
        assert selectors.ranking_month(dt.date(2026, 11, 30)) == OCTOBER


def test_supervisors_see_the_ranking_with_the_flag_on_the_figures_page(setup, windows, client):
    supervisor = StaffFactory(supervisor=True, region=setup.city, name="监察员")
    client.force_login(supervisor.user)
    with clock.frozen(_at(dt.date(2026, 12, 4))):
        page = client.get(reverse("stats:dashboard"), {"region": "4309", "end": "2026-12-04"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "窗口评价月度排名" in body and "2026年11月" in body
    flagged = re.findall(r"<tr class=\"ranking-low\">.*?</tr>", body, flags=re.S)
    assert len(flagged) == 1 and "8号 综合受理" in flagged[0]
    assert "连续两个月排名末位</span>" in flagged[0] and "100.0%" in flagged[0]
    assert body.count("badge ranking-flag") == 1
    assert "部门评价月度排名" in body and "赫山区市场监督管理局" in body
    # The clerk (no STATS_VIEW) does not get the page at all.
    client.force_login(setup.clerk.user)
    assert client.get(reverse("stats:dashboard")).status_code == 403
