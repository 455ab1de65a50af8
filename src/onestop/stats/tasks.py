"""Celery tasks of stats and its reaction to case events; each calls one service."""

from __future__ import annotations

from collections.abc import Sequence

from celery import shared_task

from onestop.cases.models import CaseEvent
from onestop.stats.services import case_figures_refresh, case_figures_sweep


def case_events_figures(case_id: int, events: Sequence[CaseEvent]) -> None:
    """cases.hooks handler: a committed transition moved a case, so refresh its figures."""
    case_figures_refresh(case_ids=[case_id])


@shared_task(name="onestop.stats.tasks.stats_sweep")
def stats_sweep() -> int:
    """Refresh the figures of every case whose events moved past them; the number changed."""
    return case_figures_sweep().changed
