"""Default visiting rules from DOMAIN.md ("Home visits") and the deadline policy of a
visit's follow-up. Administrators change both in the admin, per region and date.

[S] = in a source text; [L] = a local example used as the default; [NF] = not found,
a configurable choice; [I] = inferred.
"""

import datetime

from django.db import migrations

EFFECTIVE = datetime.date(2021, 1, 1)
VULNERABLE = ["living_alone", "empty_nest", "left_behind", "orphan", "unsupported_child", "serious_illness",
              "dementia", "unable_self_care", "bedridden"]

# code, name, tier, period, min_age, max_age, conditions, with_disability, program, basis
RULES = [
    ("elderly_80_alone", "80岁以上独居老人", "high_risk", "week", 80, None, ["living_alone"], False, "",
     "[L] 高风险：80岁以上独居，每周探访；重大事件后24小时内"),
    ("life_threatening", "危及生命的情况（卧床、失能、失智、重病）", "high_risk", "week", None, None,
     ["bedridden", "unable_self_care", "dementia", "serious_illness"], False, "",
     "[L] 高风险：危及生命的情况，每周探访；[S] 失能老人至少每月探访"),
    ("elderly_60_disabled_demented", "60岁以上残疾或失智老人", "key", "month", 60, None, ["dementia"], True, "",
     "[L] 重点：60岁以上残疾、失智老人，每月探访"),
    ("tekun_dispersed", "分散供养特困人员", "key", "month", None, None, [], False, "tekun",
     "[L] 重点：分散供养特困人员，每月探访"),
    ("children_orphan", "困境儿童（孤儿、事实无人抚养儿童）", "key", "month", None, 18,
     ["orphan", "unsupported_child"], False, "", "[NF] 儿童探访频次可配置；默认按重点对象每月"),
    ("children_left_behind", "留守儿童", "key", "month", None, 18, ["left_behind"], False, "",
     "[NF] 儿童探访频次可配置；默认按重点对象每月"),
    ("vulnerable_other", "其他困难对象（空巢、留守、独居等）", "general", "quarter", None, None, VULNERABLE, False, "",
     "[L] 一般：其他对象每季度探访"),
]

TOWNSHIP_THEN_COUNTY = [(1, 0, "township_head", ""), (2, 48, "county_reviewer,supervisor", "")]


def load(apps, schema_editor):
    TierRule = apps.get_model("visits", "TierRule")
    for code, name, tier, period, min_age, max_age, conditions, disability, program, basis in RULES:
        TierRule.objects.get_or_create(code=code, scope="", effective_from=EFFECTIVE, defaults={
            "name": name, "tier": tier, "period": period, "min_age": min_age, "max_age": max_age,
            "conditions": conditions, "with_disability": disability, "program": program, "basis": basis})

    SlaPolicy = apps.get_model("deadlines", "SlaPolicy")
    EscalationStep = apps.get_model("deadlines", "EscalationStep")
    policy, _ = SlaPolicy.objects.get_or_create(
        flow="home_visit", step="follow_up", program="", scope="", effective_from=EFFECTIVE,
        defaults={"duration": 3, "unit": "working_days", "remind_before": 1,
                  "legal_basis": "[I] follow-up of a visit that found a need: within 3 wd"})
    for level, after, roles, region_level in TOWNSHIP_THEN_COUNTY:
        EscalationStep.objects.get_or_create(policy=policy, level=level, defaults={
            "after_hours": after, "notify_roles": roles, "region_level": region_level})


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial"), ("deadlines", "0002_default_policies")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
