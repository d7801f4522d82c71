"""The dashboard at city scale (bench/, docs/benchmarks.md).

EXPLAIN ANALYZE of the supervisor dashboard on the generated city (2,000,000 closed
deadlines): the on-time rates (closed in the last 6 months) and the 12-week trend (due
in the last 12 weeks) were parallel sequential scans of the whole table, 1.4 s and
0.7 s for a city supervisor; no index can make an aggregate over 500,000 rows cheap.

* ClosedTally: closed deadlines counted by township, local month closed and local day
  due, kept by triggers in the same transaction as any change to a deadline row (an
  INSERT, an UPDATE of status, closed_at, due_at or region_code, a DELETE), on
  PostgreSQL and SQLite alike; existing rows are counted here.
* Covering indexes, so the dashboard's counts read indexes alone: deadline_open_region_idx
  includes id and status (open work per region), the new deadline_overdue_idx is the
  overdue work by due time with region, flow and step (breaches by township, step and
  age: 16,600 overdue in the city, 0.2 s of heap reads before).
* deadline_closed_due_idx: today's closed deadlines by due time, for the part of the
  trend the tally cannot give (due before now on a day not over yet).
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db import migrations, models


def _sqlite_offset() -> str:
    # SQLite has no time zones: the fixed offset of TIME_ZONE (Asia/Shanghai has no DST).
    offset = datetime.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE)).utcoffset()
    return f"{int(offset.total_seconds() // 60):+d} minutes"


def _postgres(tz: str) -> tuple[str, str]:
    township = "substr({r}.region_code, 1, 9) || '000'"
    month = f"date_trunc('month', {{r}}.closed_at AT TIME ZONE '{tz}')::date"
    day = f"({{r}}.due_at AT TIME ZONE '{tz}')::date"
    key = lambda r: (township.format(r=r), month.format(r=r), day.format(r=r))  # noqa: E731
    old, new = key("OLD"), key("NEW")
    forward = f"""
CREATE FUNCTION deadlines_closed_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF OLD.status = 'closed' AND OLD.closed_at IS NOT NULL THEN
      UPDATE deadlines_closedtally
         SET closed = closed - 1, late = late - (OLD.closed_at > OLD.due_at)::int
       WHERE township = {old[0]} AND closed_month = {old[1]} AND due_day = {old[2]};
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF NEW.status = 'closed' AND NEW.closed_at IS NOT NULL THEN
      INSERT INTO deadlines_closedtally (township, closed_month, due_day, closed, late)
      VALUES ({new[0]}, {new[1]}, {new[2]}, 1, (NEW.closed_at > NEW.due_at)::int)
      ON CONFLICT (closed_month, township, due_day) DO UPDATE
         SET closed = deadlines_closedtally.closed + 1, late = deadlines_closedtally.late + EXCLUDED.late;
    END IF;
  END IF;
  RETURN NULL;
END; $$;
CREATE TRIGGER deadlines_closed_tally_insert AFTER INSERT ON deadlines_deadline
  FOR EACH ROW WHEN (NEW.status = 'closed') EXECUTE FUNCTION deadlines_closed_tally();
CREATE TRIGGER deadlines_closed_tally_update AFTER UPDATE OF status, closed_at, due_at, region_code
  ON deadlines_deadline FOR EACH ROW WHEN (OLD.status = 'closed' OR NEW.status = 'closed')
  EXECUTE FUNCTION deadlines_closed_tally();
CREATE TRIGGER deadlines_closed_tally_delete AFTER DELETE ON deadlines_deadline
  FOR EACH ROW WHEN (OLD.status = 'closed') EXECUTE FUNCTION deadlines_closed_tally();
INSERT INTO deadlines_closedtally (township, closed_month, due_day, closed, late)
SELECT {key('d')[0]}, {key('d')[1]}, {key('d')[2]}, count(*), count(*) FILTER (WHERE d.closed_at > d.due_at)
  FROM deadlines_deadline d WHERE d.status = 'closed' AND d.closed_at IS NOT NULL GROUP BY 1, 2, 3;
"""
    reverse = """
