"""The warning rules: each finds, for a day and a region, who the township should look at.

A rule yields ``Finding``s; the scan (``scan``) keeps those whose key has no open warning
and none followed up within the repeat period, and raises them. Every rule reads in a
bounded number of queries whatever the region's size (the means test in chunks of 2,000
households, five queries each); none writes.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from assistance.models import Application
from core.money import figures
from deadlines.calendar import start_of_day
from means.services import RuleBook, household_facts
from registry.models import Condition, Household, IncomeKind, Person, PersonCondition
from visits.models import Outcome as VisitOutcome
from visits.models import VisitRecord
from workflows.enrolment.models import ONGOING_STATUSES, OPEN_STATUSES
from workflows.enrolment.proactive import standing_notices
from workflows.reviews.models import ChangeKind, ChangeReport, Review, ReviewStatus

from .models import Department, DepartmentEntry, EarlyWarning, Rule, WarningStatus

ENROLMENT_PROGRAMS = ("dibao", "tekun")


@dataclass(frozen=True)
class Finding:
    rule: str
    key: str
    region_code: str
    msgid: str
    params: dict
    household_id: int | None = None
    person_id: int | None = None
    entry_id: int | None = None


@dataclass(frozen=True)
class Settings:
    """The rules' numbers (settings.MONITORING_*), read once per scan."""

    visit_case_days: int
    visit_lookback_days: int
    large_medical_costs: Decimal
    medical_lookback_days: int
    serious_disability_grade: int
    change_days: int
    list_lookback_days: int
    repeat_days: int

    @classmethod
    def load(cls) -> Settings:
        return cls(settings.MONITORING_VISIT_CASE_DAYS, settings.MONITORING_VISIT_LOOKBACK_DAYS,
                   Decimal(settings.MONITORING_LARGE_MEDICAL_COSTS), settings.MONITORING_MEDICAL_LOOKBACK_DAYS,
                   settings.MONITORING_SERIOUS_DISABILITY_GRADE, settings.MONITORING_CHANGE_DAYS,
                   settings.MONITORING_LIST_LOOKBACK_DAYS, settings.MONITORING_REPEAT_DAYS)


def household_key(rule: str, household_id: int) -> str:
    return f"{rule}:h{household_id}"


def suppressed(rule: str, on: datetime.date, s: Settings):
    """Warnings of ``rule`` that stop the same key being raised: open, or followed up
    within the repeat period (a household looked at is not flagged again every night)."""
    since = start_of_day(on - datetime.timedelta(days=s.repeat_days))
    return EarlyWarning.objects.filter(rule=rule).filter(Q(status=WarningStatus.OPEN) | Q(done_at__gte=since))


def _quiet_households(rule: str, on: datetime.date, s: Settings):
    return Exists(suppressed(rule, on, s).filter(household=OuterRef("pk")))


def _within(queryset, field: str, prefix: str):
    return queryset.filter(**{f"{field}__startswith": prefix}) if prefix else queryset


# --- 1. registered, not enrolled, the means test says eligible or near-dibao ------------------------

def _unemployed(on: datetime.date, s: Settings, prefix: str) -> dict[int, dict[int, datetime.date]]:
    """household → {member: the day they registered unemployed} from the lists (recent ones)."""
    since = on - datetime.timedelta(days=s.list_lookback_days)
    rows = _within(DepartmentEntry.objects.filter(department=Department.UNEMPLOYMENT, person__isnull=False,
                                                  list_import__as_of__gte=since), "region_code", prefix)
    found: dict[int, dict[int, datetime.date]] = {}
    for household_id, person_id, day in rows.order_by().values_list("household_id", "person_id", "on"):
        found.setdefault(household_id, {})[person_id] = day
    return found


