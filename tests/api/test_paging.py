"""Every paged list bounds ``limit`` and ``offset`` in the schema: out of range is 422 naming
the parameter (a 64-bit overflow used to reach the database and answer 500)."""

from __future__ import annotations

import pytest
from django.test import Client

from onestop.cases.api.common import PAGE_LIMIT_MAX, PAGE_OFFSET_MAX
from onestop.cases.states import CaseState
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


@pytest.mark.parametrize(("role", "url"), PAGED)
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"offset": HUGE}, "offset"),
        ({"offset": PAGE_OFFSET_MAX + 1}, "offset"),
        ({"offset": -1}, "offset"),
        ({"limit": HUGE}, "limit"),
        ({"limit": PAGE_LIMIT_MAX + 1}, "limit"),
        ({"limit": 0}, "limit"),
    ],
)
def test_paging_out_of_bounds_is_422_naming_the_parameter(setup, people, role, url, params, field):
    assert_problem(people.api(role).get(url, **params), 422, field)


@pytest.mark.parametrize(("role", "url"), PAGED)
def test_the_deepest_offset_is_an_empty_page(setup, people, role, url):
    response = people.api(role).get(url, offset=PAGE_OFFSET_MAX, limit=PAGE_LIMIT_MAX)
    assert response.status_code == 200, response.content
    assert response.json()["items"] == []


def test_a_page_inside_the_bounds_still_pages(setup, people):
    for _ in range(3):
        setup.case_in(CaseState.SUBMITTED)
    page = people.api("clerk").get("/api/window/queue", limit=2, offset=2).json()
    assert page["count"] == 3
    assert len(page["items"]) == 1


def test_the_schema_shows_the_bounds(db):
    paths = Client().get("/api/openapi.json").json()["paths"]
    for _, url in PAGED:
        parameters = {p["name"]: p["schema"] for p in paths[url]["get"]["parameters"]}
        assert parameters["limit"]["minimum"] == 1
        assert parameters["limit"]["maximum"] == PAGE_LIMIT_MAX
        assert parameters["offset"]["minimum"] == 0
        assert parameters["offset"]["maximum"] == PAGE_OFFSET_MAX
