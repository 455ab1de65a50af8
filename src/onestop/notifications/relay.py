"""The notifications relay: one delivery task per short window, however many transitions
committed in it.

With a broker configured, a committed transition only wakes this relay (``core.relay``);
after ``ONESTOP_NOTIFICATIONS_RELAY_SECONDS`` (default 0.05 s) it publishes one
``notifications_deliver_due`` task, which sends every row that is due. The rows themselves
were written in the transitions' transactions, so a wake-up lost with its process costs
nothing but time: the beat sweep sends the rows within a minute.
"""

from __future__ import annotations

from collections.abc import Hashable

from django.conf import settings

from onestop.core.relay import Relay


def _publish(_items: list[Hashable]) -> None:
    from onestop.notifications.tasks import notifications_deliver_due

    queue = getattr(settings, "ONESTOP_NOTIFICATIONS_QUEUE", "") or None
    notifications_deliver_due.apply_async(queue=queue)


_relay = Relay(
    "notifications-relay",
    publish=_publish,
    window=lambda: float(getattr(settings, "ONESTOP_NOTIFICATIONS_RELAY_SECONDS", 0.05)),
)


def wake() -> None:
    """Ask for one delivery soon (cheap: no I/O on the caller's path)."""
    _relay.add()
