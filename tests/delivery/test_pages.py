"""The pages: the applicant's case page chooses post and shows the tracking; the desk posts
the result, lists parcels under way and the returned ones."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onestop.delivery.models import Address, DeliveryChoice, Shipment
from onestop.delivery.services import shipments_sync
from onestop.delivery.states import ShipmentState
from tests.delivery.conftest import STEP
from tests.factories.delivery import choose_post

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_applicant_chooses_post_on_the_case_page(setup, simulator):
    case = setup.completed()
    client = _client(setup.applicant.user)
    page = client.get(reverse("portal:my_case", args=[case.number]))
    html = page.content.decode()
    assert 'id="post"' in html and "政务服务专递免费寄递委托书" in html
    # Nothing chosen yet: the page says so, not 窗口领取 as if the applicant had chosen it.
    assert "送达方式：<strong>尚未选择</strong>" in html

    client.post(
        reverse("delivery:address_add", args=[case.number]),
        {"name": "李四", "phone": "13807371234", "address": "湖南省益阳市赫山区龙岭大道88号3栋"},
    )
    address = Address.objects.get(applicant=setup.applicant)
    # Post without signing the authorisation: refused, said on the page.
    response = client.post(
        reverse("delivery:choose", args=[case.number]), {"method": "post", "address": address.pk}
    )
    assert response.status_code == 302
    html = client.get(reverse("portal:my_case", args=[case.number])).content.decode()
    assert "须签署" in html
    client.post(
        reverse("delivery:choose", args=[case.number]),
        {"method": "post", "address": address.pk, "authorisation": "on"},
    )
    choice = DeliveryChoice.objects.get(case=case)
    assert choice.method == "post" and choice.authorisation_signed_at is not None
    html = client.get(reverse("portal:my_case", args=[case.number])).content.decode()
    assert "138****1234" in html and "88号3栋" not in html  # the address book, masked
    assert "送达方式：<strong>邮寄送达 · 李* 138****1234" in html and "尚未选择" not in html


def test_desk_posts_and_applicant_page_shows_tracking(
    setup, simulator, django_capture_on_commit_callbacks
):
    case = setup.completed()
    choose_post(setup, case)
    desk = _client(setup.clerk.user)
    page = desk.get(reverse("delivery:desk")).content.decode()
    assert f"awaiting-{case.number}" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(reverse("delivery:ship", args=[case.number]), {"key": "k1"})
        desk.post(reverse("delivery:ship", args=[case.number]), {"key": "k1"})  # double click
    assert response.status_code == 302
    shipment = Shipment.objects.get()
    assert shipment.state == ShipmentState.CREATED

    simulator.advance(STEP * 3)
    shipments_sync()
    page = desk.get(reverse("delivery:desk")).content.decode()
    assert shipment.waybill_no in page and "派送中" in page
    label = desk.get(reverse("delivery:label", args=[shipment.pk]))
    assert label["Content-Type"] == "application/pdf" and label.content.startswith(b"%PDF")

    applicant = _client(setup.applicant.user)
    html = applicant.get(reverse("portal:my_case", args=[case.number])).content.decode()
    assert shipment.waybill_no in html
    for step in ("已揽收", "运输中", "派送中", "邮件派送中"):
        assert step in html  # the tracking, and the case timeline's events

    # Others: a stranger applicant may not post, an officer may not open the desk.
    assert _client(setup.officers["licence"].user).get(reverse("delivery:desk")).status_code == 403


def test_returned_parcel_is_an_alert_on_the_desk(
    setup, simulator, django_capture_on_commit_callbacks
):
    case = setup.completed()
    choose_post(setup, case, address="湖南省益阳市赫山区某路1号（拒收）")
    desk = _client(setup.clerk.user)
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(reverse("delivery:ship", args=[case.number]), {"key": "k2"})
    simulator.advance(STEP * 5)
    shipments_sync()
    page = desk.get(reverse("delivery:desk")).content.decode()
    assert 'id="returned"' in page and "拒收" in page
    shipment = Shipment.objects.get()
    desk.post(reverse("delivery:return_handled", args=[shipment.pk]))
    assert 'id="returned"' not in desk.get(reverse("delivery:desk")).content.decode()


def test_a_delivered_case_no_longer_offers_a_delivery_choice(setup):
    from onestop.cases import services as case_services
    from onestop.core.errors import Conflict
    from onestop.delivery import services
    from onestop.delivery.states import DeliveryMethod

    case = setup.completed()
    case_services.case_hand_out(case_id=case.pk, clerk=setup.clerk)
    html = _client(setup.applicant.user).get(reverse("portal:my_case", args=[case.number]))
    html = html.content.decode()
    assert "更改送达方式" not in html and "选择送达方式" not in html
    with pytest.raises(Conflict):
        services.delivery_choose(
            case_id=case.pk, applicant=setup.applicant, method=DeliveryMethod.WINDOW
        )
    assert not DeliveryChoice.objects.filter(case=case).exists()
