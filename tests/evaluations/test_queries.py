"""List pages read a fixed number of queries, however many rows they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onestop.evaluations import services

pytestmark = pytest.mark.django_db


def _bad(setup, n):
    for _ in range(n):
        case = setup.case_in("delivered")
        services.rating_submit(
            case_id=case.pk, user=setup.applicant.user, level=5, indicator_codes=["203"]
        )


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("who", "url"),
    [("officer", "evaluations:rectifications"), ("applicant", "evaluations:mine")],
)
def test_list_pages_do_not_query_per_row(client, setup, calendar_steady, who, url):
    user = setup.officers["licence"].user if who == "officer" else setup.applicant.user
    client.force_login(user)
    _bad(setup, 1)
    one = _count(client, reverse(url))
    _bad(setup, 3)
    four = _count(client, reverse(url))
    assert four == one
