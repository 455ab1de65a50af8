"""``onestop stats report|rebuild|check`` on a known data set."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from onestop.core import clock
from onestop.stats import services
from onestop.stats.models import DailyFigure
from tests.stats.conftest import at
from tests.stats.test_figures import build


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def known(setup):
    build(setup)
    with clock.frozen(at(10, 9, 11)):
        for channel in ("phone", "phone", "online", "window"):
            services.consultation_record(staff=setup.clerk, channel=channel, topic="开办企业")
    services.figures_rebuild()
    return setup


def test_report_for_the_city(known):
    text = _run("report", "--region", "4309", "--from", "2026-09-01", "--to", "2026-10-31")
    assert text == (
        "2026年9月1日至2026年10月31日，全市共受理各类网络、电话咨询3人次，"
        "市各级累计办理各类政务服务事项4件，其中为企业审批服务办件数2件，"
        "网上办理1件，为企业审批服务网办比率50%。"
        "“一件事一次办”办件4件，跨域通办0件，村（社区）便民服务站办结0件；"
        "按时办结率67%；网上办理深度达到Ⅲ级的事项1项、Ⅳ级1项，Ⅲ级及以上占67%。"
    )


def test_report_for_a_district_says_quanqu(known):
    text = _run("report", "--region", "430903", "--from", "2026-10-01", "--to", "2026-10-31")
    assert text.startswith(
        "2026年10月1日至2026年10月31日，全区共受理各类网络、电话咨询3人次，区各级累计办理"
    )
    assert "办理各类政务服务事项1件" in text


def test_report_refuses_bad_input(known):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _run("report", "--region", "4309", "--from", "2026-9-1x", "--to", "2026-10-31")
    with pytest.raises(CommandError, match="行政区划"):
        _run("report", "--region", "9999", "--from", "2026-09-01", "--to", "2026-10-31")


def test_rebuild_and_check(known):
    out = _run("rebuild")
    assert "ok: the aggregates equal a full recount of 5 cases" in out
    DailyFigure.objects.filter(accepted__gt=0).update(accepted=0)
    with pytest.raises(CommandError, match="不一致"):
        _run("check")
    assert _run("sweep") == "0 cases checked, 0 changed."  # the cases did not move
    _run("rebuild")
    assert _run("check").startswith("ok:")
