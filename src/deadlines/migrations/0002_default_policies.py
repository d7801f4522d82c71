"""Default deadline policies from the national rules (DOMAIN.md). Administrators
override them per province, city or county, and version them by effective date.

[S] = in a source text; [I] = inferred default, to be confirmed locally.
"""

import datetime

from django.db import migrations

EFFECTIVE = datetime.date(2021, 1, 1)
TOWNSHIP_THEN_COUNTY = [(1, 0, "township_head", ""), (2, 48, "county_reviewer,supervisor", "")]
COUNTY_THEN_CITY = [(1, 0, "supervisor", "county"), (2, 72, "supervisor", "city")]

# flow, step, duration, unit, remind_before, legal basis, escalations
POLICIES = [
    ("temporary", "intake", 1, "working_days", 1, "[I] same or next working day", TOWNSHIP_THEN_COUNTY),
    ("temporary", "receive_documents", 30, "calendar_days", 3, "[I] applicant completes the documents",
     TOWNSHIP_THEN_COUNTY),
    ("temporary", "investigate", 3, "working_days", 1, "[S] investigation starts within 3 wd", TOWNSHIP_THEN_COUNTY),
    ("temporary", "pay_first", 24, "hours", 4, "[S] Shandong: urgent help within 24 hours", TOWNSHIP_THEN_COUNTY),
    ("temporary", "complete_paperwork", 5, "working_days", 1, "[S] Shandong: paperwork within 5 wd",
     TOWNSHIP_THEN_COUNTY),
    ("temporary", "township_approve", 3, "working_days", 1, "[I]", TOWNSHIP_THEN_COUNTY),
    ("temporary", "county_approve", 10, "working_days", 2, "[S] county confirms within 10 wd", COUNTY_THEN_CITY),
    ("temporary", "disburse", 3, "working_days", 1, "[I]", TOWNSHIP_THEN_COUNTY),
    ("temporary", "file_with_county", 5, "working_days", 1, "[I] filing (报备)", TOWNSHIP_THEN_COUNTY),
    ("dibao", "intake", 1, "working_days", 1, "[I]", TOWNSHIP_THEN_COUNTY),
    ("dibao", "investigate", 3, "working_days", 1, "[S] within 3 wd of intake", TOWNSHIP_THEN_COUNTY),
    ("dibao", "verify", 3, "working_days", 1, "[S] county data check within 3 wd", COUNTY_THEN_CITY),
    ("dibao", "public_notice", 7, "calendar_days", 0, "[S] 7-day notice", TOWNSHIP_THEN_COUNTY),
    ("dibao", "county_confirm", 10, "working_days", 2, "[S] within 10 wd", COUNTY_THEN_CITY),
    ("dibao", "decision_notice", 3, "working_days", 1, "[S] written notice within 3 wd", TOWNSHIP_THEN_COUNTY),
    ("tekun", "investigate", 15, "working_days", 3, "[S] within 15 wd", TOWNSHIP_THEN_COUNTY),
    ("tekun", "public_notice", 7, "calendar_days", 0, "[S] 7-day notice", TOWNSHIP_THEN_COUNTY),
    ("tekun", "county_decide", 15, "working_days", 3, "[S] within 15 wd", COUNTY_THEN_CITY),
    ("home_visit", "visit", 7, "calendar_days", 1, "[L] window end set by the visit plan", TOWNSHIP_THEN_COUNTY),
    ("reserve_fund", "replenish", 3, "working_days", 1, "[I]", COUNTY_THEN_CITY),
]


def load(apps, schema_editor):
    SlaPolicy = apps.get_model("deadlines", "SlaPolicy")
    EscalationStep = apps.get_model("deadlines", "EscalationStep")
    for flow, step, duration, unit, remind, basis, chain in POLICIES:
        policy, _ = SlaPolicy.objects.get_or_create(
            flow=flow, step=step, program="", scope="", effective_from=EFFECTIVE,
            defaults={"duration": duration, "unit": unit, "remind_before": remind, "legal_basis": basis},
        )
        for level, after, roles, region_level in chain:
            EscalationStep.objects.get_or_create(policy=policy, level=level, defaults={
                "after_hours": after, "notify_roles": roles, "region_level": region_level})


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
