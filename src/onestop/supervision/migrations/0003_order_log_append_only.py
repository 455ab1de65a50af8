"""The 督办 log is append-only in the database too: UPDATE and DELETE are refused.

The same construction as the case event log (cases 0006): a trigger on each backend raises
an error for any UPDATE or DELETE of a row of ``supervision_orderevent``; ``flush`` sets the
SQLite triggers aside (``onestop.core.db``), PostgreSQL flushes with TRUNCATE. ``onestop
supervision verify`` still walks the chains, so an edit made with the trigger dropped shows.
"""

from django.db import migrations

TABLE = "supervision_orderevent"
MESSAGE = "supervision_orderevent is append-only: order steps are never updated or deleted"

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION onestop_order_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER onestop_order_event_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION onestop_order_event_append_only();
"""
POSTGRES_BACKWARD = f"""
DROP TRIGGER IF EXISTS onestop_order_event_append_only ON {TABLE};
DROP FUNCTION IF EXISTS onestop_order_event_append_only();
"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER IF NOT EXISTS onestop_order_event_no_update BEFORE UPDATE ON {TABLE}"
    f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER IF NOT EXISTS onestop_order_event_no_delete BEFORE DELETE ON {TABLE}"
    f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS onestop_order_event_no_update",
    "DROP TRIGGER IF EXISTS onestop_order_event_no_delete",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0002_seed_rules")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
