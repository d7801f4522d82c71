"""The national defaults of the review rules (《最低生活保障审核确认办法》, 2021): stable
households reviewed yearly, every six months when income is irregular (business or other
income) or a member aged 16–59 without a grade 1–2 disability or serious illness is able
to work; a gradual exit pays up to 6 months; a death is re-checked within 3 months; a
member refusing suitable work 3 times in a row loses their own share. The same for 特困.
Counties change them in the admin with rows of their own."""

import datetime

from django.db import migrations

EFFECTIVE = datetime.date(2021, 1, 1)


def load(apps, schema_editor):
    ReviewRule = apps.get_model("reviews", "ReviewRule")
    defaults = {"months_stable": 12, "months_irregular": 6, "irregular_income_kinds": "business,other",
                "work_age_from": 16, "work_age_under": 60, "unable_disability_grade": 2, "gradual_exit_months": 6,
                "death_recheck_months": 3, "work_refusals_limit": 3}
    for program in ("dibao", "tekun"):
        ReviewRule.objects.get_or_create(program=program, scope="", effective_from=EFFECTIVE, defaults=defaults)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
