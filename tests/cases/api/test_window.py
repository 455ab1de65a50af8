"""The window's actions and the applicant's answers to them, through the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onestop.cases.states import CaseOutcome, CaseState, MaterialStatus
from onestop.core import clock
from onestop.workdays import calendar as workdays
from tests.cases.api.conftest import assert_problem, file_material
from tests.factories.cases import PDF


def _due_on(setup) -> dt.date:
    return clock.local(workdays.deadline(clock.now(), setup.package.promised_days).at).date()


def test_pre_review_moves_an_online_case_into_the_window_queue(setup, people):
    case = setup.case_in(CaseState.PRE_REVIEW)
    clerk = people.api("clerk")

    response = clerk.post(f"/api/cases/{case.pk}/pre-review", {"note": "材料齐全"})

    assert response.status_code == 200
    assert response.json()["state"] == CaseState.SUBMITTED
    queue = clerk.get("/api/window/queue").json()
    assert [c["number"] for c in queue["items"]] == [case.number]


def test_accept_fans_out_tasks_and_starts_the_clock(setup, people):
    case = setup.case_in(CaseState.SUBMITTED)

    response = people.api("clerk").post(f"/api/cases/{case.pk}/accept", {"note": "当场受理"})

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == CaseState.IN_PROGRESS
    assert body["due"]["promised_days"] == 5
    assert body["traffic_light"]["colour"] == "green"
    assert body["is_provisional"] is False
    assert sorted(t["state"] for t in body["tasks"]) == ["pending", "ready", "ready"]
    seal = next(t for t in body["tasks"] if t["title"] == "公章刻制备案")
    licence = next(t for t in body["tasks"] if t["title"] == "企业设立登记")
    assert seal["depends_on"] == [licence["id"]]
    assert licence["assignee"]["name"] == "licence专人"
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds[:2] == ["submitted", "accepted"]
    assert "processing_started" in kinds


def test_accept_with_a_tolerated_material_and_its_supplement_date(setup, people):
    case = setup.submit(materials=setup.without("lease"))
    due_on = _due_on(setup)

    response = people.api("clerk").post(
        f"/api/cases/{case.pk}/accept", {"tolerated": {"lease": due_on.isoformat()}}
    )

    assert response.status_code == 200, response.json()
    lease = next(m for m in response.json()["materials"] if m["key"] == "lease")
    assert lease["status"] == MaterialStatus.TOLERATED_MISSING
    assert lease["supplement_due_on"] == due_on.isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tolerated": {"lease": "2026-13-01"}}, "tolerated.lease"),
        ({"tolerated": {"id_card": "2026-12-01"}}, "tolerated.id_card"),
        ({"tolerated": {"lease": "2099-01-01"}}, "tolerated.lease"),
        ({"tolerated": {}}, "materials"),
    ],
)
def test_bad_acceptance_is_422_naming_the_field(setup, people, body, field):
    case = setup.submit(materials=setup.without("lease"))

    response = people.api("clerk").post(f"/api/cases/{case.pk}/accept", body)

    assert_problem(response, 422, field)
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED


def test_accepting_twice_is_a_409(setup, people):
    case = setup.case_in(CaseState.SUBMITTED)
    clerk = people.api("clerk")
    clerk.post(f"/api/cases/{case.pk}/accept", {})

    response = clerk.post(f"/api/cases/{case.pk}/accept", {})

    problem = assert_problem(response, 409)
    assert problem["code"] == "illegal_transition"


def test_pre_review_of_a_case_not_in_pre_review_is_a_409(setup, people):
    case = setup.case_in(CaseState.SUBMITTED)
    response = people.api("clerk").post(f"/api/cases/{case.pk}/pre-review", {})
    assert_problem(response, 409)


def test_pre_review_note_too_long_is_422(setup, people):
    case = setup.case_in(CaseState.PRE_REVIEW)
    response = people.api("clerk").post(f"/api/cases/{case.pk}/pre-review", {"note": "长" * 2001})
    assert_problem(response, 422, "note")


def test_correction_notice_then_supplement_returns_the_case_to_the_window(setup, people):
    case = setup.case_in(CaseState.SUBMITTED)
    clerk, owner = people.api("clerk"), people.api("owner")

    notice = clerk.post(
        f"/api/cases/{case.pk}/request-correction",
        {"missing": ["lease"], "note": "租赁合同缺少签字页"},
    )
    assert notice.status_code == 200
    assert notice.json()["state"] == CaseState.CORRECTION_REQUESTED
    seen = owner.get(f"/api/cases/{case.pk}").json()["correction_notice"]
    assert seen["materials"] == [{"key": "lease", "name": "租赁合同"}]
    assert "issued_by" not in seen  # the applicant is not told the clerk's name

    response = owner.post(
        f"/api/cases/{case.pk}/supplement", {"materials": [file_material("lease")]}
    )

    assert response.status_code == 200, response.json()
    assert response.json()["state"] == CaseState.SUBMITTED
    lease = next(m for m in response.json()["materials"] if m["key"] == "lease")
    assert lease["status"] == MaterialStatus.SUBMITTED
    assert lease["supplied_at"] is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "missing"), ({"missing": ["nope"]}, "missing"), ({"missing": "lease"}, "missing")],
)
def test_bad_correction_notice_is_422(setup, people, body, field):
    case = setup.case_in(CaseState.SUBMITTED)
    response = people.api("clerk").post(f"/api/cases/{case.pk}/request-correction", body)
    assert_problem(response, 422, field)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"materials": []}, "materials"),
        ({"materials": [file_material("id_card")]}, "materials"),  # lease still missing
        ({"materials": [{"key": "lease", "commitment": "承诺"}]}, "materials.lease"),
    ],
)
def test_bad_supplement_is_422(setup, people, body, field):
    case = setup.case_in(CaseState.CORRECTION_REQUESTED)
    response = people.api("owner").post(f"/api/cases/{case.pk}/supplement", body)
    assert_problem(response, 422, field)


def test_supplement_when_no_correction_was_asked_is_409(setup, people):
    case = setup.case_in(CaseState.SUBMITTED)
    response = people.api("owner").post(
        f"/api/cases/{case.pk}/supplement", {"materials": [file_material("lease")]}
    )
    assert_problem(response, 409)


def test_reject_with_the_reason_the_applicant_reads(setup, people):
    case = setup.case_in(CaseState.SUBMITTED)

    response = people.api("clerk").post(
        f"/api/cases/{case.pk}/reject", {"reason": "不属于本地管辖"}
    )

    assert response.status_code == 200
    mine = people.api("owner").get(f"/api/cases/{case.pk}").json()
    assert mine["state"] == CaseState.REJECTED
    assert mine["rejection_reason"] == "不属于本地管辖"
    assert mine["closed_at"] is not None


@pytest.mark.parametrize(("body", "field"), [({}, "reason"), ({"reason": "   "}, "reason")])
def test_reject_without_a_reason_is_422(setup, people, body, field):
    case = setup.case_in(CaseState.SUBMITTED)
    response = people.api("clerk").post(f"/api/cases/{case.pk}/reject", body)
    assert_problem(response, 422, field)


def test_withdraw_by_the_applicant(setup, people):
    case = setup.case_in(CaseState.IN_PROGRESS)

    response = people.api("owner").post(f"/api/cases/{case.pk}/withdraw", {"reason": "不办了"})

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == CaseState.WITHDRAWN
    assert {t["state"] for t in body["tasks"]} == {"cancelled"}


def test_withdraw_reason_must_be_text(setup, people):
    case = setup.case_in(CaseState.SUBMITTED)
    response = people.api("owner").post(f"/api/cases/{case.pk}/withdraw", {"reason": 42})
    assert_problem(response, 422, "reason")


def test_withdrawing_a_delivered_case_is_409(setup, people):
    case = setup.case_in(CaseState.DELIVERED)
    response = people.api("owner").post(f"/api/cases/{case.pk}/withdraw", {})
    assert_problem(response, 409)


def test_a_tolerated_material_is_supplied_as_json(setup, people):
    case = setup.tolerated()

    response = people.api("owner").post(
        f"/api/cases/{case.pk}/supply-tolerated", file_material("lease")
    )

    assert response.status_code == 200, response.json()
    lease = next(m for m in response.json()["materials"] if m["key"] == "lease")
    assert lease["status"] == MaterialStatus.SUBMITTED
    assert response.json()["timeline"][-1]["kind"] == "tolerated_supplied"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (file_material("id_card"), "key"),
        ({"key": "lease"}, "materials.lease"),
        ({"file": {"filename": "a.pdf", "content_base64": "JVBERg=="}}, "key"),
    ],
)
def test_bad_tolerated_supply_is_422(setup, people, body, field):
    case = setup.tolerated()
    response = people.api("owner").post(f"/api/cases/{case.pk}/supply-tolerated", body)
    assert_problem(response, 422, field)


def test_a_large_tolerated_file_goes_up_as_multipart(setup, people):
    case = setup.tolerated()
    upload = SimpleUploadedFile("租赁合同.pdf", PDF + b"0" * 4_000_000, "application/pdf")

    response = people.api("owner").upload(f"/api/cases/{case.pk}/materials/lease", {"file": upload})

    assert response.status_code == 200, response.json()
    lease = next(m for m in response.json()["materials"] if m["key"] == "lease")
    assert lease["status"] == MaterialStatus.SUBMITTED
    assert lease["file_size"] == len(PDF) + 4_000_000


@pytest.mark.parametrize(
    ("key", "files", "field"),
    [
        ("lease", {}, "file"),
        ("lease", {"file": SimpleUploadedFile("a.txt", b"hello", "text/plain")}, "lease"),
        ("id_card", {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")}, "key"),
    ],
)
def test_bad_multipart_upload_is_422(setup, people, key, files, field):
    case = setup.tolerated()
    response = people.api("owner").upload(f"/api/cases/{case.pk}/materials/{key}", files)
    assert_problem(response, 422, field)


def test_hand_out_waits_for_tolerated_materials(setup, people):
    case = setup.tolerated()
    for key in ("licence", "seal", "invoice"):
        setup.decide(case, key)
    clerk = people.api("clerk")

    queue = clerk.get("/api/window/handout").json()
    assert queue["items"][0]["waiting_for_tolerated"] is True
    refused = clerk.post(f"/api/cases/{case.pk}/hand-out", {})
    assert_problem(refused, 409)

    people.api("owner").post(f"/api/cases/{case.pk}/supply-tolerated", file_material("lease"))
    response = clerk.post(f"/api/cases/{case.pk}/hand-out", {"note": "当场领取"})

    assert response.status_code == 200
    assert response.json()["state"] == CaseState.DELIVERED
    assert response.json()["outcome"] == CaseOutcome.APPROVED
    assert clerk.get("/api/window/handout").json()["count"] == 0


def test_hand_out_note_must_be_text(setup, people):
    case = setup.case_in(CaseState.COMPLETED)
    response = people.api("clerk").post(f"/api/cases/{case.pk}/hand-out", {"note": ["x"]})
    assert_problem(response, 422, "note")


def test_queues_list_only_the_clerks_region_with_masked_identifiers(setup, people):
    case = setup.case_in(CaseState.SUBMITTED)

    mine = people.api("clerk").get("/api/window/queue").json()
    elsewhere = people.api("clerk_out").get("/api/window/queue").json()

    assert mine["count"] == 1
    row = mine["items"][0]
    assert row["number"] == case.number
    assert row["applicant_identifier"] != setup.applicant.id_number
    assert row["applicant_identifier"].endswith(setup.applicant.id_number[-4:])
    assert "*" in row["applicant_phone"]
    assert elsewhere == {"count": 0, "count_capped": False, "items": [], "next": None}


@pytest.mark.parametrize("url", ["/api/window/queue", "/api/window/handout"])
@pytest.mark.parametrize(
    ("params", "field"), [({"limit": 0}, "limit"), ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor")]
)
def test_bad_paging_is_422(setup, people, url, params, field):
    response = people.api("clerk").get(url, **params)
    assert_problem(response, 422, field)


def test_queue_pages(setup, people):
    for _ in range(3):
        setup.case_in(CaseState.SUBMITTED)
    clerk = people.api("clerk")
    first = clerk.get("/api/window/queue", limit=2).json()
    assert (first["count"], len(first["items"])) == (3, 2) and first["next"]
    second = clerk.get("/api/window/queue", limit=2, cursor=first["next"]).json()
    assert (second["count"], len(second["items"]), second["next"]) == (3, 1, None)
    assert {r["id"] for r in first["items"]}.isdisjoint(r["id"] for r in second["items"])


def test_window_queue_query_count_does_not_grow_with_cases(
    setup, people, django_assert_max_num_queries
):
    clerk = people.api("clerk")
    setup.case_in(CaseState.SUBMITTED)
    clerk.get("/api/window/queue")  # warm the calendar cache
    for _ in range(4):
        setup.case_in(CaseState.SUBMITTED)
    with django_assert_max_num_queries(8):
        response = clerk.get("/api/window/queue")
    assert response.json()["count"] == 5


def test_the_agent_who_entered_a_case_may_withdraw_it_for_the_applicant(setup, people):
    from tests.cases.api.conftest import application

    body = application(
        setup,
        applicant_identifier=setup.applicant.id_number,
        channel="village_centre",
        agent_authorisation="赫山委托〔2026〕18号",
    )
    agent = people.api("agent")
    case = agent.post("/api/cases/intake", body).json()

    response = agent.post(f"/api/cases/{case['id']}/withdraw", {"reason": "申请人委托撤回"})

    assert response.status_code == 200
    assert response.json()["state"] == CaseState.WITHDRAWN
