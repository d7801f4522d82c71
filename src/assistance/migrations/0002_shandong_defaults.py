"""Default rules: the Shandong township direct-approval limit (3,000 yuan) and the
amount bands in DOMAIN.md, as rows administrators change per county and date.
The dibao standards are illustrative Jining 2026 figures and must be confirmed
locally before production use."""

import datetime
from decimal import Decimal

from django.db import migrations

FROM = datetime.date(2021, 1, 1)
BANDS = [  # cause, min ×, max ×, max yuan
    ("major_illness", "3", "12", None),
    ("school", "3", "6", None),
    ("minor_emergency", None, None, "1000"),
]


def _rule_model(apps, name):
    # Here at this migration's state; in the temporary program's app once moved there
    # (tests reload these defaults with the current models).
    try:
        return apps.get_model("assistance", name)
    except LookupError:
        return apps.get_model("temporary", name)


def load(apps, schema_editor):
    AssistanceRule = _rule_model(apps, "AssistanceRule")
    DibaoStandard = apps.get_model("assistance", "DibaoStandard")
    AmountBand = _rule_model(apps, "AmountBand")
    AssistanceRule.objects.get_or_create(scope="37", effective_from=FROM, defaults={
        "township_limit": Decimal("3000.00"), "repeat_period_days": 365, "max_instalments": 6})
    AssistanceRule.objects.get_or_create(scope="", effective_from=FROM, defaults={
        "township_limit": Decimal("1000.00"), "repeat_period_days": 365, "max_instalments": 6})
    for registration, amount in (("urban", "1000.00"), ("rural", "820.00")):
        DibaoStandard.objects.get_or_create(scope="3708", registration=registration, effective_from=FROM,
                                            defaults={"monthly_amount": Decimal(amount)})
    for cause, low, high, cap in BANDS:
        AmountBand.objects.get_or_create(scope="", cause_category=cause, effective_from=FROM, defaults={
            "min_multiple": Decimal(low) if low else None, "max_multiple": Decimal(high) if high else None,
            "max_amount": Decimal(cap) if cap else None})


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
