"""What a docking system needs: a staff search paged by cursor, lookups, and a change feed."""

from __future__ import annotations

import datetime as dt

from onestop.cases import services
from onestop.cases.states import CaseState
from onestop.core import clock
from tests.cases.api.conftest import assert_problem


def _numbers(body) -> list[str]:
    return [row["number"] for row in body["items"]]


def test_search_pages_by_cursor_newest_first_without_a_count(setup, people):
    cases = [setup.submit() for _ in range(5)]
    api = people.api("clerk")
    first = api.get("/api/cases?limit=2").json()
    assert "count" not in first
    assert _numbers(first) == [cases[4].number, cases[3].number]
    second = api.get(f"/api/cases?limit=2&cursor={first['next']}").json()
    assert _numbers(second) == [cases[2].number, cases[1].number]
    last = api.get(f"/api/cases?limit=2&cursor={second['next']}").json()
    assert _numbers(last) == [cases[0].number] and last["next"] is None


def test_search_filters_combine(setup, people):
    with clock.frozen(dt.datetime(2026, 3, 2, 10, tzinfo=clock.SHANGHAI)):
        old = setup.submit()
    with clock.frozen(dt.datetime(2026, 3, 9, 10, tzinfo=clock.SHANGHAI)):
        accepted = setup.accepted()
        waiting = setup.submit()
    api = people.api("clerk")
    assert _numbers(api.get(f"/api/cases?number={old.number}").json()) == [old.number]
    by_state = api.get("/api/cases?state=in_progress&state=submitted").json()
    assert set(_numbers(by_state)) == {old.number, accepted.number, waiting.number}
    only_new = api.get("/api/cases?submitted_from=2026-03-09&submitted_to=2026-03-09").json()
    assert set(_numbers(only_new)) == {accepted.number, waiting.number}
    code = setup.package.package.code
    assert len(_numbers(api.get(f"/api/cases?item_code={code}").json())) == 3
    identifier = setup.applicant.identifier
    assert len(_numbers(api.get(f"/api/cases?applicant={identifier}").json())) == 3
    with clock.frozen(dt.datetime(2026, 6, 1, 10, tzinfo=clock.SHANGHAI)):
        late = api.get("/api/cases?overdue=true").json()
    assert _numbers(late) == [accepted.number]


def test_changed_since_finds_cases_with_an_event_since(setup, people):
    with clock.frozen(dt.datetime(2026, 3, 2, 10, tzinfo=clock.SHANGHAI)):
        quiet, busy = setup.submit(), setup.submit()
    with clock.frozen(dt.datetime(2026, 3, 5, 10, tzinfo=clock.SHANGHAI)):
        services.case_accept(case_id=busy.pk, clerk=setup.clerk)
    body = people.api("clerk").get("/api/cases?updated_since=2026-03-04T00:00:00%2B08:00").json()
    assert _numbers(body) == [busy.number]
    assert quiet.number not in _numbers(body)


def test_the_search_sees_only_the_callers_scope_and_refuses_applicants(setup, people):
    setup.submit()
    assert people.api("clerk_out").get("/api/cases").json()["items"] == []
    assert_problem(people.api("owner").get("/api/cases"), 403)


def test_bad_filters_and_cursors_are_422(setup, people):
    api = people.api("clerk")
    assert_problem(api.get("/api/cases?cursor=not-ours!"), 422)
    assert_problem(api.get("/api/cases?state=flying"), 422)
    assert_problem(api.get("/api/cases?limit=1000"), 422)
    assert_problem(api.get("/api/cases?region=43x"), 422)
    assert_problem(api.get("/api/events?cursor=%%%"), 422)


def test_lookup_by_number_and_a_task_by_id(setup, people):
    case = setup.accepted()
    api = people.api("officer")
    body = api.get(f"/api/cases/by-number/{case.number}").json()
    assert body["id"] == case.pk and body["state"] == CaseState.IN_PROGRESS
    task = setup.task(case, "licence")
    detail = api.get(f"/api/tasks/{task.pk}").json()
    assert detail["id"] == task.pk and "claim" in detail["actions"]
    assert detail["due"]["legal_due_at"] is not None
    assert_problem(people.api("officer_other").get(f"/api/tasks/{task.pk}"), 404)
    assert_problem(people.api("clerk_out").get(f"/api/cases/by-number/{case.number}"), 404)


def test_the_feed_tells_every_change_once_in_order_from_a_cursor(setup, people):
    api = people.api("clerk")
    start = api.get("/api/events").json()
    assert start["items"] == []
    case = setup.submit()
    page = api.get(f"/api/events?cursor={start['next']}").json()
    assert [(e["case_number"], e["kind"]) for e in page["items"]] == [(case.number, "submitted")]
    services.case_accept(case_id=case.pk, clerk=setup.clerk)
    more = api.get(f"/api/events?cursor={page['next']}").json()
    kinds = [e["kind"] for e in more["items"]]
    assert kinds[0] == "accepted" and "submitted" not in kinds
    assert [e["id"] for e in more["items"]] == sorted(e["id"] for e in more["items"])
    again = api.get(f"/api/events?cursor={more['next']}").json()
    assert again["items"] == [] and again["next"] == more["next"]
    # Another region's clerk hears nothing of it.
    assert people.api("clerk_out").get("/api/events").json()["items"] == []
