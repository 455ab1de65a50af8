"""/api/ratings: every endpoint, its problem+json refusals and a permission test per role."""

from __future__ import annotations

import pytest

from onestop.evaluations import services
from onestop.evaluations.models import Rating
from onestop.evaluations.states import RatingLevel, RectificationState
from tests.cases.api.conftest import Api
from tests.factories.accounts import StaffFactory

pytestmark = pytest.mark.django_db


def test_indicators_are_public(setup):
    response = Api().get("/api/ratings/indicators", scope="onsite")
    assert response.status_code == 200
    assert [i["code"] for i in response.json()] == ["201", "202", "203"]


def test_the_applicant_rates_by_api_and_bad_input_is_a_problem(setup):
    case = setup.case_in("delivered")
    api = Api(setup.applicant.user)
    bad = api.post(f"/api/ratings/cases/{case.pk}", {"level": 4})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert bad.json()["field"] == "indicators"
    out_of_range = api.post(f"/api/ratings/cases/{case.pk}", {"level": 9})
    assert out_of_range.status_code == 422
    ok = api.post(f"/api/ratings/cases/{case.pk}", {"level": 4, "indicators": ["203"]})
    assert ok.status_code == 201 and ok.json()["rectification_state"] == "open"
    mine = api.get(f"/api/ratings/cases/{case.pk}").json()
    assert mine[0]["rater"] == setup.applicant.name
    seen_by_clerk = Api(setup.clerk.user).get(f"/api/ratings/cases/{case.pk}").json()
    assert seen_by_clerk[0]["rater"] != setup.applicant.name and "*" in seen_by_clerk[0]["rater"]
    third = Api(StaffFactory(region=setup.city).user)
    assert third.post(f"/api/ratings/cases/{case.pk}", {"level": 1}).status_code == 404
    assert Api().post(f"/api/ratings/cases/{case.pk}", {"level": 1}).status_code == 401


def test_a_token_rating_by_api_works_once(setup):
    case = setup.case_in("delivered")
    token = services.rating_token_issue(case_id=case.pk)
    first = Api().post(f"/api/ratings/tokens/{token.token}", {"level": 1})
    assert first.status_code == 201
    again = Api().post(f"/api/ratings/tokens/{token.token}", {"level": 1})
    assert again.status_code == 409


def test_record_and_rates_need_their_permissions(setup):
    case = setup.case_in("delivered")
    body = {"case_number": case.number, "channel": "phone", "level": 2}
    assert Api(setup.officers["seal"].user).post("/api/ratings/record", body).status_code == 403
    assert Api(setup.clerk.user).post("/api/ratings/record", body).status_code == 403  # handled
    other = StaffFactory(region=setup.county)
    assert Api(other.user).post("/api/ratings/record", body).status_code == 201
    missing = Api(other.user).post("/api/ratings/record", {**body, "case_number": "x"})
    assert missing.status_code == 404
    params = {"start": "2020-01-01", "end": "2099-12-31"}
    assert Api(other.user).get("/api/ratings/rates", **params).status_code == 403
    supervisor = StaffFactory(supervisor=True, region=setup.city)
    rates = Api(supervisor.user).get("/api/ratings/rates", **params)
    assert rates.status_code == 200 and rates.json()["ratings"] == 1
    assert rates.json()["good_rate"] == 1.0
    outside = Api(supervisor.user).get("/api/ratings/rates", **params, region_code="11")
    assert outside.status_code == 403
    backwards = Api(supervisor.user).get("/api/ratings/rates", start="2026-02-01", end="2026-01-01")
    assert backwards.status_code == 422


def test_the_loop_by_api_with_appeal_and_review(setup):
    case = setup.case_in("delivered")
    rating = services.rating_submit(
        case_id=case.pk,
        user=setup.applicant.user,
        level=RatingLevel.VERY_DISSATISFIED,
        indicator_codes=["201"],
    )
    rect = rating.rectification
    officer = Api(setup.officers["licence"].user)
    url = f"/api/ratings/rectifications/{rect.pk}"
    assert (
        Api(setup.clerk.user)
        .post(f"{url}/verify", {"finding": "x", "triage": "immediate"})
        .status_code
        == 403
    )
    assert officer.post(f"{url}/feedback", {"reform_content": "x"}).status_code == 409
    verified = officer.post(f"{url}/verify", {"finding": "属实", "triage": "immediate"})
    assert verified.status_code == 200 and verified.json()["actions"]["feedback"] is True
    assert officer.post(f"{url}/feedback", {"reform_content": "已纠正"}).status_code == 200
    opinion = Api(setup.applicant.user).post(f"{url}/opinion", {"opinion": "basic"})
    assert opinion.status_code == 200 and opinion.json()["state"] == RectificationState.RATED
    closed = officer.post(f"{url}/follow-up", {"note": "回访满意"})
    assert closed.json()["state"] == RectificationState.CLOSED

    case2 = setup.case_in("delivered")
    rating2 = services.rating_submit(
        case_id=case2.pk, user=setup.applicant.user, level=4, indicator_codes=["202"]
    )
    url2 = f"/api/ratings/rectifications/{rating2.rectification.pk}"
    assert officer.post(f"{url2}/appeal", {"reason": "误评"}).status_code == 200
    assert officer.post(f"{url2}/review", {"upheld": True, "decision": "x"}).status_code == 403
    supervisor = Api(StaffFactory(supervisor=True, region=setup.city).user)
    upheld = supervisor.post(f"{url2}/review", {"upheld": True, "decision": "误评成立"})
    assert upheld.json()["state"] == RectificationState.UPHELD
    assert Rating.objects.get(pk=rating2.pk).status == "invalid"
