from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuardConfig(AppConfig):
    """The duplicate-benefit guard: before a case is granted, what suggests paying the same
    person or household twice, across programs and periods; a grant despite it needs a
    recorded reason."""

    name = "workflows.guard"
    label = "guard"
    verbose_name = _("Duplicate-benefit guard")
