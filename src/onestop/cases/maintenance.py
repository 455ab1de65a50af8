"""Periodic case maintenance, shared by the ``onestop cases`` command and the Celery tasks."""

from __future__ import annotations

from onestop.cases.models import Case
from onestop.cases.services import dues_refresh_locked
from onestop.cases.states import CASE_CLOCK_STATES


def dues_refresh_all(*, provisional_only: bool = False) -> int:
    """Recompute the stored due dates of every open case (one transaction per case)."""
    cases = Case.objects.filter(state__in=CASE_CLOCK_STATES)
    if provisional_only:
        cases = cases.filter(due_is_provisional=True)
    count = 0
    for case_id in cases.values_list("pk", flat=True).iterator():
        dues_refresh_locked(case_id=case_id)
        count += 1
    return count
