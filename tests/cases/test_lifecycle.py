from __future__ import annotations

from onestop.cases import selectors, services
from onestop.cases.events import chain_verify
from onestop.cases.states import CaseOutcome, CaseState, MaterialStatus, TaskState


def test_a_package_case_runs_from_submission_to_hand_out(setup):
    case = setup.submit()
    assert case.state == CaseState.SUBMITTED
    assert case.number.startswith("430903000000-")
    statuses = dict(case.materials.values_list("key", "status"))
    assert statuses == {
        "id_card": MaterialStatus.SUBMITTED,
        "lease": MaterialStatus.SUBMITTED,
        "residence_proof": MaterialStatus.COMMITMENT_SIGNED,
        "business_licence": MaterialStatus.LICENCE_REFERENCE,
    }

    case = services.case_accept(case_id=case.pk, clerk=setup.clerk)
    assert case.state == CaseState.IN_PROGRESS
    states = {t.item_code: t.state for t in case.tasks.all()}
    assert sorted(states.values()) == ["pending", "ready", "ready"]

    setup.decide(case, "licence")
    assert setup.task(case, "seal").state == TaskState.READY
    assert setup.task(case, "seal").assignee == setup.officers["seal"]
    setup.decide(case, "seal")
    setup.decide(case, "invoice")
    case.refresh_from_db()
    assert case.state == CaseState.COMPLETED
    assert case.outcome == CaseOutcome.APPROVED

    case = services.case_hand_out(case_id=case.pk, clerk=setup.clerk)
    assert case.state == CaseState.DELIVERED
    count, breaks = chain_verify(case)
    assert breaks == []
    assert [e.kind for e in selectors.case_timeline(case)][:4] == [
        "submitted",
        "accepted",
        "task_created",
        "task_created",
    ]
