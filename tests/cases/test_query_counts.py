"""Query budgets of the lifecycle services (bench/lifecycle.py measures their speed).

Each transition locks the case and writes its rows and events in a handful of statements
that do not grow with the number of tasks, materials or events. The budgets below are the
counts measured when they were set (inside the test's transaction, so each service's atomic
block adds a SAVEPOINT and a RELEASE); a change that needs more should say why.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from onestop.cases import services
from onestop.cases.deadlines import due_dates
from onestop.cases.states import CaseState, TaskState
from onestop.catalog.selectors import package_plan
from onestop.core import clock
from tests.factories.cases import Setup

pytestmark = pytest.mark.usefixtures("calendar_steady")

SUBMIT_MAX = 8
ACCEPT_MAX = 9
CLAIM_MAX = 5
APPROVE_MAX = 11  # the worst case: a 告知承诺 verification opened and two dependants made ready
HAND_OUT_MAX = 7


def _on(budget: int) -> int:
    """The budget on this database: PostgreSQL adds one statement to every transition that
    writes events, the event writers' shared lock (``cases.sql.event_writer_enter``, taken
    before the event ids are drawn so the change feed never passes a late commit)."""
    return budget + (1 if connection.vendor == "postgresql" else 0)


def _warm(setup: Setup) -> None:
    """One case through the services first: the calendar and the plan are per-process caches."""
    case = setup.completed()
    assert case.state == CaseState.COMPLETED


def test_submit_reads_a_cached_plan_and_writes_in_few_statements(
    setup, django_assert_max_num_queries
):
    _warm(setup)
    with django_assert_max_num_queries(_on(SUBMIT_MAX)):
        case = setup.submit()
    assert case.state == CaseState.SUBMITTED
    assert case.materials.count() == 4


def test_accept_writes_the_tasks_and_their_events_in_bulk(setup, django_assert_max_num_queries):
    _warm(setup)
    case = setup.submit()
    with django_assert_max_num_queries(_on(ACCEPT_MAX)):
        case = services.case_accept(case_id=case.pk, clerk=setup.clerk)
    assert sorted(case.tasks.values_list("state", flat=True)) == ["pending", "ready", "ready"]
    assert case.events.count() == 1 + 1 + 3 + 1  # submitted, accepted, 3 × created, started


def test_claim_approve_and_hand_out_budgets(setup, django_assert_max_num_queries):
    _warm(setup)
    case = setup.accepted()
    for key in ("licence", "seal", "invoice"):
        task = setup.task(case, key)
        officer = setup.officers[key]
        with django_assert_max_num_queries(_on(CLAIM_MAX)):
            services.task_claim(task_id=task.pk, officer=officer)
        with django_assert_max_num_queries(_on(APPROVE_MAX)):
            services.task_approve(task_id=task.pk, officer=officer, opinion="同意")
    case.refresh_from_db()
    assert case.state == CaseState.COMPLETED
    with django_assert_max_num_queries(_on(HAND_OUT_MAX)):
        services.case_hand_out(case_id=case.pk, clerk=setup.clerk)


def test_a_package_with_more_items_needs_no_more_queries_to_approve(
    setup, django_assert_max_num_queries
):
    """Making several dependants ready costs one grouped load query and one short update each."""
    from onestop.catalog.models import PackageDependency

    # 发票 also waits for 营业执照: approving it makes two tasks of two departments ready.
    PackageDependency.objects.create(
        package_version=setup.package, before=setup.items["licence"], after=setup.items["invoice"]
    )
    _warm(setup)
    case = setup.accepted()
    licence = setup.task(case, "licence")
    services.task_claim(task_id=licence.pk, officer=setup.officers["licence"])
    with django_assert_max_num_queries(_on(APPROVE_MAX)):
        services.task_approve(task_id=licence.pk, officer=setup.officers["licence"])
    seal, invoice = setup.task(case, "seal"), setup.task(case, "invoice")
    assert (seal.state, invoice.state) == (TaskState.READY, TaskState.READY)
    assert (seal.assignee, invoice.assignee) == (setup.officers["seal"], setup.officers["invoice"])


def test_stored_due_dates_equal_a_fresh_recompute_after_a_whole_lifecycle(setup):
    """Due dates set when a clock starts, and moved by a pause and an extension, are exactly
    what the event history gives, for the case and every task."""
    sh = clock.SHANGHAI
    officer = setup.officers["licence"]
    with clock.frozen(dt.datetime(2026, 9, 29, 10, tzinfo=sh)):
        case = setup.accepted()
    licence = setup.task(case, "licence")
    with clock.frozen(dt.datetime(2026, 9, 30, 9, tzinfo=sh)):
        services.task_claim(task_id=licence.pk, officer=officer)
        services.task_pause(task_id=licence.pk, officer=officer, kind="inspection", reason="检验")
    with clock.frozen(dt.datetime(2026, 10, 9, 16, tzinfo=sh)):
        services.task_resume(task_id=licence.pk, officer=officer, result="合格")
        extension = services.extension_request(
            task_id=licence.pk, officer=officer, days=2, reason="需现场核查"
        )
        services.extension_approve(extension_id=extension.pk, chief=setup.chief)
    with clock.frozen(dt.datetime(2026, 10, 12, 11, tzinfo=sh)):
        services.task_approve(task_id=licence.pk, officer=officer)
        for key in ("seal", "invoice"):
            setup.decide(case, key)
        services.case_hand_out(case_id=case.pk, clerk=setup.clerk)

    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED
    fresh = due_dates(case, now=dt.datetime(2027, 1, 1, tzinfo=sh))
    assert (case.due_at, case.due_is_provisional) == (fresh.case.at, fresh.case.is_provisional)
    assert fresh.case.paused_days > 0 and fresh.case.extension_days == 2
    stored = {t.pk: (t.due_at, t.due_is_provisional) for t in case.tasks.all()}
    assert stored == {pk: (due.at, due.is_provisional) for pk, due in fresh.tasks.items()}


def test_a_commitment_given_at_submission_opens_a_verification_and_none_otherwise(setup):
    case = setup.accepted()
    assert case.has_commitments is True
    setup.decide(case, "licence")
    assert case.verifications.count() == 1

    plain = setup.submit(
        materials=setup.without("residence_proof")
        + [services.MaterialInput(key="residence_proof", licence_reference="DZZZ-住所-0001")]
    )
    assert plain.has_commitments is False
    plain = services.case_accept(case_id=plain.pk, clerk=setup.clerk)
    setup.decide(plain, "licence")
    assert plain.verifications.count() == 0


def test_acceptance_uses_the_item_versions_the_application_was_submitted_under(setup):
    case = setup.submit()
    plan = package_plan(setup.package, setup.answers())
    stored = [(d["item_version"], d["department"]) for d in case.dispatch_items]
    assert stored == [(p.item_version.pk, p.item_version.department_id) for p in plan.items]
    case = services.case_accept(case_id=case.pk, clerk=setup.clerk)
    assert sorted(case.tasks.values_list("item_version_id", flat=True)) == sorted(
        p.item_version.pk for p in plan.items
    )


def test_a_case_stored_without_a_plan_is_dispatched_from_the_catalogue(setup):
    """Cases submitted before plans were stored on the case still fan out."""
    case = setup.submit()
    type(case).objects.filter(pk=case.pk).update(dispatch_items=None, has_commitments=None)
    case = services.case_accept(case_id=case.pk, clerk=setup.clerk)
    assert case.tasks.count() == 3
    setup.decide(case, "licence")
    assert case.verifications.count() == 1  # unknown flag: the materials are read


@pytest.mark.parametrize("answers", [{"needs_invoice": True}, {"needs_invoice": False}])
def test_the_cached_plan_is_the_computed_plan(setup, answers):
    first = package_plan(setup.package, answers)
    again = package_plan(setup.package, answers)
    assert again is not first
    assert [p.item_version.pk for p in again.items] == [p.item_version.pk for p in first.items]
    assert [m.key for m in again.materials] == [m.key for m in first.materials]
    assert [f.key for f in again.form_fields] == [f.key for f in first.form_fields]
    assert again.answers == first.answers


def test_a_newly_published_item_version_is_not_hidden_by_the_plan_cache(setup):
    from onestop.catalog.models import VersionStatus
    from tests.factories.catalog import ServiceItemVersionFactory

    before = package_plan(setup.package, setup.answers())
    old = setup.versions["seal"]
    type(old).objects.filter(pk=old.pk).update(status=VersionStatus.RETIRED)
    new = ServiceItemVersionFactory(
        item=old.item, department=old.department, version=old.version + 1, published=True
    )
    after = package_plan(setup.package, setup.answers())
    pinned = {p.item_version.item_id: p.item_version.pk for p in after.items}
    assert pinned[old.item_id] == new.pk
    assert {p.item_version.pk for p in before.items} != set(pinned.values())
