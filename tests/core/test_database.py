"""On PostgreSQL the platform's repeated statements are prepared on the server."""

from __future__ import annotations

import pytest
from django.db import connection

from onestop.accounts.models import Staff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_a_statement_run_five_times_is_prepared_on_the_server():
    for _ in range(6):
        list(Staff.objects.filter(pk=-1).values_list("pk"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    table = Staff._meta.db_table
    assert any(table in statement for statement in prepared), prepared
