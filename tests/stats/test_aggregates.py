"""The daily rows are kept by the cases.hooks handler after commit, by the sweep and by the
rebuild; after any lifecycle they equal a full recount."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.cases import hooks
from onestop.cases import services as cases
from onestop.cases.models import ItemTask
from onestop.cases.states import Channel, TaskState
from onestop.catalog.models import PackageVersion
from onestop.core import clock
from onestop.core.errors import DomainError
from onestop.stats import selectors, services
from onestop.stats.figures import FIGURE_EVENTS
from onestop.stats.models import CaseFigure, DailyFigure
from onestop.stats.tasks import case_events_figures
from tests.factories.cases import upload
from tests.stats.conftest import at

PERIOD = selectors.Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_the_handler_is_registered_for_the_events_that_move_figures():
    kinds = {k for e in hooks.registered() if e.handler is case_events_figures for k in e.kinds}
    assert kinds == set(FIGURE_EVENTS)
    assert "task_claimed" not in kinds and "handed_out" not in kinds


def test_hook_keeps_aggregates_after_commit(setup, django_capture_on_commit_callbacks):
    with clock.frozen(at(9, 29)), django_capture_on_commit_callbacks(execute=True):
        case = setup.accepted()
    f = selectors.figures_summary(region_code="4309", period=PERIOD)
    assert (f.received, f.accepted) == (1, 1)
    with clock.frozen(at(10, 9)):
        for key in ("licence", "seal", "invoice"):
            with django_capture_on_commit_callbacks(execute=True):
                setup.decide(case, key)
    f = selectors.figures_summary(region_code="4309", period=PERIOD)
    assert (f.completed, f.on_time) == (1, 1)
    assert selectors.figures_check().ok


def test_refresh_is_idempotent(setup):
    with clock.frozen(at(9, 29)):
        case = setup.accepted()
    first = services.case_figures_refresh(case_ids=[case.pk])
    rows = list(DailyFigure.objects.values())
    second = services.case_figures_refresh(case_ids=[case.pk, case.pk])
    assert (first.changed, second.changed) == (1, 0)
    assert list(DailyFigure.objects.values()) == rows


def test_sweep_catches_up_what_no_handler_saw(setup):
    with clock.frozen(at(9, 29)):
        case = setup.accepted()  # on_commit never runs inside the test transaction
    assert not CaseFigure.objects.exists()
    assert services.case_figures_stale_ids() == [case.pk]
    assert services.case_figures_sweep().changed == 1
    assert services.case_figures_stale_ids() == []
    with clock.frozen(at(10, 9)):
        setup.decide(case, "licence")
    assert services.case_figures_stale_ids() == []  # a single approval moves no figure
    with clock.frozen(at(10, 9)):
        setup.decide(case, "seal")
        setup.decide(case, "invoice")
    assert services.case_figures_stale_ids() == [case.pk]  # completed
    services.case_figures_sweep()
    assert selectors.figures_check().ok


def test_check_finds_a_tampered_row(setup):
    with clock.frozen(at(9, 29)):
        setup.accepted()
    services.figures_rebuild()
    assert selectors.figures_check().ok
    DailyFigure.objects.update(accepted=7)
    result = selectors.figures_check()
    assert not result.ok
    assert "accepted" in result.differences[0]


ACTIONS = st.sampled_from(
    [
        "submit",
        "submit_online",
        "pre_review",
        "accept",
        "correct",
        "supplement",
        "reject",
        "withdraw",
        "approve",
        "deny",
        "pause",
        "resume",
        "extend",
        "hand_out",
    ]
)


def _act(setup, action: str, pick: int) -> None:
    pool = list(setup.extra.setdefault("cases", []))
    case = pool[pick % len(pool)] if pool else None
    if action == "submit":
        setup.extra["cases"].append(setup.submit())
    elif action == "submit_online":
        setup.extra["cases"].append(setup.submit(channel=Channel.ONLINE))
    elif case is None:
        return
    elif action == "pre_review":
        cases.case_pre_review_pass(case_id=case.pk, clerk=setup.clerk)
    elif action == "accept":
        cases.case_accept(case_id=case.pk, clerk=setup.clerk)
    elif action == "correct":
        cases.case_request_correction(case_id=case.pk, clerk=setup.clerk, missing=["lease"])
    elif action == "supplement":
        cases.case_supplement(case_id=case.pk, by=setup.applicant, materials=[upload("lease")])
    elif action == "reject":
        cases.case_reject(case_id=case.pk, clerk=setup.clerk, reason="不符合受理条件")
    elif action == "withdraw":
        cases.case_withdraw(case_id=case.pk, by=setup.applicant)
    elif action == "hand_out":
        cases.case_hand_out(case_id=case.pk, clerk=setup.clerk)
    else:
        tasks = list(ItemTask.objects.filter(case=case).order_by("pk"))
        if not tasks:
            return
        task = tasks[pick % len(tasks)]
        officer = next(o for o in setup.officers.values() if o.department_id == task.department_id)
        if action in ("approve", "deny", "pause", "extend") and task.state == TaskState.READY:
            cases.task_claim(task_id=task.pk, officer=officer)
        if action == "approve":
            cases.task_approve(task_id=task.pk, officer=officer, opinion="同意")
        elif action == "deny":
            cases.task_deny(task_id=task.pk, officer=officer, opinion="不符合条件")
        elif action == "pause":
            cases.task_pause(task_id=task.pk, officer=officer, kind="expert_review", reason="评审")
        elif action == "resume":
            cases.task_resume(task_id=task.pk, officer=officer, result="评审通过")
        elif action == "extend":
            ext = cases.extension_request(task_id=task.pk, officer=officer, days=2, reason="复杂")
            if officer.department_id == setup.chief.department_id:
                cases.extension_approve(extension_id=ext.pk, chief=setup.chief)


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(ACTIONS, st.integers(0, 50), st.integers(0, 30)), max_size=25))
def test_aggregates_equal_a_recount_after_random_lifecycles(
    setup, django_capture_on_commit_callbacks, steps
):
    setup.extra["cases"] = []
    # A 限时办结 target (the "2、5、6" figure), so the recount covers it too.
    PackageVersion.objects.filter(pk=setup.package.pk).update(sla_days=3)
    moment = at(9, 21, 9)
    for action, pick, hours in steps:
        moment += dt.timedelta(hours=hours)
        # an action the case's state does not allow changes nothing
        with (
            clock.frozen(moment),
            django_capture_on_commit_callbacks(execute=True),
            contextlib.suppress(DomainError),
        ):
            _act(setup, action, pick)
    assert services.case_figures_stale_ids() == []
    result = selectors.figures_check()
    assert result.ok, result.differences
