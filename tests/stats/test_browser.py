"""The dashboard and the consultation register in Chromium at 390 and 1366 px.

Screenshots go to ``ONESTOP_SHOTS`` (or the test's temporary directory) for a person to
look at; the assertions are what a user would notice: the charts are drawn, each has its
table, nothing is wider than the phone's screen, the register accepts an enquiry.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from onestop.stats import selectors
from tests.browser_fixtures import DESKTOP, PHONE
from tests.factories.accounts import StaffFactory
from tests.factories.cases import start_business
from tests.stats.test_figures import build

QUERY = "?region=4309&start=2026-09-01&end=2026-10-31&step=week"


@pytest.fixture
def shots(tmp_path) -> Path:
    out = Path(os.environ.get("ONESTOP_SHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_dashboard_renders_charts_beside_tables(
    login, live_server, transactional_db, shots, viewport, label
):
    setup = start_business()
    build(setup)  # the hooks keep the aggregates: this test's transactions really commit
    assert selectors.figures_check().ok
    StaffFactory(supervisor=True, region=setup.city, user__username="leader")
    page = login("leader", viewport=viewport)
    response = page.goto("/desk/stats/" + QUERY)
    assert response.status == 200
    assert "市各级累计办理各类政务服务事项4件" in page.inner_text("#press-paragraph")
    for chart in ("trend", "region", "channel", "department"):
        section = page.locator(f"#chart-{chart}")
        assert section.locator("svg rect").count() >= 1, chart
        assert section.locator("table tbody tr").count() >= 1, chart
        assert section.locator("svg").bounding_box()["width"] > 100, chart
    assert page.locator("#gauge-on-time svg path.gauge-fill").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the page is {width}px wide"
    page.screenshot(path=str(shots / f"stats-dashboard-{label}.png"), full_page=True)


def test_consultation_register_on_a_phone(login, live_server, transactional_db, shots):
    setup = start_business()
    page = login(setup.clerk.user.username, viewport=PHONE)
    page.goto("/desk/stats/consultations/")
    page.check("input[name=channel][value=window]")
    page.fill("#c-topic", "")
    page.click("#consultation-form button[type=submit]")
    assert "请填写咨询内容" in page.inner_text("#err-topic")
    page.fill("#c-topic", "不动产登记需要带什么")
    page.click("#consultation-form button[type=submit]")
    assert "不动产登记需要带什么" in page.inner_text("#consultations")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    page.screenshot(path=str(shots / "stats-consultations-phone.png"), full_page=True)
