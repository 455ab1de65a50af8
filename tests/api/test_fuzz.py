"""Schema fuzzing of the whole API (schemathesis): every operation of the published OpenAPI,
with generated valid and invalid input, answers without a server error and as its own
schema says (status codes, content types, headers, bodies).

Each operation is called as the role it is meant for (a bearer token per path family), so
the requests get past authentication into parameter parsing and the views; an anonymous
pass would only test the login wall. The example count is bounded (``FUZZ_EXAMPLES``,
environment ``ONESTOP_FUZZ_EXAMPLES``) to keep CI within its time.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from onestop.accounts.auth import token_issue
from onestop.config.wsgi import application

FUZZ_EXAMPLES = int(os.environ.get("ONESTOP_FUZZ_EXAMPLES", "12"))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# Who calls what: the first matching path prefix names the role of tests/cases/api's people.
ROLE_BY_PREFIX = (
    ("/api/cases/mine", "owner"),
    ("/api/drafts", "owner"),
    ("/api/cases/{case_id}/withdraw", "owner"),
    ("/api/cases/{case_id}/supplement", "owner"),
    ("/api/cases/{case_id}/supply-tolerated", "owner"),
    ("/api/cases/{case_id}/materials", "owner"),
    ("/api/ratings", "owner"),
    ("/api/inbox", "officer"),
    ("/api/tasks", "officer"),
    ("/api/verifications", "officer"),
    ("/api/extensions", "chief"),
    ("/api/supervision", "supervisor"),
    ("/api/stats", "supervisor"),
    ("/api/catalog", "catalog_admin"),
)


def role_for(method: str, path: str) -> str:
    if method == "POST" and path == "/api/cases":
        return "owner"
    return next((role for prefix, role in ROLE_BY_PREFIX if path.startswith(prefix)), "clerk")


@pytest.fixture
def api_schema(setup, people):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    schema.config.generation.update(max_examples=FUZZ_EXAMPLES)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes the database connection at the end of each request
    (``close_old_connections``); inside the test's transaction on PostgreSQL that would end
    it. Django's own test client disconnects the same receivers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _node_id(request):
    """schemathesis renames each operation's subtest through ``node._nodeid``, which pytest 9
    no longer has."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_schema(case, people):
    user = people.user(role_for(case.method, case.path))
    headers = {"Authorization": f"Bearer {token_issue(user)}"} if user is not None else {}
    case.call_and_validate(headers=headers, checks=CHECKS)
