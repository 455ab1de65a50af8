"""督办: a supervisor issues, the department answers, the supervisor closes or escalates;
every step is in the order's hash-chained log."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.core import clock
from onestop.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from onestop.notifications.models import Message, MessageKind
from onestop.supervision import log, selectors, services
from onestop.supervision.models import OrderEvent, SupervisionOrder
from onestop.supervision.states import OrderAction, OrderState, OrderSubject
from tests.factories.accounts import StaffFactory

SH = clock.SHANGHAI
MONDAY = dt.datetime(2026, 11, 2, 10, tzinfo=SH)
# 2026 National Day: Oct 1–7 off, Sat Oct 10 worked (调休).
BEFORE_HOLIDAY = dt.datetime(2026, 9, 30, 10, tzinfo=SH)


@pytest.fixture
def supervisor(setup):
    return StaffFactory(supervisor=True, region=setup.county, name="监察员")


def issue(setup, supervisor, **kwargs):
    case = kwargs.pop("case", None) or setup.accepted()
    kwargs.setdefault("content", "请说明该件超期原因并限期办结。")
    kwargs.setdefault("respond_days", 3)
    return services.order_issue(supervisor=supervisor, case=case, **kwargs)


def test_the_lifecycle_issued_answered_closed(
    setup, supervisor, django_capture_on_commit_callbacks
):
    with clock.frozen(MONDAY), django_capture_on_commit_callbacks(execute=True):
        order = issue(setup, supervisor)
    assert order.state == OrderState.ISSUED
    assert order.subject_kind == OrderSubject.CASE
    assert order.department == setup.departments["licence"]  # the lead item's department
    assert clock.local(order.respond_by).date() == dt.date(2026, 11, 5)
    told = set(
        Message.objects.filter(kind=MessageKind.SUPERVISION_ORDER).values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {setup.officers["licence"].pk, setup.chief.pk}
    officer = setup.officers["licence"]
    assert selectors.order_actions(order, officer) == {OrderAction.ANSWER}
    assert selectors.order_actions(order, supervisor) == {OrderAction.ESCALATE}
    with clock.frozen(MONDAY + dt.timedelta(hours=2)):
        services.order_answer(order_id=order.pk, officer=officer, answer="已补齐材料，今日办结。")
    order.refresh_from_db()
    assert (order.state, order.answered_by) == (OrderState.ANSWERED, officer)
    with clock.frozen(MONDAY + dt.timedelta(hours=3)):
        services.order_close(order_id=order.pk, supervisor=supervisor, note="答复属实")
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED
    assert [e.action for e in selectors.order_log(order)] == ["issue", "answer", "close"]
    assert log.chain_verify(order) == (3, [])


def test_an_escalated_order_is_answered_again(setup, supervisor):
    order = issue(setup, supervisor)
    services.order_escalate(order_id=order.pk, supervisor=supervisor, note="逾期未答复")
    order.refresh_from_db()
    assert order.state == OrderState.ESCALATED
    services.order_answer(order_id=order.pk, officer=setup.chief, answer="已整改")
    order.refresh_from_db()
    assert order.state == OrderState.ANSWERED


def test_a_closed_order_takes_no_more_steps_and_a_retried_answer_is_refused(setup, supervisor):
    order = issue(setup, supervisor)
    officer = setup.officers["licence"]
    services.order_answer(order_id=order.pk, officer=officer, answer="已办结")
    with pytest.raises(IllegalTransition):
        services.order_answer(order_id=order.pk, officer=officer, answer="已办结")
    services.order_close(order_id=order.pk, supervisor=supervisor)
    for step in (
        lambda: services.order_close(order_id=order.pk, supervisor=supervisor),
        lambda: services.order_escalate(order_id=order.pk, supervisor=supervisor, note="再督"),
    ):
        with pytest.raises(IllegalTransition):
            step()
    assert OrderEvent.objects.filter(order=order).count() == 3


def test_only_the_department_answers_and_only_supervisors_issue(setup, supervisor):
    order = issue(setup, supervisor)
    with pytest.raises(NotFound):  # another department's officer does not see it
        services.order_answer(order_id=order.pk, officer=setup.officers["seal"], answer="x")
    with pytest.raises(PermissionDenied):
        services.order_answer(order_id=order.pk, officer=setup.clerk, answer="x")
    with pytest.raises(PermissionDenied):
        services.order_issue(
            supervisor=setup.officers["licence"], case=order.case, content="x", respond_days=1
        )
    with pytest.raises(PermissionDenied):
        services.order_close(order_id=order.pk, supervisor=setup.chief)


def test_bad_input_is_named_at_its_field(setup, supervisor):
    case = setup.accepted()
    for kwargs, field in (
        ({"content": "  ", "respond_days": 3}, "content"),
        ({"content": "请答复", "respond_days": 0}, "respond_days"),
        ({"content": "请答复", "respond_days": 61}, "respond_days"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            services.order_issue(supervisor=supervisor, case=case, **kwargs)
        assert caught.value.field == field
    assert not SupervisionOrder.objects.exists()


def test_a_retried_issue_with_the_same_key_makes_one_order(setup, supervisor):
    case = setup.accepted()
    first = issue(setup, supervisor, case=case, request_key="form-1")
    again = issue(setup, supervisor, case=case, request_key="form-1")
    assert first.pk == again.pk
    assert SupervisionOrder.objects.count() == 1


def test_an_order_to_a_department_counts_working_days_across_the_national_day(setup, supervisor):
    with clock.frozen(BEFORE_HOLIDAY):
        order = services.order_issue(
            supervisor=supervisor,
            department=setup.departments["seal"],
            content="请报送本季度超期办件整改情况。",
            respond_days=3,
        )
    assert order.subject_kind == OrderSubject.DEPARTMENT
    # Oct 1–7 off, Oct 8 (Thu), Oct 9 (Fri), Oct 10 (Sat, worked): the third working day.
    assert clock.local(order.respond_by).date() == dt.date(2026, 10, 10)


def test_the_database_refuses_to_edit_or_delete_a_step(setup, supervisor):
    from django.db import DatabaseError, transaction

    order = issue(setup, supervisor)
    for change in (
        lambda: OrderEvent.objects.filter(order=order).update(note="改过"),
        lambda: OrderEvent.objects.filter(order=order)._raw_delete(OrderEvent.objects.db),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert OrderEvent.objects.get(order=order).note == order.content


def _drop_guard() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE supervision_orderevent DISABLE TRIGGER onestop_order_event_append_only"
            )
        else:
            cursor.execute("DROP TRIGGER IF EXISTS onestop_order_event_no_update")


def test_an_edited_step_breaks_the_chain(setup, supervisor):
    _drop_guard()  # someone with the database in hand (the test's transaction undoes it)
    order = issue(setup, supervisor)
    services.order_answer(order_id=order.pk, officer=setup.officers["licence"], answer="已办结")
    OrderEvent.objects.filter(order=order, seq=1).update(note="改过的督办内容")
    order.refresh_from_db()
    count, breaks = log.chain_verify(order)
    assert count == 2
    assert [b.seq for b in breaks] == [1], breaks
    with pytest.raises(RuntimeError):
        OrderEvent.objects.get(order=order, seq=2).delete()


def test_the_commands_sweep_and_verify(setup, supervisor):
    import io

    from django.core.management import call_command

    issue(setup, supervisor)
    out = io.StringIO()
    call_command("supervision", "verify", stdout=out)
    assert "1 orders checked, 0 breaks." in out.getvalue()
    out = io.StringIO()
    call_command("supervision", "sweep", stdout=out)
    assert out.getvalue().startswith("raised ")