def means_eligible(on: datetime.date, prefix: str, s: Settings) -> Iterator[Finding]:
    """A household with no 低保 or 特困 case under way or approved and no standing proactive
    notice, whose 低保 means test now says eligible (rule ``means_eligible``) or near-dibao
    (``near_dibao``: a rule of its own, so that it can be read, and switched on, apart). A
    member registered unemployed is tested without their recorded wage (the registry may
    not know yet). A household warned as eligible is not warned as near-dibao meanwhile."""
    households = (_within(Household.objects.all(), "region__code", prefix)
                  .exclude(Exists(Application.objects.filter(household=OuterRef("pk"), program__in=ENROLMENT_PROGRAMS,
                                                             status__in=[*OPEN_STATUSES, *ONGOING_STATUSES])))
                  .exclude(Exists(standing_notices("dibao").filter(household=OuterRef("pk"))))
                  .exclude(_quiet_households(Rule.MEANS_ELIGIBLE, on, s)))
    unemployed = _unemployed(on, s, prefix)
    quiet_near = set(suppressed(Rule.NEAR_DIBAO, on, s).filter(household__isnull=False)
                     .values_list("household_id", flat=True))
    book = RuleBook(on)
    for facts in household_facts(households, on):
        left_out = unemployed.get(facts.household_id)
        if left_out:
            facts = dataclasses.replace(facts, incomes=tuple(
                row for row in facts.incomes if not (row.person_id in left_out and row.kind == IncomeKind.WAGE)))
        result = facts.test("dibao", book)
        if not result.complete or not (result.eligible or result.near_dibao):
            continue
        if not result.eligible and facts.household_id in quiet_near:
            continue
        rule = Rule.MEANS_ELIGIBLE if result.eligible else Rule.NEAR_DIBAO
        params = {"on": on.isoformat(), "per_capita": figures(result.per_capita_income),
                  "standard": figures(result.standard)}
        if left_out:
            days = [d for d in left_out.values() if d is not None]
            params["since"] = min(days).isoformat() if days else on.isoformat()
            msgid = (gettext_noop("A member registered unemployed on %(since)s: without their recorded wage, the "
                                  "means test of %(on)s finds the household eligible for 低保 (%(per_capita)s yuan "
                                  "a head a month against a standard of %(standard)s).") if result.eligible else
                     gettext_noop("A member registered unemployed on %(since)s: without their recorded wage, the "
                                  "means test of %(on)s finds the household near-dibao (%(per_capita)s yuan a head "
                                  "a month against a standard of %(standard)s)."))
        elif result.eligible:
            msgid = gettext_noop("The means test of %(on)s finds the household eligible for 低保: %(per_capita)s "
                                 "yuan a head a month against a standard of %(standard)s.")
        else:
            msgid = gettext_noop("The means test of %(on)s finds the household near-dibao: %(per_capita)s yuan a "
                                 "head a month against a standard of %(standard)s.")
        yield Finding(rule, household_key(rule, facts.household_id), facts.region_code, msgid, params,
                      household_id=facts.household_id)


# --- 2. a visit found need or danger, and no case was opened ------------------------------------------

def visit_no_case(on: datetime.date, prefix: str, s: Settings) -> Iterator[Finding]:
    """A home visit recorded "needs help" or "in danger" at least the rule's days ago
    (within the look-back), and no case of any program opened for the household since."""
    latest = start_of_day(on - datetime.timedelta(days=s.visit_case_days - 1))
    earliest = start_of_day(on - datetime.timedelta(days=s.visit_lookback_days))
    records = (_within(VisitRecord.objects.filter(outcome__in=(VisitOutcome.NEEDS_HELP, VisitOutcome.DANGER),
                                                  visited_at__gte=earliest, visited_at__lt=latest),
                       "visit__region_code", prefix)
               .exclude(Exists(Application.objects.filter(household=OuterRef("visit__household"),
                                                          created_at__gte=OuterRef("visited_at"))))
               .exclude(Exists(suppressed(Rule.VISIT_NO_CASE, on, s).filter(household=OuterRef("visit__household"))))
               .order_by("visit__household_id", "-visited_at")
               .values_list("visit__household_id", "visit__person_id", "visit__region_code", "visited_at",
                            "outcome", "visit__person_name"))
    seen: set[int] = set()
    for household_id, person_id, region_code, visited_at, outcome, name in records:
        if household_id in seen:
            continue  # the household's latest such visit speaks for it
        seen.add(household_id)
        msgid = (gettext_noop("The home visit to %(name)s on %(date)s found them in danger; no case has been "
                              "opened since.") if outcome == VisitOutcome.DANGER else
                 gettext_noop("The home visit to %(name)s on %(date)s found they need help; no case has been "
                              "opened since."))
        yield Finding(Rule.VISIT_NO_CASE, household_key(Rule.VISIT_NO_CASE, household_id), region_code, msgid,
                      {"name": name, "date": timezone.localtime(visited_at).date().isoformat()},
                      household_id=household_id, person_id=person_id)


# --- 3. serious illness or disability, with large medical costs ----------------------------------------

