"""Make the ledger and the month sign-offs append-only in the database itself, and
refuse a new entry dated in a signed-off month, against any client.

UPDATE is refused on SQLite and PostgreSQL. DELETE is refused on PostgreSQL only:
Django's test runner empties SQLite tables with DELETE (PostgreSQL uses TRUNCATE,
which fires no row trigger), and the ORM and admin refuse deletes on both.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE TRIGGER funds_ledgerentry_no_update BEFORE UPDATE ON funds_ledgerentry
    BEGIN SELECT RAISE(ABORT, 'reserve-fund ledger entries are append-only'); END;""",
    """CREATE TRIGGER funds_monthlysignoff_no_update BEFORE UPDATE ON funds_monthlysignoff
    BEGIN SELECT RAISE(ABORT, 'a signed-off month cannot be changed'); END;""",
    """CREATE TRIGGER funds_ledgerentry_month_open BEFORE INSERT ON funds_ledgerentry
    WHEN EXISTS (SELECT 1 FROM funds_monthlysignoff s WHERE s.fund_id = NEW.fund_id AND s.month = NEW.month)
    BEGIN SELECT RAISE(ABORT, 'this month of the reserve fund has been signed off'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS funds_ledgerentry_no_update;",
    "DROP TRIGGER IF EXISTS funds_monthlysignoff_no_update;",
    "DROP TRIGGER IF EXISTS funds_ledgerentry_month_open;",
]

POSTGRES_FORWARD = [
    """CREATE FUNCTION funds_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'reserve-fund ledger entries and month sign-offs are append-only'; END; $$;""",
    """CREATE TRIGGER funds_ledgerentry_no_change BEFORE UPDATE OR DELETE ON funds_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION funds_append_only();""",
    """CREATE TRIGGER funds_monthlysignoff_no_change BEFORE UPDATE OR DELETE ON funds_monthlysignoff
    FOR EACH ROW EXECUTE FUNCTION funds_append_only();""",
    """CREATE FUNCTION funds_month_open() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM funds_monthlysignoff s WHERE s.fund_id = NEW.fund_id AND s.month = NEW.month) THEN
        RAISE EXCEPTION 'this month of the reserve fund has been signed off';
      END IF;
      RETURN NEW;
    END; $$;""",
    """CREATE TRIGGER funds_ledgerentry_month_open BEFORE INSERT ON funds_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION funds_month_open();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS funds_ledgerentry_month_open ON funds_ledgerentry;",
    "DROP FUNCTION IF EXISTS funds_month_open();",
    "DROP TRIGGER IF EXISTS funds_monthlysignoff_no_change ON funds_monthlysignoff;",
    "DROP TRIGGER IF EXISTS funds_ledgerentry_no_change ON funds_ledgerentry;",
    "DROP FUNCTION IF EXISTS funds_append_only();",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_FORWARD)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_FORWARD)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_REVERSE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
