"""Celery tasks of 好差评; each takes plain values and calls one function.

Beat schedule (config/celery.py): ``ratings_push_due`` every minute catches up the outbox;
``ratings_default_sweep`` nightly (it does nothing unless the default rating is enabled).
"""

from __future__ import annotations

from celery import shared_task

from onestop.evaluations import push, services


@shared_task(name="onestop.evaluations.tasks.ratings_push")
def ratings_push(*, rating_id: int) -> int:
    """Push one rating's record now (after its transaction committed)."""
    return push.push_due(rating_ids=[rating_id])


@shared_task(name="onestop.evaluations.tasks.ratings_push_due")
def ratings_push_due() -> int:
    """Push every record whose retry time has come."""
    return push.push_due()


@shared_task(name="onestop.evaluations.tasks.ratings_default_sweep")
def ratings_default_sweep() -> int:
    """系统默认评价 for cases whose late period ended unrated (only when enabled)."""
    return services.ratings_default_sweep()


@shared_task(name="onestop.evaluations.tasks.rating_invitations_send")
def rating_invitations_send() -> int:
    """智能邀评: SMS links for completed cases still unrated after N working days."""
    return services.rating_invitations_send()


@shared_task(name="onestop.evaluations.tasks.evaluators_catch_up")
def evaluators_catch_up() -> int:
    """Light evaluators whose hand-out handler failed (every minute)."""
    return services.evaluators_catch_up()
