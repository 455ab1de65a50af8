"""Writes of delivery (邮政双向专递): the address book, 送达方式, shipments and their tracking.

Every change that concerns a case is recorded as a case event through the case engine's
unit of work (``cases.unit.case_work``) in the same transaction, so tracking sits in the
case's hash-chained log and its timeline; what the applicant (or the hall) is told goes into
the notifications outbox in that transaction too.

**The carrier is called after commit, never inside a transaction.** A shipment is created
``pending``; once its transaction has committed the order is sent to the carrier
(``shipment_order``: inline without a broker, else a Celery task). A carrier that is down
leaves the shipment ``pending`` with the error and a next attempt (backoff); ``shipments_sync``
(beat every few minutes, ``onestop delivery sync``) sends what is due and polls the tracking
of every shipment under way. The carrier is idempotent per ``Shipment.key``, so an order
sent twice — a timeout after the carrier had registered it, two sync processes — yields one
waybill; the tracking is recorded once per carrier ``seq``.

A result parcel (``results_to_applicant``) delivered hands the case out through the case
engine's own service (``case_hand_out``), in the name of the clerk who posted it; a
hand-out that fails (a tolerated material still missing) is retried by the sync.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from onestop.accounts.models import Applicant, Staff
from onestop.accounts.roles import ROLE_PERMISSIONS, Permission
from onestop.cases.actions import CaseAction, case_action_require, case_actions
from onestop.cases.models import Case
from onestop.cases.services import case_hand_out
from onestop.cases.states import TASK_CROSS_REGION_MODES, EventKind
from onestop.cases.unit import CaseWork, case_work
from onestop.core import clock
from onestop.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from onestop.core.identifiers import validate_mobile
from onestop.core.masking import mask_name, mask_phone
from onestop.delivery import selectors
from onestop.delivery.carriers import carrier_get
from onestop.delivery.contract import (
    Carrier,
    CarrierError,
    CarrierRefused,
    Party,
    TrackEvent,
    WaybillOrder,
)
from onestop.delivery.legal import AUTHORISATIONS, CURRENT_AUTHORISATION
from onestop.delivery.models import Address, DeliveryChoice, Shipment, TrackingEvent, mask_address
from onestop.delivery.states import (
    HAND_OUT_KINDS,
    SHIPMENT_AWAITING_WAYBILL,
    SHIPMENT_CANCELLABLE_STATES,
    DeliveryMethod,
    ShipmentKind,
    ShipmentState,
    may_move,
    transition,
)
from onestop.notifications.models import MessageKind
from onestop.notifications.services import (
    Notice,
    Recipient,
    applicant_recipient,
    messages_enqueue,
    staff_recipient,
)
from onestop.regions.models import Hall

log = logging.getLogger(__name__)

__all__ = [
    "Party",
    "address_delete",
    "address_save",
    "delivery_choose",
    "shipment_cancel",
    "shipments_cancel_for_case",
    "shipment_create",
    "shipment_order",
    "shipment_return_handle",
    "shipment_track",
    "shipments_sync",
    "tracking_apply",
]

# Backoff of the carrier order: 1, 2, 4 … minutes, at most an hour between attempts.
_BACKOFF_FIRST = dt.timedelta(minutes=1)
_BACKOFF_MAX = dt.timedelta(hours=1)

# The case event each carrier status is recorded as.
STATUS_EVENTS: dict[str, EventKind] = {
    ShipmentState.PICKED_UP: EventKind.SHIPMENT_PICKED_UP,
    ShipmentState.IN_TRANSIT: EventKind.SHIPMENT_IN_TRANSIT,
    ShipmentState.OUT_FOR_DELIVERY: EventKind.SHIPMENT_OUT_FOR_DELIVERY,
    ShipmentState.DELIVERED: EventKind.SHIPMENT_DELIVERED,
    ShipmentState.RETURNED: EventKind.SHIPMENT_RETURNED,
}

# Kinds the applicant is a party to (sender or recipient): they are told of their progress.
_APPLICANT_KINDS = frozenset({ShipmentKind.RESULTS_TO_APPLICANT, ShipmentKind.MATERIALS_TO_HALL})
# What the applicant is told, per status, for those kinds.
_APPLICANT_NOTICES: dict[str, MessageKind] = {
    ShipmentState.CREATED: MessageKind.SHIPMENT_SENT,
    ShipmentState.OUT_FOR_DELIVERY: MessageKind.SHIPMENT_OUT_FOR_DELIVERY,
    ShipmentState.DELIVERED: MessageKind.SHIPMENT_DELIVERED,
    ShipmentState.RETURNED: MessageKind.SHIPMENT_RETURNED,
}
# The applicant is the recipient only of results: "派送中" means nothing to a sender.
_RECIPIENT_ONLY = frozenset({ShipmentState.OUT_FOR_DELIVERY})


def _source(label: Any) -> str:
    with translation.override(None):
        return str(label)


# --------------------------------------------------------------------------- address book


def _party_check(party: Party, *, prefix: str) -> Party:
    name = party.name.strip()
    phone = party.phone.strip()
    address = party.address.strip()
    if not name:
        raise ValidationFailed(_("请填写收件人。"), field=f"{prefix}name")
    if len(name) > 64 and prefix != "sender.":
        raise ValidationFailed(_("收件人不能超过 64 个字。"), field=f"{prefix}name")
    if not address or len(address) < 6:
        raise ValidationFailed(
            _("请填写详细地址（省、市、县区、街道门牌）。"), field=f"{prefix}address"
        )
    if len(address) > 255:
        raise ValidationFailed(_("详细地址不能超过 255 个字。"), field=f"{prefix}address")
    postcode = party.postcode.strip()
    if postcode and (len(postcode) != 6 or not postcode.isdigit()):
        raise ValidationFailed(_("邮政编码为 6 位数字。"), field=f"{prefix}postcode")
    return Party(name=name, phone=phone, address=address, postcode=postcode)


@transaction.atomic
def address_save(
    *,
    applicant: Applicant,
    name: str,
    phone: str,
    address: str,
    postcode: str = "",
    region_code: str = "",
    is_default: bool = False,
    address_id: int | None = None,
) -> Address:
    """Add an address to the applicant's book, or change one of theirs (``address_id``)."""
    party = _party_check(Party(name, phone, address, postcode), prefix="")
    try:
        validate_mobile(party.phone)
    except DjangoValidationError:
        raise ValidationFailed(_("请填写 11 位手机号码。"), field="phone") from None
    if address_id is not None:
        row = Address.objects.select_for_update().filter(pk=address_id, applicant=applicant).first()
        if row is None:
            raise NotFound(_("地址不存在。"))
    else:
        row = Address(applicant=applicant)
    first = not Address.objects.filter(applicant=applicant).exists()
    if is_default or first:
        Address.objects.filter(applicant=applicant, is_default=True).exclude(pk=row.pk).update(
            is_default=False
        )
    row.name, row.phone, row.address, row.postcode = (
        party.name,
        party.phone,
        party.address,
        party.postcode,
    )
    row.region_code = region_code.strip()[:12]
    row.is_default = is_default or first or (row.pk is not None and row.is_default)
    row.save()
    return row


