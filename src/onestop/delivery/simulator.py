"""The local carrier simulator: a post office that moves parcels through real states on a schedule.

``PostSimulator`` is the engine; ``serve`` runs it as a real HTTP service speaking the
carrier contract (``delivery.carriers``):

- ``POST /v1/waybills`` with a ``WaybillOrder`` as JSON → ``{"waybill_no", "created_at"}``
  (200). The same ``key`` again returns the same waybill (``"created": false``).
- ``GET /v1/waybills/<no>/events`` → ``{"waybill_no", "events": [...]}``, the events whose
  time has come; 404 for an unknown number.
- ``GET /v1/health`` → ``{"ok": true, "waybills": N}``.

The schedule: a parcel registered at *t* is picked up (揽收) at *t + step*, reaches the
sorting centre (运输中) at *t + 2·step*, goes out for delivery (派送中) at *t + 3·step* and is
signed for (签收) at *t + 4·step* — or, when it is to be returned, the delivery fails at
*t + 4·step* (退回, with a reason) instead. A parcel is returned when the recipient's address
or name says so (``拒收`` or ``查无此人`` in it — how a test or a demo asks for a return), or
every ``return_every``-th order when that is set.

State (the orders and the time each was registered) is kept in memory and, with
``state_file``, in a JSON file written on every new order — a simulator restarted on the
same file knows its waybills and never issues a second one for a key it has seen.

Run it: ``onestop delivery simulator --port 8790 [--step 60] [--state FILE]`` or
``python -m onestop.delivery.simulator --port 8790``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from onestop.delivery.contract import (
    TrackEvent,
    Waybill,
    WaybillOrder,
    event_to_json,
    order_from_json,
    order_to_json,
)

RETURN_MARKERS = ("拒收", "查无此人")

# (status, location, description) of each step after registration.
_STEPS_DELIVERED = (
    ("picked_up", "{origin}", "邮政揽投员已揽收"),
    ("in_transit", "益阳邮区中心局", "已到达益阳邮区中心局，正在分拣"),
    ("out_for_delivery", "{destination}", "投递员正在派送，请保持电话畅通"),
    ("delivered", "{destination}", "已签收，签收人：本人"),
)
_RETURN_REASON = "收件人拒收"
_UNKNOWN_REASON = "查无此人"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _place(address: str) -> str:
    """The town part of an address, as a tracking line names it (湖南省益阳市赫山区…)."""
    for mark in ("区", "县", "市"):
        end = address.find(mark)
        if 0 < end < 16:
            return address[: end + 1]
    return address[:10]


class PostSimulator:
    """The engine: idempotent waybills, tracking derived from the clock (thread-safe)."""

    def __init__(
        self,
        *,
        state_file: Path | None = None,
        step_seconds: float = 60.0,
        return_every: int = 0,
        now: Callable[[], dt.datetime] = _utc_now,
        prefix: str = "SIM",
    ) -> None:
        self.state_file = state_file
        self.step = dt.timedelta(seconds=step_seconds)
        self.return_every = return_every
        self.now = now
        self.prefix = prefix
        self._lock = threading.Lock()
        self._by_key: dict[str, dict[str, Any]] = {}
        self._by_no: dict[str, dict[str, Any]] = {}
        self.creates = 0  # orders that made a new waybill (tests count them)
        self._load()

    # ------------------------------------------------------------------------ state

    def _load(self) -> None:
        if self.state_file is None or not self.state_file.exists():
            return
        try:
            rows = json.loads(self.state_file.read_text("utf-8"))
        except (OSError, ValueError):
            return
        for row in rows:
            self._by_key[row["key"]] = row
            self._by_no[row["waybill_no"]] = row

    def _save(self) -> None:
        if self.state_file is None:
            return
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(list(self._by_key.values()), ensure_ascii=False), "utf-8")
        tmp.replace(self.state_file)

    # --------------------------------------------------------------------- contract

    def waybill_create(self, order: WaybillOrder) -> Waybill:
        with self._lock:
            row = self._by_key.get(order.key)
            if row is None:
                number = len(self._by_key) + 1
                digest = hashlib.sha256(order.key.encode()).hexdigest()[:6].upper()
                returned = any(
                    m in order.recipient.address or m in order.recipient.name
                    for m in RETURN_MARKERS
                ) or (self.return_every > 0 and number % self.return_every == 0)
                row = {
                    "key": order.key,
                    "waybill_no": f"{self.prefix}{number:08d}{digest}",
                    "created_at": self.now().isoformat(),
                    "returned": returned,
                    "order": order_to_json(order),
                }
                self._by_key[order.key] = row
                self._by_no[row["waybill_no"]] = row
                self.creates += 1
                self._save()
        return Waybill(
            waybill_no=row["waybill_no"], created_at=dt.datetime.fromisoformat(row["created_at"])
        )

    def knows(self, key: str) -> bool:
        return key in self._by_key

    def track(self, waybill_no: str) -> list[TrackEvent] | None:
        row = self._by_no.get(waybill_no)
        if row is None:
            return None
        order = order_from_json(row["order"])
        start = dt.datetime.fromisoformat(row["created_at"])
        places = {
            "origin": _place(order.sender.address),
            "destination": _place(order.recipient.address),
        }
        steps = list(_STEPS_DELIVERED)
        if row["returned"]:
            unknown = _UNKNOWN_REASON in order.recipient.address + order.recipient.name
            reason = _UNKNOWN_REASON if unknown else _RETURN_REASON
            steps[-1] = ("returned", "{destination}", f"投递失败（{reason}），退回寄件人")
        now = self.now()
        events = []
        for seq, (status, location, description) in enumerate(steps, start=1):
            at = start + self.step * seq
            if at > now:
                break
            events.append(
                TrackEvent(
                    seq=seq,
                    status=status,
                    at=at,
                    location=location.format(**places),
                    description=description,
                )
            )
        return events

    def count(self) -> int:
        return len(self._by_key)


# -------------------------------------------------------------------------------- HTTP


def _handler(engine: PostSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "onestop-post-simulator/1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            return

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = [p for p in self.path.split("?")[0].split("/") if p]
            if parts == ["v1", "health"]:
                self._send(200, {"ok": True, "waybills": engine.count()})
                return
            if len(parts) == 4 and parts[:2] == ["v1", "waybills"] and parts[3] == "events":
                from urllib.parse import unquote

                number = unquote(parts[2])
                events = engine.track(number)
                if events is None:
                    self._send(404, {"error": "unknown waybill"})
                    return
                self._send(
                    200, {"waybill_no": number, "events": [event_to_json(e) for e in events]}
                )
                return
            self._send(404, {"error": "not found"})

        def do_POST(self) -> None:
            if self.path.split("?")[0].rstrip("/") != "/v1/waybills":
                self._send(404, {"error": "not found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                order = order_from_json(json.loads(self.rfile.read(length) or b"{}"))
            except ValueError as exc:
                self._send(400, {"error": str(exc)})
                return
            existed = engine.knows(order.key)
            waybill = engine.waybill_create(order)
            self._send(
                200,
                {
                    "waybill_no": waybill.waybill_no,
                    "created_at": waybill.created_at.isoformat(),
                    "created": not existed,
                },
            )

    return Handler


def server_make(
    engine: PostSimulator, *, host: str = "127.0.0.1", port: int = 0
) -> ThreadingHTTPServer:
    """A bound HTTP server for ``engine`` (port 0: any free port; ``server.server_port``)."""
    server = ThreadingHTTPServer((host, port), _handler(engine))
    server.daemon_threads = True
    return server


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8790,
    step_seconds: float = 60.0,
    state_file: Path | None = None,
    return_every: int = 0,
) -> None:
    """Run the simulator until interrupted."""
    engine = PostSimulator(
        state_file=state_file, step_seconds=step_seconds, return_every=return_every
    )
    server = server_make(engine, host=host, port=port)
    print(  # noqa: T201 - the command's one line of output
        f"post simulator on http://{host}:{server.server_port}/v1 (step {step_seconds}s)",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="onestop local carrier simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--step", type=float, default=60.0, help="seconds between two scans")
    parser.add_argument("--state", type=Path, default=None, help="JSON file keeping the waybills")
    parser.add_argument("--return-every", type=int, default=0)
    args = parser.parse_args(argv)
    serve(
        host=args.host,
        port=args.port,
        step_seconds=args.step,
        state_file=args.state,
        return_every=args.return_every,
    )


if __name__ == "__main__":
    main()
