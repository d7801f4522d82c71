"""Early warning: one function per state change.

- ``scan`` runs every rule for a day and a region and raises what they find, each
  warning with its deadline in the township's queue (the nightly beat task and
  ``manage.py scan_warnings``). A rule's warnings are written a batch at a time, in bulk,
  each batch in its own transaction; a second run the same night raises nothing again
  (one open warning per key, a partial unique index, and the rules skip what is open).
- ``follow_up`` records what the township did: a case opened for the household, a
  proactive notice sent, or no action with the reason. It closes the warning's deadline.
- ``follow_up_figures`` is what the supervisor reads: per region and rule, how many were
  raised, followed up, followed up in time, and are overdue.

The lists other departments share are imported by ``lists.import_list``.
"""

from __future__ import annotations

import datetime
import logging
from itertools import islice

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.models import Application
from audit import services as audit
from core.errors import Conflict, InvalidInput, NotPermitted
from core.scoping import code_visible_to
from deadlines import services as deadlines
from deadlines.calendar import start_of_day
from deadlines.models import Deadline, DeadlineStatus, overdue_condition
from deadlines.policies import compute_due
from deadlines.services import PolicyBook
from staff.roles import Role
from workflows.enrolment.models import ProactiveNotice

from .models import (
    FLOW_CODE,
    STEP_FOLLOW_UP,
    EarlyWarning,
    FollowUpOutcome,
    Rule,
    Scan,
    ScanStatus,
    WarningStatus,
)
from .rules import RULES, Settings, produces

log = logging.getLogger(__name__)

BATCH = 2000
MIN_REASON = 2


# --- the nightly scan ---------------------------------------------------------------------------

def enabled_rules(rules=None) -> set[str]:
    """The rules a scan raises: those switched on (settings.MONITORING_RULES), or of them the codes in ``rules``."""
    on = set(settings.MONITORING_RULES) & set(Rule.values)
    return on if rules is None else on & set(rules)


def scan(on: datetime.date | None = None, region_prefix: str = "", *, rules=None) -> Scan:
    """Run the rules switched on (all, or the codes in ``rules``) for ``on`` over the region; the run's record."""
    on = on or timezone.localdate()
    run = Scan.objects.create(on=on, region_prefix=region_prefix)
    wanted = enabled_rules(rules)
    checks = [check for check in RULES if wanted & set(produces(check))]
    s = Settings.load()
    policies = PolicyBook(FLOW_CODE, STEP_FOLLOW_UP)
    raised: dict[str, int] = {}
    try:
        for check in checks:
            findings = (f for f in RULES[check](on, region_prefix, s) if f.rule in wanted)
            for rule, count in _raise(run, findings, policies, produces(check)).items():
                if rule in wanted:
                    raised[rule] = count
            Scan.objects.filter(pk=run.pk).update(raised=raised)
    except Exception as exc:
        Scan.objects.filter(pk=run.pk).update(status=ScanStatus.FAILED, finished_at=timezone.now(),
                                              error=f"{type(exc).__name__}: {exc}"[:2000], raised=raised)
        raise
    Scan.objects.filter(pk=run.pk).update(status=ScanStatus.DONE, finished_at=timezone.now(), raised=raised)
    if any(raised.values()):  # the trail records what changed; a night that raised nothing is on the Scan row
        audit.record("monitoring.scan.done", actor=None, obj=run, region_code=region_prefix,
                     extra={"on": on.isoformat(), "raised": raised})
    run.refresh_from_db()
    return run


def _due(policies: PolicyBook, region_code: str, started_at: datetime.datetime, cache: dict) -> datetime.datetime:
    """The follow-up's due time in the region's county: one computation per county and scan."""
    county = region_code[:6]
    if county not in cache:
        policy, _steps = policies.get(region_code, timezone.localtime(started_at).date())
        cache[county] = compute_due(policy, started_at, region_code).due_at
    return cache[county]