@transaction.atomic
def address_delete(*, applicant: Applicant, address_id: int) -> None:
    """Delete one of the applicant's addresses (shipments keep their own copy)."""
    deleted, _n = Address.objects.filter(pk=address_id, applicant=applicant).delete()
    if not deleted:
        raise NotFound(_("地址不存在。"))


# ------------------------------------------------------------------------------ 送达方式


@transaction.atomic
def delivery_choose(
    *,
    case_id: int,
    applicant: Applicant,
    method: DeliveryMethod | str,
    address_id: int | None = None,
    authorisation_signed: bool = False,
    authorisation_version: str = CURRENT_AUTHORISATION,
) -> DeliveryChoice:
    """The applicant chooses how the result reaches them: 窗口领取, or 邮寄送达 to an address
    of their book under the signed free-post authorisation. Changing it is possible until a
    result parcel is under way; choosing the same again changes nothing (no event)."""
    try:
        method = DeliveryMethod(method)
    except ValueError:
        raise ValidationFailed(_("请选择送达方式。"), field="method") from None
    with case_work(case_id) as work:
        case = work.case
        if case.applicant_id != applicant.pk:
            raise NotFound(_("办件不存在。"))
        if not selectors.result_still_ahead(case):
            raise Conflict(_("办件已结束，不能再更改送达方式。"))
        if selectors.open_result_shipment(case.pk) is not None:
            raise Conflict(_("办理结果已交邮寄出，不能再更改送达方式。"))
        address = None
        if method == DeliveryMethod.POST:
            if not selectors.post_offered(case):
                raise ValidationFailed(_("本事项不支持邮寄送达办理结果。"), field="method")
            address = (
                Address.objects.filter(pk=address_id, applicant=applicant).first()
                if address_id is not None
                else None
            )
            if address is None:
                raise ValidationFailed(_("请选择收件地址。"), field="address")
            if not authorisation_signed:
                raise ValidationFailed(
                    _("邮寄送达须签署《政务服务专递免费寄递委托书》。"), field="authorisation"
                )
            if authorisation_version not in AUTHORISATIONS:
                raise ValidationFailed(_("委托书版本无效。"), field="authorisation")
        choice = DeliveryChoice.objects.select_for_update().filter(case=case).first()
        if (
            choice is not None
            and choice.method == method
            and (choice.address_id == (address.pk if address else None))
        ):
            return choice
        choice = choice or DeliveryChoice(case=case)
        choice.method = method
        choice.address = address
        choice.chosen_at = work.now
        if method == DeliveryMethod.POST:
            choice.authorisation_version = authorisation_version
            choice.authorisation_signed_at = work.now
        choice.save()
        payload: dict[str, Any] = {"method": str(method)}
        if address is not None:
            payload.update(address=address.masked, authorisation=choice.authorisation_version)
        work.record(EventKind.DELIVERY_METHOD_CHOSEN, actor=applicant, payload=payload)
    return choice


