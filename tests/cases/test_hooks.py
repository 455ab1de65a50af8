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
    hooks._handlers.insert(0, hooks.Registration(frozenset({EventKind.ACCEPTED}), broken, False))
    try:
        case = setup.submit()
        with django_capture_on_commit_callbacks(execute=True):
            services.case_accept(case_id=case.pk, clerk=setup.clerk)
    finally:
        hooks.handlers_clear(broken)
    assert seen == [(case.pk, ["accepted"])]
    assert "failed for case" in caplog.text


@pytest.fixture
def deferred_seen():
    calls: list[tuple[int, list[str]]] = []

    def deferred_handler(case_id, events):
        calls.append((case_id, [e.kind for e in events]))

    hooks.on_case_events(EventKind.ACCEPTED, handler=deferred_handler, deferred=True)
    yield calls
    hooks.handlers_clear(deferred_handler)


def test_without_a_broker_a_deferred_handler_runs_after_commit_on_the_thread(
    setup, deferred_seen, django_capture_on_commit_callbacks
):
    case = setup.submit()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_accept(case_id=case.pk, clerk=setup.clerk)
    assert deferred_seen == [(case.pk, ["accepted"])]


def test_with_a_broker_a_deferred_handler_is_handed_to_the_relay_not_run(
    setup, seen, deferred_seen, django_capture_on_commit_callbacks, monkeypatch
):
    # As with a broker configured (the notifications keep their eager default here, so no
    # relay thread of theirs opens a connection that outlives the test).
    monkeypatch.setattr(hooks, "_defer_to_worker", lambda: True)
    handed: list = []
    monkeypatch.setattr(hooks._relay, "add", lambda *items: handed.extend(items))
    case = setup.submit()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_accept(case_id=case.pk, clerk=setup.clerk)
    assert deferred_seen == []  # not on this thread
    assert seen == [(case.pk, ["accepted"])]  # the quick handler still ran here
    # this test's handler among the apps' own deferred ones (supervision, figures)
    [(name, case_id, event_ids)] = [h for h in handed if h[0].endswith("deferred_handler")]
    assert case_id == case.pk
    # What the worker does with it: read the events back, run the handler once.
    assert hooks.deferred_run([(name, case_id, list(event_ids))]) == 1
    assert deferred_seen == [(case.pk, ["accepted"])]


def test_deferral_needs_a_broker_and_can_be_switched_off(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no broker: Celery runs tasks in process
    assert not hooks._defer_to_worker()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert hooks._defer_to_worker()
    settings.ONESTOP_HOOKS_DEFERRED = False
    assert not hooks._defer_to_worker()


def test_the_worker_skips_a_name_it_does_not_know(setup, caplog):
    assert hooks.deferred_run([("gone.handler", 1, [1])]) == 0
    assert "nothing to run" in caplog.text


def test_the_slow_reactions_are_the_deferred_ones():
    from onestop.certificates.services import results_issue_for_case
    from onestop.evaluations.services import handed_out_light
    from onestop.stats.tasks import case_events_figures
    from onestop.supervision.services import signals_on_case_events

    deferred = {e.handler for e in hooks.registered() if e.deferred}
    assert {results_issue_for_case, signals_on_case_events, case_events_figures} <= deferred
    assert handed_out_light not in deferred  # the rating invitation stays with the hand-out
