"""The relay: one delivery task per short window, however many transitions committed in it.

Publishing a Celery message costs a transition about half a millisecond, on the request's
path. With a broker configured, a committed transition only wakes this relay (a set event);
a daemon thread of the process waits ``ONESTOP_NOTIFICATIONS_RELAY_SECONDS`` (default
0.05 s) for more commits, then publishes one ``notifications_deliver_due`` task, which sends
every row that is due. The rows themselves were written in the transitions' transactions,
so a wake-up lost with its process (killed between commit and publish) costs nothing but
time: the beat sweep sends the rows within a minute.
"""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings

log = logging.getLogger(__name__)

_lock = threading.Lock()
_wanted = threading.Event()
_owner: int | None = None  # the process whose thread runs (a forked child starts its own)


def wake() -> None:
    """Ask for one delivery soon (cheap: no I/O on the caller's path)."""
    global _owner
    with _lock:
        if _owner != os.getpid():
            _owner = os.getpid()
            _wanted.clear()
            threading.Thread(target=_run, name="onestop-notifications-relay", daemon=True).start()
    _wanted.set()


def _run() -> None:
    from onestop.notifications.tasks import notifications_deliver_due

    window = float(getattr(settings, "ONESTOP_NOTIFICATIONS_RELAY_SECONDS", 0.05))
    queue = getattr(settings, "ONESTOP_NOTIFICATIONS_QUEUE", "") or None
    while True:
        _wanted.wait()
        if window > 0:
            threading.Event().wait(window)  # let more commits join this delivery
        _wanted.clear()
        try:
            notifications_deliver_due.apply_async(queue=queue)
        except Exception:  # the broker is down: the beat sweep sends the rows later
            log.warning("notifications relay: publishing failed", exc_info=True)
