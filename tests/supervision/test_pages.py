"""The supervisor desk and the 督办 pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onestop.core import clock
from onestop.supervision.models import Signal, SupervisionOrder
from onestop.supervision.services import signals_sweep
from onestop.supervision.states import OrderState, Trigger
from tests.factories.accounts import StaffFactory

SH = clock.SHANGHAI
MONDAY = dt.datetime(2026, 11, 2, 10, tzinfo=SH)
FRIDAY = dt.datetime(2026, 11, 6, 10, tzinfo=SH)


@pytest.fixture
def supervisor(setup):
    return StaffFactory(supervisor=True, region=setup.county, name="监察员甲")


@pytest.fixture
def signalled(setup):
    """Two cases accepted on Monday, swept on Friday: yellow cases, red tasks."""
    with clock.frozen(MONDAY):
        cases = [setup.accepted(), setup.accepted()]
    with clock.frozen(FRIDAY):
        signals_sweep()
    return cases


def test_the_desk_shows_live_red_and_yellow_with_counts(setup, supervisor, signalled, client):
    client.force_login(supervisor.user)
    page = client.get(reverse("supervision:desk")).content.decode()
    red = Signal.objects.filter(colour="red", state="open").count()
    yellow = Signal.objects.filter(colour="yellow", state="open").count()
    assert red and yellow
    assert f'id="count-red">{red}<' in page
    assert f'id="count-yellow">{yellow}<' in page
    assert reverse("supervision:case", args=[signalled[0].number]) in page
    assert "赫山区市场监督管理局" in page  # by department
    assert "licence专人" in page  # by officer
    only_red = client.get(reverse("supervision:desk"), {"colour": "red"}).content.decode()
    assert only_red.count('class="light-row-red"') == red
    assert 'class="light-row-yellow"' not in only_red


def test_the_desk_lands_supervisors_and_refuses_others(setup, supervisor, client):
    client.force_login(supervisor.user)
    assert client.get(reverse("workbench:home")).url == reverse("supervision:desk")
    client.force_login(setup.clerk.user)
    assert client.get(reverse("supervision:desk")).status_code == 403
    client.logout()
    assert client.get(reverse("supervision:desk")).status_code == 302


def test_a_signal_links_to_its_case_page(setup, supervisor, signalled, client):
    client.force_login(supervisor.user)
    case = signalled[0]
    page = client.get(reverse("supervision:case", args=[case.number])).content.decode()
    assert case.number in page
    assert "JC-YJ-01" in page  # the yellow of the case
    outside = StaffFactory(supervisor=True, region__code="430902", region__name="资阳区")
    client.force_login(outside.user)
    assert client.get(reverse("supervision:case", args=[case.number])).status_code == 404


def test_issue_answer_close_through_the_pages(setup, supervisor, signalled, client):
    signal = Signal.objects.filter(rule__trigger=Trigger.TASK_OVERDUE).first()
    client.force_login(supervisor.user)
    form = client.get(reverse("supervision:order_new"), {"signal": signal.pk})
    key = form.context["form"].initial["request_key"]
    data = {
        "signal": signal.pk,
        "content": "请说明超期原因。",
        "respond_days": "2",
        "request_key": key,
    }
    done = client.post(reverse("supervision:order_new"), data)
    order = SupervisionOrder.objects.get()
    assert done.url == reverse("supervision:order", args=[order.pk])
    assert order.task_id == signal.task_id and order.signal == signal
    client.post(reverse("supervision:order_new"), data)  # the same form sent twice
    assert SupervisionOrder.objects.count() == 1
    officer = order.task.assignee
    client.force_login(officer.user)
    assert f"#{order.pk}" in client.get(reverse("supervision:orders")).content.decode()
    client.post(
        reverse("supervision:order_act", args=[order.pk, "answer"]), {"answer": "今日办结。"}
    )
    order.refresh_from_db()
    assert order.state == OrderState.ANSWERED
    client.force_login(supervisor.user)
    client.post(reverse("supervision:order_act", args=[order.pk, "close"]), {"close-note": "属实"})
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED
    page = client.get(reverse("supervision:order", args=[order.pk])).content.decode()
    assert "答复督办" in page and "办结督办" in page  # the log


def test_bad_input_is_shown_next_to_its_field(setup, supervisor, signalled, client):
    client.force_login(supervisor.user)
    case = signalled[0]
    url = reverse("supervision:order_new")
    page = client.post(
        url, {"case": case.number, "content": "", "respond_days": "3", "request_key": "k1"}
    ).content.decode()
    assert "请填写督办内容。" in page
    page = client.post(
        url, {"case": case.number, "content": "请答复", "respond_days": "0", "request_key": "k2"}
    ).content.decode()
    assert "1" in page and 'name="respond_days"' in page
    assert not SupervisionOrder.objects.exists()
    order_url = reverse("supervision:order_act", args=[1, "answer"])
    assert client.post(order_url, {"answer": "x"}).status_code == 404


def test_an_empty_answer_is_refused_at_the_field(setup, supervisor, signalled, client):
    from onestop.supervision import services

    order = services.order_issue(
        supervisor=supervisor, case=signalled[0], content="请答复", respond_days=2
    )
    client.force_login(setup.officers["licence"].user)
    response = client.post(
        reverse("supervision:order_act", args=[order.pk, "answer"]), {"answer": "  "}
    )
    assert response.status_code == 422
    assert "请填写答复内容。" in response.content.decode()


def test_the_desk_costs_the_same_queries_for_more_signals(
    setup, supervisor, client, calendar_steady
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(supervisor.user)

    def count() -> tuple[int, int]:
        with clock.frozen(FRIDAY):
            signals_sweep()
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("supervision:desk"))
        return len(queries), Signal.objects.filter(state="open").count()

    with clock.frozen(MONDAY):
        setup.accepted()
    few, few_signals = count()
    with clock.frozen(MONDAY):
        setup.accepted()
        setup.accepted()
    many, many_signals = count()
    assert many_signals > few_signals
    assert many == few


def test_the_desk_speaks_english_too(setup, supervisor, signalled, client):
    from django.utils import translation

    client.force_login(supervisor.user)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        page = client.get(reverse("supervision:desk"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Red (correction)" in page and "By department" in page
