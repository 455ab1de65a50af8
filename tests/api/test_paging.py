"""Every paged list is keyset-paged: ``limit`` (bounded) and ``cursor`` in, ``next`` out, a
count capped at 1000. Out-of-range limits (a 64-bit overflow included) are 422 naming
``limit``; a cursor the API did not hand out is 422 naming ``cursor``, never a 500."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from onestop.cases.api.common import CURSOR_MAX_LENGTH, PAGE_LIMIT_MAX
from onestop.cases.states import CaseState
from onestop.core import paging
from tests.cases.api.conftest import assert_problem

PAGED = [
    ("owner", "/api/cases/mine"),
    ("clerk", "/api/window/queue"),
    ("clerk", "/api/window/handout"),
    ("officer", "/api/inbox"),
    ("chief", "/api/extensions/pending"),
    ("officer", "/api/verifications"),
]
HUGE = "9223372036854775808"  # 2**63: one past the largest 64-bit integer


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(("role", "url"), PAGED)
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": HUGE}, "limit"),
        ({"limit": PAGE_LIMIT_MAX + 1}, "limit"),
        ({"limit": 0}, "limit"),
        ({"cursor": "x"}, "cursor"),
        ({"cursor": "!!!!"}, "cursor"),
        ({"cursor": _b64({"not": "a list"})}, "cursor"),
        ({"cursor": _b64([1, 2, 3, 4, 5])}, "cursor"),
        ({"cursor": _b64(["not a date", 1])}, "cursor"),
        ({"cursor": _b64(["2026-03-02T10:00:00", 1])}, "cursor"),  # no time zone
        ({"cursor": _b64(["2026-03-02T10:00:00+08:00", 10**30])}, "cursor"),
        ({"cursor": _b64([None, None])}, "cursor"),
        ({"cursor": "A" * (CURSOR_MAX_LENGTH + 1)}, "cursor"),
    ],
)
def test_bad_paging_is_422_naming_the_parameter(setup, people, role, url, params, field):
    assert_problem(people.api(role).get(url, **params), 422, field)


@pytest.mark.parametrize(("role", "url"), PAGED)
def test_a_list_answers_items_next_and_a_capped_count(setup, people, role, url):
    body = people.api(role).get(url).json()
    assert set(body) >= {"count", "count_capped", "items", "next"}
    assert body["next"] is None and body["count_capped"] is False


def test_the_pages_walk_the_list_once_with_next(setup, people):
    made = [setup.case_in(CaseState.SUBMITTED) for _ in range(5)]
    clerk, seen, cursor = people.api("clerk"), [], ""
    while True:
        body = clerk.get("/api/window/queue", limit=2, **({"cursor": cursor} if cursor else {}))
        body = body.json()
        assert body["count"] == 5
        seen += [row["id"] for row in body["items"]]
        if body["next"] is None:
            break
        cursor = body["next"]
    assert seen == [c.pk for c in sorted(made, key=lambda c: (c.submitted_at, c.pk))]


def test_a_count_above_the_cap_says_so(setup, people, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    monkeypatch.setattr("onestop.cases.api.common.COUNT_CAP", 2)
    for _ in range(3):
        setup.case_in(CaseState.SUBMITTED)
    body = people.api("clerk").get("/api/window/queue").json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (2, True, 3)


def test_the_schema_documents_limit_cursor_and_next(db):
    schema = Client().get("/api/openapi.json").json()
    for _, url in PAGED:
        operation = schema["paths"][url]["get"]
        parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
        assert parameters["limit"]["minimum"] == 1
        assert parameters["limit"]["maximum"] == PAGE_LIMIT_MAX
        assert parameters["cursor"]["maxLength"] == CURSOR_MAX_LENGTH
        assert "offset" not in parameters
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert {"count", "count_capped", "items", "next"} <= set(page["properties"])
