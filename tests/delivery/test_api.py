"""The delivery API: a case's shipments with their tracking, the choice, the desk list."""

from __future__ import annotations

import pytest

from onestop.delivery.states import ShipmentState
from tests.cases.api.conftest import Api
from tests.delivery.conftest import STEP
from tests.factories.accounts import ApplicantFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_choice_create_and_read_shipments(setup, simulator, django_capture_on_commit_callbacks):
    case = setup.completed()
    applicant = Api(setup.applicant.user)
    clerk = Api(setup.clerk.user)

    address = applicant.post(
        "/api/delivery/addresses",
        {"name": "李四", "phone": "13807371234", "address": "湖南省益阳市赫山区龙岭大道88号3栋"},
    )
    assert address.status_code == 201, address.content
    assert "138****1234" in address.json()["masked"] and "88号3栋" not in address.json()["masked"]
    refused = applicant.post(
        f"/api/cases/{case.pk}/delivery-choice",
        {"method": "post", "address_id": address.json()["id"]},
    )
    assert refused.status_code == 422 and refused.json()["field"] == "authorisation"
    chosen = applicant.post(
        f"/api/cases/{case.pk}/delivery-choice",
        {"method": "post", "address_id": address.json()["id"], "authorisation_signed": True},
    )
    assert chosen.status_code == 200 and chosen.json()["method"] == "post"

    assert (
        applicant.post(
            f"/api/cases/{case.pk}/shipments", {"kind": "results_to_applicant"}
        ).status_code
        == 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        created = clerk.post(
            f"/api/cases/{case.pk}/shipments",
            {"kind": "results_to_applicant"},
            headers={"Idempotency-Key": "abc"},
        )
    assert created.status_code == 201, created.content
    again = clerk.post(
        f"/api/cases/{case.pk}/shipments",
        {"kind": "results_to_applicant"},
        headers={"Idempotency-Key": "abc"},
    )
    assert again.status_code == 201 and again.json()["id"] == created.json()["id"]

    simulator.advance(STEP * 2)
    clerk_list = clerk.get("/api/delivery/shipments").json()
    assert clerk_list["count"] == 1
    from onestop.delivery.services import shipments_sync

    shipments_sync()
    body = applicant.get(f"/api/cases/{case.pk}/shipments")
    assert body.status_code == 200
    [shipment] = body.json()
    assert shipment["state"] == ShipmentState.IN_TRANSIT and shipment["waybill_no"]
    assert [t["status"] for t in shipment["tracking"]] == ["picked_up", "in_transit"]
    assert "龙岭大道88号3栋" not in shipment["recipient"]

    stranger = Api(ApplicantFactory(user=UserFactory()).user)
    assert stranger.get(f"/api/cases/{case.pk}/shipments").status_code == 404
    assert applicant.get("/api/delivery/shipments").status_code == 403
