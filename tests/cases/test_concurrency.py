"""Races on PostgreSQL: double acceptance, double decisions, case numbers, retried submissions.

Each thread has its own database connection; a barrier releases them together. The row lock
on the case makes the second caller wait for the first to commit, then see the new state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from onestop.cases import services
from onestop.cases.models import Case
from onestop.core.errors import Conflict
from tests.factories.cases import Setup, start_business

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tx_setup(transactional_db) -> Setup:
    return start_business()


def race(*calls: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Run the calls at the same moment in threads; return ("ok", result) or ("error", exc)."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, Any]] = [("missing", None)] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _one_winner(results: list[tuple[str, Any]]) -> Exception:
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, Conflict)  # IllegalTransition is a Conflict: HTTP 409
    assert error.status == 409
    return error


def test_two_clerks_accepting_the_same_case(tx_setup):
    s = tx_setup
    case = s.submit()
    other_clerk = type(s.clerk).objects.create(
        user=type(s.clerk.user).objects.create(username="clerk-2"),
        name="另一位受理员",
        role=s.clerk.role,
        region=s.county,
    )
    results = race(
        lambda: services.case_accept(case_id=case.pk, clerk=s.clerk),
        lambda: services.case_accept(case_id=case.pk, clerk=other_clerk),
    )
    error = _one_winner(results)
    assert "办件当前状态为「办理中」" in error.message
    case.refresh_from_db()
    assert case.state == "in_progress"
    assert case.tasks.count() == 3
    assert case.events.filter(kind="accepted").count() == 1


def test_two_decisions_on_the_same_task(tx_setup):
    s = tx_setup
    case = s.accepted()
    task = s.task(case, "licence")
    officer = s.officers["licence"]
    services.task_claim(task_id=task.pk, officer=officer)
    results = race(
        lambda: services.task_approve(task_id=task.pk, officer=officer, opinion="同意"),
        lambda: services.task_deny(task_id=task.pk, officer=officer, opinion="不同意"),
    )
    _one_winner(results)
    task.refresh_from_db()
    assert case.events.filter(kind__in=["task_approved", "task_denied"]).count() == 1


def test_two_officers_claiming_the_same_task(tx_setup):
    s = tx_setup
    case = s.accepted()
    task = s.task(case, "licence")
    colleague = type(s.clerk).objects.create(
        user=type(s.clerk.user).objects.create(username="officer-2"),
        name="同部门专人",
        role="officer",
        region=s.county,
        department=s.departments["licence"],
    )
    results = race(
        lambda: services.task_claim(task_id=task.pk, officer=s.officers["licence"]),
        lambda: services.task_claim(task_id=task.pk, officer=colleague),
    )
    error = _one_winner(results)
    assert "已由" in error.message


def test_concurrent_submissions_get_unique_numbers(tx_setup):
    s = tx_setup
    results = race(*[s.submit for _ in range(6)])
    assert all(kind == "ok" for kind, _ in results), results
    numbers = sorted(case.number for _, case in results)
    assert len(set(numbers)) == 6
    assert [n[-5:] for n in numbers] == ["00001", "00002", "00003", "00004", "00005", "00006"]


def test_a_double_submitted_idempotency_key_makes_one_case(tx_setup):
    s = tx_setup
    results = race(*[lambda: s.submit(idempotency_key="retry-1") for _ in range(3)])
    assert all(kind == "ok" for kind, _ in results), results
    assert len({case.pk for _, case in results}) == 1
    assert Case.objects.count() == 1


def test_a_draft_submitted_twice_at_once_becomes_one_case(tx_setup):
    from onestop.cases.states import CaseState, Channel
    from onestop.core.errors import NotFound

    s = tx_setup
    draft = services.case_draft_save(
        created_by=s.applicant.user,
        applicant=s.applicant,
        package_version=s.package,
        answers=s.answers(),
        accepting_region=s.county,
    )
    results = race(
        lambda: s.submit(channel=Channel.ONLINE, draft_id=draft.pk),
        lambda: s.submit(channel=Channel.ONLINE, draft_id=draft.pk),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, NotFound)  # the loser waited on the draft's lock, then found it gone
    case = Case.objects.get()
    assert (case.pk, case.state) == (draft.pk, CaseState.PRE_REVIEW)
    assert case.events.count() == 1
