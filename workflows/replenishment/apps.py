from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReplenishmentConfig(AppConfig):
    """Replenishment of a township reserve fund: a flow folder (not a program), registered at start-up."""

    name = "workflows.replenishment"
    label = "replenishment"
    verbose_name = _("Reserve fund replenishment")

    def ready(self):
        from core import programs

        from .steps import FLOW

        programs.register(FLOW)
