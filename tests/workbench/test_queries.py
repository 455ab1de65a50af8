"""The queue, the inbox and the hand-out list cost the same number of queries at 3 rows and at 10."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onestop.cases import services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_steady")]


def count(client, url):
    client.get(url)  # warm the per-process caches (calendar snapshot, session)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_window_queue_queries_do_not_grow_with_rows(setup, as_user, django_assert_max_num_queries):
    client = as_user(setup.clerk)
    url = reverse("workbench:window_queue")
    for _ in range(3):
        setup.submit()
    three = count(client, url)
    for _ in range(7):
        setup.submit()
    ten = count(client, url)
    assert three == ten
    with django_assert_max_num_queries(three):
        assert client.get(url).content.decode().count("/desk/window/cases/") == 20


def test_inbox_queries_do_not_grow_with_rows(setup, as_user, django_assert_max_num_queries):
    officer = setup.officers["licence"]
    client = as_user(officer)
    url = reverse("workbench:inbox")
    cases = [setup.accepted() for _ in range(3)]
    services.task_claim(task_id=setup.task(cases[0], "licence").pk, officer=officer)
    three = count(client, url)
    cases += [setup.accepted() for _ in range(7)]
    services.task_claim(task_id=setup.task(cases[5], "licence").pk, officer=officer)
    ten = count(client, url)
    assert three == ten
    with django_assert_max_num_queries(three):
        assert client.get(url).content.decode().count('id="task-row-') == 10


def test_chief_inbox_with_extensions_does_not_grow_with_rows(setup, as_user):
    chief = setup.chief
    client = as_user(chief)
    url = reverse("workbench:inbox")

    def extended(n):
        for _ in range(n):
            case = setup.accepted()
            task = setup.task(case, "licence")
            services.task_claim(task_id=task.pk, officer=chief)
            services.extension_request(task_id=task.pk, officer=chief, days=2, reason="征求意见")

    extended(3)
    three = count(client, url)
    extended(7)
    assert count(client, url) == three


def test_handout_queries_do_not_grow_with_rows(setup, as_user):
    client = as_user(setup.clerk)
    url = reverse("workbench:handout")
    for _ in range(3):
        setup.completed()
    three = count(client, url)
    for _ in range(7):
        setup.completed()
    assert count(client, url) == three
