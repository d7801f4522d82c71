from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TekunConfig(AppConfig):
    """Extreme-poverty support (特困): one program folder, registered at start-up."""

    name = "workflows.tekun"
    label = "tekun"
    verbose_name = _("Extreme-poverty support")

    def ready(self):
        from core import programs

        from .steps import PROGRAM

        programs.register(PROGRAM)
