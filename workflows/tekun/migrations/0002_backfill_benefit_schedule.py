"""Cases approved before the payment schedule existed get their start entry: from the
month they were paid from, the amount approved."""

from django.db import migrations


def backfill(apps, schema_editor):
    Application = apps.get_model("assistance", "Application")
    Details = apps.get_model("tekun", "TekunDetails")
    BenefitChange = apps.get_model("enrolment", "BenefitChange")
    have = set(BenefitChange.objects.values_list("application_id", flat=True))
    for case in Application.objects.filter(program="tekun", status="approved").exclude(pk__in=have):
        details = Details.objects.filter(case_id=case.pk).first()
        if details is None or details.paid_from is None or case.amount_approved is None:
            continue
        county = case.region_code[:6].ljust(12, "0")
        BenefitChange.objects.create(application_id=case.pk, program="tekun", region_code=case.region_code,
                                     county_code=county, month=details.paid_from.replace(day=1), kind="start",
                                     monthly_amount=case.amount_approved, household_size=details.household_size,
                                     reason=case.decision_reason, source="approval", created_by_id=case.decided_by_id)


class Migration(migrations.Migration):
    dependencies = [("tekun", "0001_initial"), ("enrolment", "0004_benefit_schedule")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
