"""The duplicate-benefit guard: one function that finds, for a case about to be granted,
what suggests paying the same person or household twice (``findings``), and the rule
that a grant despite a finding carries a recorded reason (``require_override``,
``record_override``).

What it looks for, across programs and periods:

- each program's own signs (``Program.overlaps``; temporary assistance: the same cause
  again inside its repeat period, for the household or any of its members);
- two programs the rules do not allow at once (``BenefitExclusion``, e.g. 低保 and
  特困): another case of the other program, receiving now, that covers one of the
  people this case covers;
- a bank account that pays this household's cases and also a case of another household.

The task page and the API's task detail show the findings before the decision
(``findings_for``); workflows.engine.complete runs the check when a step declared with
``guard_on`` is completed with a granting decision, so no caller can skip it.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assistance.models import Application
from audit import services as audit
from core import programs
from core.errors import InvalidInput
from core.programs import Finding
from regions.rules import pick
from registry.models import Person
from workflows.rosters.models import BankAccount, mask_account

from .models import BenefitExclusion, DuplicateOverride

OVERRIDE_FIELD = "override_reason"
# The kinds of finding the shared checks make (a program names its own: temporary assistance "repeat_cause").
EXCLUDED, SHARED_ACCOUNT = "excluded_programs", "shared_account"


class OverrideRequired(InvalidInput):
    """A grant although the guard found something, without a reason: refused (400)."""

    def __init__(self, found: list[Finding]):
        super().__init__({OVERRIDE_FIELD: [
            _("Possible duplicate benefits were found (listed above). To grant the case nonetheless, give the "
              "reason: it is kept on the case.")]})
        self.findings = found


# --- what the guard looks at -----------------------------------------------------------------------

def covered_people(case) -> set[int]:
    """The people a case pays for: its individually covered member (单人保), or every member
    of its household as it is now."""
    details = programs.details_of(case)
    member = getattr(details, "covered_member_id", None) if details is not None else None
    if member is not None:
        return {member}
    return set(Person.objects.filter(household_id=case.household_id).values_list("pk", flat=True))


def excluded_programs(program: str, region_code: str, on: datetime.date) -> list[str]:
    """The programs the rules in force forbid receiving together with ``program`` here."""
    rows = list(BenefitExclusion.objects.filter(Q(program=program) | Q(other_program=program),
                                                effective_from__lte=on).order_by("pk"))
    pairs: dict[str, list[BenefitExclusion]] = {}
    for row in rows:
        other = row.other_program if row.program == program else row.program
        pairs.setdefault(other, []).append(row)
    # Each pair's own rows decide it: the most local, then the newest (regions.rules).
    return sorted(other for other, candidates in pairs.items()
                  if (chosen := pick(candidates, region_code, on)) is not None and chosen.forbidden)


def _other_programs_received(case, on: datetime.date) -> list[Finding]:
    found: list[Finding] = []
    people = None
    for other in excluded_programs(case.program, case.region_code, on):
        spec = programs.program(other)
        if spec is None or not spec.receiving_statuses:
            continue
        if people is None:
            people = covered_people(case)
        if not people:
            return found
        candidates = Application.objects.filter(program=other, status__in=list(spec.receiving_statuses)).exclude(
            pk=case.pk)
        details = spec.details_model() if spec.details_model is not None else None
        if details is not None and any(f.name == "covered_member" for f in details._meta.get_fields()):
            # Covering one of them: individually, or as the whole household they live in.
            member = f"{spec.code}__covered_member"
            candidates = candidates.filter(Q(**{f"{member}__in": people})
                                           | Q(**{f"{member}__isnull": True}, household_id=case.household_id))
        else:
            candidates = candidates.filter(household_id=case.household_id)
        for pk, household_id, status in candidates.order_by("pk").values_list("pk", "household_id", "status"):
            found.append(Finding(EXCLUDED, gettext_noop(
                "Already receiving %(program)s (application %(application)s, %(status)s): the rules do not allow "
                "both at once for the same person."),
                {"program": str(spec.label), "application": pk, "status": spec.status_label(status)},
                application_id=pk, household_id=household_id))
    return found


def _shared_accounts(case) -> list[Finding]:
    """Accounts that pay this household's cases (this one included) and a case of another household."""
    numbers = set(BankAccount.objects.filter(application__household_id=case.household_id)
                  .values_list("account_number", flat=True))
    if not numbers:
        return []
    others = (BankAccount.objects.filter(account_number__in=numbers).exclude(application__household_id=case.household_id)
              .order_by("application_id").values_list("account_number", "application_id", "application__household_id"))
    return [Finding(SHARED_ACCOUNT, gettext_noop(
        "The bank account %(account)s that pays this household also pays household %(household)s "
        "(application %(application)s)."),
        {"account": mask_account(number), "household": household_id, "application": application_id},
        application_id=application_id, household_id=household_id)
        for number, application_id, household_id in others]


def findings(case, on: datetime.date | None = None) -> list[Finding]:
    """Everything that suggests ``case`` would pay someone twice, as of ``on`` (today)."""
    on = on or timezone.localdate()
    spec = programs.program(case.program)
    found = list(spec.overlaps(case)) if spec is not None and spec.overlaps is not None else []
    return found + _other_programs_received(case, on) + _shared_accounts(case)


def findings_for(application_id: int) -> list[Finding]:
    case = Application.objects.select_related("household", *programs.detail_relations()).get(pk=application_id)
    return findings(case)


def guards(step, fields: dict) -> bool:
    """Whether completing ``step`` with ``fields`` grants the case, so the guard runs."""
    return step is not None and bool(step.guard_on) and fields.get("decision") in step.guard_on


# --- the override ---------------------------------------------------------------------------------------

def require_override(found: list[Finding], reason) -> str:
    """The reason, cleaned; OverrideRequired when something was found and none was given."""
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if found and not reason:
        raise OverrideRequired(found)
    return reason


def record_override(user, application_id: int, step_name: str, found: list[Finding], reason: str, *,
                    request=None) -> DuplicateOverride:
    """Keep the grant's reason and what was found, with the case (the caller's transaction)."""
    case = Application.objects.get(pk=application_id)
    override = DuplicateOverride.objects.create(
        application=case, region_code=case.region_code, step=step_name, findings=[f.as_json() for f in found],
        reason=reason, decided_by=user)
    audit.record("assistance.application.duplicate_override", actor=user, obj=case, region_code=case.region_code,
                 reason=reason, extra={"step": step_name, "override": override.pk,
                                       "findings": [f.as_json() for f in found]}, request=request)
    return override


def overrides_of(application) -> list[DuplicateOverride]:
    return list(DuplicateOverride.objects.filter(application=application).select_related("decided_by")
                .order_by("decided_at", "id"))
