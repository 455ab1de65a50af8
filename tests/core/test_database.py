"""On PostgreSQL the platform's repeated statements are prepared on the server — except
behind PgBouncer in transaction mode (``ONESTOP_DB_POOLER=pgbouncer``), where a prepared
statement would be left on a server connection that the next transaction may not get."""

from __future__ import annotations

import pytest
from django.db import connection

from onestop.accounts.models import Staff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

POOLED = connection.settings_dict["ENGINE"] == "onestop.core.db.postgresql"


def _prepared_after_six_runs() -> list[str]:
    for _ in range(6):
        list(Staff.objects.filter(pk=-1).values_list("pk"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(POOLED, reason="behind PgBouncer nothing is prepared (the test below)")
def test_a_statement_run_five_times_is_prepared_on_the_server():
    prepared = _prepared_after_six_runs()
    table = Staff._meta.db_table
    assert any(table in statement for statement in prepared), prepared


@pytest.mark.skipif(not POOLED, reason="only behind PgBouncer (ONESTOP_DB_POOLER=pgbouncer)")
def test_behind_pgbouncer_nothing_is_prepared_on_the_server():
    assert _prepared_after_six_runs() == []
    assert connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True
