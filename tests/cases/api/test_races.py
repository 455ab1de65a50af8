"""Races through the API on PostgreSQL: the loser of a double click gets a clear 409."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from onestop.cases.models import Case
from tests.cases.api.conftest import Api, application
from tests.factories.accounts import StaffFactory
from tests.factories.cases import Setup, start_business

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tx_setup(transactional_db) -> Setup:
    return start_business()


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Send the requests at the same moment, each on its own connection; return responses."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_clerks_accepting_at_once_one_gets_409(tx_setup):
    s = tx_setup
    case = s.submit()
    other = StaffFactory(name="另一位受理员", region=s.county)
    url = f"/api/cases/{case.pk}/accept"

    responses = race(lambda: Api(s.clerk.user).post(url, {}), lambda: Api(other.user).post(url, {}))

    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser["Content-Type"] == "application/problem+json"
    assert loser.json()["code"] == "illegal_transition"
    assert case.events.filter(kind="accepted").count() == 1


def test_two_approvals_of_one_task_at_once_one_gets_409(tx_setup):
    s = tx_setup
    case = s.accepted()
    task = s.task(case, "licence")
    officer = Api(s.officers["licence"].user)
    officer.post(f"/api/tasks/{task.pk}/claim")
    url = f"/api/tasks/{task.pk}/approve"

    responses = race(
        lambda: Api(s.officers["licence"].user).post(url, {"opinion": "同意"}),
        lambda: Api(s.officers["licence"].user).post(url, {"opinion": "同意"}),
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    assert case.events.filter(kind="task_approved").count() == 1


def test_a_submission_retried_while_the_first_is_in_flight_makes_one_case(tx_setup):
    s = tx_setup
    key = {"Idempotency-Key": "double-click"}

    responses = race(
        lambda: Api(s.applicant.user).post("/api/cases", application(s), headers=key),
        lambda: Api(s.applicant.user).post("/api/cases", application(s), headers=key),
    )

    assert {r.status_code for r in responses} <= {200, 201}
    assert len({r.json()["number"] for r in responses}) == 1
    assert Case.objects.count() == 1
