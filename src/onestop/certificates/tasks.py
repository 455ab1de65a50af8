"""Celery tasks of certificates; each takes plain values and calls one service.

For the beat schedule (config/celery.py): ``certificates_issue_missing`` every 10 minutes
(what a failed case-event handler left undone: results of decided tasks), and
``certificates_expire`` after midnight (valid certificates past their date become 失效).
"""

from __future__ import annotations

from celery import shared_task

from onestop.certificates.services import certificates_expire, results_issue_missing


@shared_task(name="onestop.certificates.tasks.certificates_issue_missing")
def certificates_issue_missing() -> dict[str, list[int] | list[str]]:
    """Issue the results of decided tasks that have none; name the tasks that cannot be."""
    issued, failed = results_issue_missing()
    return {
        "issued": [certificate.identifier for certificate in issued],
        "failed": [task_id for task_id, _why in failed],
    }


@shared_task(name="onestop.certificates.tasks.certificates_expire")
def certificates_expire_task() -> list[str]:
    """Valid certificates past their validity date become expired (失效)."""
    return certificates_expire()
