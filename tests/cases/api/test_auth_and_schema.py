"""Both ways of logging in reach the case API; the OpenAPI schema lists every endpoint."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from onestop.cases.states import CaseState
from tests.cases.api.conftest import application, assert_problem
from tests.cases.api.scenarios import SCENARIOS

CASE_PREFIXES = (
    "/api/cases",
    "/api/tasks",
    "/api/extensions",
    "/api/drafts",
    "/api/inbox",
    "/api/window",
    "/api/verifications",
    "/api/events",
)


def test_a_token_from_the_login_endpoint_applies_and_reads(setup, people):
    client = Client()
    login = client.post(
        "/api/auth/token",
        {"username": setup.applicant.user.username, "password": "demo-pass-123"},
        content_type="application/json",
    )
    headers = {"Authorization": f"Bearer {login.json()['token']}"}

    created = client.post(
        "/api/cases", application(setup), content_type="application/json", headers=headers
    )
    mine = client.get("/api/cases/mine", headers=headers)

    assert created.status_code == 201
    assert mine.json()["items"][0]["number"] == created.json()["number"]


def test_a_bad_token_is_401(setup):
    response = Client().get("/api/cases/mine", headers={"Authorization": "Bearer not-a-token"})
    assert_problem(response, 401)


def test_the_page_session_reaches_the_api(setup, people):
    case = setup.case_in(CaseState.SUBMITTED)
    clerk = people.api("clerk", session=True)

    assert clerk.get(f"/api/cases/{case.pk}").status_code == 200
    response = clerk.post(f"/api/cases/{case.pk}/accept", {})

    assert response.status_code == 200
    assert response.json()["state"] == CaseState.IN_PROGRESS


def test_a_session_post_needs_the_csrf_token(setup, people):
    case = setup.case_in(CaseState.SUBMITTED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(setup.clerk.user)

    refused = client.post(f"/api/cases/{case.pk}/accept", {}, content_type="application/json")
    assert_problem(refused, 403)

    secret = "s" * 32
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    accepted = client.post(
        f"/api/cases/{case.pk}/accept",
        {},
        content_type="application/json",
        headers={"X-CSRFToken": secret},
    )
    assert accepted.status_code == 200, accepted.content


def test_a_bearer_token_needs_no_csrf_token(setup, people):
    case = setup.case_in(CaseState.SUBMITTED)
    api = people.api("clerk")
    api.client = Client(enforce_csrf_checks=True)

    assert api.post(f"/api/cases/{case.pk}/accept", {}).status_code == 200


def test_a_bad_token_on_a_post_is_401_not_a_csrf_failure(setup):
    case = setup.case_in(CaseState.SUBMITTED)
    response = Client(enforce_csrf_checks=True).post(
        f"/api/cases/{case.pk}/accept",
        {},
        content_type="application/json",
        headers={"Authorization": "Bearer forged"},
    )
    assert_problem(response, 401)


def test_the_openapi_schema_lists_every_case_and_catalogue_endpoint(db):
    response = Client().get("/api/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    listed = {
        (method, path)
        for path, operations in paths.items()
        if path.startswith(CASE_PREFIXES) or path.startswith("/api/catalog")
        for method in operations
    }
    assert listed == set(SCENARIOS)
    accept = paths["/api/cases/{case_id}/accept"]["post"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(accept["responses"])
    apply = paths["/api/cases"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in apply["parameters"])
    upload = paths["/api/cases/{case_id}/materials/{key}"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]


def test_the_docs_page_is_served(db):
    assert Client().get("/api/docs").status_code == 200


def test_the_api_docs_load_nothing_from_the_internet():
    """A government intranet is often offline: Swagger UI comes from our own static files."""
    from django.contrib.staticfiles import finders

    html = Client().get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "://" not in html.split("<body", 1)[1].split("openapi.json")[0].replace(
        "http://testserver", ""
    )
    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css"):
        assert f"/static/{asset}" in html
        assert finders.find(asset) is not None
