"""Pages of delivery, mounted at /delivery/.

- the applicant's side, posted from the 邮寄送达 section of their case page (the section is
  drawn by ``{% case_post %}``, ``templatetags/delivery_ui.py``): choose 送达方式, add an
  address to the book, register materials sent by post; each POST goes back to the case page;
- the desk (``/delivery/desk/``, for staff whose role carries ``SHIPMENT_HANDLE``): results
  waiting to be posted, parcels under way with their tracking, returned parcels (alerts),
  orders waiting for a carrier that was down; 寄出, cancel, 退件已处理, the label PDF.

Forms parse every POST; the services decide; a ``DomainError`` comes back as the message
at its field.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.accounts.models import Applicant, PersonalDataReadKind, Staff
from onestop.accounts.roles import Permission
from onestop.accounts.selectors import applicant_get_for_user, staff_get_for_user
from onestop.accounts.services import personal_data_read_record
from onestop.accounts.throttle import client_ip
from onestop.cases.models import Case
from onestop.cases.selectors import case_get_by_number_for
from onestop.core.errors import DomainError, NotFound
from onestop.delivery import selectors, services
from onestop.delivery.forms import AddressForm, CancelForm, ChoiceForm, ShipForm
from onestop.delivery.label import label_pdf
from onestop.delivery.models import Shipment
from onestop.delivery.states import ShipmentKind

ERRORS_KEY = "delivery_errors"


# --------------------------------------------------------------------------- applicant


def _applicant_case(request: HttpRequest, number: str) -> tuple[Applicant, Case]:
    applicant = applicant_get_for_user(request.user)
    if applicant is None:
        raise PermissionDenied(_("只有申请人（个人或企业）可以使用此页面。"))
    try:
        return applicant, case_get_by_number_for(applicant, number)
    except NotFound:
        raise Http404(_("办件不存在。")) from None


def _back(request: HttpRequest, case: Case, errors: dict[str, str] | None = None) -> HttpResponse:
    if errors:
        request.session[ERRORS_KEY] = errors
    return redirect(reverse("portal:my_case", args=[case.number]) + "#post")


@login_required
@require_POST
def choose(request: HttpRequest, number: str) -> HttpResponse:
    """送达方式: 窗口领取, or 邮寄送达 with an address and the signed authorisation."""
    applicant, case = _applicant_case(request, number)
    form = ChoiceForm(request.POST)
    if not form.is_valid():
        return _back(request, case, {"choice": form.first_error()})
    data = form.cleaned_data
    try:
        services.delivery_choose(
            case_id=case.pk,
            applicant=applicant,
            method=data["method"],
            address_id=data["address"],
            authorisation_signed=data["authorisation"],
        )
    except DomainError as exc:
        return _back(request, case, {"choice": exc.message})
    messages.success(request, _("送达方式已保存。"))
    return _back(request, case)


@login_required
@require_POST
def address_add(request: HttpRequest, number: str) -> HttpResponse:
    """Add an address to the book from the case page (it becomes the one chosen next)."""
    applicant, case = _applicant_case(request, number)
    form = AddressForm(request.POST)
    if not form.is_valid():
        return _back(request, case, {"address": form.first_error()})
    try:
        services.address_save(applicant=applicant, **form.cleaned_data)
    except DomainError as exc:
        return _back(request, case, {"address": exc.message})
    messages.success(request, _("地址已保存。"))
    return _back(request, case)


@login_required
@require_POST
def materials_post(request: HttpRequest, number: str) -> HttpResponse:
    """The applicant posts their paper materials to the hall (free post)."""
    applicant, case = _applicant_case(request, number)
    form = ShipForm(request.POST)
    if not form.is_valid():
        return _back(request, case, {"materials": form.first_error()})
    try:
        services.shipment_create(
            case_id=case.pk,
            kind=ShipmentKind.MATERIALS_TO_HALL,
            by=applicant,
            request_key=f"page:{request.user.pk}:{form.cleaned_data['key']}",
        )
    except DomainError as exc:
        return _back(request, case, {"materials": exc.message})
    messages.success(request, _("已登记邮寄申请材料，邮政揽投员将上门揽收。"))
    return _back(request, case)


# -------------------------------------------------------------------------------- desk


def _clerk(request: HttpRequest) -> Staff:
    staff = staff_get_for_user(request.user)
    if staff is None:
        raise PermissionDenied(_("工作台仅供在岗的工作人员使用。"))
    if not staff.has_permission(Permission.SHIPMENT_HANDLE):
        raise PermissionDenied
    request.staff = staff  # type: ignore[attr-defined]
    return staff


def _desk_shipment(staff: Staff, shipment_id: int) -> Shipment:
    shipment = Shipment.objects.select_related("case").filter(pk=shipment_id).first()
    if shipment is None or not selectors.staff_may_handle(staff, shipment.region_code):
        raise Http404(_("邮件不存在或不在您的管辖范围内。"))
    return shipment


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """寄递台: what to post, what is under way, what came back, what waits for the carrier."""
    staff = _clerk(request)
    board = selectors.desk_board(staff)
    return render(
        request,
        "delivery/desk.html",
        {
            "nav": "post",
            "board": board,
            "key": uuid.uuid4().hex,
            "errors": request.session.pop(ERRORS_KEY, {}),
        },
    )


def _desk_back(request: HttpRequest, errors: dict[str, str] | None = None) -> HttpResponse:
    if errors:
        request.session[ERRORS_KEY] = errors
    return redirect("delivery:desk")


@login_required
@require_POST
def ship(request: HttpRequest, number: str) -> HttpResponse:
    """寄出: the result of a case whose applicant chose post goes to the carrier."""
    staff = _clerk(request)
    try:
        case = case_get_by_number_for(staff, number)
    except NotFound:
        raise Http404(_("办件不存在。")) from None
    form = ShipForm(request.POST)
    if not form.is_valid():
        return _desk_back(request, {number: form.first_error()})
    try:
        shipment = services.shipment_create(
            case_id=case.pk,
            kind=ShipmentKind.RESULTS_TO_APPLICANT,
            by=staff,
            request_key=f"page:{request.user.pk}:{form.cleaned_data['key']}",
        )
    except DomainError as exc:
        return _desk_back(request, {number: exc.message})
    shipment.refresh_from_db()
    if shipment.waybill_no:
        messages.success(request, _("已交邮寄出，运单号 %(no)s。") % {"no": shipment.waybill_no})
    else:
        messages.warning(request, _("已登记寄递；邮政系统暂不可用，恢复后将自动下单。"))
    return _desk_back(request)


@login_required
@require_POST
def cancel(request: HttpRequest, shipment_id: int) -> HttpResponse:
    staff = _clerk(request)
    shipment = _desk_shipment(staff, shipment_id)
    form = CancelForm(request.POST)
    form.is_valid()
    try:
        services.shipment_cancel(
            shipment_id=shipment.pk, by=staff, reason=form.cleaned_data.get("reason", "")
        )
    except DomainError as exc:
        return _desk_back(request, {str(shipment.pk): exc.message})
    messages.success(request, _("已取消寄递。"))
    return _desk_back(request)


@login_required
@require_POST
def return_handled(request: HttpRequest, shipment_id: int) -> HttpResponse:
    staff = _clerk(request)
    shipment = _desk_shipment(staff, shipment_id)
    try:
        services.shipment_return_handle(shipment_id=shipment.pk, by=staff)
    except DomainError as exc:
        return _desk_back(request, {str(shipment.pk): exc.message})
    messages.success(request, _("退件已处理。"))
    return _desk_back(request)


@login_required
@require_POST
def sync(request: HttpRequest) -> HttpResponse:
    """刷新: the sweep now (what beat runs every few minutes)."""
    _clerk(request)
    report = services.shipments_sync()
    messages.info(
        request,
        _("已同步：新下单 %(o)d 件，新轨迹 %(e)d 条。")
        % {"o": len(report.ordered), "e": report.events},
    )
    return _desk_back(request)


@login_required
def label(request: HttpRequest, shipment_id: int) -> HttpResponse:
    """The label PDF (full names and address: the read is logged)."""
    staff = _clerk(request)
    shipment = _desk_shipment(staff, shipment_id)
    if shipment.kind in (ShipmentKind.RESULTS_TO_APPLICANT, ShipmentKind.MATERIALS_TO_HALL):
        personal_data_read_record(
            staff=staff,
            applicant_id=shipment.case.applicant_id,
            kind=PersonalDataReadKind.CASE_DESK,
            case_number=shipment.case.number or "",
            detail=_("打印邮件面单"),
            address=client_ip(request),
        )
    response = HttpResponse(label_pdf(shipment), content_type="application/pdf")
    name = shipment.waybill_no or f"shipment-{shipment.pk}"
    response["Content-Disposition"] = f'inline; filename="label-{name}.pdf"'
    return response