# ------------------------------------------------------------------------------ shipments


def _hall_party(case: Case) -> Party:
    hall = case.hall
    if hall is not None:
        return Party(name=hall.name, phone=hall.phone, address=hall.address or hall.name)
    region = case.accepting_region
    name = _("%(region)s政务服务中心") % {"region": region.name}
    return Party(name=name, phone="", address=name)


def _address_party(address: Address) -> Party:
    return Party(
        name=address.name, phone=address.phone, address=address.address, postcode=address.postcode
    )


def _default_parties(case: Case, kind: ShipmentKind, by: Any) -> tuple[Party | None, Party | None]:
    if kind == ShipmentKind.RESULTS_TO_APPLICANT:
        choice = selectors.delivery_choice_of(case)
        recipient = _address_party(choice.address) if choice and choice.address else None
        return _hall_party(case), recipient
    if kind == ShipmentKind.MATERIALS_TO_HALL:
        address = selectors.addresses_of(case.applicant).first()
        return (_address_party(address) if address else None), _hall_party(case)
    return None, None


def _require_may_create(case: Case, kind: ShipmentKind, by: Any, region_code: str) -> None:
    if isinstance(by, Applicant):
        if case.applicant_id != by.pk:
            raise NotFound(_("办件不存在。"))
        if kind != ShipmentKind.MATERIALS_TO_HALL:
            raise PermissionDenied(_("申请人只能登记邮寄申请材料。"))
        if not selectors.materials_expected(case):
            raise Conflict(_("办件已受理，无需再邮寄申请材料。"))
        if not selectors.material_mail_offered(case):
            raise ValidationFailed(_("本事项不支持邮寄申请材料。"), field="kind")
        return
    if by is None:  # a service acting for the platform (异地代收代办's forwarding)
        return
    if not isinstance(by, Staff) or not by.has_permission(Permission.SHIPMENT_HANDLE):
        raise PermissionDenied(
            _("无权执行此操作（需要“%(perm)s”权限）。") % {"perm": Permission.SHIPMENT_HANDLE.label}
        )
    if not by.covers(region_code):
        raise PermissionDenied(_("该邮件不在您的管辖范围内。"))
    if kind == ShipmentKind.RESULTS_TO_APPLICANT:
        # The result leaves only when the engine would let this clerk hand it out now.
        case_action_require(case, by, CaseAction.HAND_OUT)
        if not selectors.wants_post(case):
            raise Conflict(_("申请人未选择邮寄送达，也未签署免费寄递委托书。"))


