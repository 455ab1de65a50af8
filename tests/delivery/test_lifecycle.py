"""The shipment life cycle against the carrier simulator served over real HTTP: a carrier
that is down and comes back loses nothing, each waybill is created once, tracking becomes
case events and outbox messages, and a delivered result hands the case out."""

from __future__ import annotations

import dataclasses

import pytest

from onestop.cases.models import CaseEvent
from onestop.cases.states import CaseState, EventKind
from onestop.delivery import services
from onestop.delivery.models import Shipment
from onestop.delivery.services import shipment_create, shipments_sync
from onestop.delivery.states import ShipmentKind, ShipmentState
from onestop.notifications.models import Message, MessageKind
from tests.delivery.conftest import STEP
from tests.factories.delivery import choose_post

pytestmark = pytest.mark.django_db


def _kinds(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def test_down_and_back_loses_nothing_and_creates_each_waybill_once(
    setup, simulator, django_capture_on_commit_callbacks
):
    case = setup.completed()
    choose_post(setup, case)
    simulator.stop()  # the carrier is down when the clerk posts the result

    with django_capture_on_commit_callbacks(execute=True):
        shipment = shipment_create(
            case_id=case.pk, kind=ShipmentKind.RESULTS_TO_APPLICANT, by=setup.clerk
        )
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.PENDING
    assert shipment.attempts == 1 and "CarrierUnavailable" in shipment.last_error
    assert shipment.recipient_name == "李四"

    far = shipment.next_attempt_at + STEP
    report = shipments_sync(now=far)  # still down: still waiting
    assert report.waiting == [shipment.pk]
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.PENDING and shipment.attempts == 2

    # It comes back. The last order had in fact reached it before the line dropped (a
    # timeout after the carrier registered it): the retry must not make a second waybill.
    simulator.start()
    first = simulator.engine.waybill_create(services._order_of(shipment))
    report = shipments_sync(now=far + STEP * 10)
    shipment.refresh_from_db()
    assert report.ordered == [shipment.pk]
    assert shipment.state == ShipmentState.CREATED
    assert shipment.waybill_no == first.waybill_no
    assert simulator.waybills_created == 1

    # Picked up and under way; the carrier goes down again before the delivery is read.
    simulator.advance(STEP * 2)
    shipments_sync()
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.IN_TRANSIT
    simulator.stop()
    simulator.advance(STEP * 3)
    assert shipments_sync().events == 0
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.IN_TRANSIT

    simulator.start()  # back, on the same state file: it knows the waybill
    with django_capture_on_commit_callbacks(execute=True):
        report = shipments_sync()
    assert report.events == 2
    assert report.handed_out == []  # handed out at once by the delivery, not by the retry
    shipment.refresh_from_db()
    case.refresh_from_db()
    assert shipment.state == ShipmentState.DELIVERED
    assert shipment.handed_out_at is not None
    assert case.state == CaseState.DELIVERED
    assert list(shipment.tracking.values_list("seq", flat=True)) == [1, 2, 3, 4]
    assert simulator.waybills_created == 1

    kinds = _kinds(case)
    tail = kinds[kinds.index(EventKind.DELIVERY_METHOD_CHOSEN) :]
    assert tail == [
        EventKind.DELIVERY_METHOD_CHOSEN,
        EventKind.SHIPMENT_CREATED,
        EventKind.SHIPMENT_WAYBILL,
        EventKind.SHIPMENT_PICKED_UP,
        EventKind.SHIPMENT_IN_TRANSIT,
        EventKind.SHIPMENT_OUT_FOR_DELIVERY,
        EventKind.SHIPMENT_DELIVERED,
        EventKind.HANDED_OUT,
    ]
    hand_out = CaseEvent.objects.get(case=case, kind=EventKind.HANDED_OUT)
    assert shipment.waybill_no in hand_out.reason

    # The applicant was told through the outbox: sent, out for delivery, delivered.
    told = set(
        Message.objects.filter(
            case_id=case.pk, recipient_kind="applicant", channel="inbox"
        ).values_list("kind", flat=True)
    )
    assert {
        MessageKind.SHIPMENT_SENT,
        MessageKind.SHIPMENT_OUT_FOR_DELIVERY,
        MessageKind.SHIPMENT_DELIVERED,
        MessageKind.HANDED_OUT,
    } <= told
    assert (
        Message.objects.filter(
            case_id=case.pk, kind=MessageKind.SHIPMENT_SENT, channel="sms"
        ).count()
        == 1
    )

    # A second sync records nothing twice.
    before = CaseEvent.objects.filter(case=case).count()
    assert shipments_sync().events == 0
    assert CaseEvent.objects.filter(case=case).count() == before


def test_returned_parcel_alerts_the_hall_and_leaves_the_case_for_the_window(
    setup, simulator, django_capture_on_commit_callbacks
):
    case = setup.completed()
    choose_post(setup, case, address="湖南省益阳市赫山区某某路1号（查无此人）")
    with django_capture_on_commit_callbacks(execute=True):
        shipment = shipment_create(
            case_id=case.pk, kind=ShipmentKind.RESULTS_TO_APPLICANT, by=setup.clerk
        )
    simulator.advance(STEP * 5)
    shipments_sync()
    shipment.refresh_from_db()
    case.refresh_from_db()
    assert shipment.state == ShipmentState.RETURNED
    assert "查无此人" in shipment.return_reason
    assert case.state == CaseState.COMPLETED  # the result waits at the window
    alert = Message.objects.get(kind=MessageKind.SHIPMENT_RETURNED_ALERT, channel="inbox")
    assert alert.recipient_kind == "staff" and alert.recipient_id == setup.clerk.pk
    assert Message.objects.filter(
        kind=MessageKind.SHIPMENT_RETURNED, recipient_kind="applicant"
    ).exists()

    from onestop.delivery.selectors import returned_alerts_for

    assert returned_alerts_for(setup.clerk) == [shipment]
    services.shipment_return_handle(shipment_id=shipment.pk, by=setup.clerk)
    assert returned_alerts_for(setup.clerk) == []
    # A new parcel may go now that the first came back.
    with django_capture_on_commit_callbacks(execute=True):
        again = shipment_create(
            case_id=case.pk, kind=ShipmentKind.RESULTS_TO_APPLICANT, by=setup.clerk
        )
    assert again.pk != shipment.pk


def test_result_post_needs_the_applicants_choice_and_a_case_ready_to_hand_out(setup, simulator):
    from onestop.core.errors import Conflict, IllegalTransition

    case = setup.accepted()
    choose_post(setup, case)
    with pytest.raises(IllegalTransition):  # in progress: nothing to hand out yet
        shipment_create(case_id=case.pk, kind=ShipmentKind.RESULTS_TO_APPLICANT, by=setup.clerk)
    other = setup.completed(applicant=setup.applicant)
    with pytest.raises(Conflict):  # window collection chosen (nothing chosen)
        shipment_create(case_id=other.pk, kind=ShipmentKind.RESULTS_TO_APPLICANT, by=setup.clerk)


def test_the_same_request_key_returns_the_first_shipment(setup, simulator):
    case = setup.completed()
    choose_post(setup, case)
    a = shipment_create(
        case_id=case.pk, kind="results_to_applicant", by=setup.clerk, request_key="k-1"
    )
    b = shipment_create(
        case_id=case.pk, kind="results_to_applicant", by=setup.clerk, request_key="k-1"
    )
    assert a.pk == b.pk
    assert Shipment.objects.count() == 1
    assert _kinds(case).count(EventKind.SHIPMENT_CREATED) == 1


def test_cross_region_forwarding_for_another_helper(
    setup, simulator, django_capture_on_commit_callbacks
):
    """异地代收代办: a service forwards the file to the handling region with explicit parties."""
    case = setup.accepted()
    handling = services.Party(
        "长沙市市场监督管理局", "0731-88888888", "湖南省长沙市岳麓区金星中路1号"
    )
    receiving = services.Party(
        "赫山区政务服务中心", "0737-1234567", "湖南省益阳市赫山区金山南路1号"
    )
    with django_capture_on_commit_callbacks(execute=True):
        shipment = shipment_create(
            case_id=case.pk,
            kind=ShipmentKind.MATERIALS_TO_HANDLING,
            by=setup.clerk,
            sender=receiving,
            recipient=dataclasses.replace(handling, postcode="410000"),
        )
    shipment.refresh_from_db()
    assert shipment.state == ShipmentState.CREATED and shipment.waybill_no
    assert shipment.recipient_postcode == "410000"
