"""The long lists come in pages by keyset: every row once, in the list's order, at any depth."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onestop.cases import selectors, services
from onestop.cases.models import ItemTask
from onestop.core import clock, paging
from onestop.core.paging import CursorInvalid


def _walk(fetch) -> list[int]:
    seen, cursor = [], ""
    while True:
        page = fetch(cursor)
        seen += [row.pk for row in page.rows]
        if not page.next:
            return seen
        cursor = page.next


def test_the_inbox_pages_walk_every_task_once_in_urgency_order_with_ties_and_no_dues(setup):
    cases = [setup.accepted() for _ in range(4)]
    officer = setup.officers["licence"]
    tasks = list(ItemTask.objects.filter(case__in=cases, department=officer.department))
    # Ties on the due date, and two tasks with none (they come last).
    same = clock.now() + dt.timedelta(days=3)
    ItemTask.objects.filter(pk__in=[t.pk for t in tasks[:2]]).update(due_at=same)
    ItemTask.objects.filter(pk__in=[t.pk for t in tasks[2:]]).update(due_at=None)
    expected = [t.pk for t in selectors.inbox_for(officer)]
    for limit in (1, 2, 3, 50):
        walked = _walk(lambda c, n=limit: selectors.inbox_page(officer, cursor=c, limit=n))
        assert walked == expected


def test_the_queue_and_an_applicants_cases_walk_every_case_once(setup):
    made = []
    for day in (2, 2, 3, 4, 4):  # ties on the submission time of a frozen clock
        with clock.frozen(dt.datetime(2026, 3, day, 10, tzinfo=clock.SHANGHAI)):
            made.append(setup.submit())
    queue = _walk(lambda c: selectors.window_queue_page(setup.clerk, cursor=c, limit=2))
    assert queue == [c.pk for c in selectors.window_queue(setup.clerk)]
    assert sorted(queue) == sorted(c.pk for c in made)
    mine = _walk(lambda c: selectors.applicant_cases_page(setup.applicant, cursor=c, limit=2))
    assert mine == [c.pk for c in selectors.case_list_for_applicant(setup.applicant)]


@pytest.mark.parametrize("cursor", ["x", "bm90IGpzb24", "WzEsMl0", "WyJub3QgYSBkYXRlIiwgMV0"])
def test_a_cursor_not_made_here_is_refused_and_the_page_shows_the_first(setup, client, cursor):
    case = setup.submit()
    with pytest.raises(CursorInvalid):
        selectors.window_queue_page(setup.clerk, cursor=cursor)
    client.force_login(setup.clerk.user)
    response = client.get(reverse("workbench:window_queue"), {"after": cursor})
    assert response.status_code == 200
    assert case.number in response.content.decode()


def test_the_pages_show_a_page_and_a_link_to_the_next(setup, client, monkeypatch):
    monkeypatch.setattr(paging, "PAGE_ROWS", 2)
    cases = [setup.submit() for _ in range(3)]
    client.force_login(setup.clerk.user)
    first = client.get(reverse("workbench:window_queue")).content.decode()
    assert cases[0].number in first and cases[2].number not in first
    link = first.split('id="pager-next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(link).content.decode()
    assert cases[2].number in second and cases[0].number not in second

    for case in cases:
        services.case_accept(case_id=case.pk, clerk=setup.clerk)
    client.force_login(setup.officers["licence"].user)
    inbox = client.get(reverse("workbench:inbox")).content.decode()
    assert 'id="pager-next"' in inbox
    client.force_login(setup.applicant.user)
    mine = client.get(reverse("portal:my_cases")).content.decode()
    assert cases[2].number in mine and cases[0].number not in mine and 'id="pager-next"' in mine
