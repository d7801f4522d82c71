"""Each income and asset row gets the household of its member, and the kinds take API.md's
names: agriculture → farming, transfer → other, veterans_benefit → veteran_benefit,
real_estate → house. Amounts and dates are not touched."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

INCOME_KINDS = {"agriculture": "farming", "transfer": "other", "veterans_benefit": "veteran_benefit"}
ASSET_KINDS = {"real_estate": "house"}


def fill(apps, schema_editor):
    Person = apps.get_model("registry", "Person")
    member_household = Subquery(Person.objects.filter(pk=OuterRef("person_id")).values("household_id")[:1])
    for name, renames in (("Income", INCOME_KINDS), ("Asset", ASSET_KINDS)):
        model = apps.get_model("registry", name)
        model.objects.filter(household__isnull=True).update(household_id=member_household)
        for old, new in renames.items():
            model.objects.filter(kind=old).update(kind=new)


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_income_asset_household_and_kinds")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
