"""The national defaults of the enrolment rules (2021): the first-review opinion is posted
for 7 calendar days, names are masked to their first and last character, confirmation is
the county's; 特困: unable to work at 60 or over or under 16, or with an intellectual or
mental disability of grade 1–3, physical 1–2 or visual 1; the county spot-checks at least
30 % of cases. Counties change them in the admin with rows of their own."""

import datetime
from decimal import Decimal

from django.db import migrations

EFFECTIVE = datetime.date(2021, 1, 1)


def load(apps, schema_editor):
    EnrolmentRule = apps.get_model("enrolment", "EnrolmentRule")
    common = {"scope": "", "effective_from": EFFECTIVE, "keeps_notice": True, "notice_days": 7,
              "name_masking": "middle", "delegated": False}
    EnrolmentRule.objects.get_or_create(program="dibao", scope="", effective_from=EFFECTIVE, defaults=common)
    EnrolmentRule.objects.get_or_create(program="tekun", scope="", effective_from=EFFECTIVE, defaults={
        **common, "unable_age_from": 60, "unable_age_under": 16, "unable_grade_mental": 3,
        "unable_grade_physical": 2, "unable_grade_visual": 1, "spot_check_share": Decimal("0.300")})


class Migration(migrations.Migration):
    dependencies = [("enrolment", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
