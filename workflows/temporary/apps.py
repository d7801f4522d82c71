from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TemporaryConfig(AppConfig):
    """Temporary assistance (临时救助): one program folder, registered at start-up."""

    name = "workflows.temporary"
    label = "temporary"
    verbose_name = _("Temporary assistance")

    def ready(self):
        from core import programs

        from .steps import PROGRAM

        programs.register(PROGRAM)
