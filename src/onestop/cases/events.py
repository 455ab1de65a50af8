"""The case event log: append-only rows, hash-chained per case.

``event_build`` is the one way an event is made; only the unit of work (``cases.unit``) calls
it, inside the service's transaction after the case row is locked, so ``seq`` and
``prev_hash`` cannot race. The database refuses UPDATE and DELETE on the table (a trigger,
migration 0004). ``chain_verify`` walks a case's chain and reports every break (an edited,
deleted, reordered or moved event), which still catches an edit made with the trigger dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils.translation import gettext_lazy as _lazy

from onestop.accounts.models import Applicant, Staff
from onestop.accounts.roles import Role
from onestop.cases import sql
from onestop.cases.models import Case, CaseEvent
from onestop.cases.states import CaseState, EventKind
from onestop.core import clock

# The chain head of a locked case, cached on the instance for the rest of the transaction.
_HEAD = "_event_chain_head"


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_hash(
    *,
    case_number: str,
    seq: int,
    kind: str,
    actor_id: int | None,
    actor_role: str,
    at: dt.datetime,
    from_state: str,
    to_state: str,
    reason: str,
    payload: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 over a canonical JSON of everything an event says."""
    body = [
        case_number,
        seq,
        kind,
        actor_id,
        actor_role,
        at.astimezone(dt.UTC).isoformat(),
        from_state,
        to_state,
        reason,
        payload,
        prev_hash,
    ]
    return hashlib.sha256(_canonical(body).encode()).hexdigest()


def hash_of(event: CaseEvent, *, case_number: str) -> str:
    return event_hash(
        case_number=case_number,
        seq=event.seq,
        kind=event.kind,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        at=event.at,
        from_state=event.from_state,
        to_state=event.to_state,
        reason=event.reason,
        payload=event.payload,
        prev_hash=event.prev_hash,
    )


Actor = Staff | Applicant | AbstractBaseUser | None


class ActorKind(models.TextChoices):
    """An event's ``actor_role`` when no member of staff acted (staff carry their ``Role``)."""

    APPLICANT = "applicant", _lazy("申请人")
    SYSTEM = "system", _lazy("系统")
    USER = "user", _lazy("用户")


def actor_role_label(role: str) -> str:
    """What an event's ``actor_role`` reads as: the staff role's name, 申请人 or 系统."""
    for choices in (Role, ActorKind):
        if role in choices.values:
            return str(choices(role).label)
    return role or str(ActorKind.SYSTEM.label)


def _actor(actor: Actor) -> tuple[int | None, str]:
    if actor is None:
        return None, ActorKind.SYSTEM
    if isinstance(actor, Staff):
        return actor.user_id, actor.role
    if isinstance(actor, Applicant):
        return actor.user_id, ActorKind.APPLICANT
    staff = getattr(actor, "staff", None)  # a login acting through its profile
    if staff is not None:
        return actor.pk, staff.role
    applicant = getattr(actor, "applicant", None)
    return actor.pk, ActorKind.APPLICANT if applicant is not None else ActorKind.USER


# The payload key of an event an agent (帮代办员) recorded for the case's applicant.
ON_BEHALF_OF = "on_behalf_of"


def on_behalf_of(case: Case, actor: Actor) -> dict[str, Any] | None:
    """When the case's own agent acts, the event is theirs on behalf of the applicant: the
    applicant, the agent (id and name, as the applicant's timeline shows it) and the
    authorisation it rests on. Every event of every case goes through here (``event_build``)."""
    if not case.agent_id or actor is None:
        return None
    staff = actor if isinstance(actor, Staff) else getattr(actor, "staff", None)
    if not isinstance(staff, Staff) or staff.pk != case.agent_id:
        return None
    return {
        "applicant": case.applicant_id,
        "agent": staff.pk,
        "agent_name": staff.name,
        "authorisation": case.authorisation_id,
    }


def head_set(case: Case, seq: int, digest: str) -> None:
    """Note the chain head of a case the caller knows (a new case: 0 and "")."""
    setattr(case, _HEAD, (seq, digest))


def head_known(case: Case) -> bool:
    """Whether the case's chain head has been read in this transaction."""
    return getattr(case, _HEAD, None) is not None


def _head(case: Case) -> tuple[int, str]:
    """The case's last (seq, hash), read once per transaction after the row lock is taken."""
    head: tuple[int, str] | None = getattr(case, _HEAD, None)
    if head is None:
        head = sql.chain_head(case.pk)
        setattr(case, _HEAD, head)
    return head


def event_build(
    *,
    case: Case,
    kind: EventKind,
    actor: Actor,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """The next event of the case's chain, unsaved (the unit of work inserts them in order)."""
    seq, prev_hash = _head(case)
    seq += 1
    actor_id, role = _actor(actor)
    # JSON round trip: what the database gives back is what was hashed.
    body = json.loads(json.dumps(payload or {}, default=str))
    on_behalf = on_behalf_of(case, actor)
    if on_behalf is not None:
        body[ON_BEHALF_OF] = on_behalf
    at = at or clock.now()
    # Databases keep microseconds; hash exactly what is stored.
    event = CaseEvent(
        case=case,
        seq=seq,
        kind=kind,
        actor_id=actor_id,
        actor_role=role,
        at=at,
        from_state=str(from_state),
        to_state=str(to_state),
        reason=reason,
        payload=body,
        prev_hash=prev_hash,
    )
    event.hash = hash_of(event, case_number=case.number)
    setattr(case, _HEAD, (seq, event.hash))
    return event


@dataclass(frozen=True)
class ChainBreak:
    case_number: str
    seq: int
    problem: str


# Events whose from/to are the case's own states (the others carry task states).
CASE_STATE_EVENTS = frozenset(
    {
        EventKind.SUBMITTED,
        EventKind.PRE_REVIEW_PASSED,
        EventKind.CORRECTION_REQUESTED,
        EventKind.SUPPLEMENTED,
        EventKind.ACCEPTED,
        EventKind.PROCESSING_STARTED,
        EventKind.REJECTED,
        EventKind.WITHDRAWN,
        EventKind.RETURNED_TO_WINDOW,
        EventKind.COMPLETED,
        EventKind.HANDED_OUT,
        EventKind.TERMINATED,
    }
)


def chain_verify(case: Case) -> tuple[int, list[ChainBreak]]:
    """Walk a case's chain; return the number of events and every break found."""
    breaks: list[ChainBreak] = []
    events = list(CaseEvent.objects.filter(case=case).order_by("seq"))
    prev_hash = ""
    last_state = ""
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            breaks.append(
                ChainBreak(
                    case.number,
                    event.seq,
                    f"序号不连续：应为 {expected_seq}，实为 {event.seq}（事件被删除或重排）",
                )
            )
        if event.prev_hash != prev_hash:
            breaks.append(
                ChainBreak(
                    case.number, event.seq, "前一事件哈希不符（之前的事件被删除、插入或重排）"
                )
            )
        if hash_of(event, case_number=case.number) != event.hash:
            breaks.append(ChainBreak(case.number, event.seq, "内容与哈希不符（事件被篡改）"))
        prev_hash = event.hash
        if event.kind in CASE_STATE_EVENTS:
            last_state = event.to_state
    if not events and case.state != CaseState.DRAFT:
        breaks.append(ChainBreak(case.number, 0, "办件没有任何事件（事件被删除）"))
    elif events and last_state and last_state != case.state:
        breaks.append(
            ChainBreak(
                case.number,
                events[-1].seq,
                f"办件状态「{case.state}」与最后一个状态事件「{last_state}」不符（末尾事件被删除或状态被改动）",
            )
        )
    return len(events), breaks
