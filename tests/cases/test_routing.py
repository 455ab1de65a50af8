"""Fan-out, routing to the designated person, decisions over the DAG, return to the window."""

from __future__ import annotations

import pytest

from onestop.cases import services
from onestop.cases.states import CaseOutcome, CaseState, TaskState
from onestop.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests.factories.accounts import StaffFactory
from tests.factories.regions import CountyFactory


def test_acceptance_fans_out_one_task_per_applicable_item(setup):
    case = setup.accepted()
    tasks = {t.item_code: t for t in case.tasks.select_related("department")}
    assert len(tasks) == 3
    licence = setup.task(case, "licence")
    assert licence.department == setup.departments["licence"]
    assert licence.region == setup.county
    assert licence.item_version == setup.versions["licence"]
    assert licence.state == TaskState.READY
    assert licence.assignee == setup.officers["licence"]
    seal = setup.task(case, "seal")
    assert seal.state == TaskState.PENDING
    assert seal.assignee is None
    assert list(seal.depends_on.all()) == [licence]


def test_a_situation_answer_leaves_an_item_out(setup):
    case = setup.accepted(invoice=False)
    assert case.tasks.count() == 2


def test_a_denied_prerequisite_makes_its_dependants_not_applicable(setup):
    case = setup.accepted()
    setup.decide(case, "licence", approve=False)
    seal = setup.task(case, "seal")
    assert seal.state == TaskState.NOT_APPLICABLE
    assert case.events.filter(kind="task_not_applicable").count() == 1
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS  # the invoice task is still open
    setup.decide(case, "invoice")
    case.refresh_from_db()
    assert case.state == CaseState.COMPLETED
    assert case.outcome == CaseOutcome.PARTLY_APPROVED


def test_everything_denied_completes_as_denied(setup):
    case = setup.accepted(invoice=False)
    setup.decide(case, "licence", approve=False)
    case.refresh_from_db()
    assert (case.state, case.outcome) == (CaseState.COMPLETED, CaseOutcome.DENIED)


def test_a_denial_cascades_through_a_chain(setup):
    from onestop.catalog.models import PackageDependency

    # make 发票 wait for 刻章 as well: 营业执照 → 刻章 → 发票
    PackageDependency.objects.create(
        package_version=setup.package, before=setup.items["seal"], after=setup.items["invoice"]
    )
    case = setup.accepted()
    assert setup.task(case, "invoice").state == TaskState.PENDING
    setup.decide(case, "licence", approve=False)
    assert setup.task(case, "seal").state == TaskState.NOT_APPLICABLE
    assert setup.task(case, "invoice").state == TaskState.NOT_APPLICABLE
    case.refresh_from_db()
    assert case.outcome == CaseOutcome.DENIED


def test_the_least_loaded_designated_officer_gets_the_task(setup):
    department = setup.departments["licence"]
    busy = setup.officers["licence"]
    second = StaffFactory(officer=True, department=department, region=setup.county)
    StaffFactory(officer=True, department=department, region=setup.county, is_designated=False)
    StaffFactory(officer=True, department=department, region=setup.county, is_active=False)
    first_case = setup.accepted()
    # tie (0 open tasks each): the lower id wins
    assert setup.task(first_case, "licence").assignee == busy
    second_case = setup.accepted()
    assert setup.task(second_case, "licence").assignee == second
    third_case = setup.accepted()
    assert setup.task(third_case, "licence").assignee == busy


def test_decided_tasks_do_not_count_towards_an_officers_load(setup):
    department = setup.departments["licence"]
    veteran = setup.officers["licence"]
    for _ in range(2):  # two tasks the veteran has already decided
        setup.decide(setup.accepted(), "licence")
    newcomer = StaffFactory(officer=True, department=department, region=setup.county)
    setup.accepted()  # open: 0 each, the lower id (the veteran) gets it
    case = setup.accepted()  # open: veteran 1, newcomer 0
    assert setup.task(case, "licence").assignee == newcomer
    assert veteran.pk < newcomer.pk


def test_without_a_designated_officer_the_task_waits_in_the_department_pool(setup):
    setup.officers["invoice"].is_designated = False
    setup.officers["invoice"].save(update_fields=["is_designated"])
    case = setup.accepted()
    invoice = setup.task(case, "invoice")
    assert invoice.assignee is None
    services.task_claim(task_id=invoice.pk, officer=setup.officers["invoice"])
    invoice.refresh_from_db()
    assert invoice.assignee == setup.officers["invoice"]