@transaction.atomic
def shipment_create(
    *,
    case_id: int,
    kind: ShipmentKind | str,
    by: Staff | Applicant | None,
    sender: Party | None = None,
    recipient: Party | None = None,
    region_code: str = "",
    hall_id: int | None = None,
    contents: str = "",
    request_key: str | None = None,
    work: CaseWork | None = None,
) -> Shipment:
    """Register a parcel of a case; the carrier is asked for its waybill after commit.

    ``kind``: ``materials_to_hall`` (the applicant posts materials to the hall),
    ``results_to_applicant`` (the hall posts the result; delivery hands the case out),
    ``materials_to_handling`` / ``results_to_receiving`` (异地代收代办 between the receiving
    and the handling region). ``sender`` / ``recipient`` default, where they can, to the
    case's hall and the applicant's chosen (or default) address. ``region_code``: whose
    clerks look after the parcel (default the case's 收件地). ``by``: the clerk (needs
    ``SHIPMENT_HANDLE`` over ``region_code``; a result also needs the engine's hand-out
    action), the applicant (materials only), or None for a service acting for the platform.
    ``request_key``: the same key again returns the first shipment (a double click, a
    retry). ``work``: the caller's open unit of work on this case, if it has one, so the
    event joins its transition instead of a second unit.
    """
    try:
        kind = ShipmentKind(kind)
    except ValueError:
        raise ValidationFailed(_("寄递类型无效。"), field="kind") from None
    if request_key is not None:
        request_key = request_key.strip()[:96] or None
        found = Shipment.objects.filter(request_key=request_key).first() if request_key else None
        if found is not None:
            if found.case_id != case_id or found.kind != kind:
                raise ValidationFailed(_("请求键已用于另一件邮件。"), field="request_key")
            return found
    if work is not None:
        if work.case.pk != case_id:
            raise ValueError("the unit of work is for another case")
        shipment = _create(
            work, kind, by, sender, recipient, region_code, hall_id, contents, request_key
        )
    else:
        with case_work(case_id) as own:
            shipment = _create(
                own, kind, by, sender, recipient, region_code, hall_id, contents, request_key
            )
    transaction.on_commit(partial(_order_after_commit, shipment.pk), robust=True)
    return shipment


def _create(
    work: CaseWork,
    kind: ShipmentKind,
    by: Any,
    sender: Party | None,
    recipient: Party | None,
    region_code: str,
    hall_id: int | None,
    contents: str,
    request_key: str | None,
) -> Shipment:
    case = Case.objects.select_related("hall", "accepting_region", "applicant").get(pk=work.case.pk)
    region_code = (region_code or case.region_code).strip()
    _require_may_create(case, kind, by, region_code)
    default_sender, default_recipient = _default_parties(case, kind, by)
    sender = sender or default_sender
    recipient = recipient or default_recipient
    if recipient is None:
        raise ValidationFailed(_("请填写收件人和收件地址。"), field="recipient.address")
    if sender is None:
        raise ValidationFailed(_("请填写寄件人和寄件地址。"), field="sender.address")
    sender = _party_check(sender, prefix="sender.")
    recipient = _party_check(recipient, prefix="recipient.")
    if kind in HAND_OUT_KINDS and selectors.open_result_shipment(case.pk) is not None:
        raise Conflict(_("该办件的办理结果已在寄递中。"))
    carrier = carrier_get()
    shipment = Shipment(
        case_id=case.pk,
        kind=kind,
        state=ShipmentState.PENDING,
        request_key=request_key,
        hall_id=hall_id if hall_id is not None else case.hall_id,
        region_code=region_code,
        sender_name=sender.name[:128],
        sender_phone=sender.phone[:20],
        sender_address=sender.address,
        recipient_name=recipient.name[:128],
        recipient_phone=recipient.phone[:20],
        recipient_address=recipient.address,
        recipient_postcode=recipient.postcode,
        contents=(contents or _default_contents(kind))[:255],
        carrier=carrier.code,
        next_attempt_at=work.now,
        created_by=by if isinstance(by, Staff) else None,
        created_at=work.now,
        updated_at=work.now,
    )
    try:
        with transaction.atomic():
            shipment.save()
    except IntegrityError:
        raise Conflict(_("该办件的办理结果已在寄递中。")) from None
    work.record(
        EventKind.SHIPMENT_CREATED,
        actor=by,
        payload=_event_payload(shipment),
    )
    return shipment


def _default_contents(kind: ShipmentKind) -> str:
    if kind in (ShipmentKind.RESULTS_TO_APPLICANT, ShipmentKind.RESULTS_TO_RECEIVING):
        return _("办理结果（证照、批文）")
    return _("申请材料")


