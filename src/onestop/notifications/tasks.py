"""Celery tasks of notifications; each takes plain values and calls one service."""

from __future__ import annotations

from celery import shared_task

from onestop.notifications.delivery import messages_deliver


@shared_task(name="onestop.notifications.tasks.notifications_deliver")
def notifications_deliver(
    *, batch: str | None = None, ids: list[int] | None = None
) -> dict[str, list[int]]:
    """Deliver the rows one transaction wrote (published on commit), or the given ids."""
    return messages_deliver(batch=batch, ids=ids).as_dict()


@shared_task(name="onestop.notifications.tasks.notifications_deliver_due")
def notifications_deliver_due() -> dict[str, list[int]]:
    """Beat, every minute: rows still pending whose next attempt is due (retries, lost publishes)."""
    return messages_deliver().as_dict()
