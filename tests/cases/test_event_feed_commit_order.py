"""The change feed never skips an event that commits late (PostgreSQL, real connections).

Event ids are drawn at insert. Writer A inserts its events (smaller ids) and holds its
transaction open; writer B inserts later events (larger ids) and commits. A consumer that
reads the feed now must not be handed B's events with a cursor past A's: once A commits,
A's events would lie behind the cursor and never come. The feed waits for A instead (its
horizon), so reading on from the cursor sees every event, A's included.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from onestop.cases import selectors, services, sql
from onestop.cases.models import Case, CaseEvent
from tests.factories.cases import Setup, start_business

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tx_setup(transactional_db) -> Setup:
    return start_business()


def _in_thread(target: Any) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = target()
        except BaseException as exc:  # reported by the test, not lost in the thread
            out["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def _waiting_for_the_horizon() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return cursor.fetchone()[0] > 0


def test_an_event_that_commits_after_a_larger_one_is_not_skipped(tx_setup):
    setup = tx_setup
    late, early = setup.submit(), setup.submit()
    start = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    inserted, release = threading.Event(), threading.Event()

    def writer_a() -> None:  # inserts first (smaller ids), commits last
        with transaction.atomic():
            services.case_accept(case_id=late.pk, clerk=setup.clerk)
            inserted.set()
            assert release.wait(60)

    a, a_out = _in_thread(writer_a)
    assert inserted.wait(60), a_out
    b, b_out = _in_thread(lambda: services.case_accept(case_id=early.pk, clerk=setup.clerk))
    b.join(60)
    assert "error" not in b_out, b_out
    late_ids = set(CaseEvent.objects.filter(case=late, pk__gt=start).values_list("pk", flat=True))
    early_ids = set(CaseEvent.objects.filter(case=early, pk__gt=start).values_list("pk", flat=True))
    assert early_ids and not late_ids  # B's events are visible, A's not yet
    consumer, page_out = _in_thread(lambda: selectors.event_feed(setup.clerk, after_id=start))
    # Let the consumer's read reach the database (it either answers or waits for A), then
    # let A commit. Bounded: a feed that does not wait has answered long before.
    for _ in range(600):
        if not consumer.is_alive() or _waiting_for_the_horizon():
            break
        threading.Event().wait(0.05)
    release.set()
    a.join(60)
    consumer.join(60)
    assert "error" not in a_out and "error" not in page_out, (a_out, page_out)
    first = page_out["value"]
    cursor = first[-1].pk if first else start
    rest = selectors.event_feed(setup.clerk, after_id=cursor)
    seen = [e.pk for e in first + rest]
    late_ids = set(CaseEvent.objects.filter(case=late, pk__gt=start).values_list("pk", flat=True))
    assert late_ids and late_ids <= set(seen), (sorted(late_ids), seen)
    assert early_ids <= set(seen)
    assert seen == sorted(seen)
    assert Case.objects.get(pk=late.pk).accepted_at is not None


def test_the_horizon_is_the_last_committed_event_when_no_writer_is_in_flight(tx_setup):
    tx_setup.submit()
    last = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert sql.event_feed_horizon() == last
    with transaction.atomic():  # a writer's own shared lock does not hold up its own read
        sql.event_writer_enter()
        assert sql.event_feed_horizon() == last
