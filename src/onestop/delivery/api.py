"""The JSON API of delivery (邮政双向专递).

Two routers, mounted by config/api.py: ``case_router`` beside the case API (``/api/cases/
{id}/shipments``, ``/api/cases/{id}/delivery-choice``) and ``router`` at ``/api/delivery``
(the address book, the desk list, the desk actions). Errors are problem+json: 401 not logged
in, 403 the role may not handle shipments, 404 outside the caller's scope, 409 a step the
state does not allow, 422 bad input naming the field. Creating a shipment honours
``Idempotency-Key``: a retry returns the first shipment. Names, phones and addresses of
recipients are masked in every answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from onestop.accounts.auth import api_auth
from onestop.accounts.models import Applicant
from onestop.accounts.roles import Permission
from onestop.cases import selectors as case_selectors
from onestop.cases.api import common
from onestop.cases.api.common import PROBLEMS
from onestop.core.errors import NotFound
from onestop.delivery import selectors, services
from onestop.delivery.contract import Party
from onestop.delivery.models import Address, Shipment
from onestop.delivery.states import DeliveryMethod, ShipmentKind, ShipmentState

router = Router(tags=["邮政双向专递"], auth=api_auth)
case_router = Router(tags=["邮政双向专递"], auth=api_auth)


class TrackingOut(Schema):
    seq: int
    status: str
    status_label: str
    at: dt.datetime
    location: str
    description: str


class ShipmentOut(Schema):
    id: int
    case_id: int
    case_number: str | None
    kind: str
    kind_label: str
    state: str
    state_label: str
    carrier: str
    waybill_no: str
    recipient: str = Field(description="收件人、电话、地址（已脱敏）")
    contents: str
    created_at: dt.datetime
    waybill_at: dt.datetime | None
    delivered_at: dt.datetime | None
    returned_at: dt.datetime | None
    return_reason: str
    handed_out_at: dt.datetime | None
    waiting_for_carrier: bool = Field(description="承运方暂不可用，系统将自动重试下单")
    tracking: list[TrackingOut]


class ShipmentPage(Schema):
    count: int
    items: list[ShipmentOut]


class PartyIn(Schema):
    name: str = Field(max_length=128)
    phone: str = Field("", max_length=20)
    address: str = Field(max_length=255)
    postcode: str = Field("", max_length=6)


class ShipmentIn(Schema):
    kind: ShipmentKind
    sender: PartyIn | None = None
    recipient: PartyIn | None = None
    contents: str = Field("", max_length=255)


class ChoiceIn(Schema):
    method: DeliveryMethod
    address_id: int | None = None
    authorisation_signed: bool = Field(
        False, description="已阅读并签署《政务服务专递免费寄递委托书》"
    )


class ChoiceOut(Schema):
    case_id: int
    method: str
    method_label: str
    address: str | None
    authorisation_version: str
    authorisation_signed_at: dt.datetime | None


class AddressIn(Schema):
    name: str = Field(max_length=64)
    phone: str = Field(max_length=20)
    address: str = Field(max_length=255)
    postcode: str = Field("", max_length=6)
    is_default: bool = False


class AddressOut(Schema):
    id: int
    masked: str
    is_default: bool


class CancelIn(Schema):
    reason: str = Field("", max_length=500)


def shipment_out(shipment: Shipment) -> dict[str, Any]:
    return {
        "id": shipment.pk,
        "case_id": shipment.case_id,
        "case_number": shipment.case.number,
        "kind": shipment.kind,
        "kind_label": str(ShipmentKind(shipment.kind).label),
        "state": shipment.state,
        "state_label": str(ShipmentState(shipment.state).label),
        "carrier": shipment.carrier,
        "waybill_no": shipment.waybill_no,
        "recipient": shipment.recipient_masked,
        "contents": shipment.contents,
        "created_at": shipment.created_at,
        "waybill_at": shipment.waybill_at,
        "delivered_at": shipment.delivered_at,
        "returned_at": shipment.returned_at,
        "return_reason": shipment.return_reason,
        "handed_out_at": shipment.handed_out_at,
        "waiting_for_carrier": bool(shipment.last_error) and not shipment.waybill_no,
        "tracking": [
            {
                "seq": t.seq,
                "status": t.status,
                "status_label": t.get_status_display(),
                "at": t.at,
                "location": t.location,
                "description": t.description,
            }
            for t in shipment.tracking.all()
        ],
    }


def _party(data: PartyIn | None) -> Party | None:
    if data is None:
        return None
    return Party(name=data.name, phone=data.phone, address=data.address, postcode=data.postcode)


# ------------------------------------------------------------------------- case routes


@case_router.get(
    "/cases/{int:case_id}/shipments",
    response={200: list[ShipmentOut], **PROBLEMS},
    summary="办件的寄递邮件与物流轨迹",
    description="申请人本人或辖区工作人员可查看；不在查看范围内的办件返回 404。",
)
def case_shipments(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    viewer = common.caller(request).viewer
    case = case_selectors.case_get_for(viewer, case_id)
    return [shipment_out(s) for s in selectors.shipments_of_case(case)]


@case_router.post(
    "/cases/{int:case_id}/shipments",
    response={201: ShipmentOut, **PROBLEMS},
    summary="登记寄递（窗口寄出办理结果、申请人邮寄申请材料、异地转寄）",
    description="承运方在提交后下单；承运方不可用时邮件保持“待下单”并自动重试。"
    "支持 Idempotency-Key：重试返回首次登记的邮件。",
)
def case_shipment_create(request: HttpRequest, case_id: int, payload: ShipmentIn) -> Status:
    viewer = common.caller(request).viewer
    if not isinstance(viewer, Applicant):  # a role that never posts parcels: 403, not 404
        common.staff_with(request, Permission.SHIPMENT_HANDLE)
    case = case_selectors.case_get_for(viewer, case_id)
    key = request.headers.get("Idempotency-Key", "").strip()
    shipment = services.shipment_create(
        case_id=case.pk,
        kind=payload.kind,
        by=viewer,
        sender=_party(payload.sender),
        recipient=_party(payload.recipient),
        contents=payload.contents,
        request_key=f"api:{request.user.pk}:{key}" if key else None,
    )
    shipment = Shipment.objects.select_related("case").get(pk=shipment.pk)
    return Status(201, shipment_out(shipment))


@case_router.post(
    "/cases/{int:case_id}/delivery-choice",
    response={200: ChoiceOut, **PROBLEMS},
    summary="选择送达方式（窗口领取 / 邮寄送达）",
    description="邮寄送达须选择地址簿中的地址并签署《政务服务专递免费寄递委托书》。",
)
def case_delivery_choice(request: HttpRequest, case_id: int, payload: ChoiceIn) -> dict[str, Any]:
    applicant = common.applicant_only(request)
    case = case_selectors.case_get_for(applicant, case_id)
    choice = services.delivery_choose(
        case_id=case.pk,
        applicant=applicant,
        method=payload.method,
        address_id=payload.address_id,
        authorisation_signed=payload.authorisation_signed,
    )
    return {
        "case_id": case.pk,
        "method": choice.method,
        "method_label": choice.get_method_display(),
        "address": choice.address.masked if choice.address else None,
        "authorisation_version": choice.authorisation_version,
        "authorisation_signed_at": choice.authorisation_signed_at,
    }


# ----------------------------------------------------------------------- /api/delivery


@router.get("/addresses", response={200: list[AddressOut], **PROBLEMS}, summary="我的收件地址")
def addresses(request: HttpRequest) -> list[dict[str, Any]]:
    applicant = common.applicant_only(request)
    return [_address_out(a) for a in selectors.addresses_of(applicant)]


@router.post("/addresses", response={201: AddressOut, **PROBLEMS}, summary="添加收件地址")
def address_add(request: HttpRequest, payload: AddressIn) -> Status:
    applicant = common.applicant_only(request)
    address = services.address_save(applicant=applicant, **payload.dict())
    return Status(201, _address_out(address))


def _address_out(address: Address) -> dict[str, Any]:
    return {"id": address.pk, "masked": address.masked, "is_default": address.is_default}


@router.get(
    "/shipments",
    response={200: ShipmentPage, **PROBLEMS},
    summary="寄递台：辖区内的邮件（可按状态筛选）",
)
def desk_shipments(
    request: HttpRequest,
    state: ShipmentState | None = None,
    limit: int = common.limit_param(),
) -> dict[str, Any]:
    staff = common.staff_with(request, Permission.SHIPMENT_HANDLE)
    rows = selectors.shipments_for_staff(staff, states=[state] if state else (), limit=limit)
    return {"count": len(rows), "items": [shipment_out(s) for s in rows]}


def _staff_shipment(request: HttpRequest, shipment_id: int) -> tuple[Any, Shipment]:
    staff = common.staff_with(request, Permission.SHIPMENT_HANDLE)
    shipment = Shipment.objects.filter(pk=shipment_id).first()
    if shipment is None or not selectors.staff_may_handle(staff, shipment.region_code):
        raise NotFound(_("邮件不存在或不在您的管辖范围内。"))
    return staff, shipment


@router.post(
    "/shipments/{int:shipment_id}/cancel",
    response={200: ShipmentOut, **PROBLEMS},
    summary="取消寄递（揽收前）",
)
def shipment_cancel(request: HttpRequest, shipment_id: int, payload: CancelIn) -> dict[str, Any]:
    staff, shipment = _staff_shipment(request, shipment_id)
    services.shipment_cancel(shipment_id=shipment.pk, by=staff, reason=payload.reason)
    return shipment_out(Shipment.objects.select_related("case").get(pk=shipment.pk))


@router.post(
    "/shipments/{int:shipment_id}/return-handled",
    response={200: ShipmentOut, **PROBLEMS},
    summary="退件已处理（移出退件提醒）",
)
def shipment_return_handled(request: HttpRequest, shipment_id: int) -> dict[str, Any]:
    staff, shipment = _staff_shipment(request, shipment_id)
    services.shipment_return_handle(shipment_id=shipment.pk, by=staff)
    return shipment_out(Shipment.objects.select_related("case").get(pk=shipment.pk))
