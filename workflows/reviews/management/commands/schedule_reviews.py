"""Open the periodic reviews that are due (the daily beat task does the same)."""

import re

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflows.reviews.services import schedule_due

PREFIX = re.compile(r"^\d{2,12}$")


class Command(BaseCommand):
    help = "Open a periodic review for every ongoing 低保/特困 case that is due and has none open."

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="a region code or its prefix (digits)")
        parser.add_argument("--dry-run", action="store_true", help="list the cases that are due; open nothing")

    def handle(self, *args, region="", dry_run=False, **options):
        if region and not PREFIX.match(region):
            raise CommandError(_("Give a region code or its prefix (digits only)."))
        cases = schedule_due(region_prefix=region, dry_run=dry_run)
        message = (_("%(n)s cases are due for review (nothing opened).") if dry_run
                   else _("%(n)s reviews opened.")) % {"n": len(cases)}
        self.stdout.write(message)
        for case_id in cases:
            self.stdout.write(f"  #{case_id}")
