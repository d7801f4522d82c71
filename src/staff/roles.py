"""Roles: each is a Django group whose permissions are declared here.

A user holds any number of roles in one home region. Permissions answer "may this
role do this kind of thing"; the region scope (core.scoping) answers "to which
records". Both must say yes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    TOWNSHIP_HEAD = "township_head", _("Township head")
    COUNTY_REVIEWER = "county_reviewer", _("County reviewer")
    COUNTY_FINANCE = "county_finance", _("County finance")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


def role_label(name: str) -> str:
    """A role as people call it; a group that is no role of the engine, by its own name."""
    return str(Role(name).label) if name in Role.values else name


# app_label.codename per role. The permissions of workflow steps are not listed here:
# each step declares its role in its flow's step table (core.programs), and
# role_permissions() adds them.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CASEWORKER: [
        "registry.view_household", "registry.add_household", "registry.change_household",
        "registry.view_person", "registry.add_person", "registry.change_person",
        "registry.view_income", "registry.add_income", "registry.view_asset", "registry.add_asset",
        "registry.reveal_id_number",
        "assistance.view_application", "assistance.add_application", "funds.view_reservefund",
    ],
    Role.TOWNSHIP_HEAD: [
        "registry.view_household", "registry.view_person", "registry.view_income", "registry.view_asset",
        "registry.reveal_id_number", "audit.view_auditevent", "deadlines.view_breaches",
        "assistance.view_application", "funds.view_reservefund", "funds.request_replenishment",
    ],
    Role.COUNTY_REVIEWER: [
        "registry.view_household", "registry.view_person", "registry.view_income", "registry.view_asset",
        "registry.reveal_id_number", "assistance.view_application",
    ],
    Role.COUNTY_FINANCE: ["registry.view_household", "assistance.view_application", "funds.view_reservefund",
                          "funds.allocate", "funds.adjust", "funds.sign_off", "funds.approve_replenishment"],
    Role.SUPERVISOR: [
        "registry.view_household", "registry.view_person", "audit.view_auditevent", "deadlines.view_breaches",
        "assistance.view_application", "funds.view_reservefund",
    ],
    Role.ADMIN: [
        "registry.view_household", "registry.add_household", "registry.change_household",
        "registry.view_person", "registry.add_person", "registry.change_person",
        "registry.view_income", "registry.add_income", "registry.view_asset", "registry.add_asset",
        "registry.reveal_id_number", "audit.view_auditevent", "deadlines.view_breaches",
        "regions.view_region", "regions.add_region", "regions.change_region",
        "staff.view_user", "staff.add_user", "staff.change_user",
        "assistance.view_application", "funds.view_reservefund",
    ],
}


# Home visits (visits app): field staff record visits and close follow-ups; township heads
# also pair cadres with households; heads and supervisors follow coverage and declare major events.
ROLE_PERMISSIONS[Role.CASEWORKER] += [
    "visits.view_visit", "visits.record_visit", "visits.view_visitplan", "visits.view_followup",
    "visits.complete_followup",
]
ROLE_PERMISSIONS[Role.TOWNSHIP_HEAD] += [
    "visits.view_visit", "visits.record_visit", "visits.view_visitplan", "visits.view_coverage",
    "visits.change_pairing", "visits.declare_event", "visits.view_followup", "visits.complete_followup",
]
ROLE_PERMISSIONS[Role.SUPERVISOR] += [
    "visits.view_visit", "visits.view_visitplan", "visits.view_coverage", "visits.declare_event",
    "visits.view_followup",
]
ROLE_PERMISSIONS[Role.ADMIN] += [
    "visits.view_visit", "visits.view_visitplan", "visits.view_coverage", "visits.change_pairing",
    "visits.declare_event", "visits.view_followup", "visits.view_tierrule", "visits.add_tierrule",
    "visits.change_tierrule",
]
# The means test's rules and the dibao standards (means.admin): administrators keep them.
ROLE_PERMISSIONS[Role.ADMIN] += [
    "means.view_meansrule", "means.add_meansrule", "means.change_meansrule", "means.delete_meansrule",
    "assistance.view_dibaostandard", "assistance.add_dibaostandard", "assistance.change_dibaostandard",
    "assistance.delete_dibaostandard",
]


# 低保 and 特困 enrolment (workflows/enrolment): township staff record objections to a posted
# notice; the county extends a case's limit and draws 特困's spot checks; everyone who works
# cases reads the posted lists; administrators keep the rules.
ROLE_PERMISSIONS[Role.CASEWORKER] += ["enrolment.add_objection", "enrolment.view_publicnotice"]
ROLE_PERMISSIONS[Role.TOWNSHIP_HEAD] += ["enrolment.add_objection", "enrolment.view_publicnotice"]
ROLE_PERMISSIONS[Role.COUNTY_REVIEWER] += ["enrolment.extend_case", "enrolment.view_publicnotice",
                                           "enrolment.view_spotcheck", "tekun.draw_spot_checks"]
ROLE_PERMISSIONS[Role.SUPERVISOR] += ["enrolment.view_publicnotice", "enrolment.view_spotcheck"]
# The township writes the letters telling a household that qualifies that it may apply (救助主动告知).
ROLE_PERMISSIONS[Role.CASEWORKER] += ["enrolment.add_proactivenotice", "enrolment.view_proactivenotice"]
ROLE_PERMISSIONS[Role.TOWNSHIP_HEAD] += ["enrolment.add_proactivenotice", "enrolment.view_proactivenotice"]
ROLE_PERMISSIONS[Role.ADMIN] += [
    "enrolment.view_enrolmentrule", "enrolment.add_enrolmentrule", "enrolment.change_enrolmentrule",
    "enrolment.delete_enrolmentrule", "enrolment.view_publicnotice",
    "temporary.view_assistancerule", "temporary.add_assistancerule", "temporary.change_assistancerule",
    "temporary.view_amountband", "temporary.add_amountband", "temporary.change_amountband",
]

# Monthly payment rosters (workflows/rosters): county finance makes, locks and reconciles them;
# the township records where a case is paid; administrators record the CPI and the subsidy's rules.
ROLE_PERMISSIONS[Role.CASEWORKER] += ["rosters.view_bankaccount", "rosters.add_bankaccount",
                                      "rosters.change_bankaccount"]
ROLE_PERMISSIONS[Role.TOWNSHIP_HEAD] += ["rosters.view_bankaccount"]
ROLE_PERMISSIONS[Role.COUNTY_FINANCE] += [
    "rosters.view_roster", "rosters.add_roster", "rosters.lock_roster", "rosters.reconcile_roster",
    "rosters.view_bankaccount", "rosters.add_bankaccount", "rosters.change_bankaccount",
]
ROLE_PERMISSIONS[Role.SUPERVISOR] += ["rosters.view_roster"]
ROLE_PERMISSIONS[Role.ADMIN] += [
    "rosters.view_roster", "rosters.view_cpireading", "rosters.add_cpireading",
    "rosters.view_pricesubsidyrule", "rosters.add_pricesubsidyrule", "rosters.change_pricesubsidyrule",
]


# Ongoing 低保/特困 cases (workflows/reviews): township staff report changes and refusals of work;
# whoever works or supervises cases reads reviews and the notices of payment changes.
ROLE_PERMISSIONS[Role.CASEWORKER] += ["reviews.view_review", "reviews.add_changereport", "reviews.add_workrefusal",
                                      "reviews.view_benefitnotice"]
ROLE_PERMISSIONS[Role.TOWNSHIP_HEAD] += ["reviews.view_review", "reviews.add_changereport",
                                         "reviews.add_workrefusal", "reviews.view_benefitnotice"]
ROLE_PERMISSIONS[Role.COUNTY_REVIEWER] += ["reviews.view_review", "reviews.view_benefitnotice"]
ROLE_PERMISSIONS[Role.SUPERVISOR] += ["reviews.view_review", "reviews.view_benefitnotice"]
ROLE_PERMISSIONS[Role.ADMIN] += ["reviews.view_reviewrule", "reviews.add_reviewrule", "reviews.change_reviewrule",
                                 "reviews.delete_reviewrule"]


# Program statistics (workflows.reporting): supervisors and administrators.
ROLE_PERMISSIONS[Role.SUPERVISOR] += ["reporting.view_statistics", "enrolment.view_proactivenotice"]
ROLE_PERMISSIONS[Role.ADMIN] += ["reporting.view_statistics"]

# Policy what-ifs (workflows/whatif): administrators ask what a new standard, township limit or
# band would do; the duplicate-benefit guard's rules (workflows/guard) are theirs to keep too.
ROLE_PERMISSIONS[Role.ADMIN] += ["whatif.run_whatif",
                                 "guard.view_benefitexclusion", "guard.add_benefitexclusion",
                                 "guard.change_benefitexclusion"]

# Early warning: the township sees and follows up its warnings (the step's permission comes
# from the step table), the county imports other departments' lists, supervisors read how
# warnings were followed up.
ROLE_PERMISSIONS[Role.CASEWORKER] += ["monitoring.view_earlywarning"]
ROLE_PERMISSIONS[Role.TOWNSHIP_HEAD] += ["monitoring.view_earlywarning", "monitoring.view_warning_figures"]
ROLE_PERMISSIONS[Role.COUNTY_REVIEWER] += ["monitoring.view_earlywarning", "monitoring.view_listimport",
                                           "monitoring.import_list"]
ROLE_PERMISSIONS[Role.SUPERVISOR] += ["monitoring.view_earlywarning", "monitoring.view_warning_figures",
                                      "monitoring.view_listimport"]
ROLE_PERMISSIONS[Role.ADMIN] += ["monitoring.view_earlywarning", "monitoring.view_warning_figures",
                                 "monitoring.view_listimport", "monitoring.import_list"]


def role_permissions() -> dict[str, list[str]]:
    """Every role's permissions: those above plus the steps each flow gives the role."""
    from core import programs

    merged = {role: list(perms) for role, perms in ROLE_PERMISSIONS.items()}
    for role, perms in programs.role_permissions().items():
        merged.setdefault(role, [])
        merged[role] += [p for p in perms if p not in merged[role]]
    return merged


def sync_role_groups(sender=None, using="default", **kwargs):
    from django.contrib.auth.models import Group, Permission

    for role, perms in role_permissions().items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:  # an app not migrated yet: the next post_migrate adds it
                wanted.append(perm)
        group.permissions.set(wanted)