def test_officers_act_only_on_their_department_and_region(setup):
    case = setup.accepted()
    licence = setup.task(case, "licence")
    with pytest.raises(PermissionDenied):
        services.task_claim(task_id=licence.pk, officer=setup.officers["seal"])
    elsewhere = StaffFactory(
        officer=True, department=setup.departments["licence"], region=CountyFactory()
    )
    with pytest.raises(PermissionDenied):
        services.task_claim(task_id=licence.pk, officer=elsewhere)
    with pytest.raises(PermissionDenied):
        services.task_claim(task_id=licence.pk, officer=setup.clerk)


def test_a_claimed_task_is_a_conflict_for_a_colleague(setup):
    case = setup.accepted()
    licence = setup.task(case, "licence")
    colleague = StaffFactory(
        officer=True, department=setup.departments["licence"], region=setup.county
    )
    services.task_claim(task_id=licence.pk, officer=setup.officers["licence"])
    with pytest.raises(Conflict) as info:
        services.task_claim(task_id=licence.pk, officer=colleague)
    assert info.value.status == 409
    with pytest.raises(PermissionDenied):
        services.task_approve(task_id=licence.pk, officer=colleague)


def test_reassign_hands_a_claimed_task_to_a_colleague_who_claims_it(setup):
    case = setup.accepted()
    licence = setup.task(case, "licence")
    officer = setup.officers["licence"]
    colleague = StaffFactory(
        officer=True, department=setup.departments["licence"], region=setup.county
    )
    services.task_claim(task_id=licence.pk, officer=officer)
    services.task_reassign(task_id=licence.pk, by=officer, to=colleague, reason="休假")
    licence.refresh_from_db()
    assert (licence.state, licence.assignee) == (TaskState.READY, colleague)
    with pytest.raises(ValidationFailed):
        services.task_reassign(task_id=licence.pk, by=setup.chief, to=setup.officers["seal"])
    with pytest.raises(PermissionDenied):
        services.task_reassign(task_id=licence.pk, by=officer, to=officer)
    services.task_reassign(task_id=licence.pk, by=setup.chief, to=officer)
    services.task_claim(task_id=licence.pk, officer=officer)
    services.task_approve(task_id=licence.pk, officer=officer)


def test_deny_needs_an_opinion(setup):
    case = setup.accepted()
    licence = setup.task(case, "licence")
    services.task_claim(task_id=licence.pk, officer=setup.officers["licence"])
    with pytest.raises(ValidationFailed, match="理由"):
        services.task_deny(task_id=licence.pk, officer=setup.officers["licence"], opinion=" ")


def test_return_to_window_and_accept_again(setup):
    case = setup.accepted()
    setup.decide(case, "invoice")
    first_accepted_at = case.accepted_at
    first_due = case.due_at
    licence = setup.task(case, "licence")
    services.task_claim(task_id=licence.pk, officer=setup.officers["licence"])
    services.task_return(
        task_id=licence.pk, officer=setup.officers["licence"], reason="经营范围表述需申请人确认"
    )
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    states = dict(case.tasks.values_list("item_code", "state"))
    assert states[setup.versions["licence"].item.basic_code] == TaskState.RETURNED
    assert states[setup.versions["seal"].item.basic_code] == TaskState.RETURNED
    assert states[setup.versions["invoice"].item.basic_code] == TaskState.APPROVED

    case = services.case_accept(case_id=case.pk, clerk=setup.clerk, note="申请人已确认")
    assert case.state == CaseState.IN_PROGRESS
    # the clock runs from the first acceptance
    assert (case.accepted_at, case.due_at) == (first_accepted_at, first_due)
    assert case.tasks.count() == 5  # 3 + new 营业执照 and 刻章; 发票 kept its approval
    assert setup.task(case, "licence").round == 2
    setup.decide(case, "licence")
    setup.decide(case, "seal")
    case.refresh_from_db()
    assert (case.state, case.outcome) == (CaseState.COMPLETED, CaseOutcome.APPROVED)


def test_withdrawal_cancels_open_tasks(setup):
    case = setup.accepted()
    services.case_withdraw(case_id=case.pk, by=setup.applicant, reason="不再开办")
    assert set(case.tasks.values_list("state", flat=True)) == {TaskState.CANCELLED}
