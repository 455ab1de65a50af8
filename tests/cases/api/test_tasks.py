"""The departments' side through the API: inbox, claim, decide, pause, extend."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.cases.models import Extension
from onestop.cases.states import CaseOutcome, CaseState, TaskState
from onestop.core import clock
from tests.cases.api.conftest import NOW, assert_problem
from tests.factories.accounts import StaffFactory


@pytest.fixture
def case(setup):
    return setup.case_in(CaseState.IN_PROGRESS)


@pytest.fixture
def task(setup, case):
    return setup.task(case, "licence")


def _claim(people, task):
    response = people.api("officer").post(f"/api/tasks/{task.pk}/claim")
    assert response.status_code == 200, response.json()
    return response


def test_the_inbox_lists_the_departments_ready_tasks_most_urgent_first(setup, people, case):
    response = people.api("officer").get("/api/inbox")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["case_number"] == case.number
    assert row["title"] == "企业设立登记"
    assert row["state"] == TaskState.READY
    assert row["is_mine"] is True
    assert row["traffic_light"]["colour"] == "green"
    assert people.api("officer_other").get("/api/inbox").json()["count"] == 0


def test_the_inbox_orders_by_due_date(setup, people):
    later = setup.case_in(CaseState.IN_PROGRESS)
    with clock.frozen(NOW - dt.timedelta(days=2)):  # accepted later in the run, due earlier
        earlier = setup.case_in(CaseState.IN_PROGRESS)

    rows = people.api("officer").get("/api/inbox").json()["items"]

    assert [r["case_number"] for r in rows] == [earlier.number, later.number]
    assert rows[0]["due_at"] < rows[1]["due_at"]


def test_bad_inbox_paging_is_422(people):
    assert_problem(people.api("officer").get("/api/inbox", limit=500), 422, "limit")


def test_inbox_query_count_does_not_grow_with_tasks(setup, people, django_assert_max_num_queries):
    officer = people.api("officer")
    setup.case_in(CaseState.IN_PROGRESS)
    officer.get("/api/inbox")  # warm the calendar cache
    for _ in range(4):
        setup.case_in(CaseState.IN_PROGRESS)
    with django_assert_max_num_queries(8):
        response = officer.get("/api/inbox")
    assert response.json()["count"] == 5


def test_claim_then_approve_makes_the_dependant_ready(setup, people, case, task):
    claimed = _claim(people, task).json()
    assert claimed["state"] == TaskState.CLAIMED
    assert claimed["assignee"]["name"] == "licence专人"

    response = people.api("officer").post(f"/api/tasks/{task.pk}/approve", {"opinion": "同意"})

    assert response.status_code == 200
    assert response.json()["state"] == TaskState.APPROVED
    assert response.json()["opinion"] == "同意"
    seal = setup.task(case, "seal")
    assert seal.state == TaskState.READY


def test_claiming_twice_is_idempotent_for_the_holder_and_409_for_another(setup, people, task):
    _claim(people, task)
    assert people.api("officer").post(f"/api/tasks/{task.pk}/claim").status_code == 200
    assert_problem(people.api("chief").post(f"/api/tasks/{task.pk}/claim"), 409)


def test_claiming_a_task_that_does_not_exist_is_404(people):
    assert_problem(people.api("officer").post("/api/tasks/999999/claim"), 404)


def test_approving_an_unclaimed_task_is_409(people, task):
    response = people.api("officer").post(f"/api/tasks/{task.pk}/approve", {})
    assert_problem(response, 409)


def test_approve_opinion_must_be_text(people, task):
    _claim(people, task)
    response = people.api("officer").post(f"/api/tasks/{task.pk}/approve", {"opinion": {"a": 1}})
    assert_problem(response, 422, "opinion")


def test_deny_makes_dependants_not_applicable_and_completes_the_case(setup, people, case, task):
    _claim(people, task)

    response = people.api("officer").post(
        f"/api/tasks/{task.pk}/deny", {"opinion": "名称与已登记企业重名"}
    )

    assert response.status_code == 200
    assert setup.task(case, "seal").state == TaskState.NOT_APPLICABLE
    setup.decide(case, "invoice")
    body = people.api("owner").get(f"/api/cases/{case.pk}").json()
    assert body["state"] == CaseState.COMPLETED
    assert body["outcome"] == CaseOutcome.PARTLY_APPROVED


@pytest.mark.parametrize(("body", "field"), [({}, "opinion"), ({"opinion": " "}, "opinion")])
def test_deny_without_a_reason_is_422(people, task, body, field):
    _claim(people, task)
    assert_problem(people.api("officer").post(f"/api/tasks/{task.pk}/deny", body), 422, field)


def test_reassign_hands_the_task_to_a_colleague(setup, people, task):
    _claim(people, task)
    colleague = StaffFactory(
        officer=True, name="同科室", department=task.department, region=setup.county
    )

    response = people.api("officer").post(
        f"/api/tasks/{task.pk}/reassign", {"to_staff_id": colleague.pk, "reason": "休假"}
    )

    assert response.status_code == 200
    assert response.json()["assignee"]["name"] == "同科室"
    assert response.json()["state"] == TaskState.READY


@pytest.mark.parametrize(("to", "field"), [("other", "to_staff_id"), (None, "to_staff_id")])
def test_reassign_outside_the_department_is_422(people, task, to, field):
    _claim(people, task)
    body = {"to_staff_id": people.officer_other.pk} if to else {}
    response = people.api("officer").post(f"/api/tasks/{task.pk}/reassign", body)
    assert_problem(response, 422, field)


def test_return_sends_the_whole_case_back_to_the_window(setup, people, case, task):
    _claim(people, task)

    response = people.api("officer").post(
        f"/api/tasks/{task.pk}/return", {"reason": "经营范围需重新核定"}
    )

    assert response.status_code == 200
    assert response.json()["state"] == TaskState.RETURNED
    queue = people.api("clerk").get("/api/window/queue").json()
    assert [c["number"] for c in queue["items"]] == [case.number]


def test_return_without_a_reason_is_422(people, task):
    _claim(people, task)
    response = people.api("officer").post(f"/api/tasks/{task.pk}/return", {"reason": ""})
    assert_problem(response, 422, "reason")


def test_pause_and_resume_a_special_procedure(setup, people, case, task):
    _claim(people, task)
    officer = people.api("officer")

    paused = officer.post(
        f"/api/tasks/{task.pk}/pause", {"kind": "expert_review", "reason": "需专家评审"}
    )
    assert paused.status_code == 200, paused.json()
    assert paused.json()["task"]["state"] == TaskState.PAUSED
    assert paused.json()["kind_label"] == "专家评审"
    inbox = officer.get("/api/inbox").json()["items"]
    assert inbox[0]["state"] == TaskState.PAUSED
    assert inbox[0]["traffic_light"]["is_paused"] is True

    resumed = officer.post(f"/api/tasks/{task.pk}/resume", {"result": "专家意见：同意"})

    assert resumed.status_code == 200
    assert resumed.json()["task"]["state"] == TaskState.CLAIMED
    assert resumed.json()["ended_at"] is not None
    assert resumed.json()["paused_workdays"] == 0  # paused and resumed the same day


@pytest.mark.parametrize(
    ("body", "field"),
    [({"kind": "holiday", "reason": "x"}, "kind"), ({"kind": "hearing"}, "reason")],
)
def test_bad_pause_is_422(people, task, body, field):
    _claim(people, task)
    assert_problem(people.api("officer").post(f"/api/tasks/{task.pk}/pause", body), 422, field)


def test_resume_without_a_result_is_422_and_of_a_running_task_409(people, task):
    _claim(people, task)
    officer = people.api("officer")
    assert_problem(officer.post(f"/api/tasks/{task.pk}/resume", {}), 422, "result")
    assert_problem(officer.post(f"/api/tasks/{task.pk}/resume", {"result": "结束"}), 409)


def test_an_extension_is_requested_and_approved_by_the_chief(setup, people, case, task):
    _claim(people, task)
    before = people.api("officer").get(f"/api/cases/{case.pk}").json()

    requested = people.api("officer").post(
        f"/api/tasks/{task.pk}/extensions", {"days": 3, "reason": "需现场核查"}
    )

    assert requested.status_code == 201, requested.json()
    extension = requested.json()
    assert extension["state"] == "requested"
    approved = people.api("chief").post(f"/api/extensions/{extension['id']}/approve")
    assert approved.status_code == 200
    assert approved.json()["state"] == "approved"
    assert approved.json()["approved_by"]["name"] == "首席审批员"
    after = people.api("officer").get(f"/api/cases/{case.pk}").json()
    assert after["due"]["extension_days"] == 3
    assert after["due_at"] > before["due_at"]
    licence = next(t for t in after["tasks"] if t["id"] == task.pk)
    assert licence["due"]["extension_days"] == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [({"days": 0, "reason": "x"}, "days"), ({"days": 2}, "reason"), ({"days": "x"}, "days")],
)
def test_bad_extension_request_is_422(people, task, body, field):
    _claim(people, task)
    response = people.api("officer").post(f"/api/tasks/{task.pk}/extensions", body)
    assert_problem(response, 422, field)


def test_approving_an_extension_twice_is_409_and_an_unknown_one_404(setup, people, task):
    _claim(people, task)
    people.api("officer").post(f"/api/tasks/{task.pk}/extensions", {"days": 2, "reason": "核查"})
    extension = Extension.objects.get()
    chief = people.api("chief")
    assert chief.post(f"/api/extensions/{extension.pk}/approve").status_code == 200
    assert_problem(chief.post(f"/api/extensions/{extension.pk}/approve"), 409)
    assert_problem(chief.post("/api/extensions/999999/approve"), 404)


def test_the_chief_finds_pending_extensions_to_approve(setup, people, task):
    _claim(people, task)
    people.api("officer").post(f"/api/tasks/{task.pk}/extensions", {"days": 2, "reason": "核查"})

    pending = people.api("chief").get("/api/extensions/pending").json()

    assert pending["count"] == 1
    row = pending["items"][0]
    assert (row["task_id"], row["days"], row["requested_by"]["name"]) == (task.pk, 2, "licence专人")
    people.api("chief").post(f"/api/extensions/{row['id']}/approve")
    assert people.api("chief").get("/api/extensions/pending").json()["count"] == 0


def test_bad_pending_paging_is_422(people):
    assert_problem(people.api("chief").get("/api/extensions/pending", cursor="x"), 422, "cursor")


def test_a_commitment_is_verified_after_approval(setup, people, case, task):
    _claim(people, task)
    people.api("officer").post(f"/api/tasks/{task.pk}/approve", {"opinion": "同意"})
    officer = people.api("officer")

    listed = officer.get("/api/verifications").json()
    assert listed["count"] == 1
    verification = listed["items"][0]
    assert verification["material_keys"] == ["residence_proof"]
    assert verification["state"] == "open"

    response = officer.post(
        f"/api/verifications/{verification['id']}/record",
        {"is_true": False, "note": "住所为虚构地址"},
    )

    assert response.status_code == 200
    assert response.json()["state"] == "false_commitment"
    assert response.json()["decided_by"]["name"] == "licence专人"
    assert officer.get("/api/verifications").json()["count"] == 0
    again = officer.post(f"/api/verifications/{verification['id']}/record", {"is_true": True})
    assert_problem(again, 409)


@pytest.mark.parametrize(
    ("body", "field"), [({}, "is_true"), ({"is_true": False, "note": ""}, "note")]
)
def test_bad_verification_record_is_422(setup, people, case, task, body, field):
    setup.decide(case, "licence")
    verification = case.verifications.get()
    response = people.api("officer").post(f"/api/verifications/{verification.pk}/record", body)
    assert_problem(response, 422, field)