DROP TRIGGER IF EXISTS deadlines_closed_tally_insert ON deadlines_deadline;
DROP TRIGGER IF EXISTS deadlines_closed_tally_update ON deadlines_deadline;
DROP TRIGGER IF EXISTS deadlines_closed_tally_delete ON deadlines_deadline;
DROP FUNCTION IF EXISTS deadlines_closed_tally();
"""
    return forward, reverse


def _sqlite(offset: str) -> tuple[list[str], list[str]]:
    def key(r):
        return (f"substr({r}.region_code, 1, 9) || '000'", f"strftime('%Y-%m-01', {r}.closed_at, '{offset}')",
                f"date({r}.due_at, '{offset}')")

    def late(r):
        return f"(julianday({r}.closed_at) > julianday({r}.due_at))"

    old, new = key("OLD"), key("NEW")
    add = (f"INSERT INTO deadlines_closedtally (township, closed_month, due_day, closed, late) "
           f"VALUES ({new[0]}, {new[1]}, {new[2]}, 1, {late('NEW')}) "
           f"ON CONFLICT (closed_month, township, due_day) DO UPDATE "
           f"SET closed = closed + 1, late = late + excluded.late;")
    remove = (f"UPDATE deadlines_closedtally SET closed = closed - 1, late = late - {late('OLD')} "
              f"WHERE township = {old[0]} AND closed_month = {old[1]} AND due_day = {old[2]};")
    columns = "status, closed_at, due_at, region_code"
    forward = [
        f"CREATE TRIGGER deadlines_closed_tally_insert AFTER INSERT ON deadlines_deadline "
        f"WHEN NEW.status = 'closed' AND NEW.closed_at IS NOT NULL BEGIN {add} END;",
        f"CREATE TRIGGER deadlines_closed_tally_remove AFTER UPDATE OF {columns} ON deadlines_deadline "
        f"WHEN OLD.status = 'closed' AND OLD.closed_at IS NOT NULL BEGIN {remove} END;",
        f"CREATE TRIGGER deadlines_closed_tally_add AFTER UPDATE OF {columns} ON deadlines_deadline "
        f"WHEN NEW.status = 'closed' AND NEW.closed_at IS NOT NULL BEGIN {add} END;",
        f"CREATE TRIGGER deadlines_closed_tally_delete AFTER DELETE ON deadlines_deadline "
        f"WHEN OLD.status = 'closed' AND OLD.closed_at IS NOT NULL BEGIN {remove} END;",
        f"INSERT INTO deadlines_closedtally (township, closed_month, due_day, closed, late) "
        f"SELECT {key('d')[0]}, {key('d')[1]}, {key('d')[2]}, count(*), sum({late('d')}) "
        f"FROM deadlines_deadline d WHERE d.status = 'closed' AND d.closed_at IS NOT NULL GROUP BY 1, 2, 3;",
    ]
    reverse = [f"DROP TRIGGER IF EXISTS deadlines_closed_tally_{name};"
               for name in ("insert", "remove", "add", "delete")]
    return forward, reverse


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_postgres(settings.TIME_ZONE)[0])
    elif vendor == "sqlite":
        for statement in _sqlite(_sqlite_offset())[0]:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_postgres(settings.TIME_ZONE)[1])
    elif vendor == "sqlite":
        for statement in _sqlite(_sqlite_offset())[1]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0002_default_policies")]

    operations = [
        migrations.CreateModel(
            name="ClosedTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("township", models.CharField(max_length=12, verbose_name="township")),
                ("closed_month", models.DateField(verbose_name="month closed")),
                ("due_day", models.DateField(verbose_name="day due")),
                ("closed", models.IntegerField(default=0, verbose_name="closed")),
                ("late", models.IntegerField(default=0, verbose_name="closed late")),
            ],
            options={"verbose_name": "closed-deadline tally", "verbose_name_plural": "closed-deadline tallies"},
        ),
        migrations.AddIndex(
            model_name="closedtally",
            index=models.Index(fields=["closed_month", "township"], name="closed_tally_month_idx",
                               include=("closed", "late")),
        ),
        migrations.AddIndex(
            model_name="closedtally",
            index=models.Index(fields=["due_day", "township"], name="closed_tally_due_idx", include=("closed", "late")),
        ),
        migrations.AddConstraint(
            model_name="closedtally",
            constraint=models.UniqueConstraint(fields=("closed_month", "township", "due_day"), name="closed_tally_once"),
        ),
        migrations.RemoveIndex(model_name="deadline", name="deadline_open_region_idx"),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(condition=models.Q(("status", "closed"), _negated=True), fields=["region_code", "due_at"],
                               include=("id", "status"), name="deadline_open_region_idx"),
        ),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(condition=models.Q(("status", "open")), fields=["due_at"],
                               include=("id", "region_code", "flow", "step"), name="deadline_overdue_idx"),
        ),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(condition=models.Q(("status", "closed")), fields=["due_at"],
                               include=("id", "region_code", "closed_at"), name="deadline_closed_due_idx"),
        ),
        migrations.RunPython(forward, reverse),
    ]
