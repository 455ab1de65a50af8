"""本办理点代其他办理点收件 / 其他办理点代本办理点收件 per day, month and year."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.catalog.models import RoutingRule
from onestop.core import clock
from onestop.stats.selectors import proxy_counters
from tests.cases.api.conftest import Api
from tests.factories.accounts import ApplicantFactory, StaffFactory, UserFactory
from tests.factories.crossdomain import Cross, cross_domain

TODAY = dt.datetime(2026, 6, 10, 10, 0, tzinfo=clock.SHANGHAI)  # a Wednesday


@pytest.fixture
def x(db) -> Cross:
    with clock.frozen(TODAY):
        x = cross_domain()
    x.package.routing_rule = RoutingRule.APPLICANT_RESIDENCE
    x.package.save(update_fields=["routing_rule"])
    return x


def _at(moment: dt.datetime, x: Cross, *, at: str, lives: str) -> None:
    with clock.frozen(moment):
        person = ApplicantFactory(user=UserFactory(), region=x.regions[lives])
        x.accepted(at=at, applicant=person)


def _table(counters):
    return {c.span: (c.for_others, c.by_others) for c in counters}


def test_counters_by_day_month_year(x):
    _at(TODAY, x, at="赫山", lives="资阳")  # 赫山 receives for 资阳, today
    _at(TODAY - dt.timedelta(days=1), x, at="赫山", lives="长春村")  # yesterday, same
    _at(dt.datetime(2026, 2, 3, 10, tzinfo=clock.SHANGHAI), x, at="资阳", lives="赫山")
    _at(
        dt.datetime(2025, 12, 30, 10, tzinfo=clock.SHANGHAI), x, at="赫山", lives="资阳"
    )  # last year
    _at(TODAY, x, at="赫山", lives="赫山")  # local: counted nowhere
    with clock.frozen(TODAY):
        hs = _table(proxy_counters(region_code="430903"))
        zy = _table(proxy_counters(region_code="430902"))
        tj = _table(proxy_counters(region_code="430922"))
        city = _table(proxy_counters(region_code="4309"))
        hall = _table(proxy_counters(region_code="430903", hall_id=x.halls["赫山"].pk))
    assert hs == {"day": (1, 0), "month": (2, 0), "year": (2, 1)}
    assert zy == {"day": (0, 1), "month": (0, 2), "year": (1, 2)}
    assert tj == {"day": (0, 0), "month": (0, 0), "year": (0, 0)}
    assert city == {"day": (0, 0), "month": (0, 0), "year": (0, 0)}  # all inside the city
    assert hall == hs


def test_dashboard_and_api_show_the_counters(x, client):
    _at(TODAY, x, at="赫山", lives="资阳")
    supervisor = StaffFactory(supervisor=True, region=x.regions["赫山"])
    with clock.frozen(TODAY):
        client.force_login(supervisor.user)
        page = client.get("/desk/stats/").content.decode()
        assert "本办理点代其他办理点收件" in page and 'id="table-cross-domain"' in page
        body = Api(supervisor.user).get("/api/stats/cross-domain").json()
        assert body["region"] == "430903"
        assert body["counters"][0] == {
            "span": "day",
            "label": "今日",
            "for_others": 1,
            "by_others": 0,
        }
        other = Api(supervisor.user).get("/api/stats/cross-domain", hall=x.halls["资阳"].pk)
        assert other.status_code == 404  # a hall outside the viewer's region
        clerk = Api(x.clerks["赫山"].user).get("/api/stats/cross-domain")
        assert clerk.status_code == 403
