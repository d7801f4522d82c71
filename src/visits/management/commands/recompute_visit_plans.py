from django.core.management.base import BaseCommand, CommandError

from regions.codes import within
from regions.models import Region
from registry.models import Person
from visits import services


class Command(BaseCommand):
    help = "Recompute home-visit plans from the tier rules (everyone, a region, or recently edited people)."

    def add_arguments(self, parser):
        parser.add_argument("--region", help="only people of this region code and below")
        parser.add_argument("--changed-minutes", type=int,
                            help="only people registered or edited in the last N minutes")
        parser.add_argument("--no-generate", action="store_true", help="do not generate visits for new plans")

    def handle(self, *args, region=None, changed_minutes=None, no_generate=False, **options):
        if changed_minutes is not None and region:
            raise CommandError("Give --region or --changed-minutes, not both.")
        persons = None
        if region:
            place = Region.objects.filter(code=region).first()
            if place is None:
                raise CommandError(f"No region with the code {region}.")
            persons = Person.objects.filter(within("household__region__code", place.code, place.level))
        if changed_minutes is not None:
            report = services.recompute_changed(minutes=changed_minutes)
        else:
            report = services.recompute_plans(persons, generate=not no_generate)
        self.stdout.write(f"examined {report.examined}, new {len(report.created)}, changed {len(report.changed)}, "
                          f"ended {len(report.ended)}, visits generated {report.visits_created}")