def _raise(run: Scan, findings, policies: PolicyBook, rules=()) -> dict[str, int]:
    """Write the findings as warnings with their deadlines, a batch per transaction; how
    many of each rule (every one of ``rules`` named, with 0 if it raised none)."""
    written = dict.fromkeys(rules, 0)
    started_at = run.started_at
    dues: dict[str, datetime.datetime] = {}
    iterator = iter(findings)
    while batch := list(islice(iterator, BATCH)):
        keys = [f.key for f in batch]
        with transaction.atomic():
            # A follow-up recorded, or a warning raised by another run, since the rule read: skip it.
            taken = set(EarlyWarning.objects.filter(key__in=keys, status=WarningStatus.OPEN).values_list("key", flat=True))
            rows = [EarlyWarning(rule=f.rule, key=f.key, household_id=f.household_id, person_id=f.person_id,
                            entry_id=f.entry_id, region_code=f.region_code, msgid=f.msgid, params=f.params,
                            raised_at=started_at, due_at=_due(policies, f.region_code, started_at, dues), scan=run)
                    for f in {f.key: f for f in batch if f.key not in taken}.values()]
            if not rows:
                continue
            EarlyWarning.objects.bulk_create(rows, batch_size=500)
            made = list(EarlyWarning.objects.filter(scan=run, key__in=[w.key for w in rows], status=WarningStatus.OPEN)
                        .values_list("pk", "region_code", "raised_at"))
            deadlines.open_deadlines(EarlyWarning, made, flow=FLOW_CODE, step=STEP_FOLLOW_UP, due_at=F("due_at"),
                                     started_at=F("raised_at"), role=Role.CASEWORKER, policies=policies)
            for row in rows:
                written[row.rule] = written.get(row.rule, 0) + 1
    return written


# --- following a warning up ------------------------------------------------------------------------

def _visible(actor, warning_id: int) -> EarlyWarning:
    warning = EarlyWarning.objects.filter(pk=warning_id).first()
    if warning is None or not code_visible_to(actor, warning.region_code):
        raise NotPermitted(_("No such warning in your region."))
    return warning


def _raised_day(warning: EarlyWarning) -> datetime.datetime:
    """The start of the day the warning was raised: what answers it may come from that day on."""
    return start_of_day(timezone.localtime(warning.raised_at).date())


def cases_since(warning: EarlyWarning):
    """The cases that answer a warning: of its household (or of whoever registered since
    with the listed person's ID number), opened on or after the day it was raised."""
    cases = Application.objects.filter(created_at__gte=_raised_day(warning))
    if warning.household_id:
        return cases.filter(household_id=warning.household_id)
    if warning.entry_id:
        return cases.filter(household__members__id_number=warning.entry.id_number)
    return cases.none()


def notices_since(warning: EarlyWarning):
    """The proactive notices sent to the warning's household on or after the day it was raised."""
    if not warning.household_id:
        return ProactiveNotice.objects.none()
    return ProactiveNotice.objects.filter(household_id=warning.household_id, created_at__gte=_raised_day(warning))


