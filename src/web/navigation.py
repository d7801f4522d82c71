from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import programs

# (url name, label, permission needed: None, one, a tuple of which any one will do, or a
# function returning such a tuple — the steps' permissions, read from the step tables)
MENU = [
    ("home", _("Home"), None),
    ("task_inbox", _("Tasks"), programs.case_step_permissions),
    ("approval_queue", _("Approvals"), programs.decision_permissions),
    ("application_list", _("Applications"), "assistance.view_application"),
    ("household_list", _("Households"), "registry.view_household"),
    ("household_create", _("Register household"), "registry.add_household"),
    ("duplicate_list", _("Duplicate registrations"), "registry.resolve_duplicateregistration"),
    ("audit_list", _("Audit trail"), "audit.view_auditevent"),
    ("notice_list", _("Public notices"), "enrolment.view_publicnotice"),
    ("spot_check_list", _("Spot checks"), "enrolment.view_spotcheck"),
    ("proactive_list", _("Proactive notices"), "enrolment.view_proactivenotice"),
    ("township_changes", _("Township changes"), "reviews.view_review"),
    ("warning_list", _("Early warnings"), "monitoring.view_earlywarning"),
    ("department_lists", _("Department lists"), "monitoring.view_listimport"),
    ("fund_list", _("Reserve funds"), "funds.view_reservefund"),
    ("roster_list", _("Payment rosters"), "rosters.view_roster"),
    ("visit_list", _("Home visits"), "visits.view_visit"),
    ("visit_coverage", _("Visit coverage"), "visits.view_coverage"),
    ("sla_dashboard", _("Deadline supervision"), "deadlines.view_breaches"),
    ("statistics", _("Statistics"), "reporting.view_statistics"),
    ("whatif_list", _("Policy what-if"), "whatif.run_whatif"),
    ("export_list", _("My exports"), None),
]

# Pages under a menu entry that are not its own URL, e.g. /people/… belongs to Households.
SECTIONS = {
    "household_list": ("/households/", "/people/"),
    "sla_dashboard": ("/supervision/", "/deadlines/"),
    "application_list": ("/applications/",),
    "task_inbox": ("/tasks/",),
    "fund_list": ("/funds/",),
    "roster_list": ("/rosters/",),
    "notice_list": ("/notices/",),
    "spot_check_list": ("/spot-checks/",),
    "proactive_list": ("/proactive-notices/",),
    "statistics": ("/statistics/",),
    "warning_list": ("/warnings/",),
    "department_lists": ("/department-lists/",),
    "township_changes": ("/township-changes/",),
    "visit_list": ("/visits/",),
    "export_list": ("/exports/",),
    "whatif_list": ("/what-if/",),
}


def _allowed(user, perm) -> bool:
    if perm is None:
        return True
    if callable(perm):
        perm = tuple(perm())
    if isinstance(perm, tuple):
        return any(user.has_perm(p) for p in perm)
    return user.has_perm(perm)


def _is_active(name: str, url: str, path: str, items: list[tuple[str, str]]) -> bool:
    if path == url:
        return True
    if any(path == other for _name, other in items if other != url):
        return False  # an exact match elsewhere wins, e.g. /households/new/ is "Register"
    return url != "/" and path.startswith(SECTIONS.get(name, (url,)))


def menu_for(user, path: str = ""):
    items = [(name, reverse(name)) for name, _label, perm in MENU if _allowed(user, perm)]
    labels = {name: label for name, label, _perm in MENU}
    return [
        {"url": url, "label": labels[name], "name": name, "active": _is_active(name, url, path, items)}
        for name, url in items
    ]
