"""Each keyset-paged list is served by its index on PostgreSQL: the plan of every query a page
runs (first page, a page after a cursor, the capped count) reads the list's index, with no
Sort and no sequential scan of the case or task table — so a page reads its rows and stops,
however long the list (docs/benchmarks.md, Scale).

The test tables hold a handful of rows, on which any plan is cheap; so sequential scans and
sorts are priced out (``enable_seqscan``, ``enable_sort`` off — they stay possible, at a
prohibitive cost): the plan then shows whether an index yields the list's filter and
order. Without such an index it still sorts or scans, and the test fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onestop.cases import selectors
from onestop.cases.models import ItemTask
from onestop.cases.states import CaseState

pytestmark = pytest.mark.postgres

TABLES = ("cases_case", "cases_itemtask")


def _plans(read: Callable[[], Any]) -> list[tuple[str, str]]:
    """Run ``read``; the text plan of each SELECT it sent to the case or task table."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    with CaptureQueriesContext(connection) as ctx:
        read()
    plans = []
    for query in ctx.captured_queries:
        sql = query["sql"]
        if not sql.startswith("SELECT") or not any(f'FROM "{t}"' in sql for t in TABLES):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}")
            plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return plans


def _assert_served_by(index: str, read: Callable[[], Any], *, queries: int) -> None:
    plans = _plans(read)
    assert len(plans) == queries, [sql for sql, _ in plans]
    for sql, plan in plans:
        if "ORDER BY" in sql:  # a page; the capped count may take any index of its filter
            assert f" using {index} on " in plan.lower(), plan
        assert "Sort" not in plan, plan
        for table in TABLES:
            assert f"Seq Scan on {table}" not in plan, (sql, plan)


def _page_and_count(page: Callable[..., Any], count_of: Any) -> Callable[[], Any]:
    """A first page, the next page by its cursor, and the capped count, as the API does."""
    from onestop.core.paging import capped_count

    def read() -> None:
        first = page(cursor="", limit=1)
        assert first.next
        page(cursor=first.next, limit=1)
        capped_count(count_of)

    return read


def test_the_inbox_is_served_by_the_partial_open_task_index(setup):
    for _ in range(3):
        setup.accepted()
    officer = setup.officers["licence"]
    read = _page_and_count(
        lambda **kw: selectors.inbox_page(officer, **kw), selectors.inbox_for(officer)
    )
    _assert_served_by("task_inbox_order", read, queries=3)


def test_the_window_queue_is_served_by_the_partial_queue_index(setup):
    for _ in range(3):
        setup.submit()
    clerk = setup.clerk
    read = _page_and_count(
        lambda **kw: selectors.window_queue_page(clerk, **kw), selectors.window_queue(clerk)
    )
    _assert_served_by("case_queue_order", read, queries=3)


def test_the_handout_queue_is_served_by_the_completed_index(setup):
    for _ in range(3):
        setup.case_in(CaseState.COMPLETED)
    clerk = setup.clerk
    read = _page_and_count(
        lambda **kw: selectors.handout_queue_page(clerk, **kw), selectors.handout_queue(clerk)
    )
    _assert_served_by("case_handout_order", read, queries=3)


def test_an_applicants_cases_are_served_by_the_applicant_index(setup):
    for _ in range(3):
        setup.submit()
    applicant = setup.applicant
    read = _page_and_count(
        lambda **kw: selectors.applicant_cases_page(applicant, **kw),
        selectors.case_list_for_applicant(applicant),
    )
    _assert_served_by("case_applicant_order", read, queries=3)


def test_the_inbox_after_the_last_due_date_reads_the_undated_tasks_by_the_index(setup):
    cases = [setup.accepted() for _ in range(3)]
    officer = setup.officers["licence"]
    ItemTask.objects.filter(case=cases[2]).update(due_at=None)
    dated = selectors.inbox_page(officer, limit=2)
    assert dated.next
    _assert_served_by(
        "task_inbox_order", lambda: selectors.inbox_page(officer, cursor=dated.next), queries=2
    )
