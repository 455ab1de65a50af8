"""The results other apps issue for a case (决定书, 证照 …), as the case's pages and API show them.

The case engine does not know how a result is made or verified; the app that issues results
(``certificates``) registers a provider from its ``AppConfig.ready``::

    results.results_provider_register(certificates_results_for_cases)

and ``case_results(case, viewer)`` (or ``case_results_many`` for a list, one query per
provider however many cases) asks every provider. A provider is given the cases and the
viewer and returns each case's results by case id, only what this viewer may see (the API
and the pages have already checked that the viewer may see the cases themselves). With no
provider registered a case simply has no results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from onestop.cases.models import Case


@dataclass(frozen=True)
class CaseResult:
    """One result of a case: what it is, whether it is current, and where to get it."""

    title: str
    kind: str  # the issuing app's code for the kind (licence, approval letter …)
    kind_label: str
    identifier: str  # e.g. the e-licence identifier; "" for a letter without one
    state: str
    state_label: str
    is_current: bool
    issued_at: dt.datetime | None
    task_id: int | None
    pdf_url: str  # where this viewer downloads the PDF
    verify_url: str  # the public verification page (what the QR code opens)


Provider = Callable[[Sequence[Case], Any], dict[int, list[CaseResult]]]

_providers: list[Provider] = []


def results_provider_register(provider: Provider) -> None:
    """Ask ``provider(case, viewer)`` for results from now on (ready() may run twice)."""
    if provider not in _providers:
        _providers.append(provider)


def results_provider_clear(provider: Provider) -> None:
    """Forget a provider (tests that register their own)."""
    _providers[:] = [p for p in _providers if p is not provider]


def case_results_many(cases: Sequence[Case], viewer: Any) -> dict[int, list[CaseResult]]:
    """Every result of each case this viewer may see, by case id, in the providers' order."""
    found: dict[int, list[CaseResult]] = {case.pk: [] for case in cases}
    if not cases:
        return found
    for provider in _providers:
        for case_id, results in provider(cases, viewer).items():
            found.setdefault(case_id, []).extend(results)
    return found


def case_results(case: Case, viewer: Any) -> list[CaseResult]:
    """Every result of ``case`` this viewer may see, in the providers' order."""
    return case_results_many([case], viewer)[case.pk]
