"""Django's SQLite backend, with guard triggers set aside while ``flush`` empties the tables.

Some tables refuse UPDATE and DELETE in the database (the case event log is append-only:
``cases`` migration 0006). ``flush`` — the test runner between transactional tests, and
``onestop flush`` — deletes every row of every table, which such a trigger would refuse; on
PostgreSQL it runs ``TRUNCATE``, which row triggers do not see. Here the statements ``flush``
runs drop the guard triggers of the tables being emptied first and create them again last,
so the guard is back as soon as the tables are empty. Nothing else is changed.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.sqlite3 import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(
        self,
        style: Any,
        tables: list[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if not statements:
            return statements
        guards = self._guard_triggers(tables)
        if not guards:
            return statements
        drop = [f"DROP TRIGGER IF EXISTS {self.quote_name(name)}" for name, _sql in guards]
        return [*drop, *statements, *(sql for _name, sql in guards)]

    def _guard_triggers(self, tables: list[str]) -> list[tuple[str, str]]:
        """The triggers on ``tables`` that abort a statement: (name, CREATE statement)."""
        marks = ", ".join(["%s"] * len(tables))
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"  # noqa: S608
                f" AND tbl_name IN ({marks})",
                list(tables),
            )
            rows = cursor.fetchall()
        return [(name, sql) for name, sql in rows if sql and "RAISE(ABORT" in sql.upper()]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
