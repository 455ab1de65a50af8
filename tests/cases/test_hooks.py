"""Other apps react to case events after commit, and only to committed ones."""

from __future__ import annotations

import pytest
from django.db import transaction

from onestop.cases import hooks, services
from onestop.cases.states import EventKind


@pytest.fixture
def seen():
    calls: list[tuple[int, list[str]]] = []

    def handler(case_id, events):
        calls.append((case_id, [e.kind for e in events]))

    hooks.on_case_events(EventKind.ACCEPTED, EventKind.HANDED_OUT, handler=handler)
    yield calls
    hooks.handlers_clear(handler)


def test_a_handler_sees_its_kinds_after_commit_only(
    setup, seen, django_capture_on_commit_callbacks
):
    case = setup.submit()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.case_accept(case_id=case.pk, clerk=setup.clerk)
    assert seen == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert seen == [(case.pk, ["accepted"])]  # task_created and in_progress are not its kinds


def test_a_rolled_back_transition_reaches_no_handler(
    setup, seen, django_capture_on_commit_callbacks
):
    case = setup.submit()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.case_accept(case_id=case.pk, clerk=setup.clerk)
        raise RuntimeError("the caller's transaction fails after the service")
    assert seen == []


def test_a_failing_handler_does_not_stop_the_others(
    setup, seen, django_capture_on_commit_callbacks, caplog
):
    def broken(case_id, events):
        raise ValueError("boom")

    # the broken handler first, so the one after it must still run
    hooks._handlers.insert(0, (frozenset({EventKind.ACCEPTED.value}), broken))
    try:
        case = setup.submit()
        with django_capture_on_commit_callbacks(execute=True):
            services.case_accept(case_id=case.pk, clerk=setup.clerk)
    finally:
        hooks.handlers_clear(broken)
    assert seen == [(case.pk, ["accepted"])]
    assert "failed for case" in caplog.text