def illness_costs(on: datetime.date, prefix: str, s: Settings) -> Iterator[Finding]:
    """A registered person on the medical-insurance list with out-of-pocket costs at or
    above the threshold (within the look-back) who has a serious illness or a disability
    up to the serious grade (recorded in the registry, or on the federation's list)."""
    since = on - datetime.timedelta(days=s.medical_lookback_days)
    costs = (_within(DepartmentEntry.objects.filter(department=Department.MEDICAL, person__isnull=False,
                                                    amount__gte=s.large_medical_costs,
                                                    list_import__as_of__gte=since), "region_code", prefix)
             .exclude(Exists(suppressed(Rule.ILLNESS_COSTS, on, s).filter(household=OuterRef("household"))))
             .order_by("household_id", "-amount")
             .values_list("pk", "person_id", "household_id", "household__region__code", "name", "amount",
                          "list_import__as_of"))
    rows = list(costs)
    people = {r[1] for r in rows}
    ill = set(PersonCondition.objects.filter(person_id__in=people, condition=Condition.SERIOUS_ILLNESS)
              .values_list("person_id", flat=True)) if people else set()
    grades = dict(Person.objects.filter(pk__in=people, disability_grade__lte=s.serious_disability_grade)
                  .values_list("pk", "disability_grade")) if people else {}
    for person_id, grade in (DepartmentEntry.objects.filter(department=Department.DISABILITY, person_id__in=people,
                                                            grade__lte=s.serious_disability_grade)
                             .values_list("person_id", "grade") if people else ()):
        grades[person_id] = min(grade, grades.get(person_id, grade))
    seen: set[int] = set()
    for entry_id, person_id, household_id, region_code, name, amount, as_of in rows:
        if household_id in seen or not (person_id in ill or person_id in grades):
            continue
        seen.add(household_id)
        params = {"name": name, "amount": figures(amount), "date": as_of.isoformat()}
        if person_id in ill:
            msgid = gettext_noop("%(name)s has a serious illness and %(amount)s yuan of out-of-pocket medical costs "
                                 "(medical insurance list of %(date)s).")
        else:
            params["grade"] = grades[person_id]
            msgid = gettext_noop("%(name)s has a grade %(grade)s disability and %(amount)s yuan of out-of-pocket "
                                 "medical costs (medical insurance list of %(date)s).")
        yield Finding(Rule.ILLNESS_COSTS, household_key(Rule.ILLNESS_COSTS, household_id), region_code, msgid,
                      params, household_id=household_id, person_id=person_id, entry_id=entry_id)


# --- 4. a death or a change not followed up --------------------------------------------------------

def not_followed(on: datetime.date, prefix: str, s: Settings) -> Iterator[Finding]:
    """A member of a household paid 低保 or 特困 whom public security lists as dead, with no
    death reported on the case; or a reported change whose review is still open after the
    rule's days."""
    quiet = suppressed(Rule.NOT_FOLLOWED, on, s)
    ongoing = Application.objects.filter(household=OuterRef("household"), program__in=ENROLMENT_PROGRAMS,
                                         status__in=list(ONGOING_STATUSES))
    deaths = (_within(DepartmentEntry.objects.filter(department=Department.DEATH, person__isnull=False),
                      "region_code", prefix)
              .filter(Exists(ongoing))
              .exclude(Exists(ChangeReport.objects.filter(member=OuterRef("person"), kind=ChangeKind.DEATH)))
              .exclude(Exists(quiet.filter(household=OuterRef("household"))))
              .order_by("household_id", "on")
              .values_list("pk", "person_id", "household_id", "household__region__code", "name", "on"))
    seen: set[int] = set()
    for entry_id, person_id, household_id, region_code, name, day in deaths:
        if household_id in seen:
            continue
        seen.add(household_id)
        yield Finding(Rule.NOT_FOLLOWED, household_key(Rule.NOT_FOLLOWED, household_id), region_code,
                      gettext_noop("Public security lists %(name)s as dead on %(date)s; no death has been reported "
                                   "on the household's case."),
                      {"name": name, "date": day.isoformat()}, household_id=household_id, person_id=person_id,
                      entry_id=entry_id)
    stale = start_of_day(on - datetime.timedelta(days=s.change_days - 1))
    changes = (_within(ChangeReport.objects.filter(review__status=ReviewStatus.OPEN, reported_at__lt=stale),
                       "region_code", prefix)
               .exclude(Exists(quiet.filter(household=OuterRef("application__household"))))
               .order_by("application__household_id", "reported_at")
               .values_list("application__household_id", "region_code", "reported_at", "application_id"))
    for household_id, region_code, reported_at, case_id in changes:
        if household_id in seen:
            continue
        seen.add(household_id)
        yield Finding(Rule.NOT_FOLLOWED, household_key(Rule.NOT_FOLLOWED, household_id), region_code,
                      gettext_noop("A change reported on %(date)s for case %(case)s is still not reviewed."),
                      {"date": timezone.localtime(reported_at).date().isoformat(), "case": case_id},
                      household_id=household_id)


