"""What each viewer reads about a case: scope, names, masking, timeline, due dates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onestop.accounts.services import staff_deactivate
from onestop.cases.states import CaseState
from onestop.core import clock
from tests.cases.api.conftest import assert_problem


@pytest.fixture
def case(setup):
    case = setup.case_in(CaseState.IN_PROGRESS)
    setup.decide(case, "licence")
    return case


def test_the_applicant_sees_departments_but_no_officer_names(setup, people, case):
    body = people.api("owner").get(f"/api/cases/{case.pk}").json()

    assert {t["department"]["name"] for t in body["tasks"]} == {
        "赫山区市场监督管理局",
        "益阳市公安局赫山分局",
        "国家税务总局益阳市赫山区税务局",
    }
    assert all(t["assignee"] is None for t in body["tasks"])
    text = str(body)
    for officer in setup.officers.values():
        assert officer.name not in text
    assert setup.clerk.name not in text
    decided = next(e for e in body["timeline"] if e["kind"] == "task_approved")
    assert decided["actor"] is None
    assert decided["department"] == "赫山区市场监督管理局"
    assert decided["payload"] == {}
    accepted = next(e for e in body["timeline"] if e["kind"] == "accepted")
    assert accepted["actor"] == "综合窗口受理人员"


def test_staff_see_who_did_what(setup, people, case):
    body = people.api("clerk").get(f"/api/cases/{case.pk}").json()

    decided = next(e for e in body["timeline"] if e["kind"] == "task_approved")
    assert decided["actor"] == "licence专人"
    assert decided["payload"]["task"] == setup.task(case, "licence").pk
    licence = next(t for t in body["tasks"] if t["title"] == "企业设立登记")
    assert licence["assignee"]["name"] == "licence专人"
    assert licence["state"] == "approved"


def test_the_detail_carries_due_dates_and_lights(setup, people, case):
    body = people.api("officer").get(f"/api/cases/{case.pk}").json()

    assert body["due"]["promised_days"] == 5
    assert body["due"]["due_at"] is not None
    assert body["traffic_light"]["colour"] in {"green", "yellow"}
    assert body["is_provisional"] is False
    seal = next(t for t in body["tasks"] if t["title"] == "公章刻制备案")
    assert seal["state"] == "ready"
    assert seal["due"]["promised_days"] == 1
    assert seal["traffic_light"]["colour"] == "yellow"  # a one-day limit is always ≤ 1 day


def test_personal_data_is_full_for_handlers_and_masked_for_the_supervisor(setup, people, case):
    id_number = setup.applicant.id_number
    legal_person_id = case.form_data["legal_person_id"]

    for role in ("owner", "clerk", "officer", "chief"):
        body = people.api(role).get(f"/api/cases/{case.pk}").json()
        assert body["applicant"]["identifier"] == id_number, role
        assert body["form_data"]["legal_person_id"] == legal_person_id, role

    supervised = people.api("supervisor").get(f"/api/cases/{case.pk}").json()
    assert supervised["applicant"]["identifier"] != id_number
    assert supervised["applicant"]["identifier"].endswith(id_number[-4:])
    assert "*" in supervised["applicant"]["phone"]
    assert supervised["form_data"]["legal_person_id"].endswith(legal_person_id[-4:])
    assert "*" in supervised["form_data"]["legal_person_id"]
    assert "*" in supervised["form_data"]["phone"]
    assert supervised["form_data"]["company_name"] == case.form_data["company_name"]


def test_an_unknown_case_is_404_like_one_out_of_scope(people):
    assert_problem(people.api("clerk").get("/api/cases/999999"), 404)


def test_my_cases_are_mine_only_newest_first(setup, people):
    first = setup.case_in(CaseState.SUBMITTED)
    second = setup.case_in(CaseState.IN_PROGRESS)
    setup.submit(applicant=people.other_applicant, created_by=people.other_applicant.user)

    body = people.api("owner").get("/api/cases/mine").json()

    assert body["count"] == 2
    assert {c["number"] for c in body["items"]} == {first.number, second.number}
    in_progress = next(c for c in body["items"] if c["number"] == second.number)
    assert in_progress["traffic_light"]["colour"] == "green"
    assert "form_data" not in in_progress


def test_my_cases_paging_is_checked(people):
    assert_problem(people.api("owner").get("/api/cases/mine", limit="x"), 422, "limit")


def test_a_login_without_a_profile_may_do_nothing(setup):
    from tests.cases.api.conftest import Api
    from tests.factories.accounts import UserFactory

    case = setup.case_in(CaseState.SUBMITTED)
    assert_problem(Api(UserFactory()).get(f"/api/cases/{case.pk}"), 403)


def test_staff_taken_off_duty_lose_their_token(setup, people):
    case = setup.case_in(CaseState.SUBMITTED)
    clerk = people.api("clerk")  # token issued while on duty
    staff_deactivate(staff=people.clerk)

    assert_problem(clerk.get(f"/api/cases/{case.pk}"), 401)
    assert_problem(clerk.post(f"/api/cases/{case.pk}/accept", {}), 401)


def test_a_due_date_in_a_year_without_a_published_schedule_is_provisional(setup, people):
    with clock.frozen(dt.datetime(2026, 12, 29, 10, 0, tzinfo=clock.SHANGHAI)):
        case = setup.case_in(CaseState.IN_PROGRESS)
        body = people.api("owner").get(f"/api/cases/{case.pk}").json()

    assert body["is_provisional"] is True
    assert body["due"]["is_provisional"] is True
    assert body["traffic_light"]["is_provisional"] is True
    mine = people.api("owner").get("/api/cases/mine").json()["items"][0]
    assert mine["is_provisional"] is True


def test_the_detail_query_count_does_not_grow_with_the_history(setup, people, calendar_steady):
    case = setup.case_in(CaseState.IN_PROGRESS)
    api = people.api("clerk")
    api.get(f"/api/cases/{case.pk}")  # warm the calendar cache

    with CaptureQueriesContext(connection) as early:
        api.get(f"/api/cases/{case.pk}")
    setup.decide(case, "licence")
    setup.decide(case, "seal")
    with CaptureQueriesContext(connection) as late:
        body = api.get(f"/api/cases/{case.pk}").json()

    assert len(body["timeline"]) > 10
    assert len(late.captured_queries) == len(early.captured_queries) <= 20
