"""Readable names for audit events and for the data they hold, so that a history reads as
sentences in the reader's language: never an event code, a field name or a stored value.

Every event the engine records has its label here (a test reads the code for them). An
administrator's change to a dated rule is named by the rule; an event or a field nobody
named yet reads as a generic "recorded action" and is left out of the details, rather
than shown as a code.
"""

from __future__ import annotations

import functools
import re

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

EVENT_LABELS = {
    # Cases (every program): the steps, as the case page's history names them.
    "assistance.application.opened": _("Application received"),
    "assistance.application.accepted": _("Intake: documents complete, accepted"),
    "assistance.application.incomplete": _("Intake: documents missing, applicant told"),
    "assistance.application.documents_received": _("Missing documents received"),
    "assistance.application.referred_out": _("Referred to the relief station"),
    "assistance.application.investigated": _("Investigation recorded"),
    "assistance.application.paperwork_completed": _("Paperwork completed"),
    "assistance.application.paid_first": _("Urgent payment made"),
    "assistance.application.referred": _("Referred to the county"),
    "assistance.application.approved": _("Approved"),
    "assistance.application.rejected": _("Rejected"),
    "assistance.application.paid": _("Instalment paid"),
    "assistance.application.filed": _("Filed with the county"),
    "assistance.application.payment_reversed": _("Payment reversed"),
    "assistance.application.verified": _("Data verification recorded"),
    "assistance.application.recommended": _("First review: recommended"),
    "assistance.application.duplicate_override": _("Granted despite possible duplicate benefits"),
    "assistance.application.objected": _("Objection to the public notice"),
    "assistance.application.reinvestigated": _("Re-investigation recorded"),
    "assistance.application.extended": _("Whole-case limit extended"),
    "assistance.application.reviewed": _("Periodic review decided"),
    "assistance.application.share_cut": _("A member's share cut after refusing suitable work"),
    "assistance.application.gradual_exit_ended": _("Gradual exit ended: payments stopped"),
    "assistance.instalment.waiting_funds": _("Payment waiting for the reserve fund"),
    "assistance.applications.exported": _("Applications exported to Excel"),
    "workflow.task.claimed": _("Task taken"),
    "workflow.task.released": _("Task released"),
    # Registry.
    "registry.household.registered": _("Household registered"),
    "registry.households.exported": _("Households exported to Excel"),
    "registry.timeline.exported": _("Household timeline exported to Excel"),
    "registry.person.added": _("Member added"),
    "registry.person.changed": _("Member data changed"),
    "registry.person.id_revealed": _("Full ID number revealed"),
    "registry.person.id_reveal_refused": _("Full ID number refused to a role without the right"),
    "registry.income.recorded": _("Income recorded"),
    "registry.income.ended": _("Income row ended by a newer one"),
    "registry.asset.recorded": _("Asset recorded"),
    "registry.asset.replaced": _("Asset row replaced by a newer one"),
    "registry.duplicate.reported": _("Duplicate registration reported to the county"),
    "registry.duplicate.resolved": _("Duplicate registration resolved"),
    "registry.demo.seeded": _("Demo data loaded"),
    "regions.imported": _("Regions imported"),
    "regions.region.created": _("Region added"),
    "regions.region.changed": _("Region changed"),
    "staff.user.created": _("Staff account created"),
    "staff.user.updated": _("Staff account changed"),
    "staff.second_factor.enrolled": _("Second factor set up"),
    "staff.second_factor.removed": _("Second factor removed"),
    # Deadlines.
    "deadlines.deadline.paused": _("Deadline clock paused"),
    "deadlines.deadline.resumed": _("Deadline clock resumed"),
    "deadlines.deadline.recomputed": _("Deadline recalculated"),
    "deadlines.breaches.exported": _("Deadline breaches exported to Excel"),
    "deadlines.dashboard.exported": _("Deadline dashboard exported to Excel"),
    # Documents and notices.
    "documents.document.generated": _("Document issued"),
    "documents.document.downloaded": _("Document downloaded"),
    "enrolment.notice.posted": _("Public notice posted"),
    "enrolment.notice.rendered": _("Public notice printed"),
    "enrolment.notice.downloaded": _("Public notice downloaded"),
    "enrolment.notices.exported": _("Public notices exported to Excel"),
    "enrolment.proactive_notice.issued": _("Letter telling a household it may apply issued"),
    "enrolment.proactive_notice.delivered": _("Letter delivered to the household"),
    "enrolment.proactive_notice.downloaded": _("Letter telling a household it may apply downloaded"),
    "tekun.spot_checks.drawn": _("Spot checks drawn"),
    "tekun.spot_checks.exported": _("Spot checks exported to Excel"),
    "reviews.review.opened": _("Periodic review opened"),
    "reviews.review.investigated": _("Review investigation recorded"),
    "reviews.change.reported": _("Change of circumstance reported"),
    "reviews.work_refusal.recorded": _("Refusal of suitable work recorded"),
    "reviews.notice.issued": _("Benefit notice issued"),
    "reviews.notice.rendered": _("Benefit notice printed"),
    "reviews.notice.downloaded": _("Benefit notice downloaded"),
    "reviews.changes.exported": _("Township changes exported to Excel"),
    # Reserve funds.
    "funds.fund.opened": _("Reserve fund opened"),
    "funds.fund.limits_changed": _("Reserve fund limits changed"),
    "funds.fund.discrepancy": _("Reserve fund ledger check found a discrepancy"),
    "funds.ledger.allocated": _("Money allocated to the reserve fund"),
    "funds.ledger.disbursed": _("Paid from the reserve fund"),
    "funds.ledger.reversed": _("Payout reversed"),
    "funds.ledger.adjusted": _("Reserve fund balance adjusted"),
    "funds.month.signed_off": _("Month signed off"),
    "funds.statement.downloaded": _("Statement downloaded"),
    "funds.replenishment.requested": _("Replenishment requested"),
    "funds.replenishment.approved": _("Replenishment approved and allocated"),
    "funds.replenishment.rejected": _("Replenishment rejected"),
    # Payment rosters.
    "rosters.roster.requested": _("Payment roster requested"),
    "rosters.roster.generated": _("Payment roster generated"),
    "rosters.roster.regenerated": _("Payment roster generated again"),
    "rosters.roster.locked": _("Payment roster locked"),
    "rosters.roster.printed": _("Payment roster printed"),
    "rosters.bank_file.downloaded": _("Bank file downloaded"),
    "rosters.results.applied": _("Bank results applied"),
    "rosters.results.rejected": _("Bank results refused"),
    "rosters.line.reissued": _("Failed payment issued again"),
    "rosters.account.recorded": _("Bank account recorded"),
    "rosters.account.revealed": _("Full bank account number revealed"),
    "rosters.cpi.recorded": _("CPI recorded"),
    "rosters.lines.exported": _("Roster lines exported to Excel"),
    "rosters.list.exported": _("Payment rosters exported to Excel"),
    # Home visits.
    "visits.plan.created": _("Visit plan made"),
    "visits.plan.changed": _("Visit plan changed"),
    "visits.plan.ended": _("Visit plan ended"),
    "visits.visits.generated": _("Visits scheduled"),
    "visits.visits.missed": _("Visits missed"),
    "visits.visit.recorded": _("Visit recorded"),
    "visits.visit.not_home": _("Nobody at home on a visit"),
    "visits.visit.danger_reported": _("Danger found on a visit"),
    "visits.record.printed": _("Visit record printed"),
    "visits.pairing.changed": _("Paired cadre changed"),
    "visits.event.declared": _("Major event declared"),
    "visits.follow_up.opened": _("Follow-up opened"),
    "visits.follow_up.done": _("Follow-up closed"),
    "visits.coverage.exported": _("Visit coverage exported to Excel"),
    "visits.not_visited.exported": _("People not visited lately exported to Excel"),
    # Exports, statistics and what-ifs.
    "exports.job.requested": _("Export requested"),
    "reporting.refresh.requested": _("Statistics refresh requested"),
    "reporting.statistics.exported": _("Statistics exported"),
    "whatif.run.requested": _("Policy what-if run requested"),
    "whatif.affected.exported": _("Affected households exported to Excel"),
    # Early warning and other departments' lists.
    "monitoring.list.imported": _("Department list imported"),
    "monitoring.list.rejected": _("Department list rejected"),
    "monitoring.list.template": _("Department list template downloaded"),
    "monitoring.scan.done": _("Early-warning check run"),
    "monitoring.warning.followed_up": _("Early warning followed up"),
    "monitoring.warnings.exported": _("Early warnings exported to Excel"),
}