def _event_payload(shipment: Shipment, **extra: Any) -> dict[str, Any]:
    """What a case event says of a shipment (personal data masked)."""
    return {
        "shipment": shipment.pk,
        "shipment_kind": shipment.kind,
        "waybill_no": shipment.waybill_no,
        "carrier": shipment.carrier,
        "recipient": f"{mask_name(shipment.recipient_name)} {mask_phone(shipment.recipient_phone)}",
        **extra,
    }


def _order_after_commit(shipment_id: int) -> None:
    """Send the order once the shipment is committed (inline without a broker)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        shipment_order(shipment_id=shipment_id)
    else:
        current_app.send_task(
            "onestop.delivery.tasks.delivery_order", kwargs={"shipment_id": shipment_id}
        )


# ---------------------------------------------------------------------- the carrier order


def _order_of(shipment: Shipment) -> WaybillOrder:
    return WaybillOrder(
        key=str(shipment.key),
        sender=Party(shipment.sender_name, shipment.sender_phone, shipment.sender_address),
        recipient=Party(
            shipment.recipient_name,
            shipment.recipient_phone,
            shipment.recipient_address,
            shipment.recipient_postcode,
        ),
        contents=shipment.contents,
        reference=shipment.case.number or "",
    )


def shipment_order(*, shipment_id: int, carrier: Carrier | None = None) -> Shipment | None:
    """Ask the carrier for the waybill of a pending shipment (outside any transaction).

    Idempotent: a shipment no longer pending is left alone; the carrier answers the same
    ``key`` with the same waybill. Down: the shipment stays pending with the error and its
    next attempt. Returns the shipment (None if it does not exist).
    """
    shipment = Shipment.objects.select_related("case").filter(pk=shipment_id).first()
    if shipment is None or shipment.state not in SHIPMENT_AWAITING_WAYBILL:
        return shipment
    carrier = carrier or carrier_get()
    try:
        waybill = carrier.waybill_create(_order_of(shipment))
    except CarrierError as exc:
        return _order_failed(shipment_id, exc)
    return _order_done(shipment_id, waybill.waybill_no)


@transaction.atomic
def _order_failed(shipment_id: int, exc: Exception) -> Shipment:
    shipment = Shipment.objects.select_for_update().get(pk=shipment_id)
    if shipment.state not in SHIPMENT_AWAITING_WAYBILL:
        return shipment
    now = clock.now()
    shipment.attempts += 1
    delay = min(_BACKOFF_FIRST * (2 ** (shipment.attempts - 1)), _BACKOFF_MAX)
    if isinstance(exc, CarrierRefused):
        delay = _BACKOFF_MAX  # the same order will be refused again: a clerk looks at it
    shipment.next_attempt_at = now + delay
    shipment.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    shipment.updated_at = now
    shipment.save(update_fields=["attempts", "next_attempt_at", "last_error", "updated_at"])
    log.warning("carrier order for shipment %s failed: %s", shipment_id, exc)
    return shipment


@transaction.atomic
def _order_done(shipment_id: int, waybill_no: str) -> Shipment:
    shipment = Shipment.objects.select_for_update().select_related("case").get(pk=shipment_id)
    if shipment.state not in SHIPMENT_AWAITING_WAYBILL:
        return shipment  # another process recorded it first
    with case_work(shipment.case_id) as work:
        transition(shipment, to=ShipmentState.CREATED)
        shipment.waybill_no = waybill_no[:40]
        shipment.attempts += 1
        shipment.waybill_at = work.now
        shipment.next_attempt_at = None
        shipment.last_error = ""
        shipment.updated_at = work.now
        shipment.save(
            update_fields=[
                "state",
                "waybill_no",
                "attempts",
                "waybill_at",
                "next_attempt_at",
                "last_error",
                "updated_at",
            ]
        )
        work.record(
            EventKind.SHIPMENT_WAYBILL,
            actor=None,
            from_state=ShipmentState.PENDING,
            to_state=ShipmentState.CREATED,
            payload=_event_payload(shipment),
        )
        _notify(work.case, shipment, ShipmentState.CREATED)
    return shipment


# ------------------------------------------------------------------------------ tracking


def shipment_track(*, shipment_id: int, carrier: Carrier | None = None) -> int:
    """Poll the carrier for a shipment's tracking and record what is new; returns how many
    events were new. A carrier that is down records nothing (the next sync asks again)."""
    shipment = Shipment.objects.filter(pk=shipment_id).first()
    if shipment is None or not shipment.waybill_no:
        return 0
    carrier = carrier or carrier_get()
    try:
        events = carrier.track(shipment.waybill_no)
    except CarrierError as exc:
        log.warning("tracking of %s failed: %s", shipment.waybill_no, exc)
        return 0
    return tracking_apply(shipment_id=shipment_id, events=events)


def tracking_apply(*, shipment_id: int, events: Sequence[TrackEvent]) -> int:
    """Record the carrier's tracking events not yet recorded (by ``seq``), move the shipment
    through its table, record each move as a case event, tell whom it concerns, and hand the
    case out when a result parcel is delivered. Idempotent; returns the new events."""
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().select_related("case").get(pk=shipment_id)
        new = sorted((e for e in events if e.seq > shipment.track_seq), key=lambda e: e.seq)
        now = clock.now()
        shipment.tracked_at = now
        if not new:
            shipment.save(update_fields=["tracked_at"])
            return 0
        with case_work(shipment.case_id) as work:
            TrackingEvent.objects.bulk_create(
                [
                    TrackingEvent(
                        shipment=shipment,
                        seq=e.seq,
                        status=e.status if e.status in ShipmentState.values else "",
                        at=e.at,
                        location=e.location[:128],
                        description=e.description[:255],
                        recorded_at=work.now,
                    )
                    for e in new
                ],
                ignore_conflicts=True,
            )
            for event in new:
                _apply_one(work, shipment, event)
            shipment.track_seq = new[-1].seq
            shipment.updated_at = work.now
            shipment.save()
        delivered = shipment.state == ShipmentState.DELIVERED and shipment.completes_case
    if delivered:
        shipment_hand_out(shipment_id=shipment.pk)
    return len(new)


def _apply_one(work: CaseWork, shipment: Shipment, event: TrackEvent) -> None:
    if not may_move(shipment.state, event.status):
        return  # a second scan of the same step: kept as a tracking row only
    old = transition(shipment, to=ShipmentState(event.status))
    if event.status == ShipmentState.DELIVERED:
        shipment.delivered_at = event.at
    elif event.status == ShipmentState.RETURNED:
        shipment.returned_at = event.at
        shipment.return_reason = event.description[:255]
    work.record(
        STATUS_EVENTS[event.status],
        actor=None,
        from_state=old,
        to_state=event.status,
        reason=event.description if event.status == ShipmentState.RETURNED else "",
        payload=_event_payload(
            shipment, scanned_at=event.at.isoformat(), location=event.location, seq=event.seq
        ),
    )
    _notify(work.case, shipment, event.status, reason=event.description)


def _handlers_of(region_code: str, hall_id: int | None) -> list[int]:
    """The staff told of a returned parcel: those who handle shipments for its region (of its
    hall, when some of them work there)."""
    roles = [r for r, perms in ROLE_PERMISSIONS.items() if Permission.SHIPMENT_HANDLE in perms]
    staff = [
        s
        for s in Staff.objects.filter(role__in=roles, is_active=True).select_related("region")
        if s.covers(region_code)
    ]
    at_hall = [s for s in staff if hall_id is not None and s.hall_id == hall_id]
    return [s.pk for s in (at_hall or staff)]


def _notify(case: Case, shipment: Shipment, status: str, *, reason: str = "") -> None:
    """The outbox rows of one shipment step (in the caller's transaction)."""
    context = {
        "case_title": case.title,
        "waybill_no": shipment.waybill_no,
        "shipment_kind": _source(ShipmentKind(shipment.kind).label),
        "recipient": f"{mask_name(shipment.recipient_name)} {mask_address(shipment.recipient_address)}",
        "reason": reason,
    }
    notices: list[Notice] = []
    message = _APPLICANT_NOTICES.get(status)
    if (
        message is not None
        and shipment.kind in _APPLICANT_KINDS
        and not (status in _RECIPIENT_ONLY and shipment.kind != ShipmentKind.RESULTS_TO_APPLICANT)
    ):
        people: list[Recipient] = [applicant_recipient(case.applicant_id)]
        notices.append(
            Notice(
                kind=message,
                recipients=people,
                case_id=case.pk,
                case_number=case.number or "",
                context=context,
                dedupe_key=f"shipment:{shipment.pk}:{status}",
            )
        )
    if status == ShipmentState.RETURNED:
        staff = [staff_recipient(i) for i in _handlers_of(shipment.region_code, shipment.hall_id)]
        if staff:
            notices.append(
                Notice(
                    kind=MessageKind.SHIPMENT_RETURNED_ALERT,
                    recipients=staff,
                    case_id=case.pk,
                    case_number=case.number or "",
                    context=context,
                    dedupe_key=f"shipment:{shipment.pk}:returned-alert",
                )
            )
    if notices:
        messages_enqueue(notices=notices)


# ------------------------------------------------------------------------------ hand-out


def _hand_out_clerk(shipment: Shipment, case: Case) -> Staff | None:
    """Who hands the case out by post: the clerk who posted it, else one who may now."""
    candidates: list[Staff] = []
    if shipment.created_by is not None:
        candidates.append(shipment.created_by)
    roles = [r for r, perms in ROLE_PERMISSIONS.items() if Permission.CASE_HAND_OUT in perms]
    candidates += list(
        Staff.objects.filter(role__in=roles, is_active=True).select_related("region").order_by("pk")
    )
    for staff in candidates:
        if staff is not None and CaseAction.HAND_OUT in case_actions(case, staff):
            return staff
    return None


def shipment_hand_out(*, shipment_id: int) -> bool:
    """统一出件 by post: a delivered result parcel hands its case out through the case
    engine's hand-out service. Idempotent; True when the case is (now) handed out."""
    shipment = Shipment.objects.select_related("case", "created_by__region").get(pk=shipment_id)
    if shipment.handed_out_at is not None or not shipment.completes_case:
        return shipment.handed_out_at is not None
    if shipment.state != ShipmentState.DELIVERED:
        return False
    case = shipment.case
    if case.delivered_at is None:
        clerk = _hand_out_clerk(shipment, case)
        if clerk is None:
            log.warning("no clerk may hand out case %s delivered by post", case.pk)
            return False
        note = _("邮寄送达：运单号 %(no)s，%(on)s 签收") % {
            "no": shipment.waybill_no,
            "on": clock.local(shipment.delivered_at or clock.now()).strftime("%Y-%m-%d %H:%M"),
        }
        try:
            case = case_hand_out(case_id=case.pk, clerk=clerk, note=note)
        except DomainError as exc:
            log.warning("hand-out by post of case %s failed: %s", case.pk, exc.message)
            return False
    with transaction.atomic():
        done = Shipment.objects.filter(pk=shipment.pk, handed_out_at__isnull=True).update(
            handed_out_at=case.delivered_at or clock.now(), updated_at=clock.now()
        )
    del done  # 0 when another process marked it first: handed out all the same
    return True


# -------------------------------------------------------------------------- desk actions


@transaction.atomic
def shipment_cancel(*, shipment_id: int, by: Staff, reason: str = "") -> Shipment:
    """Cancel a shipment not yet picked up (the carrier's waybill simply goes unused)."""
    shipment = Shipment.objects.select_for_update().filter(pk=shipment_id).first()
    if shipment is None or not selectors.staff_may_handle(by, shipment.region_code):
        raise NotFound(_("邮件不存在或不在您的管辖范围内。"))
    if shipment.state not in SHIPMENT_CANCELLABLE_STATES:
        raise Conflict(_("邮件已揽收，不能取消。"))
    with case_work(shipment.case_id) as work:
        _cancel(work, shipment, by=by, reason=reason)
    return shipment


def _cancel(work: CaseWork, shipment: Shipment, *, by: Staff | None, reason: str) -> None:
    old = transition(shipment, to=ShipmentState.CANCELLED)
    shipment.next_attempt_at = None
    shipment.updated_at = work.now
    shipment.save(update_fields=["state", "next_attempt_at", "updated_at"])
    work.record(
        EventKind.SHIPMENT_CANCELLED,
        actor=by,
        from_state=old,
        to_state=ShipmentState.CANCELLED,
        reason=reason.strip()[:500],
        payload=_event_payload(shipment),
    )


def shipments_cancel_for_case(case_id: int, events: Sequence[Any]) -> int:
    """cases.hooks handler (撤回, 终止): the case's parcels not yet picked up are cancelled.
    Idempotent; returns how many."""
    with transaction.atomic():
        rows = list(
            Shipment.objects.select_for_update().filter(
                case_id=case_id, state__in=list(SHIPMENT_CANCELLABLE_STATES)
            )
        )
        if not rows:
            return 0
        with case_work(case_id) as work:
            for shipment in rows:
                _cancel(work, shipment, by=None, reason=_("办件已结束，取消寄递"))
    return len(rows)


@transaction.atomic
def shipment_return_handle(*, shipment_id: int, by: Staff, note: str = "") -> Shipment:
    """A clerk has dealt with a returned parcel (called the applicant, kept it for the
    window): it leaves the alert list."""
    shipment = Shipment.objects.select_for_update().filter(pk=shipment_id).first()
    if shipment is None or not selectors.staff_may_handle(by, shipment.region_code):
        raise NotFound(_("邮件不存在或不在您的管辖范围内。"))
    if shipment.state != ShipmentState.RETURNED:
        raise Conflict(_("只有退回的邮件需要处理。"))
    if shipment.return_handled_at is None:
        shipment.return_handled_at = clock.now()
        shipment.updated_at = shipment.return_handled_at
        shipment.save(update_fields=["return_handled_at", "updated_at"])
    return shipment


# ---------------------------------------------------------------------------------- sync


@dataclass
class SyncReport:
    ordered: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    events: int = 0
    handed_out: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ordered": self.ordered,
            "waiting": self.waiting,
            "events": self.events,
            "handed_out": self.handed_out,
        }


