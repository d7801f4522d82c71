"""Fill an empty (or earlier seeded) database with the demo city. Safe to run again."""

from __future__ import annotations

import argparse
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from registry.demo import DEFAULT_HOUSEHOLDS, DEFAULT_SEED, DEMO_PASSWORD, DemoSeedError, seed_demo, totals


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = ["  ".join(_pad(c, w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return lines


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_("%(value)s is not a whole number.") % {"value": value}) from None
    if number < 0:
        raise argparse.ArgumentTypeError(_("The number cannot be negative."))
    return number


class Command(BaseCommand):
    @property
    def help(self):
        # Translated when shown, in the language active then (argparse cannot take lazy text).
        return _(
            "Load the demo city: Jining's counties, townships and villages in 任城区 and 兖州区, staff logins for "
            "every role, and synthetic households. Running it again creates nothing that is already there."
        )

    def add_arguments(self, parser):
        parser.add_argument("--households", type=_positive, default=DEFAULT_HOUSEHOLDS, help=_(
            "Number of households to synthesise (default %(default)s)."))
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=_(
            "Random seed; the same seed gives the same households (default %(default)s)."))
        parser.add_argument("--allow-secure-site", action="store_true", help=_(
            "Seed even though DJANGO_SECURE is on, e.g. on a public demonstration server."))

    def handle(self, *args, **options):
        if getattr(settings, "SECURE", False) and not options["allow_secure_site"]:
            # The demo logins, a superuser among them, share a published password.
            raise CommandError(_(
                "DJANGO_SECURE is on, so this looks like a production site; the demo logins, including a "
                "superuser, have the published password %(password)s. Use --allow-secure-site only for a "
                "demonstration server without real data.") % {"password": DEMO_PASSWORD})
        def progress(done, total):
            if options["verbosity"] >= 2:
                self.stderr.write(_("… %(done)d of %(total)d households") % {"done": done, "total": total})

        try:
            report = seed_demo(options["households"], options["seed"], progress=progress)
        except DemoSeedError as exc:
            raise CommandError(str(exc)) from None
        except InvalidInput as exc:
            # A generated household the registry refused: a bug in the generator, not in the input.
            raise CommandError(_("A demo household was refused, nothing was written: %(errors)s") % {
                "errors": exc.errors}) from None

        r = report.regions
        out = self.stdout.write
        out(self.style.SUCCESS(_("Demo city ready in %(s).1f s.") % {"s": report.seconds}))
        out(_("Regions: %(c)d created, %(u)d updated, %(n)d unchanged.") % {
            "c": len(r.created), "u": len(r.updated), "n": len(r.unchanged)})
        out(_("Staff: %(c)d created, %(u)d updated, %(n)d unchanged.") % {
            "c": report.staff_created, "u": report.staff_updated, "n": report.staff_unchanged})
        out(_("Households: %(c)d created (%(p)d people, %(i)d incomes, %(a)d assets), %(s)d already present.") % {
            "c": report.households_created, "p": report.people_created, "i": report.incomes_created,
            "a": report.assets_created, "s": report.households_skipped})
        out("")
        for line in table((_("Username"), _("Role"), _("Region")), report.logins):
            out(line)
        out("")
        out(_("Also cw_<township> and th_<township> in every township (e.g. cw_370811001), "
              "cr_, cf_ and sv_<county> in each of the two counties (e.g. sv_370812)."))
        out(_("Password of every demo login: %(password)s") % {"password": DEMO_PASSWORD})
        self._seed_cases(out)
        # Counted after the cases: the 低保 and 特困 demos register households of their own.
        t = totals()
        out(_("In the demo villages now: %(h)d households, %(p)d people, %(i)d incomes, %(a)d assets; "
              "%(s)d demo staff accounts.") % {
            "h": t["households"], "p": t["people"], "i": t["incomes"], "a": t["assets"], "s": t["staff"]})

    def _seed_cases(self, out):
        from core import programs
        from registry.demo import demo_map

        township = demo_map().townships[0][0]
        # The programs' demos first: some register households of their own (低保 and 特困),
        # and the other demos (home-visit plans) must see every household on the first run,
        # or a rerun would add what the first missed.
        for spec in sorted(programs.flows(), key=lambda spec: not spec.is_program):
            if spec.demo is not None:
                out(spec.demo(township))
        # The statistics of the last twelve months, from what the demos just wrote: the pages
        # are not empty before the hourly job first runs. Called by name: the command lives in
        # a program folder, above this app.
        from django.core.management import call_command, get_commands

        if "refresh_statistics" in get_commands():
            call_command("refresh_statistics", stdout=self.stdout)