# Dated rules changed in the admin (regions.rules_admin): "<rule>.created|changed|deleted".
RULE_NAMES = {
    "means.rule": _("means-test rule"),
    "assistance.dibao_standard": _("minimum living standard"),
    "enrolment.rule": _("enrolment rule (minimum living, extreme poverty)"),
    "reviews.rule": _("review rule"),
    "rosters.price_subsidy_rule": _("price subsidy rule"),
    "temporary.rule": _("temporary-assistance rule"),
    "temporary.amount_band": _("temporary-assistance amount band"),
    "guard.exclusion": _("duplicate-benefit exclusion rule"),
}
RULE_ACTIONS = {
    "created": _("Rule added: %(rule)s"),
    "changed": _("Rule changed: %(rule)s"),
    "deleted": _("Rule removed: %(rule)s"),
}

FIELD_LABELS = {
    "name": pgettext_lazy("person", "Name"),
    "id_number": _("ID number"),
    "relation": _("Relation to head"),
    "disability_kind": _("Disability"),
    "disability_grade": _("Disability grade"),
    "conditions": _("Circumstances"),
    "phone": _("Phone"),
    "address": _("Address"),
    "registration": _("Registration"),
    "members": _("Members"),
    "member": _("Member"),
    "rows": _("Rows"),
    "q": _("Search"),
    "region": _("Region"),
    "household": _("Household"),
    "step": _("Step"),
    "age": _("Overdue by"),
    "status": _("Status"),
    "due_at": _("Due"),
    "program": _("Program"),
    "amount": _("Amount (yuan)"),
    "amount_requested": _("Amount requested (yuan)"),
    "amount_approved": _("Amount approved (yuan)"),
    "recommended_amount": _("Recommended amount (yuan)"),
    "monthly_amount": _("Monthly amount (yuan)"),
    "value": _("Value (yuan)"),
    "balance_after": _("Balance after (yuan)"),
    "low_water_mark": _("Low-water mark (yuan)"),
    "target_balance": _("Target balance (yuan)"),
    "kind": _("Kind"),
    "cause_category": _("Cause category"),
    "level": _("Decided at"),
    "missing": _("Missing documents"),
    "investigators": _("Investigators"),
    "household_size": _("People covered"),
    "instalment": _("Instalment"),
    "application": _("Application"),
    "reference": _("Reference / reason"),
    "note": _("Note"),
    "valid_from": _("From"),
    "valid_to": _("Until"),
    "as_of": _("As of"),
    "tier": _("Tier"),
    "period": _("Visit every"),
    "rule": _("Rule"),
    "method": _("Method"),
    "outcome": _("Outcome"),
    "title": _("Title"),
    "roles": _("Roles"),
    "username": _("Username"),
    "cadre": _("Paired cadre"),
    "raised_by": _("Raised by"),
    "month": _("Month"),
    "effective_from": _("In force from"),
    "scope": _("Applies in"),
    "origin": _("Origin"),
    "households": _("Households"),
    "people": _("People"),
    "visits": _("Visits"),
    "lines": _("Lines"),
    "total": _("Total (yuan)"),
    "drawn": _("Drawn"),
    "period_month": _("Month"),
    "decision": _("Decision"),
    "new_amount": _("New amount (yuan)"),
    "resolution": _("Resolution"),
}

GENERIC_EVENT = _("Recorded action")


def event_label(event: str) -> str:
    if event in EVENT_LABELS:
        return str(EVENT_LABELS[event])
    rule, _dot, action = event.rpartition(".")
    if rule in RULE_NAMES and action in RULE_ACTIONS:
        return str(RULE_ACTIONS[action] % {"rule": RULE_NAMES[rule]})
    return str(GENERIC_EVENT)


def field_label(key: str) -> str | None:
    """The label of a key of an event's data; None for a key nobody named (not shown)."""
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else None


CODE_LIKE = re.compile(r"^[a-z][a-z0-9_]*$")


@functools.cache
def _choice_labels() -> dict[str, object]:
    """Every stored choice value of the models (and the roles), with its label: the value
    of a key no model names is still read as a word. The first model to use a value
    names it; the ones met later are the same words."""
    from django.apps import apps

    from staff.roles import Role

    labels: dict[str, object] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and CODE_LIKE.match(value):
                    labels.setdefault(value, label)
    for value, label in Role.choices:
        labels.setdefault(value, label)
    return labels


def choice_label(value: str) -> str | None:
    label = _choice_labels().get(value)
    return str(label) if label is not None else None
