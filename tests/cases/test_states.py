"""Every transition of both tables, legal and illegal, and every window service in every state."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from onestop.cases import services
from onestop.cases.services import MaterialInput
from onestop.cases.states import (
    CASE_TRANSITIONS,
    TASK_TRANSITIONS,
    CaseState,
    TaskState,
    transition,
)
from onestop.core.errors import IllegalTransition
from tests.factories.cases import upload


@dataclass
class Thing:
    state: str


CASE_PAIRS = [(a, b) for a in CaseState for b in CaseState]
TASK_PAIRS = [(a, b) for a in TaskState for b in TaskState]


@pytest.mark.parametrize(("start", "target"), CASE_PAIRS, ids=[f"{a}->{b}" for a, b in CASE_PAIRS])
def test_case_transition_table(start, target):
    thing = Thing(start)
    if target in CASE_TRANSITIONS[start]:
        assert transition(thing, to=target) == start
        assert thing.state == target
    else:
        with pytest.raises(IllegalTransition) as info:
            transition(thing, to=target, action="测试")
        assert info.value.message == f"办件当前状态为「{start.label}」，不能测试。"
        assert info.value.status == 409
        assert thing.state == start


@pytest.mark.parametrize(("start", "target"), TASK_PAIRS, ids=[f"{a}->{b}" for a, b in TASK_PAIRS])
def test_task_transition_table(start, target):
    thing = Thing(start)
    if target in TASK_TRANSITIONS[start]:
        transition(thing, to=target)
        assert thing.state == target
    else:
        with pytest.raises(IllegalTransition, match=f"子件当前状态为「{start.label}」"):
            transition(thing, to=target)
        assert thing.state == start


def test_final_states_have_no_way_out_and_every_state_is_in_the_table():
    assert set(CASE_TRANSITIONS) == set(CaseState)
    assert set(TASK_TRANSITIONS) == set(TaskState)
    for final in (
        CaseState.DELIVERED,
        CaseState.REJECTED,
        CaseState.WITHDRAWN,
        CaseState.TERMINATED,
    ):
        assert CASE_TRANSITIONS[final] == frozenset()
    # accepted is passed through on the way to in_progress, never a resting state
    assert CASE_TRANSITIONS[CaseState.ACCEPTED] == {CaseState.IN_PROGRESS}


RESTING = [
    CaseState.PRE_REVIEW,
    CaseState.SUBMITTED,
    CaseState.CORRECTION_REQUESTED,
    CaseState.IN_PROGRESS,
    CaseState.COMPLETED,
    CaseState.DELIVERED,
    CaseState.REJECTED,
    CaseState.WITHDRAWN,
    CaseState.TERMINATED,
]


def _pre_review_pass(s, case):
    return services.case_pre_review_pass(case_id=case.pk, clerk=s.clerk)


def _accept(s, case):
    return services.case_accept(case_id=case.pk, clerk=s.clerk)


def _correction(s, case):
    return services.case_request_correction(case_id=case.pk, clerk=s.clerk, missing=["id_card"])


def _supplement(s, case):
    return services.case_supplement(
        case_id=case.pk, by=s.applicant, materials=[upload("lease"), upload("id_card")]
    )


def _reject(s, case):
    return services.case_reject(case_id=case.pk, clerk=s.clerk, reason="材料虚假")


def _withdraw(s, case):
    return services.case_withdraw(case_id=case.pk, by=s.applicant)


def _hand_out(s, case):
    return services.case_hand_out(case_id=case.pk, clerk=s.clerk)


ACTIONS = {
    # action: (service, states it is allowed from, state it leads to)
    "pre_review_pass": (_pre_review_pass, {CaseState.PRE_REVIEW}, CaseState.SUBMITTED),
    "accept": (_accept, {CaseState.SUBMITTED}, CaseState.IN_PROGRESS),
    "request_correction": (
        _correction,
        {CaseState.PRE_REVIEW, CaseState.SUBMITTED},
        CaseState.CORRECTION_REQUESTED,
    ),
    "supplement": (_supplement, {CaseState.CORRECTION_REQUESTED}, CaseState.SUBMITTED),
    "reject": (
        _reject,
        {CaseState.PRE_REVIEW, CaseState.SUBMITTED, CaseState.CORRECTION_REQUESTED},
        CaseState.REJECTED,
    ),
    "withdraw": (
        _withdraw,
        {
            CaseState.PRE_REVIEW,
            CaseState.SUBMITTED,
            CaseState.CORRECTION_REQUESTED,
            CaseState.IN_PROGRESS,
        },
        CaseState.WITHDRAWN,
    ),
    "hand_out": (_hand_out, {CaseState.COMPLETED}, CaseState.DELIVERED),
}
MATRIX = [(action, state) for action in ACTIONS for state in RESTING]


def test_the_action_matrix_agrees_with_the_table():
    for _, allowed, target in ACTIONS.values():
        for state in allowed:
            first = CaseState.ACCEPTED if target == CaseState.IN_PROGRESS else target
            assert first in CASE_TRANSITIONS[state]


@pytest.mark.parametrize(("action", "state"), MATRIX, ids=[f"{a}@{s}" for a, s in MATRIX])
def test_window_action_in_every_state(setup, action, state):
    service, allowed, target = ACTIONS[action]
    case = setup.case_in(state)
    assert case.state == state
    if state in allowed:
        case = service(setup, case)
        case.refresh_from_db()
        assert case.state == target
    else:
        with pytest.raises(IllegalTransition, match="办件当前状态为"):
            service(setup, case)
        case.refresh_from_db()
        assert case.state == state


def test_events_record_every_case_transition_in_order(setup):
    case = setup.case_in(CaseState.DELIVERED)
    moves = [
        (e.from_state, e.to_state)
        for e in case.events.order_by("seq")
        if e.kind in {"submitted", "accepted", "processing_started", "completed", "handed_out"}
    ]
    assert moves == [
        ("draft", "submitted"),
        ("submitted", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "completed"),
        ("completed", "delivered"),
    ]


# ------------------------------------------------------------------------------ tasks


def _task_in(setup, state):
    """(case, task of 企业设立登记 or 刻章) resting in ``state``."""
    case = setup.accepted()
    licence = setup.task(case, "licence")
    officer = setup.officers["licence"]
    if state == TaskState.PENDING:
        return case, setup.task(case, "seal")
    if state == TaskState.READY:
        return case, licence
    services.task_claim(task_id=licence.pk, officer=officer)
    if state == TaskState.CLAIMED:
        return case, case.tasks.get(pk=licence.pk)
    if state == TaskState.PAUSED:
        services.task_pause(
            task_id=licence.pk, officer=officer, kind="expert_review", reason="专家评审"
        )
    elif state == TaskState.APPROVED:
        services.task_approve(task_id=licence.pk, officer=officer)
    elif state == TaskState.DENIED:
        services.task_deny(task_id=licence.pk, officer=officer, opinion="名称不合规")
    elif state == TaskState.NOT_APPLICABLE:
        services.task_deny(task_id=licence.pk, officer=officer, opinion="名称不合规")
        return case, case.tasks.get(pk=setup.task(case, "seal").pk)
    elif state == TaskState.RETURNED:
        services.task_return(task_id=licence.pk, officer=officer, reason="材料不全")
        return case, case.tasks.get(pk=licence.pk)
    elif state == TaskState.CANCELLED:
        services.case_withdraw(case_id=case.pk, by=setup.applicant)
    return case, case.tasks.get(pk=licence.pk)


def _officer(setup, task):
    return setup.officers[
        "seal" if task.item_code == setup.versions["seal"].item.basic_code else "licence"
    ]


TASK_ACTIONS = {
    # claiming one's own claimed task again is a double click: no change, no error
    "claim": (
        lambda s, t, o: services.task_claim(task_id=t.pk, officer=o),
        {TaskState.READY, TaskState.CLAIMED},
    ),
    "approve": (
        lambda s, t, o: services.task_approve(task_id=t.pk, officer=o),
        {TaskState.CLAIMED},
    ),
    "deny": (
        lambda s, t, o: services.task_deny(task_id=t.pk, officer=o, opinion="不符合条件"),
        {TaskState.CLAIMED},
    ),
    "pause": (
        lambda s, t, o: services.task_pause(task_id=t.pk, officer=o, kind="hearing", reason="听证"),
        {TaskState.CLAIMED},
    ),
    "resume": (
        lambda s, t, o: services.task_resume(task_id=t.pk, officer=o, result="听证结束"),
        {TaskState.PAUSED},
    ),
    "return": (
        lambda s, t, o: services.task_return(task_id=t.pk, officer=o, reason="材料不符"),
        {TaskState.READY, TaskState.CLAIMED},
    ),
}
TASK_RESTING = list(TaskState)
TASK_MATRIX = [(a, s) for a in TASK_ACTIONS for s in TASK_RESTING]


@pytest.mark.parametrize(("action", "state"), TASK_MATRIX, ids=[f"{a}@{s}" for a, s in TASK_MATRIX])
def test_task_action_in_every_state(setup, action, state):
    service, allowed = TASK_ACTIONS[action]
    case, task = _task_in(setup, state)
    assert task.state == state
    officer = _officer(setup, task)
    if state in allowed:
        service(setup, task, officer)
    else:
        with pytest.raises(IllegalTransition):
            service(setup, task, officer)
        task.refresh_from_db()
        assert task.state == state


def test_commitment_is_refused_for_a_material_that_needs_the_proof(setup):
    from onestop.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="不适用告知承诺"):
        setup.submit(materials=[MaterialInput(key="id_card", commitment="我承诺"), upload("lease")])
