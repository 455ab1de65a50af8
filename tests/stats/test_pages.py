"""The consultation register (page and API), the dashboard, its downloads and JSON API."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from onestop.stats import services
from onestop.stats.models import Consultation
from tests.factories.accounts import StaffFactory
from tests.stats.test_figures import build


@pytest.fixture
def supervisor(setup):
    return StaffFactory(supervisor=True, region=setup.city, name="监察员")


def test_clerk_registers_a_consultation_once_even_if_the_form_is_sent_twice(setup, client):
    client.force_login(setup.clerk.user)
    page = client.get(reverse("stats:consultations"))
    assert page.status_code == 200
    assert "咨询登记" in page.content.decode()
    data = {"channel": "phone", "topic": "开办企业需要哪些材料", "key": "k-1"}
    first = client.post(reverse("stats:consultations"), data, follow=True)
    client.post(reverse("stats:consultations"), data)
    assert Consultation.objects.count() == 1
    body = first.content.decode()
    assert "已登记一条咨询" in body and "开办企业需要哪些材料" in body
    record = Consultation.objects.get()
    assert (record.region_code, record.staff) == ("430903", setup.clerk)


def test_bad_consultation_input_is_shown_at_its_field(setup, client):
    client.force_login(setup.clerk.user)
    page = client.post(
        reverse("stats:consultations"), {"channel": "phone", "topic": " ", "item": "999"}
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="err-topic"' in body and "请填写咨询内容" in body
    assert 'id="err-item"' in body and "没有基本编码为“999”的事项" in body
    page = client.post(reverse("stats:consultations"), {"channel": "fax", "topic": "x"})
    assert 'id="err-channel"' in page.content.decode()
    assert not Consultation.objects.exists()


def test_only_clerks_register_and_only_stats_viewers_see_the_dashboard(setup, supervisor, client):
    client.force_login(setup.officers["licence"].user)
    assert client.get(reverse("stats:consultations")).status_code == 403
    assert client.get(reverse("stats:dashboard")).status_code == 403
    client.force_login(setup.clerk.user)
    assert client.get(reverse("stats:dashboard")).status_code == 403
    client.force_login(setup.chief.user)
    assert client.get(reverse("stats:dashboard")).status_code == 200


def test_dashboard_shows_the_figures_with_charts_and_tables(setup, supervisor, client):
    build(setup)
    services.figures_rebuild()
    client.force_login(supervisor.user)
    page = client.get(
        reverse("stats:dashboard"),
        {"region": "4309", "start": "2026-09-01", "end": "2026-10-31", "step": "week"},
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "市各级累计办理各类政务服务事项4件" in body
    for chart in ("chart-trend", "chart-region", "chart-channel", "chart-department"):
        assert f'id="{chart}"' in body
    assert body.count("<svg") >= 6 and body.count("<table") >= 6
    assert "赫山区" in body and "66.7%" in body  # the on-time gauge
    assert "统计分析" in body  # the nav entry


def test_dashboard_filters_report_bad_input_at_the_field(setup, supervisor, client):
    client.force_login(supervisor.user)
    body = client.get(reverse("stats:dashboard"), {"start": "2026-13-01"}).content.decode()
    assert 'id="err-start"' in body
    body = client.get(
        reverse("stats:dashboard"), {"start": "2026-10-31", "end": "2026-10-01"}
    ).content.decode()
    assert "开始日期不能晚于结束日期" in body
    body = client.get(reverse("stats:dashboard"), {"region": "4310"}).content.decode()
    assert 'id="err-region"' in body and "只能查看本辖区" in body


def test_downloads_pdf_and_xlsx(setup, supervisor, client):
    build(setup)
    services.figures_rebuild()
    client.force_login(supervisor.user)
    query = {"region": "4309", "start": "2026-09-01", "end": "2026-10-31"}
    pdf = client.get(reverse("stats:report_pdf"), query)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("stats:tables_xlsx"), query)
    book = load_workbook(io.BytesIO(xlsx.content))
    assert {"概览", "按区划", "按渠道", "按部门", "按事项", "按大厅", "按人员", "趋势"} <= set(
        book.sheetnames
    )
    rows = {r[0].value: r[1].value for r in book["概览"].iter_rows(min_row=5)}
    assert rows["受理（办件）"] == "4" and rows["按时办结率"] == "66.7%"


def test_api_figures_match_the_page(setup, supervisor, client):
    build(setup)
    services.figures_rebuild()
    client.force_login(supervisor.user)
    query = {"region": "4309", "start": "2026-09-01", "end": "2026-10-31"}
    body = client.get("/api/stats/figures", query).json()
    assert body["counts"]["accepted"] == 4
    assert body["rates"]["on_time"] == pytest.approx(2 / 3)
    assert body["working_days"]["p90_used"] == 7
    assert body["online_depth"]["level_4"] == 1
    trend = client.get("/api/stats/trend", {**query, "step": "month"}).json()
    assert [p["accepted"] for p in trend["points"]] == [3, 1]
    rows = client.get("/api/stats/breakdown", {**query, "by": "channel"}).json()["rows"]
    assert {r["key"]: r["accepted"] for r in rows} == {"hall_window": 3, "online": 1}
    text = client.get("/api/stats/report", query).json()["text"]
    assert "其中为企业审批服务办件数2件" in text


def test_api_refuses_with_problems(setup, supervisor, client):
    assert client.get("/api/stats/figures").status_code == 401
    client.force_login(setup.clerk.user)
    assert client.get("/api/stats/figures").status_code == 403
    client.force_login(supervisor.user)
    bad = client.get("/api/stats/trend", {"step": "hour"})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert client.get("/api/stats/figures", {"region": "4310"}).status_code == 422
    assert client.get("/api/stats/breakdown", {"by": "colour"}).status_code == 422
    assert (
        client.get("/api/stats/figures", {"start": "2026-10-02", "end": "2026-10-01"}).status_code
        == 422
    )


def test_api_registers_a_consultation_idempotently(setup, client):
    client.force_login(setup.clerk.user)
    body = {"channel": "online", "topic": "营业执照怎么办", "item_code": "000101001000"}
    first = client.post(
        "/api/stats/consultations",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "abc"},
    )
    again = client.post(
        "/api/stats/consultations",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "abc"},
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Consultation.objects.count() == 1
    bad = client.post(
        "/api/stats/consultations", {**body, "channel": "fax"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["field"] == "channel"
    client.force_login(setup.officers["licence"].user)
    assert (
        client.post("/api/stats/consultations", body, content_type="application/json").status_code
        == 403
    )
