"""Django's PostgreSQL backend for a connection through PgBouncer in transaction mode.

Only the test database's removal differs: PgBouncer keeps idle server connections to the
test database after Django has closed its own, so a plain ``DROP DATABASE`` is refused
("being accessed by other users"). ``WITH (FORCE)`` (PostgreSQL 13+) ends them first;
PgBouncer opens new ones when a client next asks. Chosen by ``ONESTOP_DB_POOLER=pgbouncer``
(config/settings.py), which also turns prepared statements and server-side cursors off.
"""

from __future__ import annotations

from django.db.backends.postgresql import base, creation


class DatabaseCreation(creation.DatabaseCreation):
    def _destroy_test_db(self, test_database_name: str, verbosity: int) -> None:
        name = self.connection.ops.quote_name(test_database_name)
        with self._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE {name} WITH (FORCE)")


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
