"""The demo's 邮政双向专递: parcels in every stage, which the desk, the applicant's case page
and the case's log show as a clerk and an applicant would find them."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from onestop.accounts.models import User
from onestop.cases.models import Case, CaseEvent
from onestop.cases.states import CaseState, EventKind
from onestop.delivery.models import DeliveryChoice, DeliveryMethod, Shipment
from onestop.delivery.states import ShipmentKind, ShipmentState
from onestop.demo.delivery import KEY_PREFIX, PARCELS

UNDER_WAY = {ShipmentState.PICKED_UP, ShipmentState.IN_TRANSIT, ShipmentState.OUT_FOR_DELIVERY}


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.django_db
def test_parcels_in_every_stage(demo):
    assert demo.present["postal cases"] == len(PARCELS)
    results = Shipment.objects.filter(kind=ShipmentKind.RESULTS_TO_APPLICANT)
    states = Counter(results.values_list("state", flat=True))
    assert states[ShipmentState.DELIVERED] >= 10
    assert states[ShipmentState.RETURNED] >= 1
    assert set(states) >= UNDER_WAY  # 揽收, 运输中 and 派送中 all on the road now
    materials = Counter(
        Shipment.objects.filter(kind=ShipmentKind.MATERIALS_TO_HALL).values_list("state", flat=True)
    )
    assert materials[ShipmentState.DELIVERED] >= 1 and set(materials) & UNDER_WAY
    # Every parcel has its waybill and the tracking its stage implies.
    for shipment in Shipment.objects.filter(case__idempotency_key__startswith=KEY_PREFIX):
        assert shipment.waybill_no
        assert shipment.tracking.count() >= 1


@pytest.mark.django_db
def test_a_delivered_result_hands_the_case_out_and_the_rest_wait(demo):
    delivered = Shipment.objects.filter(
        kind=ShipmentKind.RESULTS_TO_APPLICANT, state=ShipmentState.DELIVERED
    )
    assert set(Case.objects.filter(shipments__in=delivered).values_list("state", flat=True)) == {
        CaseState.DELIVERED
    }
    returned = Shipment.objects.filter(state=ShipmentState.RETURNED)
    assert set(Case.objects.filter(shipments__in=returned).values_list("state", flat=True)) == {
        CaseState.COMPLETED
    }
    # Post chosen under the signed authorisation, result not posted yet: the 寄递台's work.
    waiting = Case.objects.filter(
        idempotency_key__startswith=KEY_PREFIX, state=CaseState.COMPLETED, shipments=None
    )
    assert waiting.count() >= 2
    for case in waiting:
        choice = DeliveryChoice.objects.get(case=case)
        assert choice.method == DeliveryMethod.POST and choice.authorisation_signed_at
    # Each tracking step is an event in the case's log.
    case = Case.objects.filter(shipments__in=delivered).first()
    kinds = list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))
    posted = [
        EventKind.SHIPMENT_CREATED,
        EventKind.SHIPMENT_WAYBILL,
        EventKind.SHIPMENT_PICKED_UP,
        EventKind.SHIPMENT_IN_TRANSIT,
        EventKind.SHIPMENT_OUT_FOR_DELIVERY,
        EventKind.SHIPMENT_DELIVERED,
    ]
    assert [k for k in kinds if k in posted] == posted
    assert kinds.index(EventKind.SHIPMENT_DELIVERED) < kinds.index(EventKind.HANDED_OUT)


@pytest.mark.django_db
def test_the_desk_and_the_applicant_see_them(demo):
    desk = _client("clerk").get("/delivery/desk/").content.decode()
    for section in ('id="returned"', 'id="awaiting"', 'id="under-way"', 'id="finished"'):
        assert section in desk
    returned = Shipment.objects.filter(state=ShipmentState.RETURNED).first()
    assert returned.waybill_no in desk and "查无此人" in desk

    under_way = Shipment.objects.filter(
        kind=ShipmentKind.RESULTS_TO_APPLICANT, state__in=UNDER_WAY
    ).select_related("case__applicant__user")
    shipment = under_way.first()
    page = (
        _client(shipment.case.applicant.user.username)
        .get(f"/my/cases/{shipment.case.number}/")
        .content.decode()
    )
    assert shipment.waybill_no in page and "邮政揽投员已揽收" in page
