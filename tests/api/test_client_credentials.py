"""Docking systems' client credentials: a short-lived token for a client id and secret
(OAuth 2.0 client_credentials), accepted by the docking reads within its scopes and its
region subtree, ended at once by revocation, refused everywhere else."""

from __future__ import annotations

import base64
import time
from unittest import mock

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.test import Client

from onestop.accounts import services
from onestop.accounts.models import ApiClient, ApiScope, PersonalDataRead
from onestop.cases.states import CaseState
from onestop.core.errors import ValidationFailed
from tests.cases.api.conftest import assert_problem

TOKEN_URL = "/api/auth/client-token"
ALL_SCOPES = [s.value for s in ApiScope]


def _client(region, scopes, name="省政务服务平台"):
    return services.api_client_create(name=name, region=region, scopes=scopes)


def _token(created, **extra) -> str:
    body = {
        "grant_type": "client_credentials",
        "client_id": created.client.client_id,
        "client_secret": created.secret,
        **extra,
    }
    response = Client().post(TOKEN_URL, body)
    assert response.status_code == 200, response.content.decode()
    assert response["Cache-Control"] == "no-store"
    return response.json()["access_token"]


def _get(url: str, token: str):
    return Client().get(url, headers={"Authorization": f"Bearer {token}"})


# -------------------------------------------------------------------- the permission table


@pytest.fixture
def docking(setup, people):
    """A case accepted at 赫山区 with its tasks, and one URL per operation a client may try."""
    case = setup.case_in(CaseState.IN_PROGRESS)
    task = setup.task(case, "licence")
    return {
        "cases": "/api/cases",
        "by_number": f"/api/cases/by-number/{case.number}",
        "case": f"/api/cases/{case.pk}",
        "events": "/api/events",
        "task": f"/api/tasks/{task.pk}",
        "queue": "/api/window/queue",
        "me": "/api/auth/me",
        "mine": "/api/cases/mine",
    }


#                 cases by_number case events task queue  me  mine
TABLE = {
    "all scopes": "200   200       200  200    200  403   403 403",
    "cases:read": "200   200       200  403    403  403   403 403",
    "events:read": "403  403       403  200    403  403   403 403",
    "tasks:read": "403   403       403  403    200  403   403 403",
    "other county": "200 404       404  200    404  403   403 403",
    "revoked": "401      401       401  401    401  401   401 401",
}
COLUMNS = ("cases", "by_number", "case", "events", "task", "queue", "me", "mine")


def _prepared(kind: str, setup, people):
    if kind == "all scopes":
        return _client(setup.county, ALL_SCOPES)
    if kind == "other county":
        return _client(people.clerk_out.region, ALL_SCOPES, name="资阳区对接")
    if kind == "revoked":
        return _client(setup.county, ALL_SCOPES)
    return _client(setup.county, [kind])


@pytest.mark.parametrize("kind", list(TABLE))
def test_the_client_permission_table(setup, people, docking, kind):
    created = _prepared(kind, setup, people)
    token = _token(created)
    if kind == "revoked":
        services.api_client_revoke(client=created.client)
    for column, status in zip(COLUMNS, TABLE[kind].split(), strict=True):
        response = _get(docking[column], token)
        assert response.status_code == int(status), (column, response.content.decode())
        if int(status) >= 400:
            assert response["Content-Type"] == "application/problem+json"
        if int(status) == 403:
            assert response.json()["code"] == "insufficient_scope", column


def test_a_client_in_another_county_sees_no_case_and_no_event(setup, people, docking):
    token = _token(_client(people.clerk_out.region, ALL_SCOPES))
    assert _get("/api/cases", token).json()["items"] == []
    assert _get("/api/events", token).json()["items"] == []


def test_a_client_reads_its_subtree_masked_and_leaves_no_staff_read(setup, people, docking):
    token = _token(_client(setup.city, ALL_SCOPES))
    found = _get("/api/cases", token).json()["items"]
    assert len(found) == 1
    detail = _get(docking["case"], token).json()
    assert detail["applicant"]["identifier"] == setup.applicant.masked_identifier
    assert detail["applicant"]["identifier"] != setup.applicant.identifier
    assert _get(docking["task"], token).json()["actions"] == []
    events = _get("/api/events", token).json()
    assert events["items"] and events["next"]
    assert not PersonalDataRead.objects.exists()


# ---------------------------------------------------------------------- the token endpoint


