"""A database that goes away under a request (it restarts, the pooler drops the connection)
is a 503 with Retry-After — problem+json under /api/, a page elsewhere — not a 500, and the
next request, on a new connection, is answered as usual (core/middleware.py)."""

from __future__ import annotations

import pytest
from django.db import connection, connections
from django.test import Client

from onestop.accounts.auth import token_issue
from onestop.core.middleware import RETRY_AFTER
from tests.cases.api.conftest import assert_problem
from tests.factories.accounts import ApplicantFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.settings_dict["ENGINE"] == "onestop.core.db.postgresql",
        reason="behind PgBouncer a server connection ended between transactions is replaced by"
        " the pooler and the client never sees it; tests/cases/api/test_outage.py makes the"
        " outage through a real PgBouncer",
    ),
]


def _server_drops_our_connection() -> None:
    """Terminate this process's backend from another session, as a restart does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


def test_the_api_answers_503_then_recovers():
    applicant = ApplicantFactory(user=UserFactory())
    client = Client(headers={"Authorization": f"Bearer {token_issue(applicant.user)}"})
    assert client.get("/api/cases/mine").status_code == 200

    _server_drops_our_connection()
    response = client.get("/api/cases/mine")
    body = assert_problem(response, 503)
    assert body["code"] == "unavailable"
    assert response["Retry-After"] == str(RETRY_AFTER)

    assert client.get("/api/cases/mine").status_code == 200


def test_a_page_answers_503_then_recovers():
    client = Client()
    assert client.get("/").status_code == 200

    _server_drops_our_connection()
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)
    assert "服务暂时不可用" in response.content.decode()

    assert client.get("/").status_code == 200
