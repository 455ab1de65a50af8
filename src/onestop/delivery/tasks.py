"""Celery tasks of delivery; each takes plain values and calls one service."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from onestop.delivery import services


@shared_task(name="onestop.delivery.tasks.delivery_order")
def delivery_order(*, shipment_id: int) -> str:
    """After commit: ask the carrier for the waybill of a new shipment."""
    shipment = services.shipment_order(shipment_id=shipment_id)
    return shipment.state if shipment is not None else ""


@shared_task(name="onestop.delivery.tasks.delivery_sync")
def delivery_sync() -> dict[str, Any]:
    """Beat: orders that are due, tracking of every parcel under way, failed hand-outs."""
    return services.shipments_sync().as_dict()
