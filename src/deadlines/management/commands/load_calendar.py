from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from deadlines.calendar_admin import YearNotAvailable, load_year
from deadlines.services import recompute_provisional


def _years(text: str) -> list[int]:
    try:
        if "-" in text:
            first, last = (int(x) for x in text.split("-", 1))
            return list(range(first, last + 1))
        return [int(y) for y in text.split(",")]
    except ValueError:
        raise CommandError(f"--years {text!r}: use 2025, 2024-2026 or 2025,2026") from None


class Command(BaseCommand):
    help = ("Load statutory holidays and make-up working days into the working-day calendar "
            "from chinesecalendar (cross-checked with holidays) and mark the years confirmed.")

    def add_arguments(self, parser):
        this_year = timezone.localdate().year
        parser.add_argument("--years", default=f"{this_year - 1}-{this_year + 1}",
                            help="years to load, e.g. 2026 or 2024-2026 (default: last, this and next year)")

    def handle(self, *args, **options):
        missing = []
        for year in _years(options["years"]):
            try:
                report = load_year(year)
            except YearNotAvailable:
                missing.append(year)
                continue
            self.stdout.write(f"{year}: {report.days_off} days off, {report.workdays} make-up working days")
            for note in report.disagreements:
                self.stdout.write(self.style.WARNING(f"  check: {note}"))
        changed = recompute_provisional()
        if changed:
            self.stdout.write(f"recomputed {changed} provisional deadline(s)")
        for year in missing:
            self.stdout.write(self.style.WARNING(
                f"{year}: not in chinesecalendar yet. Enter the State Council's announcement in the admin "
                f"(Deadlines → Calendar days) and add {year} under Confirmed years. Until then deadlines "
                f"reaching {year} count Monday–Friday and are marked provisional."))
