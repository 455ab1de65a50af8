"""Properties over random decisions: the outcome rule, the DAG rule and the intact chain."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onestop.cases.events import chain_verify
from onestop.cases.states import CaseOutcome, CaseState, TaskState


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    invoice=st.booleans(),
    approve=st.fixed_dictionaries(
        {"licence": st.booleans(), "seal": st.booleans(), "invoice": st.booleans()}
    ),
    order=st.permutations(["licence", "invoice"]),
)
def test_any_decisions_complete_with_the_combined_outcome(setup, invoice, approve, order):
    case = setup.accepted(invoice=invoice)
    for key in order:
        if key == "invoice" and not invoice:
            continue
        setup.decide(case, key, approve=approve[key])
    seal = setup.task(case, "seal")
    if approve["licence"]:
        assert seal.state == TaskState.READY
        setup.decide(case, "seal", approve=approve["seal"])
    else:
        assert seal.state == TaskState.NOT_APPLICABLE

    case.refresh_from_db()
    states = list(case.tasks.values_list("state", flat=True))
    assert case.state == CaseState.COMPLETED
    approved = states.count(TaskState.APPROVED)
    expected = (
        CaseOutcome.APPROVED
        if approved == len(states)
        else CaseOutcome.DENIED
        if approved == 0
        else CaseOutcome.PARTLY_APPROVED
    )
    assert case.outcome == expected
    count, breaks = chain_verify(case)
    assert breaks == []
    assert count == case.events.count()
