"""A case's results, as the app that issues them provides them, in GET /api/cases/{id}."""

from __future__ import annotations

import pytest

from onestop.cases import results
from onestop.cases.results import CaseResult
from tests.cases.api.conftest import application


def _licence(cases, viewer) -> dict[int, list[CaseResult]]:
    return {case.pk: [_one(case)] for case in cases}


def _one(case) -> CaseResult:
    return CaseResult(
        title="食品经营许可证",
        kind="licence",
        kind_label="证照",
        identifier="1.2.156.3005.2.x",
        state="valid",
        state_label="有效",
        is_current=True,
        issued_at=case.submitted_at,
        task_id=None,
        pdf_url=f"/certificates/{case.pk}.pdf",
        verify_url="/certificates/v/token/",
    )


@pytest.fixture
def provider():
    results.results_provider_register(_licence)
    yield
    results.results_provider_clear(_licence)


def test_results_of_a_registered_provider_are_in_the_case(setup, people, provider):
    created = people.api("owner").post("/api/cases", application(setup)).json()
    body = people.api("owner").get(f"/api/cases/{created['id']}").json()
    assert body["results"] == [
        {
            "title": "食品经营许可证",
            "kind": "licence",
            "kind_label": "证照",
            "identifier": "1.2.156.3005.2.x",
            "state": "valid",
            "state_label": "有效",
            "is_current": True,
            "issued_at": created["submitted_at"],
            "task_id": None,
            "pdf_url": f"/certificates/{created['id']}.pdf",
            "verify_url": "/certificates/v/token/",
        }
    ]


def test_a_case_has_no_results_without_a_provider(setup, people):
    created = people.api("owner").post("/api/cases", application(setup)).json()
    assert people.api("owner").get(f"/api/cases/{created['id']}").json()["results"] == []