def shipments_sync(*, carrier: Carrier | None = None, now: dt.datetime | None = None) -> SyncReport:
    """The sweep (beat, ``onestop delivery sync``): send the orders that are due, poll the
    tracking of every parcel under way, and retry hand-outs that failed. Each shipment in
    its own transaction, so one failure does not undo the others."""
    carrier = carrier or carrier_get()
    now = now or clock.now()
    report = SyncReport()
    for shipment_id in selectors.shipments_due_for_waybill(now=now):
        shipment = shipment_order(shipment_id=shipment_id, carrier=carrier)
        if shipment is not None and shipment.waybill_no:
            report.ordered.append(shipment_id)
        else:
            report.waiting.append(shipment_id)
    for shipment_id in selectors.shipments_to_track():
        report.events += shipment_track(shipment_id=shipment_id, carrier=carrier)
    for shipment_id in selectors.shipments_to_hand_out():
        if shipment_hand_out(shipment_id=shipment_id):
            report.handed_out.append(shipment_id)
    return report


# ------------------------------------------------------------------ 异地代收代办 originals


def originals_request_key(case_id: int, handling_region_code: str) -> str:
    """The request key of a case's originals parcel to one handling region (one per region)."""
    return f"originals:{case_id}:{handling_region_code}"


@transaction.atomic
def originals_forward(
    *, case_id: int, clerk: Staff, handling_region_code: str = "", contents: str = ""
) -> Shipment:
    """收件地's duty after acceptance: post the paper originals to the hall of the region
    that handles the case's task (one parcel per handling region; a repeat returns it)."""
    with case_work(case_id) as work:
        case = work.case
        tasks = [
            t
            for t in case.tasks.select_related("department", "region").order_by("pk")
            if t.mode in TASK_CROSS_REGION_MODES and not case.region_code.startswith(t.region_code)
        ]
        if not tasks:
            raise Conflict(_("本办件由收件地办理，无需转寄原件。"))
        codes = sorted({t.region_code for t in tasks})
        code = handling_region_code.strip() or (codes[0] if len(codes) == 1 else "")
        if code not in codes:
            raise ValidationFailed(
                _("请选择办理地：%(codes)s。") % {"codes": "、".join(codes)},
                field="handling_region_code",
            )
        task = next(t for t in tasks if t.region_code == code)
        hall = Hall.objects.filter(region=task.region).order_by("kind", "pk").first()
        address = (hall.address if hall and hall.address else "") or task.department.name
        recipient = Party(
            name=task.department.name,
            phone=task.department.phone or (hall.phone if hall else ""),
            address=address,
        )
        return shipment_create(
            case_id=case.pk,
            kind=ShipmentKind.MATERIALS_TO_HANDLING,
            by=clerk,
            sender=_hall_party(case),
            recipient=recipient,
            contents=contents or _("申请材料纸质原件（异地代收代办）"),
            request_key=originals_request_key(case.pk, code),
            work=work,
        )
