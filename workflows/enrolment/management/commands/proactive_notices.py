"""Write the proactive notices (救助主动告知) of a region: one letter to every household
whose means test says it qualifies but which has no open or approved case, and was not
told yet. Safe to run again: a household told is not told twice."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.errors import Conflict, InvalidInput
from registry.models import Household
from workflows.enrolment.proactive import eligible_without_case, issue_proactive_notice

PROGRESS_EVERY = 50


class Command(BaseCommand):
    @property
    def help(self):
        return _("Write a proactive notice to every household of a region whose means test says it qualifies for "
                 "the program but which has not applied. Running it again writes to no household twice.")

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help=_("Region code or prefix, e.g. 370811."))
        parser.add_argument("--program", default="dibao", choices=["dibao", "tekun"])
        parser.add_argument("--on", type=datetime.date.fromisoformat, default=None,
                            help=_("Day of the means test (YYYY-MM-DD; default today)."))
        parser.add_argument("--dry-run", action="store_true", help=_("List the households, write nothing."))

    def handle(self, *args, **options):
        region, program, dry = options["region"], options["program"], options["dry_run"]
        found = issued = skipped = 0
        try:
            results = eligible_without_case(region, program, options["on"])
            for result in results:
                found += 1
                household = Household.objects.select_related("region").get(pk=result.household_id)
                line = _("household %(id)d (%(village)s): per-capita income %(income)s, standard %(standard)s, "
                         "about %(amount)s a month") % {
                    "id": household.pk, "village": household.region.name, "income": result.per_capita_income,
                    "standard": result.standard, "amount": result.monthly_amount}
                if dry:
                    self.stdout.write(_("would write to %(line)s") % {"line": line})
                    continue
                try:
                    issue_proactive_notice(None, household, program, result=result)
                except Conflict as exc:  # a case was opened, or a letter written, since the search
                    skipped += 1
                    self.stdout.write(_("skipped %(line)s: %(why)s") % {"line": line, "why": exc})
                    continue
                issued += 1
                if options["verbosity"] >= 2 or issued % PROGRESS_EVERY == 0:
                    self.stdout.write(_("… %(n)d written (%(line)s)") % {"n": issued, "line": line})
        except InvalidInput as exc:
            raise CommandError(" ".join(str(m) for messages in exc.errors.values() for m in messages)) from None
        if dry:
            self.stdout.write(self.style.SUCCESS(
                _("%(n)d households would be told that they may apply (dry run, nothing written).") % {"n": found}))
        else:
            self.stdout.write(self.style.SUCCESS(
                _("%(n)d proactive notices written, %(s)d skipped.") % {"n": issued, "s": skipped}))
