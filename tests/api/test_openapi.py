"""The published schema tells the truth about errors: problem+json, and the 400/413/422 an
operation with a body may give."""

from __future__ import annotations

import pytest
from django.test import Client

PROBLEM = "application/problem+json"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, entries in schema["paths"].items():
        for method, operation in entries.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def test_the_errors_of_accept_are_problem_json(schema):
    responses = schema["paths"]["/api/cases/{case_id}/accept"]["post"]["responses"]
    for status in ("400", "401", "403", "404", "409", "413", "422"):
        assert list(responses[status]["content"]) == [PROBLEM], status
        assert responses[status]["content"][PROBLEM]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }
    assert list(responses["200"]["content"]) == ["application/json"]


def test_no_error_is_declared_as_plain_json(schema):
    for name, operation in operations(schema):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert list(response.get("content", {})) == [PROBLEM], (name, status)


def test_every_operation_with_a_body_declares_400_413_and_422(schema):
    with_body = [(n, o) for n, o in operations(schema) if "requestBody" in o]
    assert any(n == "POST /api/cases/{case_id}/materials/{key}" for n, _ in with_body)
    for name, operation in with_body:
        assert {"400", "413", "422"} <= set(operation["responses"]), name


def test_every_operation_declares_422(schema):
    for name, operation in operations(schema):
        assert "422" in operation["responses"], name


def test_the_problem_schema_is_published(schema):
    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    assert {"code", "field", "errors"} <= set(problem["properties"])
