"""A database error that leaves the connection closed is an outage (503 with Retry-After),
whatever its class; one on a live connection stays an error (core/middleware.py).

Through PgBouncer, PostgreSQL restarting under a transaction also surfaced as psycopg's
``InternalError`` ("received 2 results from command 'COMMIT'") on a now-closed connection
(measured: 1–3 per restart with 8 writing clients), which was a 500."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, InternalError, connection
from django.test import RequestFactory

from onestop.core.middleware import RETRY_AFTER, EdgeMiddleware

pytestmark = pytest.mark.django_db(transaction=True)


def _answer(path: str, exc: Exception):
    edge = EdgeMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    return edge.process_exception(RequestFactory().get(path), exc)


def _closed_by_django_after_an_error() -> None:
    """As Django's atomic() leaves it when the rollback after an error fails too."""
    connection.ensure_connection()
    connection.errors_occurred = True
    connection.close()
    connection.errors_occurred = True


@pytest.mark.postgres  # SQLite's test database is in memory: Django never closes it
def test_an_internal_error_that_closed_the_connection_is_503():
    _closed_by_django_after_an_error()
    response = _answer("/api/cases/mine", InternalError("received 2 results from command 'COMMIT'"))
    assert response is not None
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["Retry-After"] == str(RETRY_AFTER)


@pytest.mark.postgres
def test_a_page_gets_the_503_page_too():
    _closed_by_django_after_an_error()
    response = _answer("/", InternalError("received 2 results from command 'BEGIN'"))
    assert response is not None
    assert response.status_code == 503
    assert "服务暂时不可用" in response.content.decode()


@pytest.mark.postgres
def test_a_connection_psycopg_closed_is_503():
    connection.ensure_connection()
    connection.connection.close()  # the server went away under it
    response = _answer("/api/cases/mine", InternalError("received 2 results"))
    assert response is not None
    assert response.status_code == 503


def test_an_error_on_a_live_connection_is_not_an_outage():
    connection.ensure_connection()
    assert _answer("/api/cases/mine", IntegrityError("duplicate key")) is None
    assert _answer("/api/cases/mine", InternalError("current transaction is aborted")) is None
