"""The certificates app as the case engine's results provider (``cases.results``).

Registered from ``CertificatesConfig.ready``: a case's pages and ``GET /api/cases/{id}``
list its decision letters and certificates, with the PDF link (the view checks the viewer
again) and the public verification page.
"""

from __future__ import annotations

from typing import Any

from onestop.cases.models import Case
from onestop.cases.results import CaseResult
from onestop.certificates.selectors import certificates_for_case


def case_results_for(case: Case, viewer: Any) -> list[CaseResult]:
    """Every result of the case; the caller has already checked the viewer may see it."""
    return [
        CaseResult(
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
        for entry in certificates_for_case(case.pk)
    ]
