"""Run the early-warning rules now (the nightly task does the same), for a region and day."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflows.monitoring import services
from workflows.monitoring.models import Rule


class Command(BaseCommand):
    help = "Run the early-warning rules and raise warnings with deadlines in the townships' queues."

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="A region code prefix (default: everywhere).")
        parser.add_argument("--on", default="", help="The day to scan as of (YYYY-MM-DD; default: today).")
        parser.add_argument("--rule", action="append", choices=Rule.values, help="Only this rule (repeatable).")

    def handle(self, *args, region, on, rule, **options):
        if region and not region.isdigit():
            raise CommandError("--region must be digits (a region code or its prefix).")
        try:
            day = datetime.date.fromisoformat(on) if on else None
        except ValueError:
            raise CommandError("--on must be a date, YYYY-MM-DD.") from None
        run = services.scan(day, region, rules=rule)
        for code, count in run.raised.items():
            self.stdout.write(f"{Rule(code).label}: {count}")
        self.stdout.write(self.style.SUCCESS(_("Warnings raised: %(n)d") % {"n": run.total_raised}))
