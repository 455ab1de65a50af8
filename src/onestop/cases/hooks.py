"""Other apps' reactions to case events, run once the transaction has committed.

An app in the cases layer or above (evaluations, supervision, certificates, delivery …)
registers a handler from its ``AppConfig.ready``::

    hooks.on_case_events(EventKind.HANDED_OUT, handler=invitation_light)

The unit of work (``cases.unit``) calls ``events_written`` with the events it has just
inserted; for each handler interested in one of their kinds it schedules, with
``transaction.on_commit``, a call ``handler(case_id, events)`` with only those events. So a
handler never sees an event of a transaction that rolled back, and it runs outside the
case's transaction: it opens its own (through its app's services) and must be idempotent —
the same event may reach it twice if a process retries. A handler that raises is logged
and does not stop the others or fail the committed transition; every app whose effect must
not be lost keeps a sweep that finds what a failed handler left undone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial

from django.db import transaction

from onestop.cases.models import CaseEvent

log = logging.getLogger(__name__)

Handler = Callable[[int, Sequence[CaseEvent]], None]

# (event kinds, handler); registered at start-up, read on every write.
_handlers: list[tuple[frozenset[str], Handler]] = []


def on_case_events(*kinds: str, handler: Handler) -> None:
    """Call ``handler(case_id, events)`` after commit for events of these kinds."""
    if not kinds:
        raise ValueError("name the event kinds the handler reacts to")
    entry = (frozenset(str(k) for k in kinds), handler)
    if entry not in _handlers:  # ready() may run twice (tests, autoreload)
        _handlers.append(entry)


def handlers_clear(handler: Handler) -> None:
    """Forget a handler (tests that register their own)."""
    _handlers[:] = [entry for entry in _handlers if entry[1] is not handler]


def events_written(case_id: int, events: Sequence[CaseEvent]) -> None:
    """The unit has inserted these events: schedule the interested handlers after commit."""
    if not _handlers:
        return
    for kinds, handler in _handlers:
        chosen = [event for event in events if event.kind in kinds]
        if chosen:
            transaction.on_commit(partial(_run, handler, case_id, chosen))


def _run(handler: Handler, case_id: int, events: list[CaseEvent]) -> None:
    try:
        handler(case_id, events)
    except Exception:  # one reaction failing must not undo or block the others
        log.exception(
            "case event handler %s failed for case %s (its sweep will catch up)",
            getattr(handler, "__qualname__", handler),
            case_id,
        )