def follow_up(actor, warning_id: int, *, outcome: str, application: int | None = None, notice: int | None = None,
              note: str = "", request=None) -> EarlyWarning:
    """Record how a warning was followed up and stop its clock."""
    if not actor.has_perm("monitoring.follow_up_warning"):
        raise NotPermitted(_("Only township caseworkers follow up warnings."))
    _visible(actor, warning_id)
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if outcome not in FollowUpOutcome.values:
        errors["outcome"] = [_("Choose what was done.")]
    elif outcome == FollowUpOutcome.NO_ACTION and len(note) < MIN_REASON:
        errors["note"] = [_("Say why no action is needed (at least %(n)s characters).") % {"n": MIN_REASON}]
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    with transaction.atomic():
        warning = EarlyWarning.objects.select_for_update().get(pk=warning_id)
        if warning.status != WarningStatus.OPEN:
            raise Conflict(_("This warning has already been followed up."))
        case = found_notice = None
        if outcome == FollowUpOutcome.CASE_OPENED:
            case = cases_since(warning).filter(pk=application).first() if application else None
            if case is None:
                raise InvalidInput({"application": [
                    _("Choose the case opened for this household since the warning was raised.")]})
        elif outcome == FollowUpOutcome.NOTICE_SENT:
            found_notice = notices_since(warning).filter(pk=notice).first() if notice else None
            if found_notice is None:
                raise InvalidInput({"notice": [
                    _("Choose the proactive notice sent to this household since the warning was raised.")]})
        EarlyWarning.objects.filter(pk=warning.pk).update(status=WarningStatus.DONE, outcome=outcome, application=case,
                                                     notice=found_notice, note=note, done_by=actor, done_at=now)
        deadlines.close_deadline(warning, at=now)
        audit.record("monitoring.warning.followed_up", actor=actor, obj=warning, region_code=warning.region_code,
                     before={"status": WarningStatus.OPEN}, after={"status": WarningStatus.DONE, "outcome": outcome},
                     reason=note, extra={"rule": warning.rule, "application": case.pk if case else None,
                                         "notice": found_notice.pk if found_notice else None}, request=request)
    warning.refresh_from_db()
    return warning


# --- what the supervisor reads ------------------------------------------------------------------

def _deadline_counts(rows, now) -> dict:
    return rows.annotate(
        raised=Count("pk"), done=Count("pk", filter=Q(status=DeadlineStatus.CLOSED)),
        in_time=Count("pk", filter=Q(status=DeadlineStatus.CLOSED, closed_at__lte=F("due_at"))),
        open=Count("pk", filter=~Q(status=DeadlineStatus.CLOSED)),
        overdue=Count("pk", filter=overdue_condition(now)))


FIGURES = ("raised", "done", "in_time", "open", "overdue")
OUTCOMES = tuple(FollowUpOutcome.values)


def _with_rate(row: dict) -> dict:
    # Followed up in time, of those whose time has come: followed up, or still open past due.
    due = row["done"] + row["overdue"]
    row["rate"] = None if not due else round(100 * row["in_time"] / due, 1)
    return row


def follow_up_figures(warnings, *, digits: int = 9, now: datetime.datetime | None = None) -> dict:
    """How the warnings given (scoped and filtered by the caller) were followed up, read
    from their deadlines — in time means closed by the due time, overdue is the deadlines'
    one definition — per rule, per region (the first ``digits`` of its code), and in all;
    with each rule's outcomes. Three grouped queries whatever the number of warnings."""
    now = now or timezone.now()
    subject = ContentType.objects.get_for_model(EarlyWarning)
    rows = Deadline.objects.filter(subject_type=subject, subject_id__in=warnings.values("pk")).order_by()
    by_rule = {r["rule"]: r for r in _deadline_counts(
        rows.annotate(rule=Subquery(EarlyWarning.objects.filter(pk=OuterRef("subject_id")).values("rule")[:1]))
        .values("rule"), now)}
    by_area = [_with_rate({**r, "region": r["area"].ljust(12, "0")}) for r in _deadline_counts(
        rows.annotate(area=Substr("region_code", 1, digits)).values("area"), now).order_by("area")]
    outcomes: dict[str, dict[str, int]] = {}
    for rule, outcome, n in (warnings.order_by().exclude(outcome="").values_list("rule", "outcome")
                             .annotate(n=Count("pk"))):
        outcomes.setdefault(rule, {})[outcome] = n
    table = []
    for rule in Rule:
        row = {k: by_rule.get(rule.value, {}).get(k, 0) for k in FIGURES}
        row.update({o: outcomes.get(rule.value, {}).get(o, 0) for o in OUTCOMES})
        table.append(_with_rate({"rule": rule.value, "label": rule.label, **row}))
    total = _with_rate({k: sum(r[k] for r in table) for k in (*FIGURES, *OUTCOMES)})
    return {"rules": table, "regions": by_area, "total": total}
