from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "web"
    verbose_name = _("Web interface")

    def ready(self):
        from . import (  # noqa: F401 - register the exports that run as jobs
            enrolment_export_kinds,
            export_kinds,
            roster_export_kinds,
            visits_export_kinds,
            whatif_export_kinds,
        )
