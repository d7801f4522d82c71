from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, permission needed or None)
MENU = [
    ("home", _("Home"), None),
    ("household_list", _("Households"), "registry.view_household"),
    ("household_create", _("Register household"), "registry.add_household"),
    ("audit_list", _("Audit trail"), "audit.view_auditevent"),
]


def menu_for(user):
    return [
        {"url": reverse(name), "label": label, "name": name}
        for name, label, perm in MENU
        if perm is None or user.has_perm(perm)
    ]
