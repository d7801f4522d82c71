"""Instalment.source becomes a choice (reserve_fund, county_transfer). The service wrote
"county" for county transfers while the page looked for "county_transfer", so those
rows showed the raw code: they are renamed to the choice."""

from django.db import migrations, models


def county_is_county_transfer(apps, schema_editor):
    Instalment = apps.get_model("assistance", "Instalment")
    Instalment.objects.filter(source="county").update(source="county_transfer")


class Migration(migrations.Migration):

    dependencies = [
        ("assistance", "0005_money_columns_numeric_14_2"),
    ]

    operations = [
        migrations.AlterField(
            model_name="instalment",
            name="source",
            field=models.CharField(blank=True, choices=[("reserve_fund", "Reserve fund"), ("county_transfer", "County transfer")], max_length=20, verbose_name="paid from"),
        ),
        migrations.RunPython(county_is_county_transfer, migrations.RunPython.noop),
    ]
