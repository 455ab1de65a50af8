"""The allowed actions are the services' own answer: for every resting state and viewer, an
action the set lists is one the service performs, and one it leaves out is refused (403 for
who, 409 for the state) — never a different rule on the page than in the engine."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.cases import services
from onestop.cases.actions import (
    CaseAction,
    TaskAction,
    case_actions,
    task_actions,
)
from onestop.cases.models import Case
from onestop.cases.states import CaseState, TaskState
from onestop.core import clock
from onestop.core.errors import IllegalTransition, PermissionDenied
from tests.factories.accounts import ApplicantFactory, StaffFactory

RESTING = [
    CaseState.PRE_REVIEW,
    CaseState.SUBMITTED,
    CaseState.CORRECTION_REQUESTED,
    CaseState.IN_PROGRESS,
    CaseState.COMPLETED,
    CaseState.DELIVERED,
    CaseState.REJECTED,
    CaseState.WITHDRAWN,
]

# How each case action is performed through its service by ``who``.
PERFORM = {
    CaseAction.PRE_REVIEW_PASS: lambda case, who: services.case_pre_review_pass(
        case_id=case.pk, clerk=who
    ),
    CaseAction.REJECT: lambda case, who: services.case_reject(
        case_id=case.pk, clerk=who, reason="不属于本部门职责"
    ),
    CaseAction.WITHDRAW: lambda case, who: services.case_withdraw(case_id=case.pk, by=who),
    CaseAction.HAND_OUT: lambda case, who: services.case_hand_out(case_id=case.pk, clerk=who),
    CaseAction.REQUEST_CORRECTION: lambda case, who: services.case_request_correction(
        case_id=case.pk, clerk=who, missing=["id_card"]
    ),
}


def _viewers(setup):
    return {
        "clerk": setup.clerk,
        "clerk elsewhere": StaffFactory(role="clerk"),
        "owner": setup.applicant,
        "stranger": ApplicantFactory(),
        "officer": setup.officers["licence"],
    }


@pytest.mark.parametrize("state", RESTING)
@pytest.mark.parametrize("action", list(PERFORM))
@pytest.mark.parametrize("who", ["clerk", "clerk elsewhere", "owner", "stranger", "officer"])
def test_a_listed_case_action_is_performed_and_an_unlisted_one_refused(setup, state, action, who):
    case = setup.case_in(state)
    case = Case.objects.get(pk=case.pk)
    viewer = _viewers(setup)[who]
    allowed = action in case_actions(case, viewer)
    if allowed:
        PERFORM[action](case, viewer)  # raises if the engine disagreed
    else:
        with pytest.raises((PermissionDenied, IllegalTransition)):
            PERFORM[action](case, viewer)


def test_what_a_clerk_may_do_follows_the_case_through_its_life(setup):
    clerk = setup.clerk
    assert case_actions(setup.case_in(CaseState.PRE_REVIEW), clerk) == {
        CaseAction.PRE_REVIEW_PASS,
        CaseAction.REQUEST_CORRECTION,
        CaseAction.REJECT,
        CaseAction.VERIFY_ORIGINAL,
        CaseAction.WITHDRAW,  # on the applicant's written request
    }
    assert CaseAction.ACCEPT in case_actions(setup.case_in(CaseState.SUBMITTED), clerk)
    # A tolerated material may also be handed in at the window for the applicant.
    assert case_actions(setup.case_in(CaseState.COMPLETED), clerk) == {
        CaseAction.HAND_OUT,
        CaseAction.SUPPLY_TOLERATED,
    }
    assert case_actions(setup.case_in(CaseState.DELIVERED), clerk) == frozenset()
    assert case_actions(setup.case_in(CaseState.IN_PROGRESS), setup.applicant) == {
        CaseAction.SUPPLY_TOLERATED,
        CaseAction.WITHDRAW,
    }


def test_task_actions_follow_the_holder_and_the_pending_extension(setup):
    case = setup.accepted()
    task = setup.task(case, "licence")
    officer, chief = setup.officers["licence"], setup.chief
    assert task_actions(task, officer) >= {TaskAction.CLAIM, TaskAction.RETURN}
    assert TaskAction.APPROVE not in task_actions(task, officer)
    services.task_claim(task_id=task.pk, officer=officer)
    task.refresh_from_db()
    assert task_actions(task, officer) >= {
        TaskAction.APPROVE,
        TaskAction.DENY,
        TaskAction.PAUSE,
        TaskAction.REQUEST_EXTENSION,
    }
    # The chief approver of the department may reassign, not decide for the holder.
    assert TaskAction.REASSIGN in task_actions(task, chief)
    assert TaskAction.APPROVE not in task_actions(task, chief)
    with pytest.raises(PermissionDenied):
        services.task_approve(task_id=task.pk, officer=chief)
    services.extension_request(task_id=task.pk, officer=officer, days=2, reason="需补充现场核查")
    task.refresh_from_db()
    assert TaskAction.REQUEST_EXTENSION not in task_actions(task, officer)
    assert TaskAction.APPROVE in task_actions(task, officer)


def test_an_overdue_task_offers_no_extension(setup):
    case = setup.accepted()
    task = setup.task(case, "licence")
    services.task_claim(task_id=task.pk, officer=setup.officers["licence"])
    task.refresh_from_db()
    with clock.frozen(task.due_at + dt.timedelta(days=1)):
        assert TaskAction.REQUEST_EXTENSION not in task_actions(task, setup.officers["licence"])
    assert task.state == TaskState.CLAIMED
