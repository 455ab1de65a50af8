"""The 督办 log: append-only steps of each order, hash-chained per order.

The case event log (``cases.events``) chains events of one *case*; an order may be about a
department or a rectification, with no case, so it cannot join that chain. The order log
keeps the same construction instead: sha256 over a canonical JSON of every field of the
step and the previous step's hash; the order's row is locked while a step is appended, so
``seq`` and ``prev_hash`` cannot race. :func:`chain_verify` walks an order's chain and
reports every break (an edited, deleted or reordered step).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from onestop.accounts.models import Staff
from onestop.supervision.models import OrderEvent, SupervisionOrder


def _canonical(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def step_hash(event: OrderEvent) -> str:
    """SHA-256 over everything the step says and the hash before it."""
    body = [
        event.order_id,
        event.seq,
        event.action,
        event.actor_id,
        event.actor_role,
        event.at.astimezone(dt.UTC).isoformat(),
        event.from_state,
        event.to_state,
        event.note,
        event.prev_hash,
    ]
    return hashlib.sha256(_canonical(body).encode()).hexdigest()


def step_append(
    *,
    order: SupervisionOrder,
    action: str,
    actor: Staff,
    from_state: str,
    to_state: str,
    note: str,
    at: dt.datetime,
) -> OrderEvent:
    """Append the order's next step (the caller holds the order's row lock)."""
    last = OrderEvent.objects.filter(order=order).order_by("-seq").values_list("seq", "hash")
    seq, prev = next(iter(last), (0, ""))
    event = OrderEvent(
        order=order,
        seq=seq + 1,
        action=action,
        actor_id=actor.user_id,
        actor_role=actor.role,
        at=at,
        from_state=from_state,
        to_state=to_state,
        note=note,
        prev_hash=prev,
    )
    event.hash = step_hash(event)
    event.save()
    return event


@dataclass(frozen=True)
class ChainBreak:
    order_id: int
    seq: int
    problem: str


def chain_verify(order: SupervisionOrder) -> tuple[int, list[ChainBreak]]:
    """Walk an order's chain; return the number of steps and every break found."""
    breaks: list[ChainBreak] = []
    steps = list(OrderEvent.objects.filter(order=order).order_by("seq"))
    prev = ""
    for expected, step in enumerate(steps, start=1):
        if step.seq != expected:
            breaks.append(ChainBreak(order.pk, step.seq, f"序号不连续：应为 {expected}"))
        if step.prev_hash != prev:
            breaks.append(ChainBreak(order.pk, step.seq, "前一记录哈希不符（记录被删除或重排）"))
        if step_hash(step) != step.hash:
            breaks.append(ChainBreak(order.pk, step.seq, "内容与哈希不符（记录被篡改）"))
        prev = step.hash
    if not steps:
        breaks.append(ChainBreak(order.pk, 0, "督办没有任何记录（记录被删除）"))
    elif steps[-1].to_state != order.state:
        breaks.append(ChainBreak(order.pk, steps[-1].seq, "督办状态与最后一条记录不符"))
    return len(steps), breaks
