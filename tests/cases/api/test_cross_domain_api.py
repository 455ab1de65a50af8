"""GET /api/cases/{id} carries 收件地 and each task's 办理地 and mode; the receiving check endpoint."""

from __future__ import annotations

import pytest
from django.test import Client

from onestop.catalog.models import RoutingRule
from tests.cases.api.conftest import Api
from tests.factories.crossdomain import Cross, cross_domain


@pytest.fixture
def x(db) -> Cross:
    x = cross_domain()
    x.package.routing_rule = RoutingRule.APPLICANT_RESIDENCE
    x.package.save(update_fields=["routing_rule"])
    return x


def test_case_json_names_receiving_and_handling_regions_and_the_mode(x):
    case = x.submit(at="赫山")
    clerk = Api(x.clerks["赫山"].user)
    before = clerk.get(f"/api/cases/{case.pk}").json()
    assert before["receiving_region"] == "430903"
    assert "receiving_check" in before["actions"]
    refused = clerk.post(f"/api/cases/{case.pk}/accept", {})
    assert refused.status_code == 422
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    checked = clerk.post(
        f"/api/cases/{case.pk}/receiving-check",
        {"form_checked": True, "identity_checked": True, "identity_method": "face_match"},
    )
    assert checked.status_code == 200, checked.content
    assert any(e["kind"] == "receiving_checked" for e in checked.json()["timeline"])
    assert clerk.post(f"/api/cases/{case.pk}/accept", {}).status_code == 200

    body = Api(x.officers["资阳人社"].user).get(f"/api/cases/{case.pk}").json()
    assert body["receiving_region"] == "430903"
    (task,) = body["tasks"]
    assert task["handling_region"] == "430902"
    assert task["mode"] == "proxy"
    # the applicant sees the same
    mine = Api(x.applicant.user).get(f"/api/cases/{case.pk}").json()
    assert mine["tasks"][0]["mode"] == "proxy"


@pytest.mark.parametrize("who", ["桃江", "officer", "anonymous"])
def test_receiving_check_by_anyone_else_is_refused(x, who):
    case = x.submit(at="赫山")
    user = {
        "桃江": x.clerks["桃江"].user,
        "officer": x.officers["资阳人社"].user,
        "anonymous": None,
    }[who]
    response = Api(user).post(
        f"/api/cases/{case.pk}/receiving-check",
        {"form_checked": True, "identity_checked": True, "identity_method": "face_match"},
    )
    assert response.status_code in {401, 403, 404}
    assert response.status_code == {"桃江": 404, "officer": 403, "anonymous": 401}[who]


def test_a_bad_identity_method_is_422_naming_the_field(x):
    case = x.submit(at="赫山")
    response = Api(x.clerks["赫山"].user).post(
        f"/api/cases/{case.pk}/receiving-check",
        {"form_checked": True, "identity_checked": False, "identity_method": "face_match"},
    )
    assert response.status_code == 422
    assert "identity_checked" in response.content.decode()


def test_schema_declares_the_fields():
    schema = Client().get("/api/openapi.json").json()["components"]["schemas"]
    assert "receiving_region" in schema["CaseOut"]["properties"]
    task = schema["TaskOut"]["properties"]
    assert "handling_region" in task
    mode = (
        schema[task["mode"]["$ref"].rsplit("/", 1)[1]] if "$ref" in task["mode"] else task["mode"]
    )
    assert set(mode["enum"]) == {"local", "online", "proxy", "multi_site"}
