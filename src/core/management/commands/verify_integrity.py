"""Check that the data says what it said when it was written (core.integrity): after a
restore from a backup (docs/deploy.md), or at any time. Exits with status 1 when
anything disagrees. Changes nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core import integrity


class Command(BaseCommand):
    @property
    def help(self):
        return _("Check stored files against their SHA-256, the append-only tables' triggers, and every "
                 "balance and total against the rows it sums. Changes nothing.")

    def handle(self, *args, **options):
        report = integrity.run()
        for name, count in report.checked.items():
            self.stdout.write(_("checked %(name)s: %(count)d") % {"name": name, "count": count})
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(_("%(n)d problem(s) found.") % {"n": len(report.problems)})
        self.stdout.write(self.style.SUCCESS(_("No problem found.")))
