"""Kinds, states and the one transition table of shipments (邮政双向专递).

Only ``delivery.services`` assigns ``Shipment.state``, and only through :func:`transition`.

- ``pending`` (待下单): the shipment exists here, the carrier has not yet given a waybill
  number (just created, or the carrier was down: the sync retries with backoff);
- ``created`` (已下单) → ``picked_up`` (已揽收) → ``in_transit`` (运输中) →
  ``out_for_delivery`` (派送中) → ``delivered`` (已签收) — or ``returned`` (已退回, to the
  sender) from any step after pick-up; a failed delivery attempt goes back to ``in_transit``;
- ``cancelled`` (已取消) before pick-up.

The carrier's statuses (``carriers.TrackStatus``) are these state values; a tracking event
whose status is not a move the table allows (a duplicate scan) is kept as a tracking row
without moving the shipment.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from onestop.core.errors import IllegalTransition


class ShipmentKind(models.TextChoices):
    """Which way the shipment goes and what it carries."""

    MATERIALS_TO_HALL = "materials_to_hall", _("申请材料寄至大厅")
    RESULTS_TO_APPLICANT = "results_to_applicant", _("办理结果寄给申请人")
    # 异地代收代办: the receiving region forwards the file to the handling region …
    MATERIALS_TO_HANDLING = "materials_to_handling", _("材料转寄办理地")
    # … and the handling region sends the paper result back to the receiving region.
    RESULTS_TO_RECEIVING = "results_to_receiving", _("结果寄回收件地")


class ShipmentState(models.TextChoices):
    PENDING = "pending", _("待下单")
    CREATED = "created", _("已下单")
    PICKED_UP = "picked_up", _("已揽收")
    IN_TRANSIT = "in_transit", _("运输中")
    OUT_FOR_DELIVERY = "out_for_delivery", _("派送中")
    DELIVERED = "delivered", _("已签收")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", _("已取消")


S = ShipmentState
SHIPMENT_TRANSITIONS: dict[ShipmentState, frozenset[ShipmentState]] = {
    S.PENDING: frozenset({S.CREATED, S.CANCELLED}),
    S.CREATED: frozenset({S.PICKED_UP, S.CANCELLED}),
    S.PICKED_UP: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.RETURNED}),
    S.IN_TRANSIT: frozenset({S.OUT_FOR_DELIVERY, S.RETURNED}),
    S.OUT_FOR_DELIVERY: frozenset({S.DELIVERED, S.IN_TRANSIT, S.RETURNED}),
    S.DELIVERED: frozenset(),
    S.RETURNED: frozenset(),
    S.CANCELLED: frozenset(),
}
del S

SHIPMENT_FINAL_STATES = frozenset(s for s, nxt in SHIPMENT_TRANSITIONS.items() if not nxt)
# Waiting for the carrier to give a waybill number (the sync retries these).
SHIPMENT_AWAITING_WAYBILL = frozenset(
    s for s, nxt in SHIPMENT_TRANSITIONS.items() if ShipmentState.CREATED in nxt
)
# Has a waybill and is not finished: the sync polls their tracking.
SHIPMENT_TRACKED_STATES = frozenset(
    s for s, nxt in SHIPMENT_TRANSITIONS.items() if nxt and s not in SHIPMENT_AWAITING_WAYBILL
)
SHIPMENT_CANCELLABLE_STATES = frozenset(
    s for s, nxt in SHIPMENT_TRANSITIONS.items() if ShipmentState.CANCELLED in nxt
)
# Not over (a second result shipment of the same case is refused while one of these exists).
SHIPMENT_OPEN_STATES = frozenset(ShipmentState) - {
    ShipmentState.DELIVERED,
    ShipmentState.RETURNED,
    ShipmentState.CANCELLED,
}
# A shipment of this kind delivered completes the case (出件 by post).
HAND_OUT_KINDS = frozenset({ShipmentKind.RESULTS_TO_APPLICANT})


class DeliveryMethod(models.TextChoices):
    """送达方式 the applicant chooses for the result."""

    WINDOW = "window", _("窗口领取")
    POST = "post", _("邮寄送达")


def transition(shipment: object, *, to: ShipmentState) -> str:
    """Move ``shipment`` to ``to`` if the table allows it; return the old state."""
    current = ShipmentState(shipment.state)  # type: ignore[attr-defined]
    if to not in SHIPMENT_TRANSITIONS[current]:
        raise IllegalTransition(
            _gettext("邮件当前状态为「%(state)s」，不能变更为「%(to)s」。")
            % {"state": current.label, "to": ShipmentState(to).label},
            current_state=str(current),
            target_state=str(to),
        )
    shipment.state = to  # type: ignore[attr-defined]
    return current


def may_move(state: str, to: str) -> bool:
    try:
        return ShipmentState(to) in SHIPMENT_TRANSITIONS[ShipmentState(state)]
    except ValueError:
        return False
