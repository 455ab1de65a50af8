"""异地代收代办: the receiving hall posts the paper originals to the handling region, tracked,
and a late forwarding is supervised (JC-JC-08)."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.cases.states import EventKind
from onestop.catalog.models import RoutingRule
from onestop.core import clock
from onestop.core.errors import Conflict, PermissionDenied
from onestop.delivery import selectors
from onestop.delivery.contract import TrackEvent
from onestop.delivery.services import originals_forward, shipment_order, tracking_apply
from onestop.delivery.states import ShipmentKind, ShipmentState
from onestop.supervision import rules
from onestop.supervision.selectors import case_facts
from onestop.supervision.states import Trigger
from tests.factories.crossdomain import Cross, cross_domain

MONDAY = dt.datetime(2026, 6, 8, 10, 0, tzinfo=clock.SHANGHAI)
PARAMS = {"limit_days": 2, "unit": "workday"}


@pytest.fixture
def x(db) -> Cross:
    with clock.frozen(MONDAY):
        x = cross_domain()
        x.package.routing_rule = RoutingRule.APPLICANT_RESIDENCE
        x.package.save(update_fields=["routing_rule"])
        return x


def _findings(case, now):
    (facts,) = case_facts([case.pk], now=now)
    return rules.evaluate(Trigger.ORIGINALS_FORWARD_OVERDUE, facts, PARAMS, now)


def test_originals_go_from_the_receiving_hall_to_the_handling_region_tracked(x):
    with clock.frozen(MONDAY):
        case = x.accepted(at="赫山")  # handled by 资阳区人社局
        assert selectors.originals_status(case.pk, "430902") is None
        shipment = originals_forward(case_id=case.pk, clerk=x.clerks["赫山"])
        again = originals_forward(case_id=case.pk, clerk=x.clerks["赫山"])
    assert again.pk == shipment.pk  # a double click posts one parcel
    assert shipment.kind == ShipmentKind.MATERIALS_TO_HANDLING
    assert shipment.sender_name == x.halls["赫山"].name
    assert shipment.recipient_name == x.departments["资阳人社"].name
    created = case.events.get(kind=EventKind.SHIPMENT_CREATED)
    assert created.actor_id == x.clerks["赫山"].user_id
    assert created.payload["shipment_kind"] == ShipmentKind.MATERIALS_TO_HANDLING

    with clock.frozen(MONDAY + dt.timedelta(hours=1)):
        shipment_order(shipment_id=shipment.pk)
        tracking_apply(
            shipment_id=shipment.pk,
            events=[TrackEvent(1, ShipmentState.PICKED_UP, clock.now(), "赫山区")],
        )
    status = selectors.originals_status(case.pk, "430902")
    assert status is not None and not status.is_received  # 原件在途
    assert status.waybill_no
    with clock.frozen(MONDAY + dt.timedelta(hours=20)):
        tracking_apply(
            shipment_id=shipment.pk,
            events=[
                TrackEvent(2, ShipmentState.IN_TRANSIT, clock.now(), "益阳"),
                TrackEvent(3, ShipmentState.OUT_FOR_DELIVERY, clock.now(), "资阳区"),
                TrackEvent(4, ShipmentState.DELIVERED, clock.now(), "资阳区人社局"),
            ],
        )
    status = selectors.originals_status(case.pk, "430902")
    assert status is not None and status.is_received  # 已收到
    case.refresh_from_db()
    assert case.delivered_at is None  # materials arriving hand nothing out


def test_only_cases_handled_elsewhere_forward_originals(x):
    x.package.routing_rule = RoutingRule.ITEM_DEPARTMENT
    x.package.save(update_fields=["routing_rule"])
    with clock.frozen(MONDAY):
        case = x.accepted(at="赫山")  # 赫山's own item: handled where received
        with pytest.raises(Conflict):
            originals_forward(case_id=case.pk, clerk=x.clerks["赫山"])


def test_another_regions_clerk_may_not_post_them(x):
    with clock.frozen(MONDAY):
        case = x.accepted(at="赫山")
        with pytest.raises(PermissionDenied):
            originals_forward(case_id=case.pk, clerk=x.clerks["桃江"])


def test_late_forwarding_is_supervised_and_cleared_by_the_parcel(x):
    with clock.frozen(MONDAY):
        case = x.accepted(at="赫山")
    # accepted Monday: two working days end Wednesday night
    assert _findings(case, MONDAY + dt.timedelta(days=2, hours=12)) == []
    (finding,) = _findings(case, MONDAY + dt.timedelta(days=3))
    assert finding.subject == f"originals:{case.pk}"
    assert finding.region_code == "430903"  # the receiving side's duty
    assert finding.detail["handling_regions"] == ["430902"]
    with clock.frozen(MONDAY + dt.timedelta(days=3)):
        originals_forward(case_id=case.pk, clerk=x.clerks["赫山"])
    assert _findings(case, MONDAY + dt.timedelta(days=4)) == []


def test_local_and_online_cases_raise_nothing(x):
    x.package.routing_rule = RoutingRule.ITEM_DEPARTMENT
    x.package.save(update_fields=["routing_rule"])
    with clock.frozen(MONDAY):
        case = x.accepted(at="赫山")
    assert _findings(case, MONDAY + dt.timedelta(days=10)) == []
