"""The desks of 异地代收代办: the receiving window checks, accepts and posts the originals; the
handling department sees where the case was received and whether the originals arrived."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.cases.models import CaseEvent
from onestop.cases.states import EventKind
from onestop.catalog.models import RoutingRule
from onestop.core import clock
from onestop.delivery.contract import TrackEvent
from onestop.delivery.models import Shipment
from onestop.delivery.services import shipment_order, tracking_apply
from onestop.delivery.states import ShipmentState
from tests.factories.accounts import StaffFactory
from tests.factories.crossdomain import Cross, cross_domain


@pytest.fixture
def x(db, settings, tmp_path) -> Cross:
    settings.DATA_DIR = tmp_path
    x = cross_domain()
    x.package.routing_rule = RoutingRule.APPLICANT_RESIDENCE
    x.package.save(update_fields=["routing_rule"])
    return x


def test_the_receiving_window_checks_then_accepts_then_posts_the_originals(x, client):
    case = x.submit(at="赫山")
    clerk = x.clerks["赫山"]
    client.force_login(clerk.user)
    url = f"/desk/window/cases/{case.number}/"
    page = client.get(url).content.decode()
    assert 'id="cross-domain"' in page and "资阳区" in page
    assert 'id="receiving-check-form"' in page

    # identity not ticked: the error is shown at its field, nothing recorded
    refused = client.post(
        f"{url}receiving-check/", {"form_checked": "on", "identity_method": "id_card_reader"}
    )
    assert refused.status_code == 200
    assert "请完成申请人身份核验后再确认。" in refused.content.decode()
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.RECEIVING_CHECKED).exists()

    done = client.post(
        f"{url}receiving-check/",
        {"form_checked": "on", "identity_checked": "on", "identity_method": "face_match"},
    )
    assert done.status_code == 302
    page = client.get(url).content.decode()
    assert 'id="receiving-check-form"' not in page
    assert "收件地已完成" in page

    assert client.post(f"{url}accept/", {}).status_code == 302
    page = client.get(url).content.decode()
    assert 'id="originals-forward-430902"' in page
    assert (
        client.post(f"{url}originals-forward/", {"handling_region_code": "430902"}).status_code
        == 302
    )
    shipment = Shipment.objects.get(case=case)
    page = client.get(url).content.decode()
    assert 'id="originals-forward-430902"' not in page
    assert "原件在途" in page

    # the handling side: the task page says where it was received and that the originals come
    officer = x.officers["资阳人社"]
    client.force_login(officer.user)
    task = case.tasks.get()
    page = client.get(f"/desk/tasks/{task.pk}/").content.decode()
    assert "赫山区" in page and "异地代收代办" in page and "原件在途" in page
    with clock.frozen(clock.now() + dt.timedelta(minutes=5)):
        shipment_order(shipment_id=shipment.pk)
        tracking_apply(
            shipment_id=shipment.pk,
            events=[
                TrackEvent(1, ShipmentState.PICKED_UP, clock.now()),
                TrackEvent(2, ShipmentState.OUT_FOR_DELIVERY, clock.now()),
                TrackEvent(3, ShipmentState.DELIVERED, clock.now()),
            ],
        )
    page = client.get(f"/desk/tasks/{task.pk}/").content.decode()
    assert "已收到" in page


def test_a_local_case_shows_no_cross_domain_card(x, client):
    x.package.routing_rule = RoutingRule.ITEM_DEPARTMENT
    x.package.save(update_fields=["routing_rule"])
    case = x.submit(at="赫山")
    client.force_login(x.clerks["赫山"].user)
    page = client.get(f"/desk/window/cases/{case.number}/").content.decode()
    assert 'id="cross-domain"' not in page and 'id="receiving-check-form"' not in page


def test_another_county_cannot_post_the_originals(x, client):
    case = x.accepted(at="赫山")
    client.force_login(StaffFactory(region=x.regions["桃江"]).user)
    response = client.post(
        f"/desk/window/cases/{case.number}/originals-forward/", {"handling_region_code": "430902"}
    )
    assert response.status_code == 404
    assert not Shipment.objects.filter(case=case).exists()
