"""The national rule as a row administrators change per region and date: a person
supported as extremely poor (特困) is not also given the minimum living guarantee (低保)
at the same time. A county that allows it adds its own row with ``forbidden`` unticked."""

import datetime

from django.db import migrations

FROM = datetime.date(2021, 1, 1)


def load(apps, schema_editor):
    BenefitExclusion = apps.get_model("guard", "BenefitExclusion")
    BenefitExclusion.objects.get_or_create(scope="", program="dibao", other_program="tekun", effective_from=FROM,
                                           defaults={"forbidden": True})


class Migration(migrations.Migration):
    dependencies = [("guard", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
