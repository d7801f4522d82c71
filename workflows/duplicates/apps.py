from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuplicatesConfig(AppConfig):
    """Resolving duplicate registrations: a flow folder (not a program), registered at start-up."""

    name = "workflows.duplicates"
    label = "duplicates"
    verbose_name = _("Duplicate registrations")

    def ready(self):
        from core import programs

        from .steps import FLOW

        programs.register(FLOW)
