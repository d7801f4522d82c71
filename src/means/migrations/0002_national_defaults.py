"""The national defaults of the 2021 rules, everywhere from 2021: no work-cost deduction
(allowed, amount set locally: DOMAIN.md), near-dibao below 1.5 × the standard, the
extreme-poverty basic standard 1.3 × the dibao standard, individual coverage for
disability grades 1–2 (1–3 intellectual or mental). The national rules set no asset
limits: they are left empty (no limit) for each province or county to add as its own
row, never invented here."""

import datetime
from decimal import Decimal

from django.db import migrations

FROM = datetime.date(2021, 1, 1)


def load(apps, schema_editor):
    MeansRule = apps.get_model("means", "MeansRule")
    MeansRule.objects.get_or_create(scope="", effective_from=FROM, defaults={
        "work_cost": "none", "near_dibao_multiple": Decimal("1.50"), "tekun_multiple": Decimal("1.30"),
        "financial_asset_months": None, "max_vehicles": None, "max_houses": None,
        "individual_max_grade": 2, "individual_max_grade_mental": 3})


class Migration(migrations.Migration):
    dependencies = [("means", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
