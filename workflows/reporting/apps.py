from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Program statistics (统计报表): cases, people and money per program, region and
    period, kept as one row of figures per township, program and month."""

    name = "workflows.reporting"
    label = "reporting"
    verbose_name = _("Program statistics")