# --- 5. a recipient whose income now exceeds the line ---------------------------------------------

def income_over_line(on: datetime.date, prefix: str, s: Settings) -> Iterator[Finding]:
    """A household paid 低保 or 特困, with no review open, whose recorded incomes now give
    a per-head income at or above its program's line."""
    book = RuleBook(on)
    for program in ENROLMENT_PROGRAMS:
        cases = Application.objects.filter(household=OuterRef("pk"), program=program,
                                           status__in=list(ONGOING_STATUSES))
        reviewing = Review.objects.filter(application__household=OuterRef("pk"), status=ReviewStatus.OPEN)
        households = (_within(Household.objects.filter(Exists(cases)), "region__code", prefix)
                      .exclude(Exists(reviewing)).exclude(_quiet_households(Rule.INCOME_OVER_LINE, on, s)))
        msgid = (gettext_noop("Recorded incomes give %(per_capita)s yuan a head a month, at or above the 低保 "
                              "standard of %(standard)s: the case should be reviewed.") if program == "dibao" else
                 gettext_noop("Recorded incomes give %(per_capita)s yuan a head a month, at or above the 特困 "
                              "line of %(standard)s: the case should be reviewed."))
        for facts in household_facts(households, on):
            result = facts.test(program, book)
            if not result.complete or result.standard is None or result.per_capita_income < result.standard:
                continue
            yield Finding(Rule.INCOME_OVER_LINE, household_key(Rule.INCOME_OVER_LINE, facts.household_id),
                          facts.region_code, msgid,
                          {"per_capita": figures(result.per_capita_income), "standard": figures(result.standard)},
                          household_id=facts.household_id)


# --- 6. at serious risk on a department's list, and not registered ---------------------------------

def not_registered(on: datetime.date, prefix: str, s: Settings) -> Iterator[Finding]:
    """A person on a recent medical-insurance list with large out-of-pocket costs, or on the
    federation's list with a serious disability, whom the registry does not know."""
    since = on - datetime.timedelta(days=s.list_lookback_days)
    risky = Q(department=Department.MEDICAL, amount__gte=s.large_medical_costs) | Q(
        department=Department.DISABILITY, grade__lte=s.serious_disability_grade)
    quiet = suppressed(Rule.NOT_REGISTERED, on, s)
    entries = (_within(DepartmentEntry.objects.filter(risky, person__isnull=True, list_import__as_of__gte=since),
                       "region_code", prefix)
               .exclude(Exists(Person.objects.filter(id_number=OuterRef("id_number"))))
               .exclude(Exists(quiet.filter(entry__id_number=OuterRef("id_number"))))
               .order_by("id_number", "-list_import__as_of", "-pk")
               .values_list("pk", "id_number", "region_code", "name", "department", "amount", "grade",
                            "list_import__as_of"))
    seen: set[str] = set()
    for entry_id, number, region_code, name, department, amount, grade, as_of in entries:
        if number in seen:
            continue
        seen.add(number)
        if department == Department.MEDICAL:
            msgid = gettext_noop("%(name)s (not registered) has %(amount)s yuan of out-of-pocket medical costs "
                                 "(medical insurance list of %(date)s).")
            params = {"name": name, "amount": figures(amount), "date": as_of.isoformat()}
        else:
            msgid = gettext_noop("%(name)s (not registered) has a grade %(grade)s disability (disabled persons' "
                                 "federation list of %(date)s).")
            params = {"name": name, "grade": grade, "date": as_of.isoformat()}
        yield Finding(Rule.NOT_REGISTERED, f"{Rule.NOT_REGISTERED}:{number}", region_code, msgid, params,
                      entry_id=entry_id)


# Each check, under the first rule it raises; ``PRODUCES`` names the others a check raises too.
PRODUCES = {Rule.MEANS_ELIGIBLE: (Rule.MEANS_ELIGIBLE, Rule.NEAR_DIBAO)}

RULES = {
    Rule.MEANS_ELIGIBLE: means_eligible,
    Rule.VISIT_NO_CASE: visit_no_case,
    Rule.ILLNESS_COSTS: illness_costs,
    Rule.NOT_FOLLOWED: not_followed,
    Rule.INCOME_OVER_LINE: income_over_line,
    Rule.NOT_REGISTERED: not_registered,
}


def produces(check: str) -> tuple[str, ...]:
    """The rules the check filed under ``check`` raises."""
    return PRODUCES.get(check, (check,))
