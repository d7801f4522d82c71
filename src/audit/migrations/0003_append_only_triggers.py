"""Make audit rows append-only in the database itself, against any client.

UPDATE is refused on SQLite and PostgreSQL. DELETE is refused on PostgreSQL only:
Django's test runner empties SQLite tables with DELETE (PostgreSQL uses TRUNCATE,
which fires no row trigger), and the ORM and admin refuse deletes on both.
"""

from django.db import migrations

SQLITE_FORWARD = """
CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS audit_auditevent_no_update;"

POSTGRES_FORWARD = """
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit rows are append-only'; END; $$;
CREATE TRIGGER audit_auditevent_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS audit_auditevent_no_change ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_append_only();
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]
    operations = [migrations.RunPython(forward, reverse)]
