"""Compute the program statistics again for a region and a run of months (the nightly and
hourly beat jobs do the recent months by themselves)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from regions.models import Region
from workflows.enrolment.benefits import add_months, parse_month
from workflows.reporting.refresh import refresh_month, top_regions


class Command(BaseCommand):
    help = "Compute the monthly program statistics from the records (every top region unless --region)."

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="a region's 12-digit code (default: every top region)")
        parser.add_argument("--from", dest="first", default="", help="first month, YYYY-MM (default: 11 months ago)")
        parser.add_argument("--to", dest="last", default="", help="last month, YYYY-MM (default: this month)")

    def handle(self, *args, region="", first="", last="", **options):
        this_month = timezone.localdate().replace(day=1)
        try:
            last_month = parse_month(last) if last else this_month
            first_month = parse_month(first) if first else add_months(last_month, -11)
        except ValueError:
            raise CommandError(_("Give months as YYYY-MM.")) from None
        if first_month > last_month:
            raise CommandError(_("The first month is after the last."))
        if region and not Region.objects.filter(code=region).exists():
            raise CommandError(_("No region with the code %(code)s.") % {"code": region})
        codes = [region] if region else top_regions()
        rows, month = 0, first_month
        while month <= min(last_month, this_month):
            for code in codes:
                rows += refresh_month(code, month)
            month = add_months(month, 1)
        self.stdout.write(_("Statistics computed from %(first)s to %(last)s: %(rows)s rows.")
                          % {"first": f"{first_month:%Y-%m}", "last": f"{min(last_month, this_month):%Y-%m}",
                             "rows": rows})
