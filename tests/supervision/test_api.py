"""The supervision API: signals and orders, paged, problem+json errors."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.core import clock
from onestop.supervision.services import signals_sweep
from tests.cases.api.conftest import Api
from tests.factories.accounts import StaffFactory

SH = clock.SHANGHAI
MONDAY = dt.datetime(2026, 11, 2, 10, tzinfo=SH)
FRIDAY = dt.datetime(2026, 11, 6, 10, tzinfo=SH)


@pytest.fixture
def supervisor(setup):
    return StaffFactory(supervisor=True, region=setup.county)


@pytest.fixture
def case(setup):
    with clock.frozen(MONDAY):
        case = setup.accepted()
    with clock.frozen(FRIDAY):
        signals_sweep()
    return case


def test_signals_are_paged_and_filtered(supervisor, case):
    api = Api(supervisor.user)
    body = api.get("/api/supervision/signals", limit=1).json()
    assert body["count"] >= 2 and len(body["items"]) == 1
    assert body["counts"]["red"] >= 1 and body["counts"]["yellow"] >= 1
    red = api.get("/api/supervision/signals", colour="red").json()
    assert {s["colour"] for s in red["items"]} == {"red"}
    assert red["items"][0]["case_number"] == case.number


def test_bad_filters_and_limits_are_problems(supervisor, case):
    api = Api(supervisor.user)
    response = api.get("/api/supervision/signals", colour="purple")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["field"] == "colour"
    assert api.get("/api/supervision/signals", limit=500).status_code == 422


def test_who_may_read_signals(setup, case):
    assert Api().get("/api/supervision/signals").status_code == 401
    officer = Api(setup.officers["licence"].user).get("/api/supervision/signals")
    assert officer.status_code == 403
    assert officer["Content-Type"].startswith("application/problem+json")


def test_the_order_lifecycle_through_the_api(setup, supervisor, case):
    api = Api(supervisor.user)
    body = {"case_number": case.number, "content": "请说明原因", "respond_days": 2}
    issued = api.post("/api/supervision/orders", body, headers={"Idempotency-Key": "k-1"})
    assert issued.status_code == 201
    order = issued.json()
    assert order["state"] == "issued" and order["actions"] == ["escalate"]
    retried = api.post("/api/supervision/orders", body, headers={"Idempotency-Key": "k-1"})
    assert (retried.status_code, retried.json()["id"]) == (200, order["id"])
    officer = Api(setup.officers["licence"].user)
    assert officer.get("/api/supervision/orders").json()["count"] == 1
    answered = officer.post(f"/api/supervision/orders/{order['id']}/answer", {"answer": "已办结"})
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    again = officer.post(f"/api/supervision/orders/{order['id']}/answer", {"answer": "已办结"})
    assert again.status_code == 409
    closed = api.post(f"/api/supervision/orders/{order['id']}/close", {"note": ""})
    assert closed.json()["state"] == "closed"
    assert [s["action"] for s in closed.json()["log"]] == ["issue", "answer", "close"]
    other = Api(setup.officers["seal"].user)
    assert other.get(f"/api/supervision/orders/{order['id']}").status_code == 404


def test_bad_order_input_names_the_field(supervisor, case):
    api = Api(supervisor.user)
    response = api.post(
        "/api/supervision/orders", {"case_number": case.number, "content": "x", "respond_days": 0}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "respond_days"
    missing = api.post(
        "/api/supervision/orders", {"case_number": "nope", "content": "x", "respond_days": 2}
    )
    assert missing.status_code == 422 and missing.json()["field"] == "case_number"
