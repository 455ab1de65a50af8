"""The certificates app as the case engine's results provider (``cases.results``).

Registered from ``CertificatesConfig.ready``: a case's pages and ``GET /api/cases/{id}``
list its decision letters and certificates, with the PDF link (the view checks the viewer
again) and the public verification page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from onestop.cases.models import Case
from onestop.cases.results import CaseResult
from onestop.certificates.selectors import certificates_for_cases


def case_results_for(cases: Sequence[Case], viewer: Any) -> dict[int, list[CaseResult]]:
    """Every result of each case, by case id, in one query; the caller has already checked
    the viewer may see the cases."""
    found: dict[int, list[CaseResult]] = {}
    for case_id, entries in certificates_for_cases([case.pk for case in cases]).items():
        found[case_id] = [_result(entry) for entry in entries]
    return found


def _result(entry: Any) -> CaseResult:
    return CaseResult(
        title=entry.title,
        kind=entry.kind,
        kind_label=entry.kind_label,
        identifier=entry.identifier,
        state=entry.state,
        state_label=entry.state_label,
        is_current=entry.is_current,
        issued_at=entry.issued_at,
        task_id=entry.task_id,
        pdf_url=entry.pdf_url,
        verify_url=entry.verify_url,
    )
