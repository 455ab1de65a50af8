"""The carrier contract: the data exchanged and the errors (see ``carriers`` and docs/delivery.md).

Kept apart from the carriers so the simulator and the carriers share it without a cycle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any, Protocol


class CarrierError(Exception):
    """The carrier did not register or report the parcel."""


class CarrierUnavailable(CarrierError):
    """Unreachable, 5xx or too slow: try again later (nothing was lost)."""


class CarrierRefused(CarrierError):
    """The carrier refused the order (4xx): retrying the same order will not help."""


@dataclass(frozen=True)
class Party:
    """A sender or a recipient as printed on the waybill."""

    name: str
    phone: str
    address: str
    postcode: str = ""


@dataclass(frozen=True)
class WaybillOrder:
    key: str  # the idempotency key (the shipment's ``key``)
    sender: Party
    recipient: Party
    contents: str = ""
    reference: str = ""  # the case number, printed on the label


@dataclass(frozen=True)
class Waybill:
    waybill_no: str
    created_at: dt.datetime


@dataclass(frozen=True)
class TrackEvent:
    seq: int
    status: (
        str  # a ShipmentState value: picked_up, in_transit, out_for_delivery, delivered, returned
    )
    at: dt.datetime
    location: str = ""
    description: str = ""


class Carrier(Protocol):
    code: str

    def waybill_create(self, order: WaybillOrder) -> Waybill: ...

    def track(self, waybill_no: str) -> list[TrackEvent]: ...


# --------------------------------------------------------------------------- wire format


def order_to_json(order: WaybillOrder) -> dict[str, Any]:
    return asdict(order)


def order_from_json(data: dict[str, Any]) -> WaybillOrder:
    try:
        return WaybillOrder(
            key=str(data["key"]),
            sender=Party(**{k: str(v) for k, v in data["sender"].items()}),
            recipient=Party(**{k: str(v) for k, v in data["recipient"].items()}),
            contents=str(data.get("contents", "")),
            reference=str(data.get("reference", "")),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"bad order: {exc}") from exc


def event_to_json(event: TrackEvent) -> dict[str, Any]:
    return {**asdict(event), "at": event.at.isoformat()}


def event_from_json(data: dict[str, Any]) -> TrackEvent:
    return TrackEvent(
        seq=int(data["seq"]),
        status=str(data["status"]),
        at=dt.datetime.fromisoformat(str(data["at"])),
        location=str(data.get("location", "")),
        description=str(data.get("description", "")),
    )
