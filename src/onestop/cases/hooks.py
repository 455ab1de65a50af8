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

A slow reaction registers with ``deferred=True`` (sealing a result, re-running the 电子监察
rules, recounting figures): with a broker configured it leaves the request's thread — after
commit the case and event ids go through a relay (``core.relay``: one Celery message per
short window) to ``cases.tasks.case_hooks_run`` in a worker, which reads the events back
and calls the handler there. Without a broker (the embedded default, the tests) Celery runs
eagerly and so do deferred handlers, on the committing thread as before. A publication lost
with its process is what the apps' sweeps already catch up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import NamedTuple

from celery import current_app
from django.conf import settings
from django.db import transaction

from onestop.cases.models import CaseEvent
from onestop.core.relay import Relay

log = logging.getLogger(__name__)

Handler = Callable[[int, Sequence[CaseEvent]], None]


class Registration(NamedTuple):
    kinds: frozenset[str]
    handler: Handler
    deferred: bool


# Registered at start-up, read on every write.
_handlers: list[Registration] = []


def on_case_events(*kinds: str, handler: Handler, deferred: bool = False) -> None:
    """Call ``handler(case_id, events)`` after commit for events of these kinds; in a worker
    when ``deferred`` and a broker is configured."""
    if not kinds:
        raise ValueError("name the event kinds the handler reacts to")
    entry = Registration(frozenset(str(k) for k in kinds), handler, deferred)
    if entry not in _handlers:  # ready() may run twice (tests, autoreload)
        _handlers.append(entry)


def handlers_clear(handler: Handler) -> None:
    """Forget a handler (tests that register their own)."""
    _handlers[:] = [entry for entry in _handlers if entry.handler is not handler]


def registered() -> list[Registration]:
    """The handlers registered, in the order they run."""
    return list(_handlers)


@contextmanager
def handlers_paused(*handlers: Handler) -> Iterator[None]:
    """Run without these handlers (all when none is named), then restore them as they were
    (a test racing what a handler would do, a benchmark of the engine alone)."""
    saved = list(_handlers)
    _handlers[:] = [e for e in saved if handlers and e.handler not in handlers]
    try:
        yield
    finally:
        _handlers[:] = saved


def handler_name(handler: Handler) -> str:
    """The name a deferred handler travels under (its module and qualified name)."""
    return f"{handler.__module__}.{handler.__qualname__}"


def _defer_to_worker() -> bool:
    return not settings.CELERY_TASK_ALWAYS_EAGER and getattr(
        settings, "ONESTOP_HOOKS_DEFERRED", True
    )


def events_written(case_id: int, events: Sequence[CaseEvent]) -> None:
    """The unit has inserted these events: schedule the interested handlers after commit."""
    if not _handlers:
        return
    for kinds, handler, deferred in _handlers:
        chosen = [event for event in events if event.kind in kinds]
        if not chosen:
            continue
        if deferred and _defer_to_worker():
            item = (handler_name(handler), case_id, tuple(event.pk for event in chosen))
            transaction.on_commit(partial(_relay.add, item))
        else:
            transaction.on_commit(partial(_run, handler, case_id, chosen))


def deferred_run(entries: Sequence[tuple[str, int, Sequence[int]]]) -> int:
    """In a worker: run each named deferred handler on its case's events (read back by id).

    An unknown name (a handler unregistered since) or events gone are skipped; returns how
    many handlers ran.
    """
    by_name = {handler_name(e.handler): e.handler for e in _handlers if e.deferred}
    wanted = sorted({pk for _name, _case_id, pks in entries for pk in pks})
    events = {e.pk: e for e in CaseEvent.objects.filter(pk__in=wanted)}
    ran = 0
    for name, case_id, pks in entries:
        handler = by_name.get(name)
        chosen = [events[pk] for pk in pks if pk in events]
        if handler is None or not chosen:
            log.warning("deferred case event handler %s: nothing to run for case %s", name, case_id)
            continue
        _run(handler, case_id, sorted(chosen, key=lambda e: e.seq))
        ran += 1
    return ran


# Published by name: the task (``cases.tasks``) calls ``deferred_run`` here, and this module
# does not import it back.
HOOKS_TASK = "onestop.cases.tasks.case_hooks_run"


def _publish(items: list[Hashable]) -> None:
    queue = getattr(settings, "ONESTOP_HOOKS_QUEUE", "") or None
    entries = [[name, case_id, list(pks)] for name, case_id, pks in items]  # type: ignore[misc]
    current_app.send_task(HOOKS_TASK, kwargs={"entries": entries}, queue=queue)


_relay = Relay(
    "case-hooks-relay",
    publish=_publish,
    window=lambda: float(getattr(settings, "ONESTOP_HOOKS_RELAY_SECONDS", 0.05)),
)


def _run(handler: Handler, case_id: int, events: list[CaseEvent]) -> None:
    try:
        handler(case_id, events)
    except Exception:  # one reaction failing must not undo or block the others
        log.exception(
            "case event handler %s failed for case %s (its sweep will catch up)",
            getattr(handler, "__qualname__", handler),
            case_id,
        )
