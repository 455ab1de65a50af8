"""The event log is append-only in the database too: UPDATE and DELETE are refused.

A trigger on each backend raises an error for any UPDATE or DELETE of a row of
``cases_caseevent``, whoever sends it (the application, a console, another program).
``onestop audit verify`` still walks the hash chains, so an edit made by someone who first
dropped the trigger is detected. ``flush`` (tests, ``onestop flush``) empties every table:
the backends in ``onestop.core.db`` set the trigger aside for that statement list only.
"""

from django.db import migrations

TABLE = "cases_caseevent"
MESSAGE = "cases_caseevent is append-only: events are never updated or deleted"

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION onestop_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER onestop_event_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION onestop_event_append_only();
"""
POSTGRES_BACKWARD = f"""
DROP TRIGGER IF EXISTS onestop_event_append_only ON {TABLE};
DROP FUNCTION IF EXISTS onestop_event_append_only();
"""


def sqlite_triggers() -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS onestop_event_no_update BEFORE UPDATE ON {TABLE}"
        f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        f"CREATE TRIGGER IF NOT EXISTS onestop_event_no_delete BEFORE DELETE ON {TABLE}"
        f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    ]


SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS onestop_event_no_update",
    "DROP TRIGGER IF EXISTS onestop_event_no_delete",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for statement in sqlite_triggers():
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_originals_verified")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
