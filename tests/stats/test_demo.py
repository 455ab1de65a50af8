"""The demo's stats section: thousands of consultations across channels and months, the
aggregates built, a second load adding nothing, and a report shaped like the press release."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from onestop.core import clock
from onestop.demo.loader import demo_load
from onestop.demo.stats import load_stats
from onestop.demo.summary import DemoSummary
from onestop.stats import selectors
from onestop.stats.models import Consultation

LOADED_AT = dt.datetime(2026, 6, 17, 15, 30, tzinfo=clock.SHANGHAI)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with (
                override_settings(
                    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                    MEDIA_ROOT=media,
                ),
                clock.frozen(LOADED_AT),
            ):
                yield demo_load()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_thousands_of_consultations_across_channels_and_months(demo, db):
    assert Consultation.objects.count() > 5000
    channels = set(Consultation.objects.values_list("channel", flat=True))
    assert channels == {"phone", "online", "window"}
    months = {
        c.astimezone(clock.SHANGHAI).month
        for c in Consultation.objects.values_list("at", flat=True)
    }
    assert months == {1, 2, 3, 4, 5, 6}
    assert Consultation.objects.filter(at__gt=LOADED_AT).count() == 0
    assert Consultation.objects.values("region_code").distinct().count() > 3


def test_aggregates_are_built_and_equal_a_recount(demo, db):
    assert selectors.figures_check().ok
    figures = selectors.figures_summary(
        region_code="4309", period=selectors.Period(dt.date(2026, 1, 1), dt.date(2026, 6, 17))
    )
    assert figures.received > 0 and figures.consultations > 5000


def test_the_package_sla_figure_has_the_demo_packages_targets(demo, db):
    period = selectors.Period(dt.date(2026, 1, 1), dt.date(2026, 6, 17))
    figures = selectors.figures_summary(region_code="4309", period=period)
    assert 0 < figures.sla_met <= figures.sla_completed
    targets = {
        r.code: r.sla_days for r in selectors.package_sla_rows(region_code="4309", period=period)
    }
    assert targets["4309YJS0101"] == 2  # 企业开办 within 2 working days
    assert set(targets) <= {"4309YJS0101", "4309YJS0201"}  # 不动产登记 (5) when completed
    assert targets.get("4309YJS0201", 5) == 5


def test_a_second_load_adds_nothing(demo, db):
    summary = DemoSummary()
    with clock.frozen(LOADED_AT):
        load_stats(summary)
    assert summary.created["consultations"] == 0
    assert summary.created["case figures"] == 0


def test_report_on_the_demo_reads_like_the_press_release(demo, db):
    out = io.StringIO()
    with clock.frozen(LOADED_AT):
        call_command(
            "stats",
            "report",
            "--region",
            "4309",
            "--from",
            "2026-01-01",
            "--to",
            "2026-06-11",
            stdout=out,
        )
    text = out.getvalue()
    assert "全市共受理各类网络、电话咨询" in text and "人次，市各级累计办理各类政务服务事项" in text
    assert "其中为企业审批服务办件数" in text and "为企业审批服务网办比率" in text
