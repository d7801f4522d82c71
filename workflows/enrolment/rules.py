"""The enrolment rule in force for a program, a place and a day (regions.rules picks
the most local row, then the newest that took effect)."""

from __future__ import annotations

import datetime

from regions.rules import in_force

from .models import EnrolmentRule


class MissingRule(LookupError):
    pass


def enrolment_rule(program: str, region_code: str, on: datetime.date | None = None) -> EnrolmentRule:
    rule = in_force(EnrolmentRule.objects.filter(program=program), region_code, on)
    if rule is None:
        raise MissingRule(f"No {program} enrolment rule for region {region_code}: add one in the admin.")
    return rule
