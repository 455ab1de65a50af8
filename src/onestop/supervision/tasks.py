"""Celery tasks of supervision; each takes plain values and calls one service."""

from __future__ import annotations

from celery import shared_task

from onestop.supervision.services import signals_sweep


@shared_task(name="onestop.supervision.tasks.supervision_sweep")
def supervision_sweep() -> dict[str, int]:
    """Raise and clear the 电子监察 signals of every case (what the hook missed); remind
    departments of 督办 response deadlines."""
    result = signals_sweep()
    return {
        "raised": result.raised,
        "cleared": result.cleared,
        "open": result.open,
        "reminded": result.reminded,
    }


def register() -> None:
    """Importing this module registers the task; ``ready()`` calls this to say why it imports."""
