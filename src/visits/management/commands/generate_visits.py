import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from visits import services


class Command(BaseCommand):
    help = "Mark passed windows as missed and generate visits ahead (what the beat job does)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="generate this many days ahead (default VISIT_GENERATE_AHEAD_DAYS)")

    def handle(self, *args, days=None, **options):
        now = timezone.now()
        missed = services.mark_missed(now)
        until = now + datetime.timedelta(days=days) if days is not None else None
        report = services.generate_visits(now=now, until=until)
        self.stdout.write(f"missed {missed}, plans {report.plans}, visits generated {report.created}")
