"""督办 on a 差评 rectification: issued by the supervisor to the department the 差评 was
routed to, answered there, closed or escalated; from the desk and from the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onestop.core import clock
from onestop.core.errors import NotFound, ValidationFailed
from onestop.evaluations import services as ratings
from onestop.evaluations.states import RatingLevel
from onestop.notifications.models import Message, MessageKind
from onestop.supervision import selectors, services
from onestop.supervision.models import SupervisionOrder
from onestop.supervision.states import OrderAction, OrderState, OrderSubject
from tests.factories.accounts import StaffFactory
from tests.factories.regions import RegionFactory


@pytest.fixture
def rect(setup):
    case = setup.case_in("delivered")
    rating = ratings.rating_submit(
        case_id=case.pk,
        user=setup.applicant.user,
        level=RatingLevel.VERY_DISSATISFIED,
        indicator_codes=["203"],
        text="窗口人员态度冷淡",
    )
    return rating.rectification


@pytest.fixture
def supervisor(setup):
    return StaffFactory(supervisor=True, region=setup.county, name="区监察员")


def test_issue_answer_close_on_a_rectification(
    setup, rect, supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = services.order_issue(
            supervisor=supervisor,
            rectification=rect,
            content="差评整改已逾期，请说明原因并限期整改。",
            respond_days=3,
        )
    assert order.subject_kind == OrderSubject.RECTIFICATION
    assert (order.rectification, order.department_id) == (rect, rect.department_id)
    assert order.case is None and order.region_code == rect.rating.region_code
    answerer = setup.officers["licence"]
    assert answerer.department_id == rect.department_id
    assert selectors.order_actions(order, answerer) == {OrderAction.ANSWER}
    # The department is told, as for any order.
    assert Message.objects.filter(
        kind=MessageKind.SUPERVISION_ORDER, recipient_id=answerer.pk
    ).exists()
    services.order_answer(order_id=order.pk, officer=answerer, answer="已回访评价人，限期整改。")
    order = services.order_close(order_id=order.pk, supervisor=supervisor, note="办结。")
    assert order.state == OrderState.CLOSED
    assert [e.action for e in selectors.order_log(order)] == ["issue", "answer", "close"]


def test_escalate_then_answer_again(setup, rect, supervisor):
    order = services.order_issue(
        supervisor=supervisor, rectification=rect, content="请整改。", respond_days=1
    )
    order = services.order_escalate(order_id=order.pk, supervisor=supervisor, note="逾期未答复")
    assert order.state == OrderState.ESCALATED
    order = services.order_answer(
        order_id=order.pk, officer=setup.officers["licence"], answer="已整改"
    )
    assert order.state == OrderState.ANSWERED


def test_another_department_cannot_answer_and_other_regions_cannot_see_it(setup, rect, supervisor):
    order = services.order_issue(
        supervisor=supervisor, rectification=rect, content="请整改。", respond_days=2
    )
    other = setup.officers["seal"]
    assert selectors.order_actions(order, other) == frozenset()
    with pytest.raises(NotFound):
        services.order_answer(order_id=order.pk, officer=other, answer="不是我们")
    elsewhere = StaffFactory(supervisor=True, region=RegionFactory(code="430921", name="南县"))
    with pytest.raises(NotFound):
        selectors.rectification_get_for(elsewhere, rect.pk)
    with pytest.raises(ValidationFailed):
        services.order_issue(
            supervisor=supervisor,
            rectification=rect,
            case=rect.rating.case,
            content="两个对象",
            respond_days=2,
        )


def test_the_desk_offers_a_rectification_and_issues_once(setup, rect, supervisor, client):
    client.force_login(supervisor.user)
    page = client.get(reverse("supervision:order_new"), {"rectification": rect.pk})
    assert page.status_code == 200
    assert rect.rating.case.number in page.content.decode()
    data = {
        "rectification": rect.pk,
        "content": "请说明差评整改进展。",
        "respond_days": 3,
        "request_key": "k-rect-1",
    }
    done = client.post(reverse("supervision:order_new"), data, follow=True)
    client.post(reverse("supervision:order_new"), data)
    order = SupervisionOrder.objects.get()
    assert order.rectification == rect
    body = done.content.decode()
    assert "差评整改" in body and rect.rating.case.number in body
    outsider = StaffFactory(supervisor=True, region=RegionFactory(code="430921", name="南县"))
    client.force_login(outsider.user)
    assert (
        client.get(reverse("supervision:order_new"), {"rectification": rect.pk}).status_code == 404
    )


def test_the_api_issues_on_a_rectification(setup, rect, supervisor, client):
    client.force_login(supervisor.user)
    made = client.post(
        "/api/supervision/orders",
        {"rectification_id": rect.pk, "content": "请整改。", "respond_days": 2},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["subject_kind"] == "rectification"
    assert body["rectification_id"] == rect.pk
    assert body["department_id"] == rect.department_id
    missing = client.post(
        "/api/supervision/orders",
        {"rectification_id": rect.pk + 999, "content": "请整改。", "respond_days": 2},
        content_type="application/json",
    )
    assert missing.status_code == 422


def test_the_orders_page_lists_overdue_rectifications_with_a_link_to_issue(
    setup, rect, supervisor, client
):
    client.force_login(supervisor.user)
    link = f"{reverse('supervision:order_new')}?rectification={rect.pk}"
    assert link not in client.get(reverse("supervision:orders")).content.decode()
    with clock.frozen(rect.due_at + dt.timedelta(days=1)):
        body = client.get(reverse("supervision:orders")).content.decode()
    assert 'id="rectifications-overdue"' in body and link in body