def test_the_secret_is_stored_hashed_and_shown_once(setup):
    created = _client(setup.county, ["cases:read"])
    stored = ApiClient.objects.get(pk=created.client.pk)
    assert created.secret not in stored.secret_hash
    assert check_password(created.secret, stored.secret_hash)


def test_http_basic_credentials_work_too(setup):
    created = _client(setup.county, ["cases:read"])
    basic = base64.b64encode(f"{created.client.client_id}:{created.secret}".encode()).decode()
    response = Client().post(
        TOKEN_URL, {"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert response.status_code == 200
    assert response.json()["token_type"] == "Bearer"
    assert response.json()["scope"] == "cases:read"
    assert response.json()["expires_in"] == 900


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "osc_nobody"}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"scope": "cases:read events:read"}, 400, "invalid_scope"),
        ({"client_secret": ""}, 400, "invalid_request"),
    ],
)
def test_refusals_are_oauth_errors_in_problem_json(setup, change, status, error):
    created = _client(setup.county, ["cases:read"])
    body = {
        "grant_type": "client_credentials",
        "client_id": created.client.client_id,
        "client_secret": created.secret,
        **change,
    }
    problem = assert_problem(Client().post(TOKEN_URL, body), status)
    assert problem["code"] == problem["error"] == error
    assert problem["error_description"] == problem["detail"]


def test_a_revoked_client_gets_no_new_token(setup):
    created = _client(setup.county, ["cases:read"])
    services.api_client_revoke(client=created.client)
    body = {
        "grant_type": "client_credentials",
        "client_id": created.client.client_id,
        "client_secret": created.secret,
    }
    assert assert_problem(Client().post(TOKEN_URL, body), 401)["error"] == "invalid_client"


def test_wrong_secrets_are_throttled(setup, settings):
    settings.ONESTOP_LOGIN_MAX_FAILURES = 3
    created = _client(setup.county, ["cases:read"])
    wrong = {
        "grant_type": "client_credentials",
        "client_id": created.client.client_id,
        "client_secret": "guess",
    }
    for _ in range(3):
        assert Client().post(TOKEN_URL, wrong).status_code == 401
    right = {**wrong, "client_secret": created.secret}
    response = Client().post(TOKEN_URL, right)
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0


def test_a_narrower_token_reads_only_what_it_asked_for(setup, people, docking):
    token = _token(_client(setup.county, ALL_SCOPES), scope="events:read")
    assert _get("/api/events", token).status_code == 200
    assert _get("/api/cases", token).status_code == 403


# ------------------------------------------------------------------ revocation and expiry


def test_revocation_ends_a_token_at_once(setup, people, docking):
    created = _client(setup.county, ALL_SCOPES)
    token = _token(created)
    assert _get("/api/cases", token).status_code == 200
    call_command("api-client", "revoke", created.client.client_id, stdout=mock.MagicMock())
    assert_problem(_get("/api/cases", token), 401)


def test_a_token_expires(setup, people, docking):
    token = _token(_client(setup.county, ALL_SCOPES))
    later = time.time() + 901
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert_problem(_get("/api/cases", token), 401)


def test_a_client_removed_from_a_scope_loses_it_at_once(setup, people, docking):
    created = _client(setup.county, ALL_SCOPES)
    token = _token(created)
    ApiClient.objects.filter(pk=created.client.pk).update(scopes=["events:read"])
    assert _get("/api/cases", token).status_code == 403
    assert _get("/api/events", token).status_code == 200


def test_a_forged_client_token_is_401(setup, people, docking):
    assert_problem(_get("/api/cases", "osc.forged"), 401)
    assert_problem(_get("/api/window/queue", "osc.forged"), 401)


# ------------------------------------------------------------------------------ creating


def test_the_command_creates_a_client_and_prints_the_secret_once(setup, capsys):
    call_command(
        "api-client", "create", "省平台", "--scope", "cases:read", "--region", setup.county.code
    )
    out = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    client = ApiClient.objects.get(client_id=out["client_id"])
    assert client.scopes == ["cases:read"] and client.region == setup.county
    assert check_password(out["client_secret"], client.secret_hash)


@pytest.mark.parametrize(
    ("name", "scopes", "field"),
    [("", ["cases:read"], "name"), ("x", [], "scopes"), ("x", ["cases:write"], "scopes")],
)
def test_a_client_needs_a_name_and_known_scopes(setup, name, scopes, field):
    with pytest.raises(ValidationFailed) as refused:
        services.api_client_create(name=name, region=setup.county, scopes=scopes)
    assert refused.value.field == field
