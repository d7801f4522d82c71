"""Record a month's CPI for a region: ``record_cpi --scope 3708 --month 2026-11 --cpi 3.6 [--food 6.2]``.
At or above the trigger of the price-subsidy rule in force, the month's price-subsidy
rosters are requested for every county of the region (services.record_cpi)."""

from __future__ import annotations

import datetime
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.errors import Conflict, InvalidInput, NotPermitted

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class Command(BaseCommand):
    help = "Record a month's CPI (year on year, %) for a region prefix; a reading at the trigger makes rosters."

    def add_arguments(self, parser):
        parser.add_argument("--scope", required=True, help="2-, 4- or 6-digit region prefix, e.g. 3708")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--cpi", required=True, help="CPI year on year, %%, e.g. 3.6")
        parser.add_argument("--food", default=None, help="food CPI year on year, %%, e.g. 6.2")
        parser.add_argument("--user", default=None, help="the administrator recording it (default: a superuser)")

    def handle(self, *args, scope, month, cpi, food, user, **options):
        from staff.models import User
        from workflows.rosters import services

        match = MONTH.match(month or "")
        if match is None:
            raise CommandError("--month: give the month as YYYY-MM.")
        actor = (User.objects.filter(username=user).first() if user
                 else User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first())
        if actor is None:
            raise CommandError("No such user (and no active superuser to record the reading as).")
        try:
            with transaction.atomic():
                reading, rosters = services.record_cpi(actor, scope=scope, month=datetime.date(
                    int(match[1]), int(match[2]), 1), cpi_yoy=cpi, food_yoy=food)
        except InvalidInput as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.errors.items())) from None
        except (Conflict, NotPermitted) as exc:
            raise CommandError(exc.message) from None
        if reading.triggered:
            self.stdout.write(f"{reading}: triggered; {len(rosters)} roster(s): "
                              + ", ".join(f"#{r.pk} {r}" for r in rosters))
        else:
            self.stdout.write(f"{reading}: below the trigger; no roster.")
