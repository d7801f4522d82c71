from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Early warning of households at risk (动态监测预警) and other departments' lists. A flow
    folder (not a program): the warning's follow-up is a step with a deadline in the
    township's queue, declared here for its role, permission and default time limit."""

    name = "workflows.monitoring"
    label = "monitoring"
    verbose_name = _("Early warning")

    def ready(self):
        from core import programs
        from workflows import timeline

        from . import exports  # noqa: F401 - registers the warning list's export
        from .steps import FLOW
        from .timeline import warning_events

        programs.register(FLOW)
        timeline.register(warning_events)
