"""The public page (评价结果及整改情况向社会公开): each department's and hall's results for the
last month and the last quarter, the closed rectifications, and no personal data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from onestop.core import clock
from onestop.evaluations import services
from onestop.evaluations.states import RatingLevel, RectificationRating, Triage

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 4)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.SHANGHAI)


def _rate(setup, level, day: dt.date, text: str = ""):
    """A case handed out at the hall's window 8 on ``day`` and rated on its evaluator."""
    with clock.frozen(_at(day)):
        pairing = services.evaluator_pair(window_id=setup.extra["window"].pk, clerk=setup.clerk)
        case = setup.case_in("delivered")
        services.evaluator_light(case_id=case.pk, clerk_id=setup.clerk.pk)
        return services.rating_submit_at_window(
            pairing_token=pairing.token,
            case_id=case.pk,
            level=level,
            indicator_codes=["203"] if level >= RatingLevel.DISSATISFIED else [],
            text=text,
        )


@pytest.fixture
def rated(setup):
    """September (the last quarter): one 非常满意. November (the last month): 非常满意, 满意
    and a 非常不满意 whose rectification was fed back, rated by the rater and followed up."""
    september = _rate(setup, RatingLevel.VERY_SATISFIED, dt.date(2026, 9, 15))
    _rate(setup, RatingLevel.VERY_SATISFIED, dt.date(2026, 11, 10))
    _rate(setup, RatingLevel.SATISFIED, dt.date(2026, 11, 10))
    bad = _rate(setup, RatingLevel.VERY_DISSATISFIED, dt.date(2026, 11, 11), "窗口人员态度冷淡")
    rect = bad.rectification
    with clock.frozen(_at(dt.date(2026, 11, 12))):
        services.rectification_verify(
            rectification_id=rect.pk,
            officer=rect.officer,
            finding="电话联系评价人，情况属实",
            triage=Triage.IMMEDIATE,
        )
        services.rectification_feedback(
            rectification_id=rect.pk, officer=rect.officer, reform_content="已开展服务规范培训"
        )
    with clock.frozen(_at(dt.date(2026, 11, 13))):
        services.rectification_rate(
            rectification_id=rect.pk,
            user=setup.applicant.user,
            opinion=RectificationRating.SATISFIED,
        )
        services.rectification_follow_up(
            rectification_id=rect.pk, officer=rect.officer, note="回访：评价人表示认可"
        )
    return {"september": september, "bad": bad}


def _rows(section: str) -> dict[str, list[str]]:
    """Table rows of one period's section: the first cell's name → the other cells."""
    rows = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", section, flags=re.S):
        name = re.sub(r"<.*", "", row, flags=re.S).strip()
        rows[name] = re.findall(r"<td>(.*?)</td>", row)
    return rows


def _page(client) -> str:
    with clock.frozen(_at(TODAY)):
        page = client.get(reverse("evaluations:published"))
    assert page.status_code == 200
    return page.content.decode()


def test_the_public_page_shows_each_department_and_hall_last_month_and_last_quarter(
    setup, rated, client
):
    body = _page(client)  # no login
    month, quarter = body.split('id="results-1"')[1].split('id="results-2"')
    assert "上月（2026年11月）" in month and "2026-11-01 — 2026-11-30" in month
    assert "上季度（2026年第3季度）" in quarter and "2026-07-01 — 2026-09-30" in quarter
    # November: 3 ratings, 2 good, 1 bad (fed back: 整改率 100 %); every department of the
    # package handled each case, and all were served at the 赫山区 hall.
    for name in ("赫山区市场监督管理局", "益阳市公安局赫山分局", "赫山区政务服务中心"):
        assert _rows(month)[name] == ["3", "66.7%", "33.3%", "100.0%"], name
    # The third quarter: September's one good rating; no 差评, so no 整改率.
    assert _rows(quarter)["赫山区政务服务中心"] == ["1", "100.0%", "0.0%", "—"]
    assert "已开展服务规范培训" in body  # the closed rectification, published


def test_the_public_page_carries_no_personal_data(setup, rated, client):
    body = _page(client)
    applicant = setup.applicant
    staff = [setup.clerk, setup.chief, *setup.officers.values()]
    secrets = [
        applicant.name,
        applicant.id_number,
        applicant.id_number[-4:] + "<",
        applicant.phone,
        applicant.user.username,
        *(s.name for s in staff),
        *(s.user.username for s in staff),
        rated["bad"].case.number,
        rated["september"].case.number,
        "窗口人员态度冷淡",  # the rater's own words
        "电话联系评价人",  # the officer's finding
    ]
    assert [s for s in secrets if s and s in body] == []
    assert not re.search(r"1[3-9]\d{9}", body)  # no mobile number of anyone
    assert not re.search(r"\d{17}[\dX]", body)  # no identity number
