"""Import another department's list (Excel or CSV) as a given user: all rows or none."""

import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.errors import InvalidInput, NotPermitted
from workflows.monitoring import lists
from workflows.monitoring.models import Department, ImportStatus


class Command(BaseCommand):
    help = "Import a department's list (medical, disability, unemployment, death) from .xlsx or .csv."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--department", required=True, choices=Department.values)
        parser.add_argument("--user", required=True, help="The importing user's username (their region applies).")
        parser.add_argument("--as-of", default="", help="The day the list is dated (YYYY-MM-DD; default today).")

    def handle(self, *args, file, department, user, as_of, **options):
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"No user {user!r}.")
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise CommandError("--as-of must be a date, YYYY-MM-DD.") from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}.")
        try:
            report = lists.import_list(actor, department, path.read_bytes(), file_name=path.name, as_of=day)
        except (InvalidInput, NotPermitted) as exc:
            raise CommandError(str(getattr(exc, "errors", exc))) from None
        if report.status == ImportStatus.REJECTED:
            for error in report.errors[:50]:
                self.stderr.write(f"row {error['row']}: {error.get('id', '')} {error['error']}")
            raise CommandError(f"Rejected: {report.error_count} row(s); nothing imported.")
        self.stdout.write(self.style.SUCCESS(
            f"Imported {report.rows} rows: {report.matched} matched, {report.unmatched} not registered, "
            f"{report.outside} outside the region."))
