from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DibaoConfig(AppConfig):
    """The minimum living guarantee (低保): one program folder, registered at start-up."""

    name = "workflows.dibao"
    label = "dibao"
    verbose_name = _("Minimum living guarantee")

    def ready(self):
        from core import programs

        from .steps import PROGRAM

        programs.register(PROGRAM)
