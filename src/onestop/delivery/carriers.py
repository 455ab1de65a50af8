"""The carrier interface (承运方): the contract every carrier implements, and the carriers.

The contract (docs/delivery.md has it in full):

``waybill_create(order) -> Waybill``
    Register a parcel and return its waybill number (运单号). **Idempotent per
    ``order.key``**: the same key sent twice (a retry after a timeout, two sync processes)
    returns the same waybill, never a second one.
``track(waybill_no) -> list[TrackEvent]``
    Every tracking event of the parcel so far, oldest first, each with a ``seq`` that only
    grows (1, 2, 3 …) and a ``status``: ``picked_up`` 揽收, ``in_transit`` 运输中,
    ``out_for_delivery`` 派送中, and the two ends, ``delivered`` 签收 and ``returned`` 退回
    (with a reason). The caller keeps the highest ``seq`` it has recorded and ignores the
    rest, so asking twice records nothing twice.

A carrier that cannot be reached (or answers 5xx, or too slowly) raises
``CarrierUnavailable``: the caller keeps the shipment waiting and tries again later
(``delivery.services.shipments_sync``). A carrier that refuses the order itself (4xx: an
address it does not serve) raises ``CarrierRefused``; the shipment waits for a clerk.

Carriers here:

- ``HttpCarrier``: the contract over HTTP/JSON (``POST /v1/waybills``, ``GET
  /v1/waybills/<no>/events``), what the local simulator (``delivery.simulator``, ``onestop
  delivery simulator``) serves and what an adapter to China Post's EMS API would serve;
- ``EmbeddedCarrier``: the simulator's engine in this process (state in a JSON file under
  the data directory), the default when no carrier URL is configured, so the demo posts
  without a separate service.

``carrier_get()`` returns the configured one (``ONESTOP_DELIVERY_CARRIER_URL``).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings

from onestop.core import clock
from onestop.delivery.contract import (
    Carrier,
    CarrierRefused,
    CarrierUnavailable,
    TrackEvent,
    Waybill,
    WaybillOrder,
    event_from_json,
    order_to_json,
)
from onestop.delivery.simulator import PostSimulator

# ---------------------------------------------------------------------------------- HTTP


class HttpCarrier:
    """The contract over HTTP/JSON (see the module docstring)."""

    code = "http"

    def __init__(self, base_url: str, *, timeout: float = 5.0, code: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        if code:
            self.code = code

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the configured carrier URL
            self.base_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace")
            exc.close()
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise CarrierRefused(f"{exc.code} {detail}") from exc
            raise CarrierUnavailable(f"{exc.code} {detail}") from exc
        except (OSError, ValueError) as exc:  # refused, reset, timeout, bad JSON
            raise CarrierUnavailable(str(exc) or type(exc).__name__) from exc

    def waybill_create(self, order: WaybillOrder) -> Waybill:
        data = self._call("POST", "/v1/waybills", order_to_json(order))
        try:
            return Waybill(
                waybill_no=str(data["waybill_no"]),
                created_at=dt.datetime.fromisoformat(str(data["created_at"])),
            )
        except (KeyError, ValueError) as exc:
            raise CarrierUnavailable(f"bad answer: {data!r}") from exc

    def track(self, waybill_no: str) -> list[TrackEvent]:
        data = self._call("GET", f"/v1/waybills/{urllib.request.quote(waybill_no)}/events")
        try:
            return [event_from_json(e) for e in data["events"]]
        except (KeyError, ValueError, TypeError) as exc:
            raise CarrierUnavailable(f"bad answer: {data!r}") from exc


# ------------------------------------------------------------------------------ embedded


class EmbeddedCarrier:
    """The simulator's engine in this process, its state in a JSON file (the default)."""

    code = "simulator"

    def __init__(self, state_file: Path, *, step_seconds: float, return_every: int = 0) -> None:
        self.engine = PostSimulator(
            state_file=state_file,
            step_seconds=step_seconds,
            return_every=return_every,
            now=clock.now,
        )

    def waybill_create(self, order: WaybillOrder) -> Waybill:
        return self.engine.waybill_create(order)

    def track(self, waybill_no: str) -> list[TrackEvent]:
        found = self.engine.track(waybill_no)
        if found is None:
            raise CarrierRefused(f"unknown waybill {waybill_no}")
        return found


_override: Carrier | None = None


def carrier_set(carrier: Carrier | None) -> None:
    """Use ``carrier`` instead of the configured one (tests; None restores)."""
    global _override
    _override = carrier


def carrier_get() -> Carrier:
    """The configured carrier: HTTP when ``ONESTOP_DELIVERY_CARRIER_URL`` is set, else embedded."""
    if _override is not None:
        return _override
    url = settings.ONESTOP_DELIVERY_CARRIER_URL
    if url:
        return HttpCarrier(
            url,
            timeout=settings.ONESTOP_DELIVERY_CARRIER_TIMEOUT,
            code=settings.ONESTOP_DELIVERY_CARRIER_CODE,
        )
    return EmbeddedCarrier(
        Path(settings.ONESTOP_DELIVERY_SIMULATOR_STATE),
        step_seconds=settings.ONESTOP_DELIVERY_SIMULATOR_STEP_SECONDS,
        return_every=settings.ONESTOP_DELIVERY_SIMULATOR_RETURN_EVERY,
    )
