"""特困's own rules around the shared enrolment steps: the self-care grading, who is
unable to work, and the county's spot checks."""

from __future__ import annotations

import datetime
import math
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from core.errors import InvalidInput, NotPermitted
from core.scoping import code_visible_to
from regions.codes import Level, code_of, within
from workflows.enrolment import services as enrolment
from workflows.enrolment.models import SelfCare, SpotCheck, Status
from workflows.enrolment.rules import enrolment_rule

from .models import ACTIVITIES, CODE, TekunCase

# Unable to work by disability: the kinds each rule field covers.
_GRADE_FIELDS = {"intellectual": "unable_grade_mental", "mental": "unable_grade_mental",
                 "physical": "unable_grade_physical", "visual": "unable_grade_visual"}


def grade(self_care: dict) -> str:
    """All six done unaided: self-caring; up to three not done: partly dependent; four or more: fully."""
    not_done = sum(1 for key in ACTIVITIES if not self_care.get(key))
    if not_done == 0:
        return SelfCare.SELF_CARING
    return SelfCare.PARTLY if not_done <= 3 else SelfCare.FULLY


def unable_to_work(person, rule, on: datetime.date) -> str:
    """Why ``person`` is unable to work under the county's rule (age, or a disability's
    kind and grade), or "" when they are not."""
    age = person.age_on(on)
    if rule.unable_age_from is not None and age >= rule.unable_age_from:
        return _("aged %(age)d (%(limit)d or over)") % {"age": age, "limit": rule.unable_age_from}
    if rule.unable_age_under is not None and age < rule.unable_age_under:
        return _("aged %(age)d (under %(limit)d)") % {"age": age, "limit": rule.unable_age_under}
    field = _GRADE_FIELDS.get(person.disability_kind or "")
    limit = getattr(rule, field) if field else None
    if limit is not None and person.disability_grade is not None and person.disability_grade <= limit:
        return _("%(kind)s disability, grade %(grade)d") % {"kind": person.get_disability_kind_display(),
                                                              "grade": person.disability_grade}
    return ""


def investigate(user, task, *, investigators, findings, family_signed, self_care=None, request=None):
    if not isinstance(self_care, dict) or any(not isinstance(self_care.get(k), bool) for k in ACTIVITIES):
        raise InvalidInput({"self_care": [_("Say for each of the six activities whether the applicant does it "
                                            "unaided.")]})
    case = TekunCase.objects.select_related("applicant").get(pk=task.process.artifact_object_id)
    rule = enrolment_rule(CODE, case.region_code)
    reason = unable_to_work(case.applicant, rule, timezone.localdate())
    care = {k: self_care[k] for k in ACTIVITIES}
    return enrolment.investigate(user, task, investigators=investigators, findings=findings,
                                 family_signed=family_signed, request=request, self_care=care,
                                 self_care_grade=grade(care), unable_to_work=bool(reason), unable_reason=reason)


def check_unable_to_work(case) -> None:
    details = case.details
    if not details.unable_to_work:
        raise InvalidInput({"decision": [_("The applicant is not unable to work under the rules (age, or a severe "
                                           "disability): extreme-poverty support is only for people who are.")]})


def draw_spot_checks(actor, county_code: str, period: str, request=None) -> list[SpotCheck]:
    """Draw the county's spot checks for a month: at random, at least the rule's share
    (≥ 30 %) of the 特困 cases the county approved in it. Drawing again tops the list up
    to the share (cases approved since), never draws a case twice."""
    if not actor.has_perm("tekun.draw_spot_checks"):
        raise NotPermitted(_("Only the county draws spot checks."))
    if len(county_code) != 12 or code_of(county_code, Level.COUNTY) != county_code \
            or not code_visible_to(actor, county_code):
        raise InvalidInput({"county": [_("Choose a county of your region.")]})
    try:
        year, month = (int(part) for part in period.split("-"))
        start = datetime.date(year, month, 1)
    except (AttributeError, TypeError, ValueError):
        raise InvalidInput({"period": [_("Give the month as YYYY-MM.")]}) from None
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    rule = enrolment_rule(CODE, county_code)
    share = rule.spot_check_share or 0
    with transaction.atomic():
        cases = list(TekunCase.objects.select_for_update().filter(
            within("region_code", county_code, Level.COUNTY), program=CODE, status=Status.APPROVED,
            decided_at__date__gte=start, decided_at__date__lt=end).order_by("pk").values_list("pk", flat=True))
        drawn = set(SpotCheck.objects.filter(application_id__in=cases).values_list("application_id", flat=True))
        wanted = math.ceil(len(cases) * share)
        pool = [pk for pk in cases if pk not in drawn]
        new = random.SystemRandom().sample(pool, max(0, min(len(pool), wanted - len(drawn))))
        made = SpotCheck.objects.bulk_create([SpotCheck(application_id=pk, county_code=county_code, period=period,
                                                        drawn_by=actor) for pk in sorted(new)])
        audit.record("tekun.spot_checks.drawn", actor=actor, obj=None, region_code=county_code,
                     extra={"period": period, "cases": len(cases), "drawn": sorted(new), "share": str(share)},
                     request=request)
    return list(SpotCheck.objects.filter(county_code=county_code, period=period).order_by("application_id")) or made
