"""Two processes issuing the same task's result at once (the hook and the sweep, a retry):
one certificate, both get it, serials stay unique."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from onestop.cases import hooks
from onestop.certificates import services
from onestop.certificates.identifiers import licence_id_parse
from onestop.certificates.models import Certificate
from tests.certificates.conftest import sealed_setup

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_hook():
    """The decisions below commit; keep the hook from issuing before the race does."""
    with hooks.handlers_paused(services.results_issue_for_case):
        yield


def _race(fn, n: int = 2) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_the_same_task_issued_twice_at_once_has_one_result():
    sealed = sealed_setup()
    setup = sealed.setup
    case = setup.accepted()
    task = setup.decide(case, "licence")
    results = _race(lambda _i: services.results_issue(task_id=task.pk))
    assert all(isinstance(r, Certificate) for r in results), results
    assert results[0].pk == results[1].pk
    assert Certificate.objects.filter(task=task).count() == 1


def test_two_tasks_issued_at_once_get_different_serials():
    sealed = sealed_setup()
    setup = sealed.setup
    tasks = []
    for _ in range(2):
        case = setup.accepted()
        tasks.append(setup.decide(case, "licence"))
    results = _race(lambda i: services.results_issue(task_id=tasks[i].pk))
    assert all(isinstance(r, Certificate) for r in results), results
    serials = {licence_id_parse(r.identifier).serial for r in results}
    assert len(serials) == 2
